# Helpers for shell tests: TAP-style "ok - ..." / "not ok - ..." lines that scripts/test counts.
# Integration tests run against the throwaway stack scripts/test started ($LF_URL, $PGHOST...).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
set +e
LF_LANDING=$LF_ROOT/var/test/landing
lf_layout test
LF_BIN=$LF_BUILD/fcgi/landformd
T_FAILS=0

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILS=$((T_FAILS + 1)); }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }

# is GOT WANT DESCRIPTION
is() {
    if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: got '$1', want '$2'"; fi
}

# like TEXT REGEX DESCRIPTION
like() {
    if printf '%s' "$1" | tr '\n' ' ' | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3: '$(printf '%s' "$1" | head -c 300)' does not match /$2/"; fi
}
unlike() {
    if printf '%s' "$1" | tr '\n' ' ' | grep -Eq -- "$2"; then not_ok "$3: matched /$2/"; else ok "$3"; fi
}

# HTTP status of a request: status METHOD PATH [curl args...]
status() {
    local m=$1 p=$2; shift 2
    curl -s -o /dev/null -w '%{http_code}' -X "$m" "$@" "$LF_URL$p"
}

# Body of a GET
get() { curl -s "$@" "$LF_URL$1"; }

# psql on the test database as the admin, one value per line.
q() { psql -X -At -q -v ON_ERROR_STOP=1 -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d "$LF_DB" -c "$1"; }

landformd_pid() { cat "$LF_RUN/landformd.pid" 2>/dev/null; }
worker_pids() {
    local m; m=$(landformd_pid)
    local c
    for c in $(pgrep -P "$m"); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = lf-worker ] && echo "$c"
    done
}

# Wait until COMMAND succeeds, up to SECONDS (default 5).
wait_for() {
    local secs=$1; shift
    local end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
    while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    return 1
}

# An admin statement whose failure is a failed test.
admin() { q "$1" >/dev/null || not_ok "admin SQL failed: $1"; }

# Browsers for the staff portal, each with its own cookie jar, under the folder $W (set it
# first). req WHO METHOD PATH [curl args]: the body and headers land in $W/WHO.body and
# $W/WHO.hdr; prints the status.
req() {
    local who=$1 m=$2 p=$3; shift 3
    curl -s -o "$W/$who.body" -D "$W/$who.hdr" -w '%{http_code}' -b "$W/$who.jar" -c "$W/$who.jar" \
        -X "$m" "$@" "$LF_URL$p"
    t_keep_tokens "$p" "$W/$who.jar"
}
# Every token the suite sends (an invitation link's in the path, session cookies), kept in
# $T_TOKENS so tests/integration/99_logs.sh can check that none reached a log.
T_TOKENS=$LF_VAR/tokens-used.txt
t_keep_tokens() {
    local path=$1 jar=$2
    {
        case $path in */invite/*) local t=${path##*/invite/}; printf 'invite %s\n' "${t%%[?/]*}" ;; esac
        [ -f "$jar" ] && awk '$6 ~ /^lf_staff/ && $7 ~ /^[0-9a-f]+$/ { print "session " $7 }' "$jar"
    } >> "$T_TOKENS" 2>/dev/null
    return 0
}
# A same-origin form post, as a browser sends it.
post() { local who=$1 p=$2; shift 2; req "$who" POST "$p" -H "Origin: $LF_URL" -H 'Sec-Fetch-Site: same-origin' "$@"; }
body() { cat "$W/$1.body"; }
hdr() { grep -i "^$2:" "$W/$1.hdr" | tr -d '\r' | cut -d' ' -f2-; }
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$W/$1.body" | head -1 | grep -o '[0-9a-f]\{64\}'; }

# portal_join WHO LINK PASSWORD: accept a staff invitation through its page; prints the status.
portal_join() {
    req "$1" GET "${2#$LF_URL}" >/dev/null
    post "$1" "${2#$LF_URL}" --data-urlencode "password=$3" --data-urlencode "again=$3" -d "csrf=$(csrf_of "$1")"
}

t_done() { return $(( T_FAILS > 0 )); }
