#!/usr/bin/env bash
# Issue 14, test 1: PostgreSQL killed (pg_ctl stop -m immediate) for a while under load, then
# started again. 16 visitors post the demo form with phones of their own and every answer is
# recorded: none is refused, every acknowledged submission is stored exactly once (those
# received during the outage from the spool, dated when they were received, not when
# replayed), the spool is empty within seconds of the restart, and the day's funnel counts
# what was acknowledged. /healthz says degraded meanwhile; one log line when spooling starts,
# one when replay finishes. The outage lasts LANDFORM_TEST_OUTAGE seconds (default 15, for
# the suite's time budget; the issue's 30 s behaves the same). A referral (issue 17) posted during
# the outage is spooled with its submission and credited when replayed; its thank-you address
# shows no share link while the database is down, and the visitor's link once replayed.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../spool-lib.sh"

W=$LF_VAR/spool-outage
rm -rf "$W"; mkdir -p "$W"
OUTAGE=${LANDFORM_TEST_OUTAGE:-15}
PREFIX=+861371   # the phones of this test: +8613710000001...
CH=outage1
forget_prefix "$PREFIX"
log_lines=$(wc -l < "$LF_LOG/landformd.log")

funnel() {
    q "select coalesce(sum(d.submissions), 0) from landform.page_daily d join landform.channels c on c.id = d.channel_id
       where c.code = '$CH' and d.day = (now() at time zone landform.setting('time_zone'))::date"
}
funnel_before=$(funnel)
python3 "$LF_ROOT/tests/spool-load.py" "$LF_URL" 16 $((OUTAGE + 12)) "$PREFIX" "$W/answers" 40 "$CH" &
LOAD=$!
# The referral: a referrer's link opened (and a stamp taken) before the outage, posted during it.
RR=$(printf '%04d' $((RANDOM % 10000)))
admin "select landform.submit('demo', NULL, '+86137290${RR}0', 'Referrer', NULL, '{}', 'yes', 'outage-ref-$RR', NULL, NULL, 'zh-CN')"
REF_TOK=$(q "select landform.referral_token((select id from landform.leads where phone = '+86137290${RR}0'), 'demo')")
curl -s -L -o "$W/ref.html" "$LF_URL/r/$REF_TOK"
REF=$(grep -o 'name="_ref" value="[^"]*"' "$W/ref.html" | sed 's/.*value="//; s/"$//')
REF_STAMP=$(grep -o 'name="_stamp" value="[^"]*"' "$W/ref.html" | sed 's/.*value="//; s/"$//')
sleep 5
t_stop=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
pg_kill
sleep 2
ref_answer=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --data-urlencode "_stamp=$REF_STAMP" --data-urlencode "_ref=$REF" \
    --data-urlencode "name=Friend" --data-urlencode "mobile=+86137290${RR}1" --data-urlencode "agree=on" "$LF_URL/p/demo")
like "$ref_answer" '^303 .*/p/demo/thanks\?.*&t=t1\.' "a post with a referral during the outage is acknowledged (spooled) with its thank-you address"
share_of() { curl -s "${ref_answer#* }" | grep -o 'data-lf-share>[^<]*<' | sed 's/^data-lf-share>//; s/<$//'; }
is "$(share_of)" "" "... which shows no share link while the database is down"
code=$(curl -s -o "$W/healthz" -w '%{http_code}' "$LF_URL/healthz")
is "$code" 200 "while PostgreSQL is down and submissions are spooled, /healthz answers 200"
like "$(cat "$W/healthz")" '"status":"degraded".*"spooled":[1-9][0-9]*,"oldest_s":[0-9]+' "... saying degraded, how many wait and for how long"
sleep $((OUTAGE - 2))
pg_start
t_start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
t0=$(date +%s%N)
empty() { [ "$(spool_files)" -eq 0 ] && [ "$(grep -c 'spool replay finished' <(tail -n +"$((log_lines + 1))" "$LF_LOG/landformd.log"))" -ge 1 ]; }
if wait_for 10 empty; then
    ok "the spool is empty $(( ($(date +%s%N) - t0) / 1000000 )) ms after PostgreSQL is back"
else
    not_ok "the spool is empty within 10 s of the restart ($(spool_files) files left)"
fi
wait "$LOAD"
sleep 1 # the last answers' commits

posts=$(wc -l < "$W/answers")
acked=$(awk '$2 == 303' "$W/answers" | wc -l)
refused=$(awk '$2 != 303' "$W/answers" | wc -l)
spooled=$(tail -n +"$((log_lines + 1))" "$LF_LOG/landformd.log" | grep -c 'POST /p/demo 303 .* spooled$')
echo "# $posts posts, $acked acknowledged, $refused refused, $spooled of them spooled; outage ${OUTAGE}s"
is "$refused" 0 "no post is refused through the outage ($posts posts)"
[ "$spooled" -gt 50 ] && ok "posts during the outage were acknowledged from the spool ($spooled)" \
    || not_ok "posts during the outage were acknowledged from the spool (only $spooled)"
stored_once "$W/answers" "$PREFIX"
is "$(wc -l < "$W/answers.stored")" "$acked" "... and nothing else"
is "$(( $(funnel) - funnel_before ))" "$acked" "the day's funnel counts as many submissions as were acknowledged"
# Each submission is dated within 2 s of when its visitor sent it: replayed ones came up to
# ${OUTAGE} s later.
q "select l.phone, (extract(epoch from s.created_at) * 1000)::bigint from landform.submissions s
   join landform.leads l on l.id = s.lead_id where l.phone like '${PREFIX}%'" | tr '|' ' ' > "$W/dated"
late=$(awk 'NR == FNR { sent[$3] = $1; next } ($1 in sent) { d = $2 - sent[$1]; if (d < 0) d = -d; if (d > 2000) n++ } END { print n + 0 }' \
    "$W/answers" "$W/dated")
is "$late" 0 "spooled submissions are dated when they were received, not when replayed"
is "$(q "select count(*) from landform.leads where phone like '${PREFIX}%' and first_seen > '$t_start'
          and id in (select lead_id from landform.submissions where created_at < '$t_start')")" 0 "... and so are their leads' first_seen"
new=$(tail -n +"$((log_lines + 1))" "$LF_LOG/landformd.log")
is "$(grep -c 'acknowledging them from the spool' <<<"$new")" 1 "one log line when spooling starts"
is "$(grep -c 'spool replay finished' <<<"$new")" 1 "one log line when replay finishes"
unlike "$(grep -v ' debug ' <<<"$new")" "${PREFIX#+}|spool-[0-9]{7}" "no spooled phone or name in logs above debug"
like "$(curl -s "$LF_URL/healthz")" '"status":"ok"' "/healthz says ok again"
is "$(q "select r.phone from landform.leads l join landform.leads r on r.id = l.referred_by where l.phone = '+86137290${RR}1'")" \
    "+86137290${RR}0" "the spooled referral is credited when replayed (referred_by the referrer)"
like "$(share_of)" "^$LF_URL/r/[0-9a-f]{32}\$" "... and the same thank-you address now shows the visitor's share link"

t_done
