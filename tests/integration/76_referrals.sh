#!/usr/bin/env bash
# Referrals (老带新, issue 17) through nginx, the way visitors make them: the thank-you page
# after a submission shows the visitor's own share link (public_url/r/<token>, the token SQL
# made for that lead) and its QR code; following the link opens the page with the referral
# signed in a hidden _ref field; a submission carrying it records referred_by and credits the
# referrer in the same submit call. A chain A -> B -> C credits A once for B and B once for C;
# a self-referral and a repeat phone credit nobody; a forged or altered referral is ignored (the
# submission is still stored, nobody credited, an info line without the value logged); the goal
# tags the referrer and leaves an outbox row for their holder; referral_report counts exactly.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/referrals-it
rm -rf "$W"; mkdir -p "$W"
R=$(printf '%04d' $((RANDOM % 10000)))
GOAL=goal-$R
ph() { echo "+86135${R}00$1"; }
lead_of() { q "select id from landform.leads where phone = '$(ph "$1")'"; }
credits() { q "select count(*) from landform.referral_credits"; }
hidden() { grep -o "name=\"$1\" value=\"[^\"]*\"" "$W/page.html" | head -1 | sed 's/.*value="//; s/"$//'; }

# open URL: GET a landing page (following a /r/ link's 302), keeping the _ref field it
# carries in REF (empty when the page has none).
open() {
    curl -s -L -o "$W/page.html" "$LF_URL$1"
    REF=$(hidden _ref)
}
# Stamps for every post below, taken now and used once the 2 s a person needs have passed.
for i in $(seq 1 13); do open /p/demo; S[$i]=$(hidden _stamp); done
NEXT=1
sleep 2.1
# send N REF: post the demo form as a browser without JavaScript does, with the next stamp and
# REF as _ref (none when empty); the 303's status and target in THANKS.
send() {
    local extra=()
    [ -n "$2" ] && extra=(--data-urlencode "_ref=$2")
    THANKS=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --data-urlencode "_stamp=${S[$NEXT]}" \
        --data-urlencode "_website=" --data-urlencode "name=Ref $1" --data-urlencode "mobile=$(ph "$1")" \
        --data-urlencode "agree=on" "${extra[@]}" "$LF_URL/p/demo")
    NEXT=$((NEXT + 1))
}
# share: the share link on the thank-you page THANKS points at (empty when none).
share() {
    curl -s -o "$W/thanks.html" "${THANKS#* }"
    grep -o 'data-lf-share>[^<]*<' "$W/thanks.html" | sed 's/^data-lf-share>//; s/<$//'
}
visits() { q "select visits from landform.referral_tokens where token = '$1'"; }

admin "select landform.set_referral_goal(2, '$GOAL')"

# --- A submits and gets a share link ------------------------------------------------------
send 01 ""
like "$THANKS" "^303 $LF_URL/p/demo/thanks\?lang=zh-CN&t=t1\.[0-9]+\.[0-9a-f]{32}\.v1\." \
    "a submission's 303 leads to the thank-you page with a signed value (the stamp: no phone, no lead id)"
