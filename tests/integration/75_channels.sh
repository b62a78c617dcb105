#!/usr/bin/env bash
# Live channel codes (渠道活码, issue 17) through nginx: /c/<code> answers 302 to the channel's
# target with ch=<code>, counts the scan (channel_scans, and the scans column of funnel and
# channel_report), follows a target change at once, never points off-site whatever the input
# (SQL refuses hostile targets with stable codes; hostile codes get the friendly page), and an
# unknown or stopped code gets the friendly page in the visitor's language with the fallback
# link. The QR SVG (rasterised by chromium) and PNG decode with zbarimg to the exact link; the
# admin page /staff/channels and its JSON list and retarget channels (CSRF, origin), and all of
# it is refused to a member who is not an admin.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/channels-it
rm -rf "$W"; mkdir -p "$W"
R=$(printf '%04d' $((RANDOM % 10000)))
# scan CODE [curl args]: status of GET /c/CODE (headers in $W/scan.hdr, body in $W/scan.body)
scan() { local c=$1; shift; curl -s -o "$W/scan.body" -D "$W/scan.hdr" -w '%{http_code}' "$@" "$LF_URL/c/$c"; }
loc() { grep -i '^Location:' "$W/scan.hdr" | tr -d '\r' | cut -d' ' -f2-; }
scans() { q "select coalesce(sum(x.scans), 0) from landform.channel_scans x join landform.channels c on c.id = x.channel_id where c.code = '$1'"; }

# A is a landing page on disk (so following the redirect opens it); B exists in the database only.
A=demo; B=chan-b$R; CODE=poster$R
admin "select landform.register_page('$B', 'Channel B', 'lead')"
admin "select landform.set_channel_target('$CODE', '$A', 'utm_source=poster&utm_campaign=spring-$R')"

# --- the redirect -------------------------------------------------------------------------
is "$(scan "$CODE")" 302 "GET /c/<code> answers 302"
is "$(loc)" "/p/$A?utm_source=poster&utm_campaign=spring-$R&ch=$CODE" "... to the page with the extra query and ch=<code>, on this site"
like "$(grep -i '^Cache-Control:' "$W/scan.hdr")" 'no-store' "... never cached, so every scan counts"
is "$(scans "$CODE")" 1 "the scan is counted"
scan "$CODE" >/dev/null; scan "$CODE" >/dev/null
is "$(scans "$CODE")" 3 "... each one"
is "$(curl -s -o /dev/null -w '%{http_code}' -L "$LF_URL/c/$CODE")" 200 "following it opens the page"
is "$(q "select scans from landform.funnel(landform.today(), landform.today()) where page = '$A' and channel = '$CODE'")" 4 \
    "funnel() has the scans, before views"
views_counted() { [ "$(q "select views > 0 from landform.channel_report(landform.today(), landform.today(), 'day') where channel = '$CODE'")" = t ]; }
wait_for 10 views_counted
is "$(q "select scans || ' ' || (views > 0) from landform.channel_report(landform.today(), landform.today(), 'day') where channel = '$CODE'")" \
    "4 true" "channel_report() has them too, beside the view the landing counted with ch=<code>"
admin "select landform.set_channel_target('$CODE', '$B')"
is "$(scan "$CODE")" 302 "after a target change"
is "$(loc)" "/p/$B?ch=$CODE" "... the very next scan goes to the new page"
is "$(q "select string_agg(slug || '=' || n, ' ' order by slug) from (select p.slug, sum(x.scans) as n from landform.channel_scans x join landform.pages p on p.id = x.page_id join landform.channels c on c.id = x.channel_id where c.code = '$CODE' group by 1) s")" \
    "$B=1 $A=4" "scans are kept per target page"

# --- never an open redirect ---------------------------------------------------------------
for bad in '//evil.com' '\\evil.com' '%2F%2Fevil.com' 'http://evil.com' 'a@evil.com' "$(printf 'demo\r\nLocation: //evil')"; do
    is "$(q "select landform.channel_target_problem('$CODE', \$\$$bad\$\$, NULL)")" page_unknown "a target page '$(printf '%q' "$bad")' is refused (page_unknown)"
