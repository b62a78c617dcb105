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

t_done() { return $(( T_FAILS > 0 )); }
