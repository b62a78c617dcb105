#!/usr/bin/env bash
# Issue 15, migrations that never stop the site: a routine `landformd migrate` under a steady
# load of form submissions and portal reads (tests/migrate-load.py): once with nothing new to
# apply, once with a new function added to sql/code/10_util.sql in a scratch copy of sql/ (so
# every code file after it runs again, views and grants included). Every request answers (no
# failure) and none waits longer than migrate's lock timeout (2 s); triggers are no longer
# dropped and re-created, so a migrate with nothing new takes no lock on a table at all. And
# a migration that needs a lock on leads while a long transaction holds a conflicting one
# (6 s): submissions queue behind migrate's request at most for its lock timeout (it gives up,
# lets them through and tries again), not for the 6 s: none takes longer than the lock timeout
# plus 1 s of its own work (without the timeout, requests took 5 s).
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/migrate-load
rm -rf "$W"; mkdir -p "$W"
R=$RANDOM
LOCK_TIMEOUT_MS=2000
SLACK_MS=0   # a request's own work on top of a wait; 0 while migrate waits for no lock
migrate() { env $(lf_landformd_env) LANDFORM_SQL_DIR="$1" "$LF_BIN" -c "$LF_CONF" migrate; }
cleanup() {
    q "drop function if exists landform.lf_scratch_fn(); delete from landform.schema_code where file = '10_util.sql';
       drop index if exists landform.lf_mig_load; delete from landform.schema_migrations where version = '0099_mig_load'" >/dev/null 2>&1
    # The real 10_util.sql is recorded again by the next migrate that runs it.
    migrate "$LF_ROOT/sql" > "$W/restore.log" 2>&1
}
trap cleanup EXIT
link=$(q "select landform.add_staff('mig_m$R', 'Member')")
q "select landform.join_pool('default', 'mig_m$R')" >/dev/null
is "$(portal_join m "$link" 'member password 1')" 303 "a member for the portal reads"

# load SECONDS OUT: the load in the background; LOAD is its pid.
load() { python3 "$LF_ROOT/tests/migrate-load.py" "$LF_URL" "$1" "$W/m.jar" "$2" & LOAD=$!; }
# judge OUT WHAT: no failed request, none slower than the lock timeout.
judge() {
    local n bad slow max
    n=$(wc -l < "$1")
    bad=$(awk '($1 == "submit" && $2 != 303) || ($1 != "submit" && $2 != 200)' "$1" | sort | uniq -c | head -5)
    max=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$1")
    slow=$(awk -v t=$((LOCK_TIMEOUT_MS + SLACK_MS)) '$3 > t' "$1" | wc -l)
    check "$2: the load ran ($n requests: $(awk '{ print $1 }' "$1" | sort | uniq -c | tr -s ' \n' ' '))" [ "$n" -ge 40 ]
    is "$bad" "" "$2: no request failed"
    is "$slow" 0 "$2: no request waited longer than the lock timeout (slowest $max ms)"
}

load 9 "$W/routine.txt"
sleep 3
migrate "$LF_ROOT/sql" > "$W/routine.log" 2>&1
is "$?" 0 "a routine migrate (nothing new) under load succeeds"
like "$(cat "$W/routine.log")" "0 new migration\(s\), 0 of [0-9]+ code file\(s\) applied" "... and re-runs no code file: nothing changed"
wait "$LOAD"
judge "$W/routine.txt" "routine migrate"

cp -R "$LF_ROOT/sql" "$W/sql"
cat >> "$W/sql/code/10_util.sql" <<'SQL'

-- Added by tests/integration/87_migrate_load.sh.
CREATE OR REPLACE FUNCTION landform.lf_scratch_fn() RETURNS int LANGUAGE sql AS $$ SELECT 87 $$;
SQL
load 9 "$W/newfn.txt"
sleep 3
migrate "$W/sql" > "$W/newfn.log" 2>&1
is "$?" 0 "a migrate with a new function in 10_util.sql under load succeeds"
like "$(cat "$W/newfn.log")" "0 new migration\(s\), ([0-9]+) of \1 code file\(s\) applied" "... re-running 10_util.sql and every code file after it"
is "$(q "select landform.lf_scratch_fn()")" 87 "... and the new function is there"
wait "$LOAD"
judge "$W/newfn.txt" "migrate with a new function"

cp -R "$LF_ROOT/sql" "$W/sql2"
echo 'CREATE INDEX lf_mig_load ON landform.leads (id);' > "$W/sql2/migrations/0099_mig_load.sql"
load 12 "$W/locked.txt"
sleep 3
psql -X -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d "$LF_DB" \
    -c "begin" -c "lock table landform.leads in row exclusive mode" -c "select pg_sleep(6)" -c "commit" >/dev/null 2>&1 &
HOLD=$!
sleep 0.3
migrate "$W/sql2" > "$W/locked.log" 2>&1
is "$?" 0 "a migration that needs a lock on leads, held 6 s by a long transaction, succeeds in the end"
like "$(cat "$W/locked.log")" "lock timeout.*trying again \(2 of" "... after giving up the lock wait and trying again"
wait "$HOLD" "$LOAD"
SLACK_MS=1000   # a request's own work on a loaded 2-core machine (seen: 2849 ms in all at load 10)
judge "$W/locked.txt" "migrate waiting for a table lock"
t_done
