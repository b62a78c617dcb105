#!/usr/bin/env bash
# PostgreSQL failover under load on the HA stack (LANDFORM_HA=1 scripts/up: pg_auto_failover
# monitor, primary + synchronous secondary, two landformd hosts behind one nginx upstream).
# 16 clients post the demo form with distinct phones and record every answer, through a
# planned failover (pg_autoctl perform failover) and then a primary crash (keeper and
# postmaster killed). Each time: every acknowledged (303) submission is stored exactly once,
# no phone twice, only 303 or 503 answers, the dispatchers of both hosts keep assigning on the
# new primary with fair rotation (+-1) and no lead holds two open offers.
# None is refused: while no node takes writes, each host spools what it acknowledges and
# replays it on the new primary (issue 14).
# Brings its own stack up (ports LANDFORM_TEST_HA_HTTP_PORT, LANDFORM_TEST_HA_PG_PORT and the two
# above it) and takes it down. LANDFORM_BIN: a landformd already built (scripts/test's).
source "$(dirname "$0")/../lib.sh"

HA_HTTP=${LANDFORM_TEST_HA_HTTP_PORT:-$(( ${LANDFORM_TEST_HTTP_PORT:-18080} + 30 ))}
HA_PG=${LANDFORM_TEST_HA_PG_PORT:-$(( ${LANDFORM_TEST_PG_PORT:-25433} + 10 ))}
CLIENTS=16
STACK="LANDFORM_HA=1 LANDFORM_STACK=hatest LANDFORM_HTTP_PORT=$HA_HTTP LANDFORM_PG_PORT=$HA_PG
       LANDFORM_WORKERS=2 LANDFORM_POST_RATE=100000r/s LANDFORM_POST_BURST=1000"
URL=http://127.0.0.1:$HA_HTTP

# The stack: stamps may be used at once (the clients are a load, not people); the dispatcher
# ticks often so assignments are seen soon.
env $STACK "$LF_ROOT/scripts/down" >/dev/null 2>&1
rm -rf "$LF_ROOT/var/hatest"
t0=$(date +%s)
if ! env $STACK LF_LANDING="$LF_ROOT/landing" LF_HA_EXTRA_CONF="$(printf 'stamp_min_age = 0\ndispatch_interval = 200\nlog_level = info')" \
        "$LF_ROOT/scripts/up" > "$LF_ROOT/var/hatest.up.log" 2>&1; then
    not_ok "LANDFORM_HA=1 scripts/up brings the HA stack up (see var/hatest.up.log)"
    tail -20 "$LF_ROOT/var/hatest.up.log" | sed 's/^/# /'
    env $STACK "$LF_ROOT/scripts/down" >/dev/null 2>&1
    exit 1
fi
ok "LANDFORM_HA=1 scripts/up brings up a monitor, primary, synchronous secondary and two hosts ($(( $(date +%s) - t0 )) s)"
lf_layout hatest
lf_ha_layout "$HA_PG"
W=$LF_VAR/load; mkdir -p "$W"; LOAD=""
trap 'touch "$W/stop"; wait $LOAD; env $STACK "$LF_ROOT/scripts/down" >/dev/null 2>&1' EXIT

# psql on whichever node is primary now.
hq() { psql -X -At -q -v ON_ERROR_STOP=1 "$LF_HA_CONNINFO user=postgres dbname=$LF_DB" -c "$1"; }
# The port of the node that takes writes now (target_session_attrs=read-write: a promoted
# node is read-only until the monitor has made sure the old primary is gone).
writable_port() { hq "select setting from pg_settings where name = 'port'" 2>/dev/null; }
is "$(hq "select sync_state from pg_stat_replication")" quorum "the secondary replicates synchronously (ANY 1: quorum)"
is "$(grep -c '^ *server unix:' "$LF_VAR/nginx/landform.conf")" 2 "nginx has both hosts in its upstream"
is "$(env $STACK "$LF_ROOT/scripts/psql" -At -c 'select not pg_is_in_recovery()')" t "scripts/psql opens the primary"

