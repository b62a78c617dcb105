#!/usr/bin/env bash
# No silent loss (issue 13), through nginx, landformd and PostgreSQL: a post faster than the
# stamp's minimum age, one signed with another secret or for another page, and a JSON post
# without a stamp are never thanked without being stored: the form comes back with every value
# and a fresh stamp (JSON: a 422 naming the stamp), each refusal logged and counted apart from
# spam. A filled honeypot is quarantined, then released into a lead. Through a second nginx with
# the production rate limits: 200 visitors behind one address within a minute are all stored,
# and a visitor refused for rate gets the form back with their values, a 429 and how long to wait.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/noloss
rm -rf "$W"; mkdir -p "$W"
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
subs_of() { q "select count(*) from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '$1'"; }
leads_of() { q "select count(*) from landform.leads where phone = '$1'"; }
# sign KEYHEX SLUG MS: a stamp as fcgi/stamp.c makes it.
sign() {
    local rnd=0a0b0c0d0e0f101112131415 mac
    mac=$(printf 'v1|%s|%s|%s' "$2" "$3" "$rnd" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" | awk '{print $2}' | cut -c1-32)
    echo "v1.$3.$rnd.$mac"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# This file's phones (+86 139 0013 00xx, +86 137 7700 xxxx) start unknown, also when run again.
admin "select landform.forget(phone) from landform.leads where phone like '+86139001300%' or phone like '+86137770%'"
admin "select landform.forget(phone) from landform.suspects where phone like '+86139001300%'"
# Stamps for later, all fetched now so one wait covers their minimum age: another page's, the
# honeypot's, the cap's, the rate-refused visitor's, and one per visitor behind the NAT.
ASK=$(curl -s "$LF_URL/api/v1/pages/ask/stamp" | grep -o 'v1\.[^"]*')
HP=$(curl -s "$LF_URL/p/demo?ch=noloss" | stamp_of)
CAP=$(curl -s "$LF_URL/p/demo" | stamp_of)
RATE=$(curl -s "$LF_URL/p/demo?lang=en" | stamp_of)
N=200
curl -s $(for i in $(seq $N); do printf '%s ' "$LF_URL/api/v1/pages/demo/stamp"; done) \
    | grep -o '"stamp":"[^"]*"' | sed 's/"stamp":"//; s/"$//' > "$W/stamps"

# --- too fast: the form again, values kept, a fresh stamp; the second press is stored --------
S=$(curl -s "$LF_URL/p/demo?ch=noloss" | stamp_of)
page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=$S" --data-urlencode "name=快手 Quick" \
    --data-urlencode "mobile=139 0013 0001" --data-urlencode "company=Autofill & Co" --data-urlencode "agree=on" \
    "$LF_URL/p/demo?ch=noloss")
is "$(echo "$page" | tail -1)" 422 "a post faster than stamp_min_age gets the form again (422), not the thanks page"
like "$page" 'value="快手 Quick"' "... with the name typed"
like "$page" 'value="139 0013 0001"' "... the phone typed"
like "$page" 'value="Autofill &amp; Co"' "... and every other value"
like "$page" '提交得太快了' "... and asks them, in their language, to press send again"
fresh=$(echo "$page" | stamp_of)
[ -n "$fresh" ] && [ "$fresh" != "$S" ] && ok "... with a fresh stamp" || not_ok "... with a fresh stamp (got '$fresh')"
is "$(leads_of +8613900130001)" 0 "... and nothing was thanked: nothing stored yet"
sleep 2.2
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$fresh" --data-urlencode "name=快手 Quick" \
    --data-urlencode "mobile=139 0013 0001" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=noloss")
is "$out" 303 "pressing send again with the re-rendered form is thanked"
is "$(subs_of +8613900130001)" 1 "... and stored"

# --- another secret (a second host, a page cached before a rotation), another page ----------
other=$(sign "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" demo $(( $(now_ms) - 10000 )))
page=$(curl -s -w '\n%{http_code}' -H 'Accept-Language: en' --data-urlencode "_stamp=$other" \
    --data-urlencode "name=Other Host" --data-urlencode "mobile=139 0013 0002" --data-urlencode "agree=on" \
    "$LF_URL/p/demo?ch=noloss")
is "$(echo "$page" | tail -1)" 422 "a stamp signed with another secret gets the form again (422), not the thanks page"
like "$page" 'value="Other Host"' "... with the values typed"
like "$page" 'please send it again' "... asking, in English for an English visitor, to send again"
fresh=$(echo "$page" | stamp_of)
like "$fresh" '^v1\.[0-9]{13}\.[0-9a-f]{24}\.[0-9a-f]{32}$' "... with a fresh stamp of ours"
is "$(leads_of +8613900130002)" 0 "... and nothing was thanked without being stored"
page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=$ASK" --data-urlencode "name=Wrong Page" \
    --data-urlencode "mobile=139 0013 0003" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=noloss")
