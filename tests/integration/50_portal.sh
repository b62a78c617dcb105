#!/usr/bin/env bash
# Staff portal over HTTP (curl through nginx): invitation and password rules, login and the
# session cookie's flags, security headers, CSRF (missing, wrong or another session's token,
# cross-site Sec-Fetch-Site or Origin: 403), rate limits per login and per address (429, and
# the same answer for unknown logins), another member's lead is 404 by every URL and action,
# actions and lost races (409), real logout, idle expiry, the JSON API with X-CSRF-Token,
# stored XSS rendered inert, and landformd passwd.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/portal-it
rm -rf "$W"; mkdir -p "$W"
R=$(printf '%04d' $((RANDOM % 10000)))   # so a second run on the same database does not collide
session_of() { awk '$6 == "lf_staff" && $3 == "/staff" { print $7 }' "$W/$1.jar" | tail -1; }
json_field() { sed -n "s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p" "$W/$1.body" | head -1; }

# A page of our own in its own pool, so rotation is ours to steer.
admin "select landform.register_page('portal-it', 'Portal IT 页面', 'lead')"
admin "select landform.add_pool('it-portal-$R', '30 minutes', 3)"
admin "select landform.set_page_pool('portal-it', 'it-portal-$R')"
link_a=$(q "select landform.add_staff('it_pa$R', 'Alice <b>A</b>')")
link_b=$(q "select landform.add_staff('it_pb$R', '王 B')")
admin "select landform.join_pool('it-portal-$R', 'it_pa$R')"
admin "select landform.join_pool('it-portal-$R', 'it_pb$R')"
like "$link_a" "^$LF_URL/staff/invite/[0-9a-f]{64}$" "add_staff returns an invitation link under public_url"

# lead NAME PHONE: submits through landform.submit(), prints the lead id
XSS='<script>alert("x")</script><img src=x onerror=alert(2)>'
n=0
lead() {
    n=$((n + 1))
    q "select lead_id from landform.submit('portal-it', 'wx-it', '$2', '$1', 'q $n: $XSS', jsonb_build_object('company', '$XSS', 'mobile', '$2'), 'yes', 'it-portal-$2-$n', '127.0.0.1', 'it', 'zh-CN')"
}
state_of() { q "select l.state || ':' || coalesce(s.login, '') from landform.leads l left join landform.staff s on s.id = l.owner_id where l.id = $1"; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }

