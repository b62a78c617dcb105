#!/usr/bin/env bash
# Charsets and large headers through nginx: form posts declared in GBK, GB18030 and Big5
# (urlencoded percent-encoded and raw, multipart, the JSON API) are stored as the UTF-8 the
# visitor typed, byte-exact; an unknown charset or bytes not valid in the declared one are
# refused with the form again, the readable values (the phone) kept and the charset named;
# a 10 KB Cookie header (WeChat) reaches landformd on GET and POST.
source "$(dirname "$0")/../lib.sh"

nsub() { q "select count(*) from landform.submissions"; }
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
# The UTF-8 bytes of the last submission's field, in hex.
last_hex() { q "select encode(convert_to(fields->>'$1', 'UTF8'), 'hex') from landform.submissions order by id desc limit 1"; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
post_as() {
    local ct=$1 body=$2 path=${3:-/p/demo}; shift 3
    curl -s -o "$LF_VAR/cs.body" -w '%{http_code}' -H "Content-Type: $ct" --data-binary "$body" "$@" "$LF_URL$path"
}
declare -a S
for i in $(seq 0 9); do S[$i]=$(curl -s "$LF_URL/p/demo" | stamp_of); done
sleep 2.2

# --- declared charsets, stored exactly ------------------------------------------------------
before=$(nsub)
code=$(post_as 'application/x-www-form-urlencoded; charset=GBK' \
    "_stamp=${S[0]}&_website=&name=%C2%AC%C3%B7&mobile=13900001301&company=%B9%AB%CB%BE&agree=on" /p/demo)
is "$code" 303 "a GBK urlencoded post is thanked"
is "$(nsub)" $((before + 1)) "... and stored"
is "$(last_hex name)" "$(hex 卢梅)" "... its name 卢梅 stored as UTF-8, byte-exact (once mojibake)"
is "$(last_hex company)" "$(hex 公司)" "... and its company too"

code=$(post_as 'application/x-www-form-urlencoded; charset="gb18030"' \
    "_stamp=${S[1]}&_website=&name=%C2%AC%C3%B7%95%32%82%36&mobile=13900001302&agree=on" /p/demo)
is "$code" 303 "a GB18030 post with a four-byte character is thanked"
is "$(last_hex name)" "$(hex 卢梅𠀀)" "... and stored byte-exact"

# Raw bytes, not percent-encoded, as some integrations send them.
code=$(post_as 'application/x-www-form-urlencoded;charset=gb18030' \
    "_stamp=${S[2]}&_website=&name=$(printf '\xc2\xac\xc3\xb7')&mobile=13900001303&agree=on" /p/demo)
is "$code" 303 "a GB18030 post with raw (unencoded) bytes is thanked"
is "$(last_hex name)" "$(hex 卢梅)" "... and stored byte-exact"

# Big5 as a browser encodes it: 0x63 of 盧 is the letter c, left unencoded.
code=$(post_as 'application/x-www-form-urlencoded; charset=Big5' \
    "_stamp=${S[3]}&_website=&name=%BFc%B1%F6&mobile=13900001304&agree=on" /p/demo)
is "$code" 303 "a Big5 post is thanked"
is "$(last_hex name)" "$(hex 盧梅)" "... and stored byte-exact"

mp=$(printf -- '--XyZ\r\nContent-Disposition: form-data; name="_stamp"\r\n\r\n%s\r\n--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xc2\xac\xc3\xb7\r\n--XyZ\r\nContent-Disposition: form-data; name="mobile"\r\n\r\n13900001305\r\n--XyZ\r\nContent-Disposition: form-data; name="agree"\r\n\r\non\r\n--XyZ--\r\n' "${S[4]}")
code=$(post_as 'multipart/form-data; boundary=XyZ; charset=GBK' "$mp" /p/demo)
is "$code" 303 "a multipart post declaring GBK is thanked"
is "$(last_hex name)" "$(hex 卢梅)" "... and stored byte-exact"

code=$(post_as 'application/json; charset=GBK' \
    "{\"_stamp\":\"${S[5]}\",\"name\":\"$(printf '\xc2\xac\xc3\xb7')\",\"mobile\":\"13900001306\",\"agree\":true}" \
    /api/v1/pages/demo/submissions)
is "$code" 201 "a JSON API post declaring GBK is stored"
is "$(last_hex name)" "$(hex 卢梅)" "... byte-exact"

# --- refused, keeping what can be kept -------------------------------------------------------
before=$(nsub)
code=$(post_as 'application/x-www-form-urlencoded; charset=x-klingon' \
    "_stamp=${S[6]}&_website=&name=%C2%AC%C3%B7&mobile=13900001307&agree=on" /p/demo)
page=$(cat "$LF_VAR/cs.body")
is "$code" 415 "an unknown charset is refused (415)"
is "$(nsub)" "$before" "... nothing stored"
like "$page" 'class="form-errors".*无法识别提交所用的字符编码（x-klingon）' "... with a message in Chinese naming the charset"
like "$page" 'name="mobile"[^>]*value="13900001307"' "... the phone number kept in the form"
unlike "$page" 'name="name"[^>]*value="[^"]' "... the unreadable name left empty"
like "$page" "value=\"${S[6]}\"" "... and the form's stamp kept"

code=$(post_as 'application/x-www-form-urlencoded; charset=x-klingon' \
    "_stamp=${S[6]}&_website=&name=Li&mobile=13900001307&agree=on" '/p/demo?lang=en')
like "$(cat "$LF_VAR/cs.body")" 'character encoding we do not know \(x-klingon\)' "an English visitor gets it in English"
is "$code:$(nsub)" "415:$before" "... refused even when every byte is ASCII (UTF-7 would read it otherwise)"

code=$(post_as 'application/x-www-form-urlencoded; charset=GBK' \
    "_stamp=${S[7]}&_website=&name=%C2%FF&mobile=13900001308&company=%B9%AB%CB%BE&agree=on" /p/demo)
page=$(cat "$LF_VAR/cs.body")
is "$code" 400 "bytes that are not GBK are refused (400)"
is "$(nsub)" "$before" "... nothing stored"
like "$page" '不是有效的 gbk 编码' "... the message names the charset"
like "$page" 'name="mobile"[^>]*value="13900001308"' "... the phone kept"
like "$page" 'name="company"[^>]*value="公司"' "... the readable company kept, converted"

code=$(post_as 'application/json; charset=x-klingon' "{\"_stamp\":\"${S[7]}\"}" /api/v1/pages/demo/submissions)
like "$code $(cat "$LF_VAR/cs.body")" '^415 .*"code":"unknown_charset"' "the JSON API names an unknown charset with a code"
check "... and landformd logs the refusal without the values" grep -q 'body in charset x-klingon: 1 field(s) unreadable' "$LF_LOG/landformd.log"

# --- a 10 KB Cookie header (WeChat) --------------------------------------------------------
big="wx=$(head -c 10240 /dev/zero | tr '\0' 'a')"
is "$(curl -s -o "$LF_VAR/cs.body" -w '%{http_code}' -H "Cookie: $big" "$LF_URL/p/demo")" 200 "a 10 KB Cookie header on /p/demo answers 200 (not nginx's bare 400)"
like "$(cat "$LF_VAR/cs.body")" 'name="_stamp"' "... with the page"
before=$(nsub)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $big" --data-urlencode "_stamp=${S[8]}" \
    --data-urlencode "_website=" --data-urlencode "name=Cookie" --data-urlencode "mobile=13900001309" \
    --data-urlencode "agree=on" "$LF_URL/p/demo")
is "$code" 303 "a POST with a 10 KB Cookie header is thanked"
is "$(nsub)" $((before + 1)) "... and stored"

t_done
