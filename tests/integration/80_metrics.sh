#!/usr/bin/env bash
# GET /metrics on the test stack: the Prometheus text format (promtool check metrics) after a
# short load, the requests and submissions counted, the database's gauges; who may read it
# (landformd's metrics_allow and nginx's allow list); a worker killed with SIGKILL under load
# makes no counter go backwards; a real Prometheus on loopback scrapes the stack every second
# and a series is read back through its HTTP API; docs/alerts.yml passes promtool check rules.
source "$(dirname "$0")/../lib.sh"

W=$(mktemp -d)
PROM_PORT=${LANDFORM_TEST_PROM_PORT:-$((LF_HTTP_PORT + 50))}
PROM_PID=
finish() {
    [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
    rm -rf "$W"
}
trap finish EXIT

scrape() { curl -s -o "$1" -w '%{http_code}' "$LF_URL/metrics"; }
# The value of one series (exact name and labels) in a scrape file.
series() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
# Many page views at once, for about SECONDS.
load() {
    local end=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        seq 1 20 | xargs -P 4 -I{} curl -s -o /dev/null "$LF_URL/p/demo?ch=metrics" || true
    done
}
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }

# --- the format, under a short load, and what it counts
for i in 1 2 3; do S[$i]=$(curl -s "$LF_URL/p/demo" | stamp_of); done
sleep 2.2 # the stamps' minimum age
scrape "$W/m0" >/dev/null
before_views=$(series "$W/m0" 'landform_http_requests_total{method="GET",route="/p/*",status="200"}')
load 2 &
LOAD=$!
for i in 1 2 3; do
    curl -s -o /dev/null --data-urlencode "_stamp=${S[$i]}" --data-urlencode "name=指标 $i" \
        --data-urlencode "mobile=+86 139 7777 $(printf %04d "$i")" --data-urlencode agree=on \
        "$LF_URL/p/demo?ch=metrics" &
done
curl -s -o /dev/null "$LF_URL/p/no-such-page"
wait
is "$(scrape "$W/m1")" 200 "GET /metrics from loopback answers 200"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$LF_URL/metrics")
is "$ctype" "text/plain; version=0.0.4; charset=utf-8" "/metrics says it is the text format 0.0.4"
if promtool check metrics < "$W/m1" > "$W/promtool.out" 2>&1; then
    ok "promtool check metrics accepts /metrics after a load"
else
    not_ok "promtool check metrics: $(head -5 "$W/promtool.out")"
fi
after_views=$(series "$W/m1" 'landform_http_requests_total{method="GET",route="/p/*",status="200"}')
[ "${after_views:-0}" -ge $(( ${before_views:-0} + 20 )) ] &&
    ok "page views are counted by route and status ($before_views -> $after_views)" ||
    not_ok "page views counted: $before_views -> $after_views"
like "$(grep '^landform_http_requests_total{method="POST",route="/p/\*",status="303"}' "$W/m1")" ' [1-9][0-9]*$' \
    "the stored submissions are counted as 303s on POST /p/*"
[ "$(series "$W/m1" landform_submission_batch_size_sum)" -ge 3 ] 2>/dev/null &&
    ok "the submissions are in the batch size histogram" ||
    not_ok "batch size sum: $(series "$W/m1" landform_submission_batch_size_sum)"
like "$(grep '^landform_http_requests_total{method="GET",route="/p/\*",status="404"}' "$W/m1")" ' [1-9]' \
    "a page that does not exist is counted as a 404"
like "$(series "$W/m1" 'landform_http_request_duration_seconds_count{kind="page_get"}')" '^[1-9][0-9]*$' \
    "page GETs have a duration histogram"
is "$(series "$W/m1" 'landform_processes_alive{process="worker"}')" 2 "two workers alive"
is "$(series "$W/m1" 'landform_processes_alive{process="replayer"}')" 1 "the spool's replayer is alive"
is "$(series "$W/m1" landform_spool_records)" 0 "the spool is shown, empty while the database takes submissions"
like "$(series "$W/m1" landform_dispatch_rounds_total)" '^[1-9][0-9]*$' "the dispatcher's rounds are counted"
is "$(series "$W/m1" landform_metrics_snapshot_up)" 1 "landform.metrics_snapshot() answered (as landform_app)"
for g in leads_waiting leads_offered leads_overdue leads_open dispatch_lag_seconds outbox_backlog \
         outbox_oldest_seconds page_view_flush_lag_seconds spool_oldest_seconds; do
    like "$(series "$W/m1" "landform_$g")" '^[0-9.e+-]+$' "landform_$g is shown"
done
admin "select landform.set_notify_target('metrics-hook', 'webhook', 'http://127.0.0.1:9/x', 'abcdefghijklmnopqrstuvwxyz')"
scrape "$W/m2" >/dev/null
is "$(series "$W/m2" 'landform_deliveries_dead{target="metrics-hook"}')" 0 "deliveries are shown per target"
q "select landform.drop_notify_target('metrics-hook')" >/dev/null 2>&1

# --- a database connection cut: an error of kind unavailable, then a reconnect
scrape "$W/d0" >/dev/null
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'landformd worker'" >/dev/null
for i in $(seq 1 6); do curl -s -o /dev/null "$LF_URL/healthz"; done
scrape "$W/d1" >/dev/null
sum_of() { awk -v p="$2" 'index($1, p) == 1 { n += $2 } END { print n + 0 }' "$1"; }
[ "$(sum_of "$W/d1" 'landform_db_reconnects_total{process="worker"}')" -gt \
  "$(sum_of "$W/d0" 'landform_db_reconnects_total{process="worker"}')" ] &&
    ok "workers whose connection was cut count a reconnect" ||
    not_ok "reconnects: $(grep '^landform_db_reconnects_total' "$W/d1" | tr '\n' ' ')"
