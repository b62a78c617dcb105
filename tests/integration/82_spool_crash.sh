#!/usr/bin/env bash
# Issue 14, test 3: the landformd master and all its children killed with SIGKILL while they
# spool (PostgreSQL down), under load; started again, with the database: every acknowledged
# submission is stored once after replay. The new instance counts what the old one left
# (/healthz) and replays files whose writers died holding them.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../spool-lib.sh"

W=$LF_VAR/spool-crash
rm -rf "$W"; mkdir -p "$W"
PREFIX=+861372
forget_prefix "$PREFIX"

pg_kill
python3 "$LF_ROOT/tests/spool-load.py" "$LF_URL" 16 8 "$PREFIX" "$W/answers" 40 crash1 &
LOAD=$!
sleep 6
master=$(landformd_pid)
kill -KILL "$master" $(pgrep -P "$master")
wait "$LOAD"
acked=$(awk '$2 == 303' "$W/answers" | wc -l)
echo "# $(wc -l < "$W/answers") posts, $acked acknowledged before the kill"
[ "$acked" -gt 20 ] && ok "submissions were acknowledged from the spool before the kill ($acked)" \
    || not_ok "submissions were acknowledged from the spool before the kill (only $acked)"
[ "$(spool_files)" -ge 1 ] && ok "the killed instance left its spool files ($(spool_files))" || not_ok "the killed instance left spool files"

lf_landformd_start
wait_for 5 curl -fs -o /dev/null "$LF_URL/p/demo"
sleep 0.5 # the replayer counts what it finds
health=$(curl -s "$LF_URL/healthz")
like "$health" '"status":"degraded","database":"unavailable","spooled":[0-9]+,' "the new instance says degraded"
# A submission made durable just before the kill may not have had its answer sent: it waits too.
n=$(sed -n 's/.*"spooled":\([0-9]*\).*/\1/p' <<<"$health")
[ "${n:-0}" -ge "$acked" ] && [ "${n:-0}" -le $((acked + 16)) ] \
    && ok "... counting what the old one left: $n spooled for $acked acknowledged (16 were in flight at most)" \
    || not_ok "... counting what the old one left: ${n:-none} spooled for $acked acknowledged"
pg_start
empty() { [ "$(spool_files)" -eq 0 ]; }
check "once the database is back, the spool is empty within 10 s" wait_for 10 empty
sleep 0.3
stored_once "$W/answers" "$PREFIX" " after the replay"
like "$(curl -s "$LF_URL/healthz")" '"status":"ok"' "/healthz says ok again"

t_done
