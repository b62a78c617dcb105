#!/usr/bin/env bash
# Lead capture through nginx: page rendering, the three body formats, hostile input, spam,
# stamps, idempotent retries, byte-exact storage, counting, and a database outage mid-submit.
source "$(dirname "$0")/../lib.sh"

COOKIES=$LF_VAR/cookies.txt
rm -f "$COOKIES"
nsub() { q "select count(*) from landform.submissions"; }
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
# Fresh stamps now, used after the 2 s a human needs at least.
declare -a S
for i in $(seq 0 24); do S[$i]=$(curl -s "$LF_URL/p/demo?ch=it" | stamp_of); done
ASK_STAMP=$(curl -s "$LF_URL/p/ask" | stamp_of)
like "${S[0]}" '^v1\.[0-9]{13}\.[0-9a-f]{24}\.[0-9a-f]{32}$' "the page carries a signed form stamp"

# --- rendering ----------------------------------------------------------------------------
page=$(curl -s -c "$COOKIES" -D "$LF_VAR/h.txt" "$LF_URL/p/demo?ch=it")
hdr=$(cat "$LF_VAR/h.txt")
like "$page" '<html lang="zh-CN"' "Chinese is the default language"
like "$page" 'inputmode="tel"' "the phone field asks phones for the number keypad"
like "$page" 'name="mobile"[^>]*required|required[^>]*name="mobile"' "required fields are marked required in HTML"
like "$page" 'maxlength="40"' "max_length from form.json becomes maxlength"
like "$page" 'class="hp"' "the honeypot is in the form"
like "$page" 'action="/p/demo\?lang=zh-CN&amp;ch=it"' "the form posts back to the page, keeping language and channel"
like "$hdr" 'Set-Cookie: lf_vid=[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{8}; Max-Age=[0-9]+; Path=/; SameSite=Lax; HttpOnly' \
    "a visitor cookie (a random id, the day, what it was counted for) counts unique visitors"
unlike "$(curl -s -o /dev/null -D - -b "$COOKIES" "$LF_URL/p/demo?ch=it")" 'Set-Cookie' \
    "a visitor counted for this page and channel today gets no new cookie"
like "$(curl -s -o /dev/null -D - -b "$COOKIES" "$LF_URL/p/demo")" 'Set-Cookie: lf_vid=[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{8}\.[0-9a-f]{8};' \
    "... and another mark for another channel"
like "$hdr" "Content-Security-Policy: default-src 'self'; script-src 'self'" "pages run only their own script"
like "$(curl -s "$LF_URL/p/demo?lang=en")" '<html lang="en"' "?lang=en gives English"
like "$(curl -s -H 'Accept-Language: en-US,en;q=0.9,zh;q=0.5' "$LF_URL/p/demo")" '<html lang="en"' "Accept-Language picks English"
like "$(curl -s -H 'Accept-Language: en' "$LF_URL/p/demo?lang=zh-CN")" '<html lang="zh-CN"' "?lang= wins over Accept-Language"
size=$(curl -s "$LF_URL/p/demo" | wc -c); css=$(wc -c < "$LF_ROOT/landing/_common/assets/style.css")
[ $((size + css)) -lt 30720 ] && ok "demo page HTML+CSS is under 30 KB ($((size + css)) bytes)" || not_ok "demo page HTML+CSS is under 30 KB ($((size + css)) bytes)"
is "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$LF_URL/assets/_common/style.css")" "200 text/css" "nginx serves page assets"
like "$(curl -s "$LF_URL/p/demo/thanks")" 'role="status"' "the thanks page renders"

sleep 2.2

# --- a good submission, byte-exact ---------------------------------------------------------
NAME="李雷 🚀 O'Brien"
COMPANY='<script>alert(1)</script> & "Co"'
before=$(nsub)
out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -A 'curl-it' \
    --data-urlencode "_stamp=${S[0]}" --data-urlencode "_website=" --data-urlencode "name=$NAME" \
    --data-urlencode "mobile=138 1234-5678" --data-urlencode "company=$COMPANY" --data-urlencode "agree=on" \
    "$LF_URL/p/demo?ch=it")
like "$out" "^303 $LF_URL/p/demo/thanks\\?lang=zh-CN&ch=it&t=t1\\.[0-9]+\\.[0-9a-f]{32}\\.${S[0]}\$" \
    "a good urlencoded submission answers 303 to the thanks page (its stamp signed in, for the share link)"
