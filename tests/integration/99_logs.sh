#!/usr/bin/env bash
# Runs last (issue 13): after the whole integration suite, no token and no phone number above
# debug in landformd's or nginx's logs. Tokens: every invitation token and session cookie the
# suite sent (tests/lib.sh keeps them in $T_TOKENS) and every invitation link SQL made;
# phones: every lead's number left in the database and the suite's test numbers. landformd's
# lines say their level (fcgi/log.c: "<time> <level> <role>[pid] ..."); only debug lines may
# hold personal data; nginx's and stderr's lines all count. And the logs are private: the
# folder 0750, the files 0640, unreadable as user nobody.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/logs-it
rm -rf "$W"; mkdir -p "$W"
logs="$LF_LOG/landformd.log $LF_LOG/landformd.stderr $LF_LOG/nginx-access.log $LF_LOG/nginx-error.log"

# One invitation more, used the way a member uses it, so the check below has a token it
# knows reached nginx and landformd (in the path, then as the Referer of the next request).
link=$(q "select landform.add_staff('it_logs_$$', 'Logs')")
path=${link#$LF_URL}
is "$(req m GET "$path")" 200 "an invitation link opens"
like "$(hdr m Referrer-Policy)" '^strict-origin$' "the invitation page tells browsers to send only the origin as the next page's Referer"
is "$(req m GET /staff/login -H "Referer: $link")" 200 "the next page, with the link as the Referer"
sleep 0.3   # landformd holds access lines up to 100 ms

# What to look for.
grep -h '^invite \|^session ' "$T_TOKENS" 2>/dev/null | awk '{ print $2 }' | grep -E '^[0-9a-f]{64}$' | sort -u > "$W/tokens"
n_invite=$(grep -c '^invite [0-9a-f]\{64\}$' "$T_TOKENS" 2>/dev/null)
n_session=$(grep -c '^session [0-9a-f]\{64\}$' "$T_TOKENS" 2>/dev/null)
check "the suite's tokens were kept: $n_invite invitation, $n_session session" test "${n_invite:-0}" -ge 3 -a "${n_session:-0}" -ge 5
grep -qx "${path##*/}" "$W/tokens" && ok "... this test's invitation among them" || not_ok "... this test's invitation among them"
q "select distinct phone from landform.leads" > "$W/phones.e164"
# The suite's numbers as typed or stored, without "+": the national part of a Chinese number,
# the whole digits otherwise; at least 9 digits so nothing else (ids, times) matches.
{ sed -n 's/^+86\(1[0-9]\{10\}\)$/\1/p' "$W/phones.e164"; sed -n 's/^+\([0-9]\{9,15\}\)$/\1/p' "$W/phones.e164" | grep -v '^86'; } \
    | sort -u > "$W/phones"
check "phones to look for: $(wc -l < "$W/phones") from the database" test "$(wc -l < "$W/phones")" -ge 20

# Every line above debug from every log, with spaces and dashes also taken out (a number as typed).
: > "$W/lines"
for f in $logs; do
    [ -f "$f" ] || continue
    case $f in
    */landformd.log) awk '$2 != "debug"' "$f" ;;
    *) cat "$f" ;;
    esac
done > "$W/lines"
n_lines=$(wc -l < "$W/lines")
check "the logs have lines to search ($n_lines)" test "$n_lines" -ge 500
grep -c ' debug ' "$LF_LOG/landformd.log" > "$W/debug" 2>/dev/null
check "the stack ran at debug (so the level filter matters): $(cat "$W/debug") debug lines" test "$(cat "$W/debug")" -ge 1
tr -d ' -' < "$W/lines" > "$W/lines.packed"

found=$(grep -F -o -f "$W/tokens" "$W/lines" | sort -u | head -3)
is "$found" "" "no invitation or session token in landformd's or nginx's logs"
found=$(grep -F -l -f "$W/phones" "$W/lines" "$W/lines.packed" 2>/dev/null | head -1)
if [ -z "$found" ]; then
    ok "no phone number above debug in landformd's or nginx's logs"
else
    not_ok "a phone number above debug in the logs: $(grep -F -h -f "$W/phones" "$W/lines" "$W/lines.packed" | head -2 | cut -c1-300)"
fi
like "$(grep -F 'GET /staff/invite/' "$LF_LOG/nginx-access.log" | tail -1)" 'GET /staff/invite/\.\.\. HTTP' "nginx logs the invitation path with its token cut"
like "$(grep -F 'GET /staff/login' "$LF_LOG/nginx-access.log" | grep -F '/staff/invite/' | tail -1)" '"http://[^"]*/staff/invite/\.\.\."' "... and the Referer too"
like "$(grep -F ' /staff/invite/' "$LF_LOG/landformd.log" | tail -1)" 'GET /staff/invite/… 200' "landformd logs it cut too"

# Private: service user and root only.
is "$(stat -c %a "$LF_LOG")" 750 "the log folder is 0750"
for f in $logs; do
    is "$(stat -c %a "$f")" 640 "$(basename "$f") is 0640"
    if runuser -u nobody -- cat "$f" >/dev/null 2>&1; then
        not_ok "user nobody cannot read $(basename "$f")"
    else
        ok "user nobody cannot read $(basename "$f")"
    fi
done
check "the service user can read them" runuser -u "$LF_USER" -- cat $logs
t_done
