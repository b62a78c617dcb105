# Shared by the spool tests (tests/integration/8*_spool_*.sh), after tests/lib.sh: PostgreSQL
# killed and started again, the spool's files, and the check they all end with.

pg_kill() { runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -m immediate -w stop >/dev/null; }
pg_start() { runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -o "-p $LF_PG_PORT" -l "$LF_LOG/postgresql.log" -w start >/dev/null; }

# Spool files waiting or being replayed in DIR (default: the stack's spool_dir).
spool_files() { find "${1:-$LF_VAR/spool}" -maxdepth 1 \( -name '*.spool' -o -name '*.claimed' \) | wc -l; }

# Phones of an earlier run of a test (run by hand against a kept stack) would count twice.
forget_prefix() { q "select count(*) from landform.leads l, landform.forget(l.phone) where l.phone like '$1%'" >/dev/null; }

# stored_once ANSWERS PREFIX [WHEN]: every post answered 303 in ANSWERS (spool-load.py's
# lines) is stored, and once; the phones stored go to ANSWERS.stored.
stored_once() {
    local answers=$1 prefix=$2 when=${3:-}
    awk '$2 == 303 {print $3}' "$answers" | sort > "$answers.acked"
    q "select l.phone from landform.submissions s join landform.leads l on l.id = s.lead_id
       where l.phone like '${prefix}%' order by 1" > "$answers.stored"
    is "$(comm -23 "$answers.acked" "$answers.stored" | wc -l)" 0 "every acknowledged submission is stored$when"
    is "$(uniq -d "$answers.stored" | wc -l)" 0 "... exactly once (no duplicates)"
}