is "$(nsub)" $((before + 1)) "... and is stored"
row=$(q "select l.phone, s.fields->>'name', s.fields->>'company', c.code, s.user_agent, s.consent_text is not null, s.idem_key
         from landform.submissions s join landform.leads l on l.id = s.lead_id left join landform.channels c on c.id = s.channel_id
         order by s.id desc limit 1")
is "$(echo "$row" | cut -d'|' -f1)" "+8613812345678" "the phone is stored normalized to E.164"
is "$(q "select fields->>'name' from landform.submissions order by id desc limit 1")" "$NAME" "CJK, emoji and apostrophes are stored byte-exact"
is "$(q "select fields->>'company' from landform.submissions order by id desc limit 1")" "$COMPANY" "<script> text is stored literally"
is "$(echo "$row" | cut -d'|' -f4,5,6)" "it|curl-it|t" "channel, user agent and consent are recorded"
is "$(echo "$row" | cut -d'|' -f7)" "${S[0]}" "the form stamp is the idempotency key"

# The same form sent again (a double tap, a retry): same answer, nothing new.
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=${S[0]}" --data-urlencode "name=$NAME" \
    --data-urlencode "mobile=13812345678" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=it")
is "$out" 303 "a retry with the same stamp gets the same answer"
is "$(nsub)" $((before + 1)) "... and stores nothing new"

# Another form from the same phone attaches to the same lead.
curl -s -o /dev/null --data-urlencode "_stamp=${S[1]}" --data-urlencode "name=Li Lei" \
    --data-urlencode "mobile=+86 138 1234 5678" --data-urlencode "agree=on" "$LF_URL/p/demo"
is "$(q "select count(*) from landform.leads where phone = '+8613812345678'")" 1 "a repeat submission attaches to the existing lead"
is "$(q "select count(*) from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '+8613812345678'")" 2 "... with both submissions on it"

# multipart/form-data, as some in-app browsers send it.
out=$(curl -s -o /dev/null -w '%{http_code}' -F "_stamp=${S[2]}" -F "name=多部分" -F "mobile=0086 139 0000 1111" \
    -F "agree=on" "$LF_URL/p/demo")
is "$out" 303 "a multipart submission is accepted"
is "$(q "select fields->>'name' from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '+8613900001111'")" "多部分" "... and stored"

# JSON API.
json=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
    -d "{\"_stamp\":\"${S[3]}\",\"name\":\"API 客户\",\"mobile\":\"+44 7700 900123\",\"agree\":true}" \
    "$LF_URL/api/v1/pages/demo/submissions?ch=mini")
like "$json" '^\{"ok":true,"thanks":"[^"]+","redirect":null,"thanks_url":"/p/demo/thanks\?lang=zh-CN&ch=mini&t=t1\.[^"]+"\} +201$' \
    "the JSON API answers 201 with the thanks text (and the thank-you address with the share link)"
is "$(q "select c.code from landform.submissions s join landform.leads l on l.id = s.lead_id join landform.channels c on c.id = s.channel_id where l.phone = '+447700900123'")" mini "... stored with its channel"
like "$(curl -s "$LF_URL/api/v1/pages/demo/stamp")" '^\{"stamp":"v1\.' "API clients can fetch a stamp"

# Consult page: a question becomes a consultation.
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$ASK_STAMP" \
    --data-urlencode "question=课程什么时候开班？<b>急</b>" --data-urlencode "mobile=13700001234" \
    --data-urlencode "topic=$(grep -o '"value": *"[^"]*"' "$LF_ROOT/landing/ask/form.json" | head -1 | sed 's/.*: *"//; s/"$//')" \
    --data-urlencode "agree=on" \
    "$LF_URL/p/ask")
is "$out" 303 "a consult form is accepted"
is "$(q "select question from landform.consultations c join landform.leads l on l.id = c.lead_id where l.phone = '+8613700001234'")" "课程什么时候开班？<b>急</b>" "... and recorded as a consultation, byte-exact"

# --- validation: 422, the reason, and everything typed kept ---------------------------------
before=$(nsub)
page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=${S[4]}" --data-urlencode "name=$NAME" \
    --data-urlencode "mobile=12345" --data-urlencode "company=$COMPANY" --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$(echo "$page" | tail -1)" 422 "a bad phone answers 422"