[ "$(sum_of "$W/d1" 'landform_db_errors_total{process="worker",kind="unavailable"}')" -gt \
  "$(sum_of "$W/d0" 'landform_db_errors_total{process="worker",kind="unavailable"}')" ] &&
    ok "... and the failed call as a database error of kind unavailable" ||
    not_ok "db errors: $(grep '^landform_db_errors_total{process="worker"' "$W/d1" | tr '\n' ' ')"

# --- who may read it
is "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$LF_URL/metrics")" 403 \
    "nginx refuses /metrics to an address not in its allow list (127.0.0.2)"
is "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$LF_URL/p/demo")" 200 \
    "... while that address gets pages"
is "$(python3 "$LF_ROOT/tests/fcgi-client.py" get "$LF_SOCKET" REQUEST_METHOD=GET DOCUMENT_URI=/metrics REMOTE_ADDR=203.0.113.9)" \
    403 "landformd refuses /metrics to an address outside metrics_allow, whatever the front-end"
is "$(python3 "$LF_ROOT/tests/fcgi-client.py" get "$LF_SOCKET" REQUEST_METHOD=GET DOCUMENT_URI=/metrics REMOTE_ADDR=127.0.0.1)" \
    200 "... and serves it to 127.0.0.1"
out=$(LANDFORM_METRICS_ALLOW='10.0.0.0/8, intranet' "$LF_BIN" -c "$LF_CONF" migrate 2>&1)
like "$out" "metrics_allow: 'intranet'" "a metrics_allow entry that is not an address stops landformd with its name"

# --- a worker killed under load: no counter goes backwards
scrape "$W/k0" >/dev/null
restarts0=$(series "$W/k0" 'landform_process_restarts_total{process="worker"}')
load 3 &
LOAD=$!
sleep 0.5
victim=$(worker_pids | head -1)
kill -9 "$victim"
wait_for 10 test "$(worker_pids | wc -l)" -eq 2
wait $LOAD
scrape "$W/k1" >/dev/null
is "$(series "$W/k1" 'landform_process_restarts_total{process="worker"}')" $(( ${restarts0:-0} + 1 )) \
    "the killed worker is counted as a restart"
back=$(awk 'NR == FNR { if ($1 ~ /^landform_.*(_total|_bucket|_count|_sum)(\{|$)/) v[$1] = $2; next }
            ($1 in v) { seen++; if ($2 + 0 < v[$1] + 0) print $1, v[$1], "->", $2 }
            END { if (seen < 50) print "only", seen + 0, "series compared" }' "$W/k0" "$W/k1")
is "$back" "" "no counter went backwards when a worker was killed with SIGKILL under load"
missing=$(awk 'NR == FNR { if ($1 ~ /^landform_.*_total/) v[$1] = 1; next } { delete v[$1] } END { for (k in v) print k }' "$W/k0" "$W/k1")
is "$missing" "" "every counter series is still there after the kill"

# --- a real Prometheus scrapes the stack and answers for it
PD=$LF_VAR/prometheus
rm -rf "$PD"; mkdir -p "$PD/data"
cat > "$PD/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $LF_ROOT/docs/alerts.yml
scrape_configs:
  - job_name: landform
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$LF_HTTP_PORT']
YML
# Ports of this block are also ephemeral ports: a client's connection may hold one for a
# moment, so a bind refused is tried again on the next port.
for try in 0 1 2; do
    port=$((PROM_PORT + try))
    lf_pg_port_in_use "$port" && continue
    prometheus --config.file="$PD/prometheus.yml" --storage.tsdb.path="$PD/data" \
        --web.listen-address="127.0.0.1:$port" > "$PD/prometheus.log" 2>&1 &
    PROM_PID=$!
    if wait_for 10 curl -sf "http://127.0.0.1:$port/-/ready"; then PROM_PORT=$port; break; fi
    kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; PROM_PID=
done
if [ -z "$PROM_PID" ]; then
    not_ok "Prometheus did not start on ports $PROM_PORT..$((PROM_PORT + 2)): $(tail -3 "$PD/prometheus.log")"
else
    query() { curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"; }
    has_value() { query "$1" | grep -q '"value":\[[0-9.]*,"[1-9]'; }
    if wait_for 30 has_value 'landform_processes_alive{process="worker",job="landform"}'; then
        ok "Prometheus scraped the stack: landform_processes_alive read back through /api/v1/query"
    else
        not_ok "Prometheus has no landform_processes_alive: $(query 'up' | head -c 300); $(tail -3 "$PD/prometheus.log")"
    fi
    wait_for 10 has_value 'sum(landform_http_requests_total)' &&
        ok "Prometheus has the request counters" || not_ok "Prometheus has no landform_http_requests_total"
    rules=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)
    [ "$rules" -ge 5 ] && ok "Prometheus loaded the $rules alert rules of docs/alerts.yml" ||
        not_ok "Prometheus loaded $rules alert rules"
fi
if promtool check rules "$LF_ROOT/docs/alerts.yml" > "$W/rules.out" 2>&1 &&
    grep -q 'SUCCESS: [5-9] rules found\|SUCCESS: [1-9][0-9] rules found' "$W/rules.out"; then
    ok "promtool check rules accepts docs/alerts.yml (five rules or more)"
else
    not_ok "promtool check rules docs/alerts.yml: $(cat "$W/rules.out")"
fi
t_done