done
for bad in 'next=//evil.com' 'u=\\evil' 'u=%2F%2Fevil' 'u=http://evil.com' 'u=a@evil.com' "$(printf 'a=1\r\nLocation: //evil')" \
           'https://evil.com' '//evil.com' 'a=1#x' 'ch=other' 'a=1&a=2'; do
    got=$(q "select landform.channel_target_problem('$CODE', '$A', \$\$$bad\$\$)")
    like "$got" '^query_' "an extra query '$(printf '%q' "$bad")' is refused ($got)"
done
got=$(q "do \$\$ begin perform landform.set_channel_target('$CODE', '$A', 'u=//evil'); exception when sqlstate '22023' then raise notice 'refused %', sqlerrm; end \$\$" 2>&1)
like "$got" 'refused query_pair' "set_channel_target refuses it with 22023 and the code first"
got=$(q "update landform.channels set target_query = 'u=//evil' where code = '$CODE'" 2>&1)
like "$got" 'channels_target_query' "even a direct UPDATE is stopped by the CHECK"
is "$(loc_after=$(scan "$CODE"); echo "$loc_after")" 302 "the channel still answers"
is "$(loc)" "/p/$B?ch=$CODE" "... to where it pointed"
for path in '//evil.com' '%2F%2Fevil.com' '%5C%5Cevil.com' '%0D%0ALocation:%20http://evil.com' '@evil.com' \
            'http:%2F%2Fevil.com' "$CODE%2F..%2F..%2F" "$CODE%00"; do
    st=$(scan "$path")
    l=$(loc)
    if [ -z "$l" ] || [[ $l == /p/* && $l != //* ]]; then ok "GET /c/$path: $st, no off-site Location"; else not_ok "GET /c/$path: Location $l"; fi
done
is "$(scan '%2F%2Fevil.com')" 404 "a hostile code gets the friendly page"
like "$(cat "$W/scan.body")" '<html lang="zh-CN">' "... a page, not a bare 404"

# --- unknown and stopped codes --------------------------------------------------------------
admin "select landform.set_setting('channel_fallback_page', '$A')"
is "$(scan "nope$R" -H 'Accept-Language: en-US,en;q=0.9')" 404 "an unknown code: 404 with the friendly page"
like "$(cat "$W/scan.body")" 'lang="en".*no longer active' "... in the visitor's language"
like "$(cat "$W/scan.body")" "href=\"/p/$A\"" "... linking to the fallback page the admin set"
is "$(scan "nope$R")" 404 "... and in Chinese by default"
for path in "" "$CODE/extra" ; do
    is "$(scan "$path")" 404 "GET /c/$path: the friendly page too"
    like "$(cat "$W/scan.body")" "二维码.*href=\"/p/$A\"" "... with the fallback link, not a bare 404"
done
like "$(cat "$W/scan.body")" '二维码' "... with the Chinese text"
n=$(scans "$CODE")
admin "select landform.disable_channel('$CODE')"
is "$(scan "$CODE")" 404 "a stopped code gets the friendly page"
like "$(cat "$W/scan.body")" "href=\"/p/$A\"" "... with the fallback link"
is "$(scans "$CODE")" "$n" "... and is not counted as a scan"
admin "select landform.set_setting('channel_fallback_page', '')"
scan "nope$R" >/dev/null
unlike "$(cat "$W/scan.body")" '<a ' "without a fallback page, no link"
admin "select landform.set_channel_target('$CODE', '$A')"
is "$(scan "$CODE")" 302 "set_channel_target starts it again"

# --- QR codes ------------------------------------------------------------------------------
link_boss=$(q "select landform.add_staff('ch_boss$R', 'Boss')")
link_m=$(q "select landform.add_staff('ch_m$R', 'Member')")
admin "select landform.set_admin('ch_boss$R', true)"
is "$(portal_join boss "$link_boss" 'boss password 1')" 303 "the admin sets a password"
is "$(portal_join m "$link_m" 'member password 1')" 303 "the member sets a password"
PUB=$(q "select value from landform.settings where name = 'public_url'")

is "$(req boss GET "/staff/channels/$CODE/qr.png?size=300")" 200 "the admin gets the PNG"
like "$(hdr boss Content-Type)" '^image/png' "... as image/png"
cp "$W/boss.body" "$W/qr.png"
is "$(zbarimg -q --raw "$W/qr.png" 2>/dev/null)" "${PUB%/}/c/$CODE" "the PNG decodes (zbarimg) to public_url/c/<code>"
is "$(req boss GET "/staff/channels/$CODE/qr.png?size=2048")" 200 "a 2048 px PNG"
is "$(zbarimg -q --raw "$W/boss.body" 2>/dev/null)" "${PUB%/}/c/$CODE" "... decodes too"
is "$(req boss GET "/staff/channels/$CODE/qr.png")" 200 "without size: the default"
for s in 63 2049 abc 99999 ''; do
    is "$(req boss GET "/staff/channels/$CODE/qr.png?size=$s")" 400 "size=$s is refused"
done
is "$(req boss GET "/staff/channels/$CODE/qr.svg")" 200 "the admin gets the SVG"
like "$(hdr boss Content-Type)" '^image/svg\+xml' "... as image/svg+xml"
cp "$W/boss.body" "$W/qr.svg"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=296,296 \
    --screenshot="$W/svg.png" "file://$W/qr.svg" >/dev/null 2>&1
is "$(zbarimg -q --raw "$W/svg.png" 2>/dev/null)" "${PUB%/}/c/$CODE" "the SVG, drawn by chromium, decodes to the same link"
is "$(req boss GET "/staff/channels/nope$R/qr.svg")" 404 "no QR code for an unknown channel"
is "$(req m GET "/staff/channels/$CODE/qr.svg")" 403 "a member who is not an admin gets no QR code"
is "$(req m GET "/staff/channels/$CODE/qr.png")" 403 "... in either format"
is "$(req x GET "/staff/channels/$CODE/qr.png")" 303 "no session: to the login page"

# --- the admin page ------------------------------------------------------------------------
is "$(req x GET /staff/channels)" 303 "no session: /staff/channels goes to the login page"
is "$(req x GET /api/v1/staff/channels)" 401 "... JSON: 401"
is "$(req m GET /staff/channels)" 403 "a member: 403"
like "$(body m)" '管理员|admins' "... saying it is for admins"
is "$(req m GET /api/v1/staff/channels)" 403 "... nor the JSON"
is "$(req boss GET /staff/channels)" 200 "the admin opens the channels page"
like "$(body boss)" "id=\"channel-$CODE\"" "... with the channel"
like "$(body boss)" "href=\"${PUB%/}/c/$CODE\"" "... its short link"
like "$(body boss)" "src=\"/staff/channels/$CODE/qr.svg\"" "... its QR preview"
like "$(body boss)" "href=\"/staff/channels/$CODE/qr.png\?size=1024\" download" "... and a PNG download"
like "$(body boss)" 'name="viewport"' "... sized for a phone"
SC=$(q "select sum(scans) from landform.channel_report(landform.today() - 29, landform.today(), 'day') where channel = '$CODE'")
like "$(body boss)" "class=\"num scans\">$SC<" "... its scans as the report counts them ($SC)"
like "$(body boss)" 'href="/staff/channels" id="nav-channels"' "... and a tab in the navigation"
is "$(req boss GET /api/v1/staff/channels)" 200 "the JSON"
is "$(body boss | python3 -c "import json,sys; c=[c for c in json.load(sys.stdin)['channels'] if c['code']=='$CODE'][0]; print(c['page'], c['scans'], str(c['disabled']).lower())")" "$A $SC false" \
    "... has the target, scans and state"
is "$(req boss GET /staff/channels)" 200 "the page again for its form token"
CSRF=$(csrf_of boss)
is "$(post boss "/staff/channels/$CODE/target" -d "csrf=$CSRF" -d "page=$B" -d 'query=utm_medium=print')" 303 "the admin points the code at page B"
is "$(hdr boss Location)" "/staff/channels?done=target" "... and sees the list again"
is "$(scan "$CODE")" 302 "the next scan"
is "$(loc)" "/p/$B?utm_medium=print&ch=$CODE" "... goes to page B with the new query"
is "$(post boss "/staff/channels/$CODE/target" -d "csrf=$CSRF" -d "page=$A" --data-urlencode 'query=next=//evil.com')" 422 "a hostile query from the form: 422"
like "$(body boss)" 'role="alert"' "... the form again with the reason"
like "$(body boss)" 'value="next=//evil.com"' "... and what was typed, escaped"
is "$(scan "$CODE" && loc)" "302/p/$B?utm_medium=print&ch=$CODE" "... and the target is unchanged"
is "$(post boss "/staff/channels/$CODE/target" -d "page=$A")" 403 "without the CSRF token: 403"
is "$(req boss POST "/staff/channels/$CODE/target" -H 'Origin: http://evil.example' -H 'Sec-Fetch-Site: cross-site' -d "csrf=$CSRF" -d "page=$A")" 403 \
    "from another origin: 403"
is "$(post boss "/staff/channels/$CODE/target" -d "csrf=0000000000000000000000000000000000000000000000000000000000000000" -d "page=$A")" 403 \
    "with a wrong CSRF token: 403"
is "$(req m GET /staff/)" 200 "the member's page, for their token"
is "$(post m "/staff/channels/$CODE/target" -d "csrf=$(csrf_of m)" -d "page=$A")" 403 "a member cannot retarget"
is "$(post boss "/api/v1/staff/channels/$CODE/target" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
      -d "{\"page\":\"$A\",\"query\":\"ref2=x\"}")" 200 "the JSON API retargets too"
is "$(post boss "/api/v1/staff/channels/$CODE/target" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
      -d "{\"page\":\"$A\",\"query\":\"ch=x\"}")" 422 "... and refuses a reserved key"
is "$(body boss | python3 -c "import json,sys; e=json.load(sys.stdin)['error']; print(e['field'], e['reason'])")" "query query_reserved" "... saying which field and why (a stable code)"
is "$(scan "$CODE" && loc)" "302/p/$A?ref2=x&ch=$CODE" "the scan follows the JSON change"

# --- referral links (the signing is unit-tested; crediting is tests/sql/67_referrals.sql) ----
admin "select landform.submit('$A', NULL, '+86137${R}0001', 'Ref A', NULL, '{}', 'yes', 'it-ref-$R-1', NULL, NULL, 'zh-CN')"
TOK=$(q "select landform.referral_token((select id from landform.leads where phone = '+86137${R}0001'), '$A')")
r_get() { curl -s -o "$W/scan.body" -D "$W/scan.hdr" -w '%{http_code}' "$LF_URL/r/$1"; }
is "$(r_get "$TOK")" 302 "GET /r/<token> answers 302"
like "$(loc)" "^/p/$A\?ref=r1\.$TOK\.[0-9a-f]{32}\$" "... to the referrer's page with the referral signed"
like "$(q "select visits from landform.referral_tokens where token = '$TOK'")" '^1$' "... and counts the visit"
is "$(curl -s -o /dev/null -w '%{http_code}' "$LF_URL$(loc)")" 200 "the page opens with it"
is "$(r_get 0123456789abcdef0123456789abcdef)" 404 "a forged token: the friendly page"
is "$(r_get '%2F%2Fevil.com')" 404 "... and a hostile one"
for i in $(seq 30); do r_get "$TOK" >/dev/null; done
is "$(r_get "$TOK")" 429 "a link opened over 30 times in a minute is rate limited"
like "$(grep -i '^Retry-After:' "$W/scan.hdr")" '60' "... with Retry-After"
admin "select landform.forget('+86137${R}0001')"
is "$(r_get "$TOK")" 404 "after forget(phone) the link stops working"

t_done
