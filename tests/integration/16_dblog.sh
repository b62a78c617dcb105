#!/usr/bin/env bash
# What landformd says about its database and its environment, and where: the notices PostgreSQL
# sends on an immediate shutdown land in landformd's log (not on stderr, which nobody reads);
# the stack scripts' own LANDFORM_PG_PORT / LANDFORM_HTTP_PORT never reach landformd, so it
# has nothing to warn about. (/healthz's short public reason is checked in 10_foundation.sh.)
source "$(dirname "$0")/../lib.sh"

LOG=$LF_LOG/landformd.log
ERR=$LF_LOG/landformd.stderr
healthy() { [ "$(status GET /healthz)" = 200 ]; }
# Lines a file gained since its line count was taken: since FILE N
since() { tail -n +"$(( $2 + 1 ))" "$1" 2>/dev/null; }

# --- the scripts' variables are not passed on ------------------------------------------------
out=$(LANDFORM_PG_PORT=1 "$LF_BIN" -c "$LF_CONF" check-config 2>&1)
like "$out" 'ignoring LANDFORM_PG_PORT: not a landformd option' \
    "landformd warns about a LANDFORM_ variable that is not its option (so the checks below can fail)"
out=$(LANDFORM_PG_PORT=$LF_PG_PORT LANDFORM_HTTP_PORT=$LF_HTTP_PORT LANDFORM_LOG_LEVEL=debug lf_migrate)
unlike "$out" 'not a landformd option' "lf_migrate with LANDFORM_PG_PORT and LANDFORM_HTTP_PORT set: no warning"

master=$(landformd_pid)
kill -TERM "$master"
gone() { ! kill -0 "$master" 2>/dev/null; }
check "landformd stops for a restart" wait_for 10 gone
mark=$(wc -l < "$LOG"); emark=$(wc -l < "$ERR" 2>/dev/null || echo 0)
LANDFORM_PG_PORT=$LF_PG_PORT LANDFORM_HTTP_PORT=$LF_HTTP_PORT LANDFORM_STACK=test lf_landformd_start
check "landformd started by lf_landformd_start with them set is healthy" wait_for 5 healthy
unlike "$(since "$LOG" "$mark"; since "$ERR" "$emark")" 'not a landformd option' \
    "... and warns about none of them"
like "$(since "$LOG" "$mark")" 'listening|started|ready|worker' "... (its start-up is in the log read)"

# --- libpq notices go to the log ------------------------------------------------------------
sleep 0.5
mark=$(wc -l < "$LOG"); emark=$(wc -l < "$ERR" 2>/dev/null || echo 0)
runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -m immediate -w stop >/dev/null
# Workers read the WARNING with their next query; the dispatcher's LISTEN reads it at once.
for i in 1 2 3 4 5 6; do curl -s -o /dev/null --max-time 5 "$LF_URL/healthz"; done
noticed() { since "$LOG" "$mark" | grep -Eq ' warn +[a-z]+\[[0-9]+\] database WARNING: terminating connection due to immediate shutdown'; }
check "an immediate shutdown's WARNING reaches landformd's log at warn" wait_for 5 noticed
unlike "$(since "$ERR" "$emark")" 'terminating connection' "... and nothing of it goes to stderr"
runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -o "-p $LF_PG_PORT" -l "$LF_LOG/postgresql.log" -w start >/dev/null
check "after PostgreSQL is back, /healthz is 200 again" wait_for 10 healthy
sleep 0.5
is "$(for i in 1 2 3 4 5 6; do status GET /healthz; echo; done | sort -u)" 200 "every worker reconnected"

t_done