is "$(echo "$page" | tail -1) $(leads_of +8613900130003)" "422 0" "a stamp for another page: the form again, nothing stored"
like "$page" 'value="Wrong Page"' "... with the values typed"
has_warn() { grep -q "stamp refused: $1" "$LF_LOG/landformd.log"; }
check "each refusal is logged at warn with its reason" has_warn stamp_forged
unlike "$(grep 'stamp refused' "$LF_LOG/landformd.log")" '1390013|Other Host|Wrong Page' "... without personal data"

# --- JSON without a stamp: a 4xx naming the stamp and what to do ---------------------------
json=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H 'Accept-Language: en' \
    -d '{"name":"API 无凭证","mobile":"139 0013 0004","agree":true}' "$LF_URL/api/v1/pages/demo/submissions?ch=noloss")
like "$json" ' 422$' "a JSON post without a stamp answers 422, not 201"
like "$json" '"code":"stamp_missing","message":"[^"]*_stamp' "... naming the stamp"
like "$json" 'GET /api/v1/pages/demo/stamp' "... and where to get one"
like "$json" '"stamp":"v1\.' "... with a fresh one to retry with"
is "$(leads_of +8613900130004)" 0 "... and nothing stored was left unsaid"
json=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
    -d "{\"_stamp\":\"$other\",\"name\":\"x\",\"mobile\":\"139 0013 0005\",\"agree\":true}" "$LF_URL/api/v1/pages/demo/submissions?ch=noloss")
like "$json" '"code":"stamp_forged".* 422$' "a JSON post with another secret's stamp answers 422 stamp_forged"
refused() { [ "$(q "select coalesce(sum(n), 0) from landform.refusals where page = 'demo' and reason = '$1'")" -ge "$2" ]; }
check "stamp refusals are counted apart from spam in landform.refusals (forged)" wait_for 5 refused stamp_forged 3
check "... (missing)" wait_for 5 refused stamp_missing 1
check "... (too fast)" wait_for 5 refused stamp_too_fast 1

# --- honeypot: quarantine, then release into a lead ---------------------------------------
S=$HP
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$S" --data-urlencode "_website=autofilled.example" \
    --data-urlencode "name=蜜罐 Autofill" --data-urlencode "mobile=139 0013 0006" --data-urlencode "agree=on" \
    "$LF_URL/p/demo?ch=noloss")
is "$out" 303 "a filled honeypot is thanked (once it is committed in the quarantine)"
is "$(leads_of +8613900130006)" 0 "... it is not a lead"
sid=$(q "select id from landform.suspect_submissions where phone = '+8613900130006' and page = 'demo' and channel = 'noloss' and name = '蜜罐 Autofill'")
[ -n "$sid" ] && ok "... it is in landform.suspect_submissions for admins" || not_ok "... it is in landform.suspect_submissions for admins"
admin "select landform.release_suspect($sid)"
is "$(leads_of +8613900130006) $(subs_of +8613900130006)" "1 1" "release_suspect makes it a lead with its submission"
is "$(q "select idem_key from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '+8613900130006'")" "$S" \
    "... keyed by its stamp, as the post would have been"
is "$(q "select count(*) from landform.suspects where id = $sid")" 0 "... and it leaves the quarantine"
# Over the per-address cap nothing is kept, so the visitor is not thanked: the form again.
admin "select landform.set_setting('suspect_cap', '0')"
S=$CAP
page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=$S" --data-urlencode "_website=x" \
    --data-urlencode "name=Over Cap" --data-urlencode "mobile=139 0013 0007" --data-urlencode "agree=on" "$LF_URL/p/demo")
admin "select landform.set_setting('suspect_cap', '50')"
is "$(echo "$page" | tail -1) $(leads_of +8613900130007)" "422 0" "a honeypot post over the quarantine cap is not thanked"
like "$page" 'value="Over Cap"' "... and gets the form again with its values"

