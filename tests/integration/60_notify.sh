#!/usr/bin/env bash
# Notifications through the real stack: outbox rows delivered by landformd's notifier
# (lf-notify) to a WeCom-style robot and signed webhooks served by a local receiver
# (tests/notify-receiver.py). Covers: a new lead's notice reaching a healthy receiver quickly,
# with the member @-mentioned and the phone masked; a receiver that is down and comes back
# (nothing lost, nothing twice); 500s retried with growing delays; a slow target not delaying
# the others; two notifiers on one database not sending anything twice; the webhook signature;
# a lease left by a dead notifier; dead after the maximum attempts, and retried by an admin.
source "$(dirname "$0")/../lib.sh"

master=$(landformd_pid)
RPORT=$((LF_HTTP_PORT + 17))
RLOG=$LF_VAR/notify-receiver.jsonl
SECRET=it-secret-0123456789abcdef
RECEIVER=
: > "$RLOG"

receiver_start() {
    python3 "$LF_ROOT/tests/notify-receiver.py" --port "$RPORT" --log "$RLOG" --secret "$SECRET" \
        2>> "$LF_LOG/notify-receiver.stderr" &
    RECEIVER=$!
    wait_for 5 curl -fsS -o /dev/null "http://127.0.0.1:$RPORT/_health"
}
receiver_stop() {
    [ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null && wait "$RECEIVER" 2>/dev/null
    RECEIVER=
}
mode() { curl -fsS -o /dev/null "http://127.0.0.1:$RPORT/_control/$1${2:+?$2}"; }
# Receiver log queries: python over the JSON lines.
rq() { python3 - "$RLOG" "$@" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
exec(sys.argv[2])
PY
}
# Accepted POSTs for a delivery key, and for all keys of a name: "keys total".
accepted_for() { rq "print(sum(1 for r in rows if r['key'] == '$1' and r['result'] == 'accepted'))"; }
cleanup() {
    receiver_stop
    [ -f "$LF_RUN/notify2.pid" ] && kill -TERM "$(cat "$LF_RUN/notify2.pid")" 2>/dev/null
    for t in it-wecom it-hook it-slow it-flaky it-dead; do
        q "select landform.drop_notify_target('$t') where exists (select 1 from landform.notify_targets where name = '$t')" >/dev/null 2>&1
    done
    if [ -f "$LF_VAR/conf.before-notify" ]; then
        cp "$LF_VAR/conf.before-notify" "$LF_CONF"
        kill -HUP "$(landformd_pid)" 2>/dev/null
    fi
}
trap cleanup EXIT

# --- a notifier tuned for tests, and a page of our own ----------------------------------------
cp "$LF_CONF" "$LF_VAR/conf.before-notify"
cat >> "$LF_CONF" <<CONF
notify_interval = 200
notify_concurrency = 6
notify_per_target = 2
notify_connect_timeout = 500
notify_timeout = 1500
notify_max_attempts = 6
notify_backoff = 200
notify_backoff_max = 1000
CONF
rm -rf "$LF_LANDING/notify"; mkdir -p "$LF_LANDING/notify"
cp "$LF_LANDING/demo/page.html" "$LF_LANDING/demo/form.json" "$LF_LANDING/notify/"
ready_before=$(grep -c 'notifier ready' "$LF_LOG/landformd.log")
kill -HUP "$master"
tuned() { [ "$(grep 'notifier ready' "$LF_LOG/landformd.log" | tail -n +$((ready_before + 1)) | grep -c '6 at a time, 2 per target')" -ge 1 ]; }
check "after SIGHUP a notifier (lf-notify) runs with the new settings" wait_for 10 tuned
one_notifier() { [ "$(pgrep -P "$master" -x lf-notify | wc -l)" = 1 ]; }
check "the master runs one notifier (the old one has finished)" wait_for 5 one_notifier
registered() { [ "$(q "select count(*) from landform.pages where slug = 'notify'")" = 1 ]; }
wait_for 10 registered || not_ok "page notify registered after SIGHUP"

receiver_start || not_ok "the test receiver starts on port $RPORT"
admin "select landform.set_notify_target('it-wecom', 'wecom', 'http://127.0.0.1:$RPORT/wecom/send?key=it-robot-key-93f1')"
admin "select landform.set_notify_target('it-hook', 'webhook', 'http://127.0.0.1:$RPORT/hook/in', '$SECRET')"
admin "select landform.add_pool('it-notify', '1 hour', 3)"
admin "select landform.add_staff('it_nina', '倪娜')"
admin "select landform.join_pool('it-notify', 'it_nina')"
admin "select landform.set_wecom_userid('it_nina', 'NiNa')"
admin "select landform.set_page_pool('notify', 'it-notify')"
out=$(q "select landform.set_notify_target('bad', 'webhook', 'http://x/', 'short')" 2>&1)
like "$out" 'needs a secret of 16-256 characters' "a webhook target without a proper secret is refused"

# --- a new lead: assigned by the dispatcher, told to the member within a second ---------------
t0=$(date +%s%N)
admin "select * from landform.submit('notify', 'wx', '+8613700001111', '测试客户', null, '{}', 'ok', 'it-notify-1', '127.0.0.1', 'it', 'zh-CN')"
lead=$(q "select id from landform.leads where phone = '+8613700001111'")
box=$(q "select id from landform.outbox where lead_id = $lead and kind = 'assigned'")
got_both() { [ -n "$box" ] && [ "$(accepted_for "$box.$(q "select id from landform.notify_targets where name='it-wecom'")")" = 1 ] \
    && [ "$(accepted_for "$box.$(q "select id from landform.notify_targets where name='it-hook'")")" = 1 ]; }
box_ready() { box=$(q "select id from landform.outbox where lead_id = $lead and kind = 'assigned'"); [ -n "$box" ]; }
wait_for 5 box_ready
wait_for 5 got_both
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
got_both && ok "the assignment reaches both targets (${ms} ms from the submission)" || not_ok "the assignment reaches both targets"
[ "$ms" -lt 2000 ] && ok "... within 2 s" || not_ok "... within 2 s (took ${ms} ms)"
wecom_id=$(q "select id from landform.notify_targets where name = 'it-wecom'")
hook_id=$(q "select id from landform.notify_targets where name = 'it-hook'")
md=$(rq "r = [r for r in rows if r['key'] == '$box.$wecom_id'][0]; print(r['body']['msgtype'], r['body']['markdown']['content'].replace(chr(10), ' '))")
like "$md" '^markdown \*\*【新线索】\*\* 新线索 测试客户 137\*\*\*\*1111' "the WeCom message is markdown with the lead's name and masked phone"
like "$md" '已分配给 <@NiNa>，请在 [0-9]+月[0-9]+日 [0-9]{2}:[0-9]{2} 前接受' "... @-mentions the member by WeCom user id, with the local deadline"
like "$md" "\[查看线索\]\(http://127.0.0.1:$LF_HTTP_PORT/staff/leads/$lead\)" "... and links to the lead in the portal"
is "$(rq "print([r['query'] for r in rows if r['name'] == 'wecom'][0])")" "key=it-robot-key-93f1" "the robot's key stays in its URL"
hook=$(rq "r = [r for r in rows if r['key'] == '$box.$hook_id'][0]; print(r['sig_ok'], r['ts'] == str(r['body']['timestamp']), r['body']['delivery'], r['body']['kind'], r['body']['lead']['phone'], r['ctype'])")
is "$hook" "True True $box.$hook_id assigned 137****1111 application/json; charset=utf-8" \
    "the webhook body is signed (X-Landform-Signature verifies), timestamped inside the signature, keyed, with the phone masked"
unlike "$(cat "$RLOG")" '13700001111' "the full phone number is never sent"
is "$(q "select status || ' ' || targets || ' ' || attempts from landform.notifications where id = $box")" "sent 2 2" \
    "SQL shows the notice sent to 2 targets in 2 attempts"
is "$(q "select string_agg(target || ':' || status || ':' || last_status, ' ' order by target) from landform.delivery_status where outbox_id = $box")" \
    "it-hook:sent:200 it-wecom:sent:200" "landform.delivery_status shows each target's delivery"

# A repeat submission from the accepted lead is told to its owner.
admin "select landform.accept(a.id, a.staff_id) from landform.assignments a where a.lead_id = $lead and a.closed_at is null"
admin "select * from landform.submit('notify', 'wx', '+8613700001111', '测试客户', null, '{}', 'ok', 'it-notify-2', '127.0.0.1', 'it', 'zh-CN')"
repeat_sent() { [ "$(q "select count(*) from landform.notifications where lead_id = $lead and kind = 'repeat_submission' and status = 'sent'")" = 1 ]; }
check "a repeat submission from an owned lead is delivered to its owner" wait_for 5 repeat_sent
like "$(rq "print([r['body']['markdown']['content'] for r in rows if r['name'] == 'wecom' and '再次提交' in r['body']['markdown']['content']][0])")" \
    '<@NiNa>，你的客户 测试客户 137\*\*\*\*1111 再次提交了表单' "... with a mention and the masked phone"

# --- the receiver is down, then back: every notice arrives once --------------------------------
receiver_stop
ids=$(q "insert into landform.outbox (kind, staff_id, payload) select 'daily_summary', s.id, jsonb_build_object('new_leads', g)
         from landform.staff s, generate_series(1, 5) g where s.login = 'it_nina' returning id" | tr '\n' ' ')
failing() { [ "$(q "select count(*) from landform.delivery_status where outbox_id in (${ids// /,}0) and status = 'retrying' and last_error like '%onnect%'")" -ge 10 ]; }
check "with the receiver down, deliveries are retried (SQL shows the connect error)" wait_for 5 failing
sleep 0.5
receiver_start
all_sent() { [ "$(q "select count(*) from landform.notifications where id in (${ids// /,}0) and status = 'sent'")" = 5 ]; }
check "once it is back, all 5 notices are delivered" wait_for 8 all_sent
is "$(rq "ks=[r['key'] for r in rows if r['key'] and r['key'].split('.')[0] in '$ids'.split()]; print(len(ks), len(set(ks)))")" "10 10" \
    "... each to each target exactly once (10 deliveries, 10 keys)"

# --- 500s are retried with growing delays ------------------------------------------------------
admin "select landform.set_notify_target('it-flaky', 'webhook', 'http://127.0.0.1:$RPORT/flaky/in', '$SECRET', '{never}')"
mode flaky fail=3
t=$(q "select landform.test_notify_target('it-flaky')")
flaky_sent() { [ "$(q "select status from landform.notifications where id = $t")" = sent ]; }
check "a target answering 500 three times gets the notice on the fourth attempt" wait_for 8 flaky_sent
is "$(rq "print(' '.join(r['attempt'] + ':' + str(r['status']) for r in rows if r['name'] == 'flaky'))")" "1:500 2:500 3:500 4:200" \
    "... attempts numbered in X-Landform-Attempt"
gaps=$(rq "ts=[r['t'] for r in rows if r['name'] == 'flaky']; print(' '.join(str(int((b - a) * 1000)) for a, b in zip(ts, ts[1:])))")
read -r g1 g2 g3 <<< "$gaps"
[ "${g1:-0}" -ge 100 ] && [ "${g3:-0}" -ge 400 ] && [ "${g3:-0}" -ge "${g1:-0}" ] \
    && ok "... waiting longer each time (${gaps// /, } ms)" || not_ok "... waiting longer each time (${gaps} ms)"

# --- a slow target does not hold up the others -------------------------------------------------
admin "select landform.set_notify_target('it-slow', 'webhook', 'http://127.0.0.1:$RPORT/slow/in', '$SECRET', '{slow_test}')"
mode slow delay=5
t0=$(date +%s%N)
ids=$(q "insert into landform.outbox (kind, payload) select 'slow_test', jsonb_build_object('n', g) from generate_series(1, 6) g returning id" | tr '\n' ' ')
others() { [ "$(q "select count(*) from landform.delivery_status where outbox_id in (${ids// /,}0) and target <> 'it-slow' and status = 'sent'")" = 12 ]; }
wait_for 5 others
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
others && [ "$ms" -lt 1400 ] && ok "with a target that never answers in time, the others get 6 notices each in ${ms} ms (under its 1.5 s timeout)" \
    || not_ok "the others get their notices while a target is slow (took ${ms} ms)"
slow_failed() { [ "$(q "select count(*) from landform.delivery_status where target = 'it-slow' and last_error like '%imed out%'")" -ge 2 ]; }
check "... and the slow one's attempts end at the timeout and are retried" wait_for 5 slow_failed
admin "select landform.drop_notify_target('it-slow')"
is "$(q "select string_agg(distinct status || ' ' || targets, ',') from landform.notifications where id in (${ids// /,}0)")" "sent 2" \
    "dropping it sums its notices up again without it: sent to the 2 others"

# --- two notifiers (two landformd instances) never send the same delivery twice ----------------
second=$LF_VAR/notify2.conf
sed -e "s|^listen = .*|listen = unix:$LF_RUN/notify2.sock|" -e "s|^pid_file = .*|pid_file = $LF_RUN/notify2.pid|" \
    -e "s|^log_file = .*|log_file = $LF_LOG/notify2.log|" -e "s|^workers = .*|workers = 1|" "$LF_CONF" > "$second"
echo "dispatcher = off" >> "$second"
setsid "$LF_BIN" -c "$second" serve >> "$LF_LOG/notify2.stderr" 2>&1 < /dev/null &
two() { [ "$(pgrep -x lf-notify | wc -l)" -ge 2 ] && grep -q 'notifier ready' "$LF_LOG/notify2.log"; }
check "a second landformd with its own notifier runs beside the first" wait_for 10 two
first=$(q "select coalesce(max(id), 0) from landform.outbox")
q "insert into landform.outbox (kind, staff_id, payload) select 'daily_summary', s.id, jsonb_build_object('new_leads', g)
   from landform.staff s, generate_series(1, 200) g where s.login = 'it_nina'" >/dev/null
many_sent() { [ "$(q "select count(*) from landform.notifications where id > $first and status = 'sent'")" = 200 ]; }
check "200 notices to 2 targets are all delivered by the two notifiers" wait_for 30 many_sent
is "$(rq "ks=[r['key'] for r in rows if r['result'] == 'accepted' and r['key'] and int(r['key'].split('.')[0]) > $first]; print(len(ks), len(set(ks)))")" "400 400" \
    "... each of the 400 deliveries received exactly once"
is "$(q "select sum(attempts) from landform.deliveries where outbox_id > $first")" 400 "... in one attempt each"
n1=$(grep -c ': sent in' "$LF_LOG/landformd.log"); n2=$(grep -c ': sent in' "$LF_LOG/notify2.log")
[ "$n2" -gt 0 ] && ok "... both notifiers took part (second: $n2 deliveries)" || not_ok "... both notifiers took part (second: $n2)"

# --- a lease left behind by a notifier that died is taken over when it ends --------------------
t=$(q "insert into landform.outbox (kind, payload, available_at) values ('test', '{}', now() + interval '1 hour') returning id")
q "begin; update landform.outbox set available_at = now() where id = $t;
   select count(*) from landform.notify_claim('ghost:1', 10, 10, '{}', 700, 6); commit;" >/dev/null
is "$(q "select string_agg(status || ':' || locked_by, ' ') from landform.delivery_status where outbox_id = $t")" "in_flight:ghost:1 in_flight:ghost:1" \
    "a claim leases the deliveries to the claiming notifier"
lease_done() { [ "$(q "select status from landform.notifications where id = $t")" = sent ]; }
check "when the dead notifier's lease runs out, a live one delivers them" wait_for 5 lease_done
is "$(rq "print(' '.join(sorted(set(r['attempt'] for r in rows if r['key'] and r['key'].startswith('$t.')))))")" 2 \
    "... as the second attempt"

# --- dead after the maximum attempts; an admin retries it ----------------------------------------
kill -TERM "$(cat "$LF_RUN/notify2.pid")" 2>/dev/null
admin "select landform.set_notify_target('it-dead', 'webhook', 'http://127.0.0.1:$RPORT/dead/in', '$SECRET', '{never}')"
mode dead status=500
t=$(q "select landform.test_notify_target('it-dead')")
dead() { [ "$(q "select status from landform.notifications where id = $t")" = dead ]; }
check "a target that always answers 500 gives up after 6 attempts" wait_for 12 dead
is "$(q "select status || ' ' || attempts || ' ' || last_status || ' ' || last_error from landform.delivery_status where outbox_id = $t")" \
    "dead 6 500 HTTP 500" "... and SQL shows it dead, with the attempts and the last error"
is "$(q "select dead from landform.notify_target_status where name = 'it-dead'")" 1 "landform.notify_target_status counts it"
mode dead
is "$(q "select landform.retry_notifications($t)")" 1 "landform.retry_notifications() revives it"
revived() { [ "$(q "select status from landform.notifications where id = $t")" = sent ]; }
check "... and it is delivered" wait_for 5 revived

# --- the notifier never logs personal data at info and above ------------------------------------
unlike "$(grep -E ' (error|warn|info) +notify\[' "$LF_LOG/landformd.log" "$LF_LOG/notify2.log")" '1370000|测试客户|倪娜|it-robot-key' \
    "notifier log lines above debug hold no phone, name or robot key"
unlike "$(grep -E 'notify\[' "$LF_LOG/landformd.log")" 'it-robot-key' "the robot key is not logged at all"
t_done
