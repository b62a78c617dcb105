#!/usr/bin/env bash
# Issue 15, safe retries: a statement reaches the database twice only when it is safe to repeat,
# with the connection cut at the worst moment by tests/pgcut.py (a proxy on a unix socket that
# lets a statement run and commit, then drops the connection before its answer) or by
# pg_terminate_backend from a second session. Through tests/dbcut (fcgi/db.c, statements marked
# as the portal's writes and as submit are): a write marked once is not replayed, a submit is
# retried and stored once, an idle connection the server closed is replaced before sending, a
# serialization failure is retried once for a read and returned for a write. Through the stack:
# a submission that keeps losing a serialization failure is answered 503 (not 500), one that
# loses it once is stored once. And landformd migrate cut while waiting for its lock, or between
# a migration file and its schema_migrations row, fails without recording it; a re-run applies it.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/saferetry
rm -rf "$W"; mkdir -p "$W"
CUT_PORT=${LANDFORM_TEST_CUT_PORT:-$((LF_PG_PORT + 58))}
DBCUT=$(dirname "$LF_BIN")/../tests/dbcut
UPSTREAM=$LF_PGSOCK/.s.PGSQL.$LF_PG_PORT
VIA_CUT="host=$W port=$CUT_PORT dbname=$LF_DB user=postgres gssencmode=disable"
DIRECT="host=$LF_PGSOCK port=$LF_PG_PORT dbname=$LF_DB user=postgres"
PROXY=
stop_proxy() { [ -z "$PROXY" ] || { kill "$PROXY" 2>/dev/null; wait "$PROXY" 2>/dev/null; PROXY=; }; }
# start_proxy MARKER: the next connection that sends MARKER loses the answer to it.
start_proxy() {
    stop_proxy
    python3 "$LF_ROOT/tests/pgcut.py" "$W/.s.PGSQL.$CUT_PORT" "$UPSTREAM" "$1" > "$W/proxy.out" 2>&1 &
    PROXY=$!
    wait_for 5 grep -q ready "$W/proxy.out"
}
cleanup() {
    stop_proxy
    q "drop table if exists public.lf_cut; drop function if exists public.lf_cut_flaky(text);
       drop sequence if exists public.lf_cut_seq; drop trigger if exists lf_cut_conflict on landform.submissions;
       drop function if exists public.lf_cut_conflict()" >/dev/null 2>&1
    psql -X -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d postgres -c "drop database if exists lf_cut_mig with (force)" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
admin "create table public.lf_cut (v text not null);
       create sequence public.lf_cut_seq;
       create function public.lf_cut_flaky(p text) returns int language plpgsql as \$\$
       begin
           if nextval('public.lf_cut_seq') = 1 then
               raise exception 'lost a serialization failure' using errcode = '40001';
           end if;
           insert into public.lf_cut values (p);
           return 1;
       end \$\$"
stored() { q "select count(*) from public.lf_cut where v = '$1'"; }

# --- a write that may run once is not sent again ---------------------------------------------
start_proxy "once-$$"
out=$("$DBCUT" "$VIA_CUT" "once:once-$$" 2>"$W/dbcut1.err")
is "$(cat "$W/proxy.out" | grep -c cut)" 1 "the proxy let the write run and dropped the connection before its answer"
is "$out" "once unavailable " "a portal-like write whose answer was lost is not sent again: the caller gets unavailable (503)"
is "$(stored "once-$$")" 1 "... and it is stored once, not twice"

# --- submit is sent again, and stored once ----------------------------------------------------
KEY=cutkey-$$-$RANDOM
PHONE=+86139$(printf '%08d' $((RANDOM * 1000 + $$ % 1000)))
start_proxy "$KEY"
out=$("$DBCUT" "$VIA_CUT" "submit:$PHONE:$KEY" 2>"$W/dbcut2.err")
is "$(grep -c cut "$W/proxy.out")" 1 "the proxy dropped the connection after submit committed"
is "$out" "submit ok" "submit, safe to repeat (idempotency key), is sent again on a new connection and answers"
is "$(q "select count(*) from landform.submissions where idem_key = '$KEY'")" 1 "... and the submission is stored once"
like "$(cat "$W/dbcut2.err")" "cut_submit: .*sending it again" "... the retry is logged"
stop_proxy

# --- an idle connection the server closed is replaced before sending ---------------------------
rm -f "$W/in"; mkfifo "$W/in"
"$DBCUT" "$DIRECT" "once:idle-$$-a" wait "once:idle-$$-b" < "$W/in" > "$W/idle.out" 2>"$W/idle.err" &
DRV=$!
exec 3>"$W/in"
wait_for 5 grep -q waiting "$W/idle.out"
q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'dbcut'" >/dev/null
sleep 0.3
echo go >&3; exec 3>&-
wait "$DRV"
is "$(tail -1 "$W/idle.out")" "once ok" "after pg_terminate_backend of an idle connection, a write that may run once gets a new connection and runs"
is "$(stored "idle-$$-b")" 1 "... once"

# --- serialization failure: a read is retried once, a write is not ----------------------------
q "select setval('public.lf_cut_seq', 1, false)" >/dev/null
is "$("$DBCUT" "$DIRECT" "flaky-read:flaky-$$-r" 2>/dev/null)" "flaky-read ok" "a statement safe to repeat that lost a serialization failure is retried once and answers"
is "$(stored "flaky-$$-r")" 1 "... stored once"
q "select setval('public.lf_cut_seq', 1, false)" >/dev/null
is "$("$DBCUT" "$DIRECT" "flaky-write:flaky-$$-w" 2>/dev/null)" "flaky-write conflict 40001" "one that may run once is not retried: conflict (the request answers 503)"
is "$(stored "flaky-$$-w")" 0 "... nothing stored"

# --- through the stack: a conflict is a 503, never a 500 ------------------------------------------
admin "create function public.lf_cut_conflict() returns trigger language plpgsql security definer as \$\$
       begin
           if NEW.name = 'lfcut-always' or (NEW.name like 'lfcut-once-%' and nextval('public.lf_cut_seq') = 1) then
               raise exception 'lost a deadlock' using errcode = '40P01';
           end if;
           return NEW;
       end \$\$;
       create trigger lf_cut_conflict before insert on landform.submissions for each row execute function public.lf_cut_conflict()"
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
s1=$(curl -s "$LF_URL/p/demo?ch=cutch" | stamp_of); s2=$(curl -s "$LF_URL/p/demo?ch=cutch" | stamp_of)
sleep 2.2
post_form() { curl -s -o "$W/form.html" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$1" "$LF_URL/p/demo?ch=cutch"; }
code=$(post_form "_stamp=$s1&mobile=1391$(printf '%07d' $((RANDOM * 10 + 1)))&agree=on&name=lfcut-always")
is "$code" 503 "a submission that keeps losing a deadlock is answered 503, not 500"
like "$(cat "$W/form.html")" 'lfcut-always' "... with the form and what was typed"
q "select setval('public.lf_cut_seq', 1, false)" >/dev/null
code=$(post_form "_stamp=$s2&mobile=1392$(printf '%07d' $((RANDOM * 10 + 2)))&agree=on&name=lfcut-once-$$")
is "$code" 303 "one that loses it once is retried and the visitor thanked"
is "$(q "select count(*) from landform.submissions where name = 'lfcut-once-$$'")" 1 "... stored once"

# --- migrate cut mid-way ---------------------------------------------------------------------------
MURL="postgresql://postgres@/lf_cut_mig?host=$LF_PGSOCK&port=$LF_PG_PORT"
mq() { psql -X -At -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d lf_cut_mig -c "$1"; }
migrate() { env $(lf_landformd_env) LANDFORM_DATABASE_URL="$MURL" LANDFORM_SQL_DIR="$1" "$LF_BIN" migrate; }
psql -X -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d postgres -c "create database lf_cut_mig" >/dev/null
migrate "$LF_ROOT/sql" > "$W/m0.log" 2>&1
is "$?" 0 "a scratch database migrates"
cp -R "$LF_ROOT/sql" "$W/sql"
echo 'CREATE TABLE landform.lf_cut_mig (x int);' > "$W/sql/migrations/0099_cut.sql"
holder() { # holder SQL: a second session holding a lock until it is terminated
    psql -X -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d lf_cut_mig \
        -c "set application_name = 'lfcut_holder'" -c "begin" -c "$1" -c "select pg_sleep(30)" >/dev/null 2>&1 &
    wait_for 5 held
}
held() { [ "$(mq "select count(*) from pg_stat_activity where application_name = 'lfcut_holder' and query like '%pg_sleep%'")" = 1 ]; }
release() { mq "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lfcut_holder'" >/dev/null; }
migrate_waits() { # migrate_waits QUERY-PATTERN: landformd migrate is waiting for a lock there
    [ "$(mq "select count(*) from pg_stat_activity where application_name = 'landformd migrate' and wait_event_type = 'Lock' and query like '$1'")" = 1 ]
}
cut_migrate() { mq "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'landformd migrate'" >/dev/null; }
applied() { mq "select count(*) from landform.schema_migrations where version = '0099_cut'"; }
table_there() { mq "select to_regclass('landform.lf_cut_mig') is not null"; }

holder "select pg_advisory_lock(hashtext('landform.migrate'))"
( migrate "$W/sql" > "$W/m1.log" 2>&1; echo $? > "$W/m1.rc" ) &
M=$!
wait_for 5 migrate_waits '%pg_advisory_xact_lock%'; check "landformd migrate waits for the migrate lock" migrate_waits '%pg_advisory_xact_lock%'
cut_migrate; sleep 0.5; release; wait "$M"
is "$(cat "$W/m1.rc")" 1 "migrate whose connection is cut while waiting for the lock fails (it does not go on in autocommit)"
is "$(applied):$(table_there)" "0:f" "... and 0099 is neither applied nor recorded"

holder "lock table landform.schema_migrations in exclusive mode"
( migrate "$W/sql" > "$W/m2.log" 2>&1; echo $? > "$W/m2.rc" ) &
M=$!
wait_for 2 migrate_waits 'INSERT INTO landform.schema_migrations%'
check "landformd migrate ran 0099 and waits to record it" migrate_waits 'INSERT INTO landform.schema_migrations%'
cut_migrate; sleep 0.5; release; wait "$M"
is "$(cat "$W/m2.rc")" 1 "migrate whose connection is cut between a file and its schema_migrations row fails"
is "$(applied):$(table_there)" "0:f" "... and 0099 is not recorded as applied (its table was rolled back with it)"
like "$(cat "$W/m2.log")" "migrate failed, nothing was changed" "... saying nothing was changed"

migrate "$W/sql" > "$W/m3.log" 2>&1
is "$?" 0 "migrate run again succeeds"
is "$(applied):$(table_there)" "1:t" "... and applies 0099 and records it"
t_done