# --- rate limits: a second nginx with the production defaults (scripts/lib.sh) ---------------
RPORT=${LANDFORM_TEST_RATE_PORT:-$((LF_HTTP_PORT + 7))}
RURL=http://127.0.0.1:$RPORT
rate_nginx() (
    unset LANDFORM_POST_RATE LANDFORM_POST_BURST
    LF_VAR=$W/nginx-rate LF_RUN=$W/nginx-rate/run LF_LOG=$W/nginx-rate/log
    mkdir -p "$LF_RUN" "$LF_LOG"
    "$@"
)
rate_nginx lf_nginx_start "$RPORT" >/dev/null 2>&1
check "a second nginx with the production rate limits starts" lf_wait_http "$RURL/healthz"
like "$(cat "$W/nginx-rate/nginx/landform.conf")" 'rate=10r/s.*burst=200 nodelay' "... using the production defaults"

# 200 visitors behind one address (a carrier NAT), each with their own phone, within a minute.
is "$(wc -l < "$W/stamps")" $N "$N stamps fetched"
t0=$(date +%s)
paste -d' ' <(seq $N) "$W/stamps" | xargs -P 8 -n 2 sh -c \
    'curl -s -o /dev/null -w "%{http_code}\n" --data-urlencode "_stamp=$1" --data-urlencode "name=NAT $0" \
        --data-urlencode "mobile=+86 137 7700 $(printf %04d $0)" --data-urlencode "agree=on" "'"$RURL"'/p/demo?ch=nat"' \
    > "$W/nat.codes"
secs=$(( $(date +%s) - t0 ))
[ "$secs" -lt 60 ] && ok "$N posts from one address sent within a minute ($secs s)" || not_ok "$N posts within a minute (took $secs s)"
is "$(sort "$W/nat.codes" | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" "303:$N " "... every one thanked"
is "$(q "select count(*) from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone like '+86137770%'")" $N \
    "... and every one stored"

# Now past the limit: posts refused for rate come back with their values, 429 and the wait.
S=$RATE
for round in 1 2 3 4 5; do
    for i in $(seq 40); do
        curl -s -o "$W/r$i.body" -D "$W/r$i.hdr" -w '%{http_code}' --data-urlencode "_stamp=$S" \
            --data-urlencode "name=Rate Limited 限流" --data-urlencode "mobile=139 0013 0008" \
            --data-urlencode "company=Shared NAT" --data-urlencode "agree=on" "$RURL/p/demo?lang=en" > "$W/r$i.code" &
    done
    wait
    grep -lx 429 "$W"/r*.code > "$W/refused" && break
done
r=$(head -1 "$W/refused" | sed 's/\.code$//')
if [ -n "$r" ]; then
    ok "posts past the limit are refused for rate (429)"
    like "$(cat "$r.body")" 'value="Rate Limited 限流"' "... with the values typed (nginx passed the body on)"
    like "$(cat "$r.body")" 'value="139 0013 0008".*value="Shared NAT"' "... every one of them"
    like "$(cat "$r.body")" 'please wait 5 seconds' "... saying how long to wait, in their language"
    like "$(tr -d '\r' < "$r.hdr")" 'Retry-After: 5' "... and Retry-After"
    like "$(cat "$r.body")" 'name="_stamp" value="v1\.' "... with a stamp to send again"
else
    not_ok "posts past the limit are refused for rate (429)"
fi
# Still past the limit: JSON posts and other posts at once.
for i in $(seq 10); do
    curl -s -o "$W/j$i.body" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"_stamp\":\"$S\",\"name\":\"限流 JSON\",\"mobile\":\"139 0013 0008\",\"agree\":true}" \
        "$RURL/api/v1/pages/demo/submissions" > "$W/j$i.code" &
    curl -s -o "$W/l$i.body" -w '%{http_code}' -d 'login=x&password=y' "$RURL/staff/login" > "$W/l$i.code" &
done
wait
j=$(grep -lx 429 "$W"/j*.code | head -1 | sed 's/\.code$//')
like "$(cat "$j.body" 2>/dev/null)" '"code":"rate_limited".*请等待 5 秒' "a JSON post refused for rate answers 429 rate_limited and the wait"
l=$(grep -lx 429 "$W"/l*.code | head -1 | sed 's/\.code$//')
like "$(cat "$l.body" 2>/dev/null)" '<title>429 Too Many Requests</title>' \
    "other posts refused for rate get nginx's own 429 (landformd never sees them)"
thanked=$(for f in "$W"/r*.code "$W"/j*.code; do cat "$f"; echo; done | grep -cE '^(303|201)$')
is "$(subs_of +8613900130008)" "$([ "$thanked" -gt 0 ] && echo 1 || echo 0)" \
    "of all those posts, what was thanked is stored (once: one stamp), what was refused is not"

rate_nginx lf_nginx_stop
t_done