like "$page" 'class="form-errors" role="alert"' "... with an error summary"
like "$page" 'aria-invalid="true"' "... the field marked invalid"
like "$page" "value=\"李雷 🚀 O&#39;Brien\"" "... the typed name kept (escaped)"
like "$page" 'value="&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;Co&quot;"' "... and the typed company kept, inert"
unlike "$page" '<script>alert' "typed markup never renders as markup"
like "$page" 'value="12345"' "... even the bad phone is kept for correcting"
json=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H 'Accept-Language: en' \
    -d "{\"_stamp\":\"${S[5]}\",\"name\":\"x\",\"mobile\":\"555\",\"agree\":true}" "$LF_URL/api/v1/pages/demo/submissions")
like "$json" '^\{"error":\{"field":"mobile","code":"[a-z_]+","message":"[^"]+"\}.*422$' "JSON clients get {error:{field,code,message}} and 422"
json=$(curl -s -H 'Content-Type: application/json' -d "{\"_stamp\":\"${S[5]}\",\"name\":\"x\",\"mobile\":\"13812345678\"}" "$LF_URL/api/v1/pages/demo/submissions?lang=en")
like "$json" '"field":"agree","code":"required","message":"[^"]*[A-Za-z]' "a missing consent is named, in English when asked"
json=$(curl -s -H 'Content-Type: application/json' -d "{\"_stamp\":\"${S[5]}\",\"name\":\"x\",\"mobile\":\"13812345678\",\"agree\":true,\"admin\":\"1\"}" "$LF_URL/api/v1/pages/demo/submissions")
like "$json" '"field":"admin","code":"unknown_field"' "fields beyond the schema are refused"
is "$(nsub)" "$before" "nothing refused was stored"

# --- hostile bodies: each gets its 4xx with a message and stores nothing --------------------
before=$(nsub)
post_form() { curl -s -o "$LF_VAR/body.html" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$1" "$LF_URL/p/demo"; }
post_json() { curl -s -o "$LF_VAR/body.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$1" "$LF_URL/api/v1/pages/demo/submissions"; }
base="_stamp=${S[6]}&mobile=13812345678&agree=on&name="
for bad in 'x%' 'x%0' 'x%zz' 'x%00y' '%FF%FE' '%C0%AF' '%ED%A0%80'; do
    code=$(post_form "$base$bad")
    is "$code" 400 "urlencoded value '$bad' is refused with 400"
done
like "$(cat "$LF_VAR/body.html")" 'class="form-errors"' "the refusal page says why"
code=$(post_form "$base$(head -c 9000 /dev/zero | tr '\0' a)")
is "$code" 400 "an over-long field is refused"
code=$(post_form "$base&$(for i in $(seq 70); do printf 'f%d=1&' $i; done)")
is "$code" 400 "too many fields are refused"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: multipart/form-data' --data-binary $'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nv\r\n--x--\r\n' "$LF_URL/p/demo")
is "$code" 400 "multipart without a boundary is refused"
printf 'x' > "$LF_VAR/upload.txt"
code=$(curl -s -o /dev/null -w '%{http_code}' -F "_stamp=${S[6]}" -F "mobile=13812345678" -F "file=@$LF_VAR/upload.txt" "$LF_URL/p/demo")
is "$code" 400 "multipart file parts are refused"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary 'hello' "$LF_URL/p/demo")
is "$code" 415 "an unknown body type is refused with 415"
is "$(post_json '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}')" 400 "deeply nested JSON is refused"
like "$(cat "$LF_VAR/body.json")" '"code":"too_deep"' "... saying why"
is "$(post_json '[1,2]')" 400 "a JSON array is refused"
is "$(post_json '{"name":"\u0000"}')" 400 "a JSON NUL escape is refused"
is "$(post_json '{"name":')" 400 "truncated JSON is refused"
is "$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "$LF_URL/api/v1/pages/demo/submissions")" 415 "the JSON API wants application/json"
is "$(nsub)" "$before" "no hostile body stored anything"

# --- spam: a filled honeypot is quarantined, not a lead; a stamp problem is never thanked ------
# (tests/integration/27_noloss.sh goes further: values kept, release, logs, rate limits.)
before=$(nsub)
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=${S[7]}" --data-urlencode "_website=http://spam" \
    --data-urlencode "name=bot" --data-urlencode "mobile=13800000001" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=spamtest")
is "$out" 303 "a filled honeypot gets a normal-looking answer"
is "$(q "select count(*) from landform.suspect_submissions where phone = '+8613800000001'")" 1 "... once it is kept in the quarantine"
fresh=$(curl -s "$LF_URL/p/demo" | stamp_of)
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$fresh" --data-urlencode "name=bot" \
    --data-urlencode "mobile=13800000002" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=spamtest")