# --- invitation ------------------------------------------------------------------------------
inv_a=${link_a#$LF_URL}
is "$(req a GET "$inv_a")" 200 "the invitation page opens"
like "$(body a)" 'Alice &lt;b&gt;A&lt;/b&gt;' "... greets the member by name, escaped"
tok=$(csrf_of a)
is "$(post a "$inv_a" --data-urlencode "password=short" --data-urlencode "again=short" -d "csrf=$tok")" 422 "a short password is refused"
like "$(body a)" '至少需要 8 个字符' "... saying why"
is "$(post a "$inv_a" --data-urlencode "password=correct horse 1" --data-urlencode "again=correct horse 2" -d "csrf=$tok")" 422 "two different passwords are refused"
is "$(post a "$inv_a" --data-urlencode "password=correct horse 1" --data-urlencode "again=correct horse 1")" 403 "setting the password without the form token is refused"
is "$(req a POST "$inv_a" --data-urlencode "password=correct horse 1" --data-urlencode "again=correct horse 1" -d "csrf=$tok" -H 'Sec-Fetch-Site: cross-site')" 403 "... and from another site"
is "$(post a "$inv_a" --data-urlencode "password=correct horse 1" --data-urlencode "again=correct horse 1" -d "csrf=$tok")" 303 "a good password is set"
is "$(hdr a Location)" "/staff/?done=welcome" "... and the member lands on their leads"
cookie=$(hdr a Set-Cookie | grep '^lf_staff=' | grep 'Path=/staff;')
like "$cookie" '^lf_staff=[0-9a-f]{64}; Path=/staff; HttpOnly; SameSite=Lax' "the session cookie is HttpOnly, SameSite=Lax, Path=/staff"
unlike "$cookie" 'Secure' "... and not Secure over plain HTTP (unit tests cover HTTPS)"
like "$(hdr a Set-Cookie | grep 'Path=/api/v1/staff')" '^lf_staff=[0-9a-f]{64}; Path=/api/v1/staff; HttpOnly; SameSite=Lax' "... and is also sent to the JSON API's path"
is "$(q "select password_hash like '\$argon2id\$%' from landform.staff where login = 'it_pa$R'")" t "the password is stored as an Argon2id hash"
is "$(req x GET "$inv_a")" 404 "the invitation works only once"
is "$(req x GET /staff/invite/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef)" 404 "an unknown invitation is 404"
is "$(req x GET /staff/invite/nothex)" 404 "a malformed invitation is 404"
is "$(req b GET "${link_b#$LF_URL}")" 200 "the second member opens their invitation"
is "$(post b "${link_b#$LF_URL}" --data-urlencode "password=另一个很长的密码" --data-urlencode "again=另一个很长的密码" -d "csrf=$(csrf_of b)")" 303 "... and sets a Chinese password"

# --- headers ---------------------------------------------------------------------------------
is "$(req a GET /staff/)" 200 "my leads open with the session"
csp=$(hdr a Content-Security-Policy)
like "$csp" "script-src 'self'" "CSP allows only our own script"
unlike "$csp" "unsafe-inline|unsafe-eval" "... never inline script or eval"
like "$csp" "frame-ancestors 'none'" "... and no framing"
is "$(hdr a X-Frame-Options)" DENY "X-Frame-Options: DENY"
is "$(hdr a Referrer-Policy)" same-origin "Referrer-Policy: same-origin"
is "$(hdr a Cache-Control)" no-store "private pages are not cached"
is "$(hdr a X-Content-Type-Options)" nosniff "nosniff"
unlike "$(body a)" '<script>[^<]' "the page holds no inline script"

# --- no session ------------------------------------------------------------------------------
is "$(req x GET /staff/)" 303 "without a session, my leads redirect"
like "$(hdr x Location)" '^/staff/login' "... to the login page"
is "$(req x GET /staff/leads/1)" 303 "a lead page redirects too"
like "$(hdr x Location)" '^/staff/login\?next=%2Fstaff%2Fleads%2F1$' "... and comes back after login"
is "$(req x GET /api/v1/staff/leads)" 401 "the JSON API answers 401 without a session"
like "$(body x)" '"code":"unauthenticated"' "... with a JSON error"
is "$(req x GET /staff)" 303 "/staff redirects to /staff/"

# --- leads: bob owns one (never offered to alice), alice gets three offers -----------------
admin "select landform.set_on_duty('it_pa$R', false)"
b1=$(lead "乙一" +86139${R}0201)
check "a lead is offered to the only member on duty" wait_for 10 is_state "$b1" pending:it_pb$R
admin "select landform.assign($b1, 'it_pb$R')"
is "$(state_of "$b1")" owned:it_pb$R "an admin makes it theirs"
admin "select landform.set_on_duty('it_pb$R', false)"
admin "select landform.set_on_duty('it_pa$R', true)"
a1=$(lead "甲一 $XSS" +86139${R}0101)
a2=$(lead "甲二" +86139${R}0102)
a3=$(lead "甲三" +86139${R}0103)
offered() { is_state "$a1" pending:it_pa$R && is_state "$a2" pending:it_pa$R && is_state "$a3" pending:it_pa$R; }
check "the dispatcher offers three leads to the other member" wait_for 10 offered
admin "select landform.set_on_duty('it_pb$R', true)"

is "$(req a GET /staff/)" 200 "my leads show"
home=$(body a)
like "$home" "id=\"offer-$a1\"" "the offer waits in the list"
like "$home" 'data-left="1[0-9]{3}">还剩 (29|30) 分钟<' "... with the time left, rendered by the server"
like "$home" '139\*\*\*\*0101' "... and a masked phone"
unlike "$home" "139${R}0101|139 $R 0101" "... never the full number before accepting"
unlike "$home" "/staff/leads/$b1\"" "another member's lead is not listed"
like "$home" '甲一 &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;' "a stored script in a name is escaped"
unlike "$home" '<script>alert|<img src=x' "... and never appears raw"
tok_a=$(csrf_of a)

# --- another member's lead, by every URL ---------------------------------------------------------
for p in "/staff/leads/$b1" "/staff/leads/0$b1" "/staff/leads/$b1?x=1" "/api/v1/staff/leads/$b1"; do
    is "$(req a GET "$p")" 404 "another member's lead is 404 at $p"
done
is "$(req a GET "/staff/leads/$b1/")" 404 "... with a trailing slash"
is "$(curl -s -o /dev/null -w '%{http_code}' -I -b "$W/a.jar" "$LF_URL/staff/leads/$b1")" 404 "... by HEAD"
is "$(req a GET /staff/leads/99999999)" 404 "a lead that does not exist is the same 404"
for act in accept contacted stage note tag answer release claim; do
    is "$(post a "/staff/leads/$b1/$act" -d "csrf=$tok_a&assignment=1&stage=2&body=x&add=t&consultation=1&reason=x")" 404 "another member's lead: $act is 404"
done
is "$(req a POST "/api/v1/staff/leads/$b1/note" -H "X-CSRF-Token: $tok_a" -H 'Content-Type: application/json' -d '{"body":"x"}')" 404 "... and through the JSON API"
is "$(q "select count(*) from landform.notes where lead_id = $b1")" 0 "... and nothing was written"
is "$(post a "/staff/leads/$a1/nonsense" -d "csrf=$tok_a")" 404 "an unknown action is 404"

# --- CSRF -------------------------------------------------------------------------------------
asg1=$(q "select id from landform.assignments where lead_id = $a1 and closed_at is null")
is "$(post a "/staff/leads/$a1/accept" -d "assignment=$asg1")" 403 "accept without a CSRF token is 403"
is "$(post a "/staff/leads/$a1/accept" -d "csrf=$(printf '0%.0s' {1..64})&assignment=$asg1")" 403 "... with a wrong token is 403"
is "$(post a "/staff/leads/$a1/accept" -d "csrf=abc&assignment=$asg1")" 403 "... with a malformed token is 403"
req b GET /staff/ >/dev/null; tok_b=$(csrf_of b)
is "$(post a "/staff/leads/$a1/accept" -d "csrf=$tok_b&assignment=$asg1")" 403 "... with another session's token is 403"
is "$(req a POST "/staff/leads/$a1/accept" -d "csrf=$tok_a&assignment=$asg1" -H 'Sec-Fetch-Site: cross-site')" 403 "a cross-site post with the right token is 403"
is "$(req a POST "/staff/leads/$a1/accept" -d "csrf=$tok_a&assignment=$asg1" -H 'Origin: http://evil.example')" 403 "... and so is a foreign Origin"
is "$(req a POST "/api/v1/staff/leads/$a1/accept" -H 'Content-Type: application/json' -d "{\"assignment\":$asg1}")" 403 "the JSON API without X-CSRF-Token is 403"
is "$(state_of "$a1")" pending:it_pa$R "... and none of them accepted the lead"
is "$(req a POST /staff/logout)" 403 "logout without a CSRF token is 403"

# --- actions ----------------------------------------------------------------------------------
is "$(post a "/staff/leads/$a1/accept" -d "csrf=$tok_a&assignment=$asg1")" 303 "accept is one post"
is "$(hdr a Location)" "/staff/leads/$a1?done=accept" "... and opens the lead"
is "$(state_of "$a1")" owned:it_pa$R "... which is now owned"
req a GET "/staff/leads/$a1?done=accept" >/dev/null
like "$(body a)" "href=\"tel:\\+86139${R}0101\"" "the full phone is shown once accepted, with a tel: link"
like "$(body a)" '&lt;img src=x onerror=alert\(2\)&gt;' "submitted fields are escaped"
unlike "$(body a)" '<script>alert|<img src=x' "no stored payload appears raw on the lead page"
# The same person again, from the demo landing page: its fields read as the form labels them.
q "select lead_id from landform.submit('demo', NULL, '+86139${R}0101', '甲一', NULL, jsonb_build_object('name', '甲一', 'company', 'ACME', 'size', 'lt1k', 'other', 'x'), 'yes', 'it-portal-demo-$R', '127.0.0.1', 'it', 'zh-CN')" >/dev/null
req a GET "/staff/leads/$a1" >/dev/null
like "$(body a)" '<dt>公司名称</dt><dd>ACME</dd>' "a field of a landing page shows under the form's label"
like "$(body a)" '<dt>每月订单量</dt><dd>1,000 单以下</dd>' "... and a chosen option as its label"
like "$(body a)" '<dt>other</dt><dd>x</dd>' "... a field the form does not know under its name"
like "$(body a)" '<dt>company</dt><dd>&lt;script&gt;' "... as do fields of pages landformd does not serve"
stage2=$(q "select id from landform.stages order by position offset 1 limit 1")
is "$(post a "/staff/leads/$a1/stage" -d "csrf=$tok_a&stage=$stage2")" 303 "change stage"
is "$(q "select stage_id from landform.leads where id = $a1")" "$stage2" "... stored"
is "$(post a "/staff/leads/$a1/contacted" -d "csrf=$tok_a")" 303 "mark contacted"
is "$(q "select first_contact_at is not null from landform.leads where id = $a1")" t "... stored"
is "$(post a "/staff/leads/$a1/note" -d "csrf=$tok_a" --data-urlencode "body=   ")" 422 "an empty note is refused"
like "$(body a)" '备注不能为空' "... with the reason on the lead page"
is "$(post a "/staff/leads/$a1/note" -d "csrf=$tok_a" --data-urlencode "body=回电 $XSS")" 303 "a note is added"
is "$(post a "/staff/leads/$a1/tag" -d "csrf=$tok_a" --data-urlencode "add=重要, VIP，$XSS")" 422 "a tag with markup longer than 32 characters is refused"
is "$(post a "/staff/leads/$a1/tag" -d "csrf=$tok_a" --data-urlencode "add=重要, VIP，<b>x</b>")" 303 "tags are added (comma-separated)"
is "$(q "select array_to_string(tags, '|') from landform.leads where id = $a1")" '<b>x</b>|VIP|重要' "... all three"
is "$(post a "/staff/leads/$a1/tag" -d "csrf=$tok_a&remove=VIP")" 303 "a tag is removed"
req a GET "/staff/leads/$a1" >/dev/null
page=$(body a)
like "$page" '回电 &lt;script&gt;' "notes render escaped"
like "$page" '&lt;b&gt;x&lt;/b&gt;' "tags render escaped"
unlike "$page" '<script>alert|<img src=x|<b>x</b>' "nothing stored renders raw"
cons=$(q "select id from landform.consultations where lead_id = $a1 order by id limit 1")
if [ -n "$cons" ]; then
    is "$(post a "/staff/leads/$a1/answer" -d "csrf=$tok_a&consultation=$cons")" 303 "a consultation is marked answered"
    is "$(q "select answered_at is not null from landform.consultations where id = $cons")" t "... stored"
fi

# JSON API: same session (its own cookie path), X-CSRF-Token header.
is "$(req a GET /api/v1/staff/leads)" 200 "GET /api/v1/staff/leads"
like "$(body a)" "\"lead_id\": ?$a1" "... lists my leads as JSON"
is "$(req a GET "/api/v1/staff/leads/$a1")" 200 "GET /api/v1/staff/leads/ID"
is "$(req a POST "/api/v1/staff/leads/$a1/note" -H "X-CSRF-Token: $tok_a" -H 'Content-Type: application/json' -d '{"body":"via the API"}')" 200 "POST a note through the API"
is "$(q "select count(*) from landform.notes where lead_id = $a1 and body = 'via the API'")" 1 "... stored"
is "$(req a POST "/api/v1/staff/leads/$a1/note" -H "X-CSRF-Token: $tok_a" -H 'Content-Type: application/json' -d '{"body":""}')" 422 "an empty note through the API is 422"
like "$(body a)" '"field":"body"' "... naming the field"
is "$(req a POST "/api/v1/staff/leads/$a1/tag" -H "X-CSRF-Token: $tok_a" -H 'Content-Type: application/json' -d '{"add":["api"],"remove":["重要"]}')" 200 "tags through the API"
is "$(q "select array_to_string(tags, '|') from landform.leads where id = $a1")" '<b>x</b>|api' "... stored"
# Where each tag came from (issue 16): a rule by name, a hand-made one by whom, escaped.
admin "select landform.add_tag_rule('it-wx-$R', 'wx来的', '{\"channel\": \"wx-it\"}')"
req a GET "/staff/leads/$a1" >/dev/null
like "$(body a)" "wx来的</span><small class=\"tag-src\">规则 it-wx-$R</small>" "a rule's tag names its rule"
like "$(body a)" 'api</span><small class="tag-src">手动 Alice &lt;b&gt;A&lt;/b&gt;</small>' "a hand-made tag names who added it, escaped"
admin "select landform.drop_tag_rule('it-wx-$R')"

# --- lost races -------------------------------------------------------------------------------
asg2=$(q "select id from landform.assignments where lead_id = $a2 and closed_at is null")
admin "select landform.assign($a2, 'it_pb$R')"
is "$(post a "/staff/leads/$a2/accept" -d "csrf=$tok_a&assignment=$asg2")" 409 "accepting a lead an admin just gave away is a lost race"
like "$(body a)" '管理员已把这条线索分配给其他同事' "... and says so"
is "$(state_of "$a2")" owned:it_pb$R "... and changes nothing"
asg3=$(q "select id from landform.assignments where lead_id = $a3 and closed_at is null")
admin "update landform.assignments set deadline = now() - interval '1 second' where id = $asg3"
is "$(req a POST "/api/v1/staff/leads/$a3/accept" -H "X-CSRF-Token: $tok_a" -H 'Content-Type: application/json' -d "{\"assignment\":$asg3}")" 409 "accepting after the deadline is a lost race"
like "$(body a)" '"code":"lost_race"' "... in JSON too"

# --- release and claim ------------------------------------------------------------------------
is "$(post a "/staff/leads/$a1/release" -d "csrf=$tok_a" --data-urlencode "reason=  ")" 422 "release needs a reason"
is "$(post a "/staff/leads/$a1/release" -d "csrf=$tok_a" --data-urlencode "reason=号码空号")" 303 "release with a reason"
is "$(hdr a Location)" "/staff/?done=release" "... back to my leads"
is "$(state_of "$a1")" "open:" "... the lead is in the open pool"
is "$(req b GET /staff/pool)" 200 "the open pool page"
like "$(body b)" "id=\"pool-$a1\"" "... lists the released lead"
like "$(body b)" '已等待 [0-9]+ 秒' "... with how long it has waited"
unlike "$(body b)" "139${R}0101|<script>alert" "... masked and escaped"
is "$(req b POST "/api/v1/staff/leads/$a1/claim" -H "X-CSRF-Token: $tok_b")" 200 "a colleague claims it"
is "$(state_of "$a1")" owned:it_pb$R "... and owns it"
is "$(post a "/staff/leads/$a1/claim" -d "csrf=$tok_a")" 409 "claiming it afterwards loses the race"
is "$(req a GET "/staff/leads/$a1")" 404 "... and the lead is no longer visible"

# --- login, logout, expiry --------------------------------------------------------------------
is "$(req c GET /staff/login)" 200 "the login page"
tok_c=$(csrf_of c)
is "$(post c /staff/login -d "csrf=$tok_c&login=it_pa$R" --data-urlencode "password=wrong password")" 401 "a wrong password is refused"
wrong=$(grep -o '<p class="error"[^<]*</p>' "$W/c.body")
is "$(post c /staff/login -d "csrf=$tok_c&login=it_nobody$R" --data-urlencode "password=wrong password")" 401 "an unknown login is refused the same way"
is "$(grep -o '<p class="error"[^<]*</p>' "$W/c.body")" "$wrong" "... with the same words"
like "$(body c)" "value=\"it_nobody$R\"" "... keeping what was typed"
is "$(post c /staff/login -d "login=it_pa$R" --data-urlencode "password=correct horse 1")" 403 "login without the form token is refused"
is "$(post c /staff/login -d "csrf=$tok_c&login=it_pa$R" --data-urlencode "password=correct horse 1" -d "next=/staff/pool")" 303 "login with the right password"
is "$(hdr c Location)" /staff/pool "... goes where it was asked to"
s1=$(session_of c)
is "$(post c /staff/login -d "csrf=$tok_c&login=it_pa$R" --data-urlencode "password=correct horse 1" -d "next=//evil.example/")" 403 "after a login, the old login form no longer posts"
req c GET /staff/login >/dev/null
is "$(post c /staff/login -d "csrf=$(csrf_of c)&login=IT_PA$R" --data-urlencode "password=correct horse 1" -d "next=//evil.example/")" 303 "login again (the login is case-insensitive)"
is "$(hdr c Location)" /staff/ "... never to another site"
s2=$(session_of c)
check "every login gets a new session id" test -n "$s1" -a -n "$s2" -a "$s1" != "$s2"
req c GET /staff/ >/dev/null
is "$(post c /staff/logout -d "csrf=$(csrf_of c)")" 303 "logout"
like "$(hdr c Set-Cookie | grep 'Path=/staff;')" '^lf_staff=; .*Max-Age=0' "... clears the cookie"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "lf_staff=$s2" "$LF_URL/staff/")" 303 "... and the session is gone on the server"
admin "update landform.staff_sessions set last_seen = now() - interval '3 hours' where staff_id = (select id from landform.staff where login = 'it_pb$R')"
is "$(req b GET /staff/pool)" 303 "an idle session redirects to login"
like "$(hdr b Location)" '^/staff/login\?expired=1' "... saying the session ended"
like "$(hdr b Set-Cookie)" 'lf_staff=; ' "... and clears the cookie"

# --- JSON login -------------------------------------------------------------------------------
is "$(req d POST /api/v1/staff/login -d "login=it_pa$R&password=correct+horse+1")" 415 "the JSON login wants application/json"
is "$(req d POST /api/v1/staff/login -H 'Content-Type: application/json' -d "{\"login\":\"it_pa$R\",\"password\":\"correct horse 1\"}")" 200 "JSON login"
tok_d=$(json_field d csrf)
like "$tok_d" '^[0-9a-f]{64}$' "... answers the CSRF token"
is "$(req d GET /api/v1/staff/pool)" 200 "... and the API works with the cookie it set"
is "$(req d POST /api/v1/staff/logout -H "X-CSRF-Token: $tok_d")" 200 "JSON logout"
is "$(req d GET /api/v1/staff/pool)" 401 "... ends the session"

# --- rate limits --------------------------------------------------------------------------------
# From addresses no other test uses, so the limits hit only us.
login_from() { # ADDR LOGIN PASSWORD
    curl -s -o "$W/rl.body" -D "$W/rl.hdr" -w '%{http_code}' --interface "$1" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$2\",\"password\":\"$3\"}" "$LF_URL/api/v1/staff/login"
}
codes=""
for i in 1 2 3 4 5; do codes="$codes$(login_from 127.0.0.60 it_pb$R "wrong $i") "; done
is "$codes" "401 401 401 401 401 " "five wrong passwords for one login are answered"
is "$(login_from 127.0.0.60 it_pb$R '另一个很长的密码')" 429 "the sixth try is 429, even with the right password"
like "$(grep -i '^Retry-After:' "$W/rl.hdr")" 'Retry-After: [0-9]+' "... with Retry-After"
is "$(login_from 127.0.0.62 it_pb$R '另一个很长的密码')" 429 "... from any address"
codes=""
for i in 1 2 3 4 5; do codes="$codes$(login_from 127.0.0.61 it_ghost$R "wrong $i") "; done
is "$(login_from 127.0.0.61 it_ghost$R 'wrong 6')" 429 "an unknown login is limited the same way"
for i in $(seq 1 20); do login_from 127.0.0.63 "it_guess$R$i" "wrong" >/dev/null; done
is "$(login_from 127.0.0.63 it_pa$R 'correct horse 1')" 429 "twenty failures from one address block it for every login"
is "$(login_from 127.0.0.64 it_pa$R 'correct horse 1')" 200 "... but not other addresses"
admin "delete from landform.login_attempts"

# --- landformd passwd ---------------------------------------------------------------------------
req e POST /api/v1/staff/login -H 'Content-Type: application/json' -d "{\"login\":\"it_pa$R\",\"password\":\"correct horse 1\"}" >/dev/null
out=$(printf 'a new long password\n' | env -u LANDFORM_CONFIG "$LF_BIN" -c "$LF_CONF" passwd it_pa$R 2>&1)
is "$?" 0 "landformd passwd sets a password from standard input"
like "$out" "password set for it_pa$R" "... and says so"
is "$(req e GET /api/v1/staff/pool)" 401 "... ending the member's sessions"
is "$(req e POST /api/v1/staff/login -H 'Content-Type: application/json' -d "{\"login\":\"it_pa$R\",\"password\":\"a new long password\"}")" 200 "the new password works"
out=$(printf 'short\n' | env -u LANDFORM_CONFIG "$LF_BIN" -c "$LF_CONF" passwd it_pa$R 2>&1)
is "$?" 1 "landformd passwd refuses a short password"
out=$(printf 'a fine long password\n' | env -u LANDFORM_CONFIG "$LF_BIN" -c "$LF_CONF" passwd it_nobody$R 2>&1)
is "$?" 1 "landformd passwd refuses an unknown login"
admin "delete from landform.login_attempts"
t_done