# --- a node that takes no writes: the connection is dropped and the next one looks again ----
# Every session of the primary turns read-only (25006 on a write), as a demoted node's would.
form() { curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$(stamp)" \
    --data-urlencode "name=$1" --data-urlencode "mobile=$2" --data-urlencode agree=on "$URL/p/demo?ch=ha"; }
stamp() { curl -s "$URL/api/v1/pages/demo/stamp" | sed 's/.*"stamp":"\([^"]*\)".*/\1/'; }
form warm 13800000001 >/dev/null; form warm 13800000002 >/dev/null
pq() { psql -X -At -q -h "$LF_PGSOCK" -p "$(lf_ha_primary_port)" -U postgres -d postgres -c "$1"; }
pq "alter system set default_transaction_read_only = on" && pq "select pg_reload_conf()" >/dev/null
sleep 0.3
ro=""; for i in 1 2 3 4; do ro="$ro $(form readonly 1380000001$i)"; done
pq "alter system reset default_transaction_read_only" && pq "select pg_reload_conf()" >/dev/null
is "$(echo $ro)" "303 303 303 303" "a primary that turned read-only (25006): the posts are spooled and thanked, not refused"
like "$(cat "$LF_VAR"/h[12]/log/landformd.log)" "database is read-only .*reconnecting" "... and the worker drops that connection"
replayed() { [ "$(hq "select count(*) from landform.leads where phone in ('+8613800000011','+8613800000012','+8613800000013','+8613800000014')")" = 4 ]; }
check "... and all four are stored once writes are back (replayed from the spool)" wait_for 15 replayed
ok_again() { [ "$(form back 1380000002$((RANDOM % 10)))" = 303 ]; }
check "... and new posts are stored again" wait_for 10 ok_again

# --- the admin reports read from the standby (report_database_url) ---------------------------
LF_URL=$URL
standby_port=$(lf_ha_node_ports_but "$(writable_port)")
link=$(hq "select landform.add_staff('ha_boss', 'Boss')")
hq "select landform.set_admin('ha_boss', true)" >/dev/null
req boss GET "${link#$URL}" >/dev/null
post boss "${link#$URL}" --data-urlencode "password=boss password 1" --data-urlencode "again=boss password 1" -d "csrf=$(csrf_of boss)" >/dev/null
is "$(req boss GET /staff/reports)" 200 "the admin dashboard answers on the HA stack"
like "$(body boss)" 'id="data-age"' "... read from the standby, it says how far behind its data is"
like "$(hdr boss X-Landform-Data-Age)" '^[0-9]+$' "... and JSON clients get that age as a header"
is "$(psql -X -At -h "$LF_PGSOCK" -p "$standby_port" -U postgres -d postgres -c \
    "select count(*) > 0 from pg_stat_activity where application_name = 'landformd reports'")" t \
    "... through a connection to the standby"
# A session last seen over a minute ago needs a write the standby refuses: the primary answers.
hq "update landform.staff_sessions set last_seen = now() - interval '5 minutes'" >/dev/null
is "$(req boss GET /staff/reports)" 200 "a session the standby cannot refresh gets its dashboard from the primary"
unlike "$(body boss)" 'id="data-age"' "... which does not claim to be behind"
is "$(req boss GET /staff/reports)" 200 "... and the next page is read from the standby again"
like "$(body boss)" 'id="data-age"' "... saying how far behind it is"

# --- the load --------------------------------------------------------------------------------
# client PHASE C: post until $W/stop appears; one line per answer: phone status end_ms.
client() {
    local phase=$1 c=$2 k=0 st code phone
    while [ ! -e "$W/stop" ]; do
        k=$((k + 1))
        phone=$(printf '138%d%02d%05d' "$phase" "$c" "$k")
        st=$(stamp)
        code=$(curl -s -o /dev/null -w '%{http_code}' -m 30 --data-urlencode "_stamp=$st" \
            --data-urlencode "name=客户 $phase-$c-$k" --data-urlencode "mobile=$phone" \
            --data-urlencode agree=on "$URL/p/demo?ch=ha")
        echo "+86$phone $code $(( $(date +%s%N) / 1000000 ))" >> "$W/answers.$phase.$c"
    done
}
load_start() { rm -f "$W/stop" "$W"/answers."$1".*; LOAD=""; for c in $(seq 1 $CLIENTS); do client "$1" "$c" & LOAD="$LOAD $!"; done; }
load_stop() { touch "$W/stop"; wait $LOAD; }
acked() { cat "$W"/answers."$1".* | awk '$2 == 303 { print $1 }' | sort; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }


# The figures every failover must keep. PHASE NAME T_BACK (ms, when writes were back).
figures() {
    local phase=$1 name=$2 t_back=$3 gap total acks refused other stored missing dups after
    total=$(cat "$W"/answers."$phase".* | wc -l)
    acks=$(acked "$phase" | wc -l)
    refused=$(cat "$W"/answers."$phase".* | awk '$2 == 503' | wc -l)
    other=$(cat "$W"/answers."$phase".* | awk '$2 != 303 && $2 != 503 { print $2 }' | sort | uniq -c | tr -s ' ' | tr '\n' ',')
    after=$(cat "$W"/answers."$phase".* | awk -v t="$t_back" '$2 == 303 && $3 > t + 0' | wc -l)
    hq "select l.phone from landform.leads l join landform.submissions s on s.lead_id = l.id
        where l.phone like '+86138$phase%' order by 1" > "$W/stored.$phase"
    stored=$(sort -u "$W/stored.$phase" | wc -l)
    missing=$(comm -23 <(acked "$phase") <(sort -u "$W/stored.$phase") | wc -l)
    dups=$(uniq -d "$W/stored.$phase" | wc -l)
    gap=$(cat "$W"/answers."$phase".* | awk '$2 == 303 { print $3 }' | sort -n |
        awk 'NR > 1 && $1 - prev > max { max = $1 - prev } { prev = $1 } END { print max + 0 }')
    echo "# $name: no submission acknowledged for $gap ms (the longest gap between two 303s)"
    echo "# $name: $total answers, $acks acknowledged (303), $refused refused (503), other: ${other:-none}; $stored stored, $after acknowledged once the new primary took writes"
    [ "$after" -gt 0 ] && [ "$acks" -gt "$after" ] && ok "$name: submissions were acknowledged before it and on the new primary ($acks, $after on the new one)" ||
        not_ok "$name: submissions were acknowledged before it and on the new primary ($acks, $after on the new one)"
    is "$missing" 0 "$name: every acknowledged submission is stored"
    is "$dups" 0 "$name: none is stored twice (0 duplicates)"
    is "${other:-none}" none "$name: every answer is 303 or 503 (503 keeps the typed values)"
    is "$refused" 0 "$name: 0 refused (the hosts spool while no node takes writes)"
    # Assignments go on: every lead of the phase gets its offer from the new primary.
    waiting() { [ "$(hq "select count(*) from landform.leads where phone like '+86138$phase%' and state = 'waiting'")" = 0 ]; }
    check "$name: the dispatchers assign every lead on the new primary" wait_for 20 waiting
    is "$(hq "select max(n) - min(n) <= 1 from (select count(*) n from landform.assignments a
              join landform.pools p on p.id = a.pool_id where p.is_default and a.via = 'rotation' group by a.staff_id) x")" t \
        "$name: rotation stays fair (+-1) between the pool's members"
    is "$(hq "select count(*) from (select lead_id from landform.assignments where closed_at is null
              group by lead_id having count(*) > 1) x")" 0 "$name: no lead has two open offers"
}

# Both hosts' workers, dispatcher and notifier connected again after T (log time, UTC).
reconnected() {
    local name=$1 since=$2 h log
    for h in $LF_HA_HOSTS; do
        log=$(awk -v t="$since" '$1 >= t' "$LF_VAR/$h/log/landformd.log" | grep 'database connected')
        like "$log" 'dispatch\[' "$name: host $h's dispatcher reconnected by itself"
        like "$log" 'notify\[' "$name: host $h's notifier reconnected by itself"
        like "$log" 'worker\[' "$name: host $h's workers reconnected by themselves"
    done
    notifying() { [ "$(hq "select count(*) from pg_stat_activity where application_name = 'landformd notifier'")" = 2 ]; }
    check "$name: both notifiers are connected to the new primary" wait_for 10 notifying
    dispatching() { [ "$(hq "select count(*) from pg_stat_activity where application_name = 'landformd dispatcher'")" = 2 ]; }
    check "$name: both dispatchers are connected to the new primary" wait_for 10 dispatching
}
log_now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# --- 1. planned failover -----------------------------------------------------------------------
before=$(lf_ha_primary_port)
load_start 1
sleep 4
t_fail=$(now_ms); since=$(log_now)
if env $STACK "$LF_ROOT/scripts/failover" > "$W/failover.log" 2>&1; then ok "scripts/failover (pg_autoctl perform failover) under load ($(( $(now_ms) - t_fail )) ms until settled)"
else not_ok "scripts/failover under load (see $W/failover.log)"; fi
t_back=$(now_ms)
sleep 4
load_stop
is "$(writable_port)" "$(lf_ha_node_ports_but "$before")" "planned failover: the other node is primary now"
figures 1 "planned failover" "$t_back"
reconnected "planned failover" "$since"

# --- 2. the primary crashes: its keeper and postmaster killed ------------------------------------
before=$(lf_ha_primary_port)
i=0; for p in $LF_HA_NODE_PORTS; do i=$((i + 1)); [ "$p" = "$before" ] && node=$i; done
dir=$(lf_ha_node_dir "$node")
load_start 2
sleep 4
t_fail=$(now_ms); since=$(log_now)
# The keeper's whole tree (its services and the postmaster under them) at once, as a host dies.
tree() { local p; for p in $(pgrep -P "$1"); do tree "$p"; done; echo "$1"; }
victims=$(tree "$(lf_ha_keeper_pid "$dir")")
kill -KILL $victims 2>/dev/null
promoted() { p=$(writable_port) && [ -n "$p" ] && [ "$p" != "$before" ]; }
if wait_for 60 promoted; then ok "crash: the secondary is promoted and takes writes ($(( $(now_ms) - t_fail )) ms after the kill)"
else not_ok "crash: the secondary is promoted and takes writes within 60 s"; fi
t_back=$(now_ms)
sleep 4
load_stop
figures 2 "primary crash" "$t_back"
reconnected "primary crash" "$since"
# The crashed node comes back as the new secondary (pg_rewind, or pg_basebackup when the rewind
# fails), and the formation is whole again.
lf_ha_run "$dir" "node$node"
check "crash: the old primary rejoins as secondary" lf_ha_wait 60 lf_ha_settled_or_checkpoint

t_done