unlike "$THANKS" "$(ph 01 | tr -d +)" "... not the phone in it"
LINK_A=$(share)
TOK_A=$(q "select token from landform.referral_tokens where lead_id = $(lead_of 01)")
like "$TOK_A" '^[0-9a-f]{32}$' "the thank-you page made A's share token in SQL"
is "$LINK_A" "$LF_URL/r/$TOK_A" "... and shows A's link: public_url/r/<token>"
like "$(grep -c '<svg xmlns="http://www.w3.org/2000/svg"' "$W/thanks.html")" '^1$' "... with its QR code inline (SVG)"
unlike "$(cat "$W/thanks.html")" '<\?xml' "... without an XML declaration inside the HTML"
size=$(stat -c %s "$W/thanks.html")
check "the thank-you page weighs under 30 KB with it ($size bytes)" test "$size" -lt 30720
is "$(share)" "$LINK_A" "the same address again: the same link"
t=${THANKS#*&t=}
forged_t="${t%?}$([ "${t: -1}" = 0 ] && echo 1 || echo 0)"
THANKS="200 $LF_URL/p/demo/thanks?lang=zh-CN&t=$forged_t"
is "$(share)" "" "an altered thank-you value shows no share link"
like "$(grep -c 'class="thanks"' "$W/thanks.html")" '^1$' "... the thanks still shows"

# --- B through A's link, C through B's ----------------------------------------------------
n0=$(credits)
is "$(curl -s -o /dev/null -w '%{http_code}' "$LINK_A")" 302 "A's link answers 302"
open "/r/$TOK_A"
like "$REF" "^r1\.$TOK_A\.[0-9a-f]{32}\$" "following it lands on the page with the referral in a hidden _ref field"
open "/r/$TOK_A"; REF_A=$REF; send 02 "$REF_A"
like "$THANKS" '^303 ' "B submits through it: 303"
is "$(q "select referred_by from landform.leads where id = $(lead_of 02)")" "$(lead_of 01)" "B records referred_by A"
is "$(credits)" $((n0 + 1)) "... and A is credited once"
LINK_B=$(share); TOK_B=${LINK_B##*/}
like "$TOK_B" '^[0-9a-f]{32}$' "B's thank-you page shows B's own link"
check "... not A's" test "$TOK_B" != "$TOK_A"
open "/r/$TOK_B"; send 03 "$REF"
is "$(q "select referred_by from landform.leads where id = $(lead_of 03)")" "$(lead_of 02)" "C through B's link: referred_by B"
is "$(q "select string_agg(r.phone, ' ' order by r.phone) from landform.referral_credits c join landform.leads r on r.id = c.referrer_id where c.referred_id in ($(lead_of 02), $(lead_of 03))")" \
    "$(ph 01) $(ph 02)" "the chain A -> B -> C credits A once for B and B once for C"

# --- credits nobody: self, repeat, forged, altered -----------------------------------------
n1=$(credits)
open "/r/$TOK_A"; send 01 "$REF"
like "$THANKS" '^303 ' "A submits through A's own link: stored (303)"
is "$(credits) $(q "select coalesce(referred_by::text, '-') from landform.leads where id = $(lead_of 01)")" "$n1 -" \
    "... a self-referral credits nobody"
send 04 ""
open "/r/$TOK_B"; send 04 "$REF"
is "$(credits) $(q "select coalesce(referred_by::text, '-') from landform.leads where id = $(lead_of 04)")" "$n1 -" \
    "a repeat phone through B's link credits nobody"
forged="r1.$TOK_A.00000000000000000000000000000000"
altered="${REF_A%?}$([ "${REF_A: -1}" = 0 ] && echo 1 || echo 0)"
swapped="r1.$TOK_B.${REF_A##*.}"
log_before=$(wc -l < "$LF_LOG/landformd.log")
i=5
for bad in "$forged" "$altered" "$swapped"; do
    send 0$i "$bad"
    like "$THANKS" '^303 ' "a submission with a forged or altered referral ($bad) is still stored"
    is "$(q "select coalesce(referred_by::text, '-') from landform.leads where id = $(lead_of 0$i)")" "-" "... with no referrer"
    i=$((i + 1))
done
is "$(credits)" "$n1" "forged and altered referrals credit nobody"
sleep 0.3
tail -n +"$((log_before + 1))" "$LF_LOG/landformd.log" > "$W/log"
is "$(grep -c ' info .*referral refused: forged or altered' "$W/log")" 3 "each is logged at info"
unlike "$(grep 'referral refused' "$W/log")" "$TOK_A|$TOK_B|135$R" "... without the token or the phone"
curl -s -o "$W/page.html" "$LF_URL/p/demo?ref=$altered"
is "$(hidden _ref)" "" "an altered ?ref= is not carried into the form"
curl -s -o "$W/page.html" "$LF_URL/p/demo?ref=%22%3E%3Cscript%3E"
unlike "$(cat "$W/page.html")" '"><script>' "... nor is a hostile one"

# --- the goal, and the report -------------------------------------------------------------
check "A has one referral: not tagged yet" test "$(q "select '$GOAL' = any(tags) from landform.leads where id = $(lead_of 01)")" = f
open "/r/$TOK_A"; send 08 "$REF"
is "$(q "select '$GOAL' = any(tags) from landform.leads where id = $(lead_of 01)")" t "A's second referral reaches the goal: A is tagged"
is "$(q "select count(*) || ' ' || bool_and(staff_id is not distinct from (select owner_id from landform.leads where id = $(lead_of 01))) from landform.outbox where kind = 'referral_goal' and lead_id = $(lead_of 01)")" \
    "1 true" "... and one referral_goal notice for A's holder is in the outbox"
is "$(q "select '$GOAL' = any(tags) from landform.leads where id = $(lead_of 02)")" f "B (one referral) is not tagged"
report() { q "select concat_ws(' ', visits, new_leads, won, revenue) from landform.referral_report(landform.today(), landform.today()) where referrer_id = $(lead_of "$1")"; }
is "$(report 01)" "$(visits "$TOK_A") 2 0 0" "referral_report: A, its link's visits, 2 new leads"
is "$(report 02)" "$(visits "$TOK_B") 1 0 0" "... B, 1"
admin "select landform.add_deal($(lead_of 08), 99)"
is "$(report 01)" "$(visits "$TOK_A") 2 1 99.00" "... a deal won by A's referral shows as won and revenue"
check "... and the visits are the link's: A's 5 opens, B's 2" test "$(visits "$TOK_A") $(visits "$TOK_B")" = "5 2"

# --- the JSON API and the honeypot ---------------------------------------------------------
open "/r/$TOK_A"
n2=$(credits)
curl -s -o "$W/api.json" -H 'Content-Type: application/json' -d "{\"_stamp\":\"${S[$NEXT]}\",\"_ref\":\"$REF\",\"name\":\"Ref 09\",\"mobile\":\"$(ph 09)\",\"agree\":true}" \
    "$LF_URL/api/v1/pages/demo/submissions"
NEXT=$((NEXT + 1))
is "$(q "select referred_by from landform.leads where id = $(lead_of 09)") $(credits)" "$(lead_of 01) $((n2 + 1))" \
    "a JSON submission carrying _ref is credited the same way"
like "$(cat "$W/api.json")" '"thanks_url":"/p/demo/thanks\?lang=zh-CN&t=t1\.' "... and its answer has the thank-you address with the share link"
THANKS="303 $LF_URL$(sed 's/.*"thanks_url":"\([^"]*\)".*/\1/' "$W/api.json")"
like "$(share)" "^$LF_URL/r/[0-9a-f]{32}\$" "... which shows that visitor's link"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=${S[$NEXT]}" --data-urlencode "_website=http://spam" --data-urlencode "_ref=$REF" \
    --data-urlencode "name=Ref 10" --data-urlencode "mobile=$(ph 10)" --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$code $(credits) $(q "select count(*) from landform.leads where phone = '$(ph 10)'")" "303 $((n2 + 1)) 0" \
    "a honeypot post carrying a referral goes to the quarantine and credits nobody"
# Nothing to share (a quarantined post has no lead): the JSON answer has no thanks_url, so
# landform.js keeps its in-page thanks; where there is one it opens thanks_url, on pages that
# mark their in-page thanks data-lf-share (landing/README.md).
curl -s -o "$W/api.json" -H 'Content-Type: application/json' -d "{\"_stamp\":\"${S[13]}\",\"_website\":\"http://spam\",\"name\":\"Ref 11\",\"mobile\":\"$(ph 11)\",\"agree\":true}" \
    "$LF_URL/api/v1/pages/demo/submissions"
like "$(cat "$W/api.json")" '^\{"ok":true,"thanks":"[^"]+","redirect":null\}$' "a quarantined JSON post is thanked without a thanks_url"
curl -s -o "$W/page.html" "$LF_URL/p/demo"
is "$(grep -c 'data-lf-thanks data-lf-share hidden' "$W/page.html")" 1 "the demo page marks its in-page thanks data-lf-share"

admin "select landform.set_referral_goal(NULL)"
t_done