is "$out" 422 "a form sent faster than 2 s gets the form again, not the thanks page"
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=v1.1.000000000000000000000000.00000000000000000000000000000000" \
    --data-urlencode "name=bot" --data-urlencode "mobile=13800000003" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=spamtest")
is "$out" 422 "a forged stamp gets the form again"
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "name=bot" --data-urlencode "mobile=13800000004" \
    --data-urlencode "agree=on" "$LF_URL/p/demo?ch=spamtest")
is "$out" 422 "a form without a stamp gets the form again"
is "$(nsub)" "$before" "... and none of them is stored"
is "$(q "select count(*) from landform.leads where phone like '+86138000000%'")" 0 "... nor becomes a lead"
spam() { [ "$(q "select coalesce(sum(spam),0) from landform.page_daily d join landform.channels c on c.id = d.channel_id where c.code = 'spamtest'")" = 1 ]; }
check "the honeypot post is counted as spam per page and channel, stamp refusals are not" wait_for 5 spam

# An expired stamp (a tab left open for days): signed with the real key, issued 25 h ago.
old=$(( $(date +%s) * 1000 - 90000000 )); rnd=000102030405060708090a0b
mac=$(printf 'v1|demo|%s|%s' "$old" "$rnd" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(od -An -tx1 "$LF_VAR/secret" | tr -d " \n")" | awk '{print $2}' | cut -c1-32)
page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=v1.$old.$rnd.$mac" --data-urlencode "name=Late" \
    --data-urlencode "mobile=13812340000" --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$(echo "$page" | tail -1)" 422 "an expired stamp asks the visitor to send again (422)"
like "$page" 'value="Late"' "... keeping what they typed"
newstamp=$(echo "$page" | stamp_of)
[ -n "$newstamp" ] && [ "$newstamp" != "v1.$old.$rnd.$mac" ] && ok "... with a fresh stamp" || not_ok "... with a fresh stamp"

# --- channels and counting ------------------------------------------------------------------
for i in 1 2 3; do curl -s -o /dev/null -b "$COOKIES" -c "$COOKIES" "$LF_URL/p/ask?ch=count_1"; done
curl -s -o /dev/null "$LF_URL/p/ask?ch=count_1"
curl -s -o /dev/null -X POST "$LF_URL/p/ask/open?ch=count_1"
curl -s -o /dev/null "$LF_URL/p/ask?ch=bad%21code"
counted() {
    [ "$(q "select views || '/' || visitors || '/' || opens from landform.page_daily d join landform.pages p on p.id = d.page_id
            join landform.channels c on c.id = d.channel_id where p.slug = 'ask' and c.code = 'count_1'")" = "4/2/1" ]
}
check "views, unique visitors and form opens are counted per page x channel (4/2/1)" wait_for 5 counted
is "$(q "select count(*) from landform.channels where code like 'bad%'")" 0 "an invalid ?ch= counts as no channel"
is "$(status POST /p/ask/open)" 204 "the form-opened beacon answers 204"

# --- the database goes away mid-visit: the spool acknowledges it (issue 14) -----------------
runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -m fast -w stop >/dev/null
out=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --data-urlencode "_stamp=${S[8]}" --data-urlencode "name=停电测试" \
    --data-urlencode "mobile=13812349999" --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$out" 303 "with the database down a submission is spooled and answered 303"
is "$(find "$LF_VAR/spool" -maxdepth 1 -name '*.spool' -perm 0600 -user "$LF_USER" | wc -l)" 1 \
    "... in a spool file of mode 0600 owned by the service user"
runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -o "-p $LF_PG_PORT" -l "$LF_LOG/postgresql.log" -w start >/dev/null
replayed() { [ "$(q "select count(*) from landform.leads where phone = '+8613812349999'")" = 1 ]; }
check "once the database is back, the replayer stores it" wait_for 10 replayed
healthy() { [ "$(status GET /healthz)" = 200 ]; }
wait_for 5 healthy; sleep 0.3
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=${S[8]}" --data-urlencode "name=停电测试" \
    --data-urlencode "mobile=13812349999" --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$out" 303 "sending it again (a visitor's retry) answers 303"
is "$(q "select count(*) from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '+8613812349999'")" 1 "... and it is stored exactly once"

# --- personal data stays out of logs above debug ----------------------------------------------
unlike "$(grep -v ' debug ' "$LF_LOG/landformd.log")" '13812345678|李雷|O.Brien' "no phone or name in logs above debug"

t_done
