# Shared by scripts/up, down, psql and test: where things live and how to start and stop them.
# Everything a stack owns is under $LF_VAR; nothing is written to /etc or /var.
set -euo pipefail

LF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LF_USER=${LANDFORM_SERVICE_USER:-landform}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Root is needed to install packages, create the service user and bind as root then drop.
lf_need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "run as root (or install sudo)"
        exec sudo -E "$0" "$@"
    fi
}

# Stack layout; LF_NAME picks a separate stack (the test stack is "test").
lf_layout() {
    local name=${1:-stack}
    if [ "$name" = stack ]; then LF_VAR=$LF_ROOT/var; else LF_VAR=$LF_ROOT/var/$name; fi
    LF_BUILD=$LF_VAR/build
    LF_RUN=$LF_VAR/run
    LF_LOG=$LF_VAR/log
    LF_PGDATA=$LF_VAR/pg/data
    LF_PGSOCK=$LF_VAR/pg/run
    LF_CONF=$LF_VAR/landform.conf
    LF_SOCKET=$LF_RUN/landformd.sock
    LF_DB=landform
    LF_LANDING=${LF_LANDING:-$LF_ROOT/landing}
    export LF_VAR LF_LANDING LF_BUILD LF_RUN LF_LOG LF_PGDATA LF_PGSOCK LF_CONF LF_SOCKET LF_DB
}

LF_PACKAGES_BUILD="build-essential autoconf automake libtool pkg-config libfcgi-dev libpq-dev
    libcjson-dev libcmocka-dev libsodium-dev libcurl4-openssl-dev postgresql postgresql-contrib nginx-light curl
    libqrencode-dev zlib1g-dev"
LF_PACKAGES_TEST="valgrind clang libclang-rt-14-dev chromium nodejs npm apache2 lighttpd caddy zbar-tools prometheus"
# scripts/package: building and checking the Debian package.
LF_PACKAGES_PACKAGE="debhelper dpkg-dev fakeroot lintian openssl"

# Install only what is missing; apt-get update once per machine, not on every run.
lf_install() {
    local missing=() p
    for p in $*; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # Node may come from elsewhere than apt (it does on some images): do not fight it.
    if command -v node >/dev/null && command -v npm >/dev/null; then
        local keep=() m
        for m in "${missing[@]}"; do case $m in nodejs|npm) ;; *) keep+=("$m") ;; esac; done
        missing=("${keep[@]}")
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The web servers the tests start themselves (apache2, lighttpd, caddy) must not start as
    # system services on port 80 when installed: policy-rc.d says no, as in a container.
    local policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
    fi
    if [ ! -e /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ] \
        || ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || { [ -z "$policy" ] || rm -f "$policy"; return 1; }
    fi
    [ -z "$policy" ] || rm -f "$policy"
}

# The unprivileged account landformd, nginx workers and PostgreSQL run as.
lf_service_user() {
    if ! id "$LF_USER" >/dev/null 2>&1; then
        say "creating system user $LF_USER"
        useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$LF_USER"
    fi
    # The service user must be able to reach the checkout (a clone under /root is not).
    local d=$LF_ROOT
    while [ "$d" != / ]; do
        if ! runuser -u "$LF_USER" -- test -x "$d"; then
            say "granting search (x) permission on $d so $LF_USER can reach the checkout"
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
}

# configure + make in $LF_BUILD, reconfiguring only when the flags change.
lf_build() {
    local flags="$*"
    mkdir -p "$LF_BUILD"
    if [ ! -x "$LF_ROOT/configure" ] || [ "$LF_ROOT/configure.ac" -nt "$LF_ROOT/configure" ]; then
        (cd "$LF_ROOT" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf failed"
    fi
    if [ ! -f "$LF_BUILD/Makefile" ] || [ "$(cat "$LF_BUILD/.flags" 2>/dev/null)" != "$flags" ]; then
        (cd "$LF_BUILD" && "$LF_ROOT/configure" -q $flags) || die "configure failed"
        echo "$flags" > "$LF_BUILD/.flags"
    fi
    make -C "$LF_BUILD" -j"$(nproc)" -s >/dev/null || { make -C "$LF_BUILD" 2>&1 | tail -30; die "build failed"; }
    LF_BIN=$LF_BUILD/fcgi/landformd
    export LF_BIN
}

lf_pg_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A PostgreSQL cluster of our own under $LF_VAR/pg, run as the service user.
lf_pg_start() {
    local port=$1
    mkdir -p "$LF_VAR/pg" "$LF_PGSOCK" "$LF_LOG"
    chown "$LF_USER:" "$LF_VAR/pg" "$LF_PGSOCK" "$LF_LOG"
    chmod 0700 "$LF_PGSOCK"
    if [ ! -f "$LF_PGDATA/PG_VERSION" ]; then
        say "creating PostgreSQL cluster in $LF_PGDATA"
        runuser -u "$LF_USER" -- "$PG_BIN/initdb" -D "$LF_PGDATA" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        cat >> "$LF_PGDATA/postgresql.conf" <<CONF
# landform local stack
listen_addresses = '127.0.0.1'
unix_socket_directories = '$LF_PGSOCK'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
max_wal_size = 4GB
timezone = 'UTC'
CONF
        # Only the service user and root can reach the socket (0700); TCP wants a password.
        cat > "$LF_PGDATA/pg_hba.conf" <<CONF
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
CONF
    fi
    if runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" status >/dev/null 2>&1; then
        return 0
    fi
    lf_pg_port_in_use "$port" && die "port $port is taken: set LANDFORM_PG_PORT"
    runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -o "-p $port" -l "$LF_LOG/postgresql.log" \
        -w -t 30 start >/dev/null || { tail -20 "$LF_LOG/postgresql.log"; die "PostgreSQL did not start"; }
}

lf_pg_stop() {
    [ -f "$LF_PGDATA/postmaster.pid" ] || return 0
    runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

lf_psql_admin() {
    local port=$1; shift
    psql -X -q -v ON_ERROR_STOP=1 -h "$LF_PGSOCK" -p "$port" -U postgres "$@"
}

# The landform role owns the database; migrations run as it, and so does landformd for now.
lf_db_create() {
    local port=$1
    lf_psql_admin "$port" -d postgres -At <<'SQL' >/dev/null
SELECT 'exists' FROM pg_roles WHERE rolname = 'landform';
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'landform') THEN
        CREATE ROLE landform LOGIN;
    END IF;
    -- What landformd serves as: not the owner, so row-level security applies to it.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'landform_app') THEN
        CREATE ROLE landform_app LOGIN;
    END IF;
END $$;
SQL
    if ! lf_psql_admin "$port" -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$LF_DB'" | grep -q 1; then
        lf_psql_admin "$port" -d postgres -c "CREATE DATABASE $LF_DB OWNER landform"
    fi
}

# The configuration file landformd reads; every option also works as LANDFORM_*.
lf_write_conf() {
    local port=$1 http=$2 workers=${3:-0}
    mkdir -p "$LF_RUN" "$LF_LOG"
    chown "$LF_USER:" "$LF_RUN" "$LF_LOG"
    cat > "$LF_CONF" <<CONF
# Written by scripts/; edit, then: kill -HUP \$(cat $LF_RUN/landformd.pid)
listen = unix:$LF_SOCKET
socket_mode = 0660
workers = $workers
user = $LF_USER
pid_file = $LF_RUN/landformd.pid
log_file = $LF_LOG/landformd.log
log_level = ${LANDFORM_LOG_LEVEL:-info}
database_url = host=$LF_PGSOCK port=$port dbname=$LF_DB user=landform_app
admin_database_url = host=$LF_PGSOCK port=$port dbname=$LF_DB user=landform
landing_dir = $LF_LANDING
sql_dir = $LF_ROOT/sql
secret_file = $LF_VAR/secret
public_url = http://127.0.0.1:$http
CONF
}

# landformd reads every LANDFORM_* variable and warns about those that are not its options
# (the scripts' own LANDFORM_PG_PORT, LANDFORM_HTTP_PORT...): env arguments that unset them.
lf_landformd_env() {
    local v opts
    opts=$("$LF_BIN" --help 2>/dev/null | sed -n 's/^  [a-z_]* *\(LANDFORM_[A-Z_]*\) .*/\1/p')
    printf -- '-u LANDFORM_CONFIG'
    for v in $(compgen -e | grep '^LANDFORM_'); do
        grep -qxF "$v" <<< "$opts" || printf -- ' -u %s' "$v"
    done
}

lf_migrate() {
    env $(lf_landformd_env) "$LF_BIN" -c "$LF_CONF" migrate 2>&1 | tail -5
    return "${PIPESTATUS[0]}"
}

# Two demo staff in the default pool, so a demo submission is assigned at once. Idempotent;
# prints what add_staff returned (the invitation link, once the portal exists).
lf_demo_data() {
    local port=$1 who out
    for who in "demo.li:李娜 (demo)" "demo.wang:王强 (demo)"; do
        out=$(lf_psql_admin "$port" -d "$LF_DB" -At -c \
            "SELECT landform.add_staff('${who%%:*}', '${who#*:}') WHERE NOT EXISTS (SELECT 1 FROM landform.staff WHERE login = '${who%%:*}')") || return 1
        lf_psql_admin "$port" -d "$LF_DB" -At -c \
            "SELECT landform.join_pool('default', '${who%%:*}') WHERE NOT EXISTS (SELECT 1 FROM landform.pool_members m JOIN landform.staff s ON s.id = m.staff_id WHERE s.login = '${who%%:*}')" >/dev/null || return 1
        [ -n "$out" ] && printf '  demo staff %-10s %s\n' "${who%%:*}" "$out"
    done
    return 0
}

lf_landformd_pid() { cat "$LF_RUN/landformd.pid" 2>/dev/null || true; }

lf_landformd_start() {
    local pid; pid=$(lf_landformd_pid)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return 0; fi
    rm -f "$LF_RUN/landformd.pid"
    lf_log_private
    setsid env $(lf_landformd_env) "$LF_BIN" -c "$LF_CONF" serve >>"$LF_LOG/landformd.stderr" 2>&1 < /dev/null &
    local i
    for i in $(seq 100); do
        [ -S "$LF_SOCKET" ] && [ -s "$LF_RUN/landformd.pid" ] && return 0
        sleep 0.1
    done
    tail -20 "$LF_LOG/landformd.log" "$LF_LOG/landformd.stderr" 2>/dev/null
    die "landformd did not start"
}

# lf_stop_pid SIGNAL SECONDS PID: ask a process to stop, give it that long, then kill it, so a
# stop never hangs the script (an empty PID or a process already gone is fine).
lf_stop_pid() {
    local sig=$1 secs=$2 pid=$3 i
    [ -n "$pid" ] || return 0
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for i in $(seq $((secs * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

lf_landformd_stop() { lf_stop_pid TERM 15 "$(lf_landformd_pid)"; }

# nginx with every path under $LF_VAR/nginx; the site itself is docker/nginx.conf.template.
# A template with ${LANDFORM_*} placeholders filled from the environment (nginx's own $variables
# left alone); an unset one stops with its name.
# A `server ${LANDFORM_FASTCGI};` line becomes one server line per address LANDFORM_FASTCGI lists
# (the HA stack's two hosts).
lf_render() {
    perl -pe 's/server \$\{LANDFORM_FASTCGI\};/join("\n    ", map { "server $_;" } split " ", $ENV{LANDFORM_FASTCGI})/e;
        s/\$\{(LANDFORM_[A-Z_]+)\}/exists $ENV{$1} ? $ENV{$1} : die "unset $1\n"/ge' "$1"
}

# HTTPS in front of the stack when LANDFORM_TLS=1: a self-signed certificate under $LF_VAR/tls
# (made once; LANDFORM_TLS_CERT and LANDFORM_TLS_KEY name your own instead), nginx on
# 127.0.0.1:LANDFORM_HTTPS_PORT (default: the HTTP port + 363), plain HTTP redirected there.
# Renders docker/nginx-tls.conf.template into the include folder DIR, or empties it.
lf_nginx_tls() {
    local dir=$1
    rm -rf "$dir"; mkdir -p "$dir"
    [ "${LANDFORM_TLS:-0}" = 1 ] || return 0
    local port=${LANDFORM_HTTPS_PORT:?LANDFORM_HTTPS_PORT} cert=${LANDFORM_TLS_CERT:-$LF_VAR/tls/cert.pem}
    local key=${LANDFORM_TLS_KEY:-$LF_VAR/tls/key.pem}
    if [ -z "${LANDFORM_TLS_CERT:-}" ] && [ ! -s "$cert" ]; then
        mkdir -p "$LF_VAR/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
            -subj "/CN=landform local" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$key" -out "$cert" 2>/dev/null || die "openssl could not make a certificate"
        chmod 600 "$key"
    fi
    local suffix=":$port"; [ "$port" = 443 ] && suffix=""
    LANDFORM_HTTPS_LISTEN="127.0.0.1:$port" LANDFORM_TLS_CERT=$cert LANDFORM_TLS_KEY=$key \
    LANDFORM_HTTPS_PORT_SUFFIX=$suffix \
        lf_render "$LF_ROOT/docker/nginx-tls.conf.template" > "$dir/tls.conf"
    echo 'add_header Strict-Transport-Security "max-age=31536000" always;' > "$dir/hsts.conf"
}

# The *_temp_path lines of an nginx http block, all under DIR/tmp (nginx makes the folders in
# it), so an nginx of ours writes nothing outside its own folder.
lf_nginx_temp_paths() {
    local k
    for k in client_body:body fastcgi:fastcgi proxy:proxy uwsgi:uwsgi scgi:scgi; do
        printf '    %s_temp_path %s/tmp/%s;\n' "${k%%:*}" "$1" "${k#*:}"
    done
}

lf_nginx_start() {
    # The production defaults (docker/compose.yaml has the same), or LANDFORM_POST_RATE and
    # LANDFORM_POST_BURST from the environment: docs/operations.md "Rate limits".
    local http=$1 rate=${2:-${LANDFORM_POST_RATE:-10r/s}} burst=${3:-${LANDFORM_POST_BURST:-200}}
    local nd=$LF_VAR/nginx
    lf_log_private
    mkdir -p "$nd/tmp/body" "$nd/tmp/fastcgi" "$nd/tmp/proxy" "$nd/tmp/uwsgi" "$nd/tmp/scgi"
    chown -R "$LF_USER:" "$nd/tmp"
    LANDFORM_POST_RATE=$rate LANDFORM_POST_BURST=$burst LANDFORM_FASTCGI="${LF_HA_FASTCGI:-unix:$LF_SOCKET}" \
    LANDFORM_HTTP_LISTEN="127.0.0.1:$http" LANDFORM_NGINX_MAX_BODY=1m \
    LANDFORM_LANDING_DIR="$LF_LANDING" LANDFORM_ACCESS_LOG="$LF_LOG/nginx-access.log" \
    LANDFORM_NGINX_INCLUDE_DIR="$nd/include" \
        lf_render "$LF_ROOT/docker/nginx.conf.template" > "$nd/landform.conf"
    lf_nginx_tls "$nd/include"
    cat > "$nd/nginx.conf" <<CONF
# Written by scripts/lib.sh: the process settings; the site is in landform.conf.
user $LF_USER $LF_USER;
worker_processes auto;
pid $LF_RUN/nginx.pid;
error_log $LF_LOG/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $LF_LOG/nginx-access.log;
    sendfile on;
$(lf_nginx_temp_paths "$nd")
    include $nd/landform.conf;
}
CONF
    if [ -s "$LF_RUN/nginx.pid" ] && kill -0 "$(cat "$LF_RUN/nginx.pid")" 2>/dev/null; then
        nginx -e "$LF_LOG/nginx-error.log" -p "$nd" -c "$nd/nginx.conf" -s reload
        return 0
    fi
    lf_pg_port_in_use "$http" && die "port $http is taken: set LANDFORM_HTTP_PORT"
    nginx -e "$LF_LOG/nginx-error.log" -p "$nd" -c "$nd/nginx.conf" -t -q || die "nginx configuration is invalid"
    nginx -e "$LF_LOG/nginx-error.log" -p "$nd" -c "$nd/nginx.conf"
}

lf_nginx_stop() { lf_stop_pid QUIT 5 "$(cat "$LF_RUN/nginx.pid" 2>/dev/null || true)"; }

# Anything still running from this stack's folder (a crashed master's workers, say); more
# command-line patterns may be given.
lf_kill_leftovers() {
    local pids pat
    for pat in "-c $LF_VAR/[^/]*\.conf serve" "-p $LF_VAR/nginx -c" "-D $LF_PGDATA" "$LF_VAR/frontends/" "$@"; do
        pids=$(pgrep -f -- "$pat" || true)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    done
}

# The Cookie header of a visitor already counted today on the page at URL (bench loads of
# returning visitors): what landformd sets for a known visitor id on its first view.
lf_returning_cookie() {
    curl -fsS -o /dev/null -D - -H 'Cookie: lf_vid=0123456789abcdef0123456789abcdef' "$1" \
        | sed -n 's/^[Ss]et-[Cc]ookie: \(lf_vid=[^;]*\);.*/\1/p' | tail -1
}

lf_wait_http() {
    local url=$1 i
    for i in $(seq 100); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# The stack's logs hold request lines and, at debug, personal data: readable by the service
# user and root only (folder 0750, files 0640), whoever creates them (nginx's master and shell
# redirects run as root with umask 022, which would make them 0644).
lf_log_private() {
    local f
    mkdir -p "$LF_LOG"
    chown "$LF_USER:" "$LF_LOG"
    chmod 0750 "$LF_LOG"
    for f in nginx-access.log nginx-error.log landformd.log landformd.stderr; do
        [ -e "$LF_LOG/$f" ] || install -m 0640 -o "$LF_USER" -g "$LF_USER" /dev/null "$LF_LOG/$f"
    done
    find "$LF_LOG" -maxdepth 1 -type f -exec chmod g-wx,o-rwx {} +
}

# --- High availability (LANDFORM_HA=1): pg_auto_failover monitor + primary + synchronous
# secondary, and two landformd "hosts" behind one nginx upstream, all on this machine. ---
LF_PACKAGES_HA="postgresql-15-auto-failover"

# Where the HA stack keeps its parts; call after lf_layout. The monitor takes PORT, the nodes
# the ports just above it; all three put their sockets in $LF_PGSOCK.
lf_ha_layout() {
    local port=$1
    LF_HA=$LF_VAR/ha
    LF_HA_MONITOR=$LF_HA/monitor
    LF_HA_PORT=$port
    LF_HA_NODE_PORTS="$((port + 1)) $((port + 2))"
    LF_HA_HOSTS="h1 h2"
    # The primary, whichever node it is: libpq tries both and keeps the one that takes writes.
    LF_HA_CONNINFO="host=$LF_PGSOCK,$LF_PGSOCK port=$((port + 1)),$((port + 2)) target_session_attrs=read-write"
    export LF_HA LF_HA_MONITOR LF_HA_PORT LF_HA_NODE_PORTS LF_HA_HOSTS LF_HA_CONNINFO
}
lf_ha_node_dir() { echo "$LF_HA/node$1"; }

# pg_autoctl as the service user: its home is /nonexistent, so its config, state and pid
# files go under the stack's folder (else pid files land in a shared /tmp/pg_autoctl).
lf_autoctl() {
    runuser -u "$LF_USER" -- env XDG_CONFIG_HOME="$LF_HA/xdg/config" XDG_DATA_HOME="$LF_HA/xdg/data" \
        XDG_RUNTIME_DIR="$LF_HA/xdg/run" PGHOST="$LF_PGSOCK" PGUSER=postgres pg_autoctl "$@"
}

# psql on the monitor's own database as the superuser.
lf_ha_monitor_sql() {
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$LF_PGSOCK" -p "$LF_HA_PORT" -U postgres -d pg_auto_failover -c "$1"
}

# A data directory pg_autoctl then takes over: pg_autoctl has no socket option and would size
# shared_buffers at a quarter of the RAM for each of the three instances.
lf_ha_initdb() {
    local dir=$1
    [ -f "$dir/PG_VERSION" ] && return 0
    runuser -u "$LF_USER" -- "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$dir/postgresql.conf" <<CONF
# landform local HA stack
unix_socket_directories = '$LF_PGSOCK'
unix_socket_permissions = 0700
shared_buffers = 64MB
max_connections = 120
max_wal_size = 1GB
timezone = 'UTC'
CONF
    # Local connections as before; pg_autoctl adds the loopback rules its own roles need.
    echo "local all all trust" > "$dir/pg_hba.conf"
}

# Start "pg_autoctl run" for DIR unless it runs already; its log goes to $LF_LOG/NAME.log.
lf_ha_run() {
    local dir=$1 name=$2 pid
    pid=$(lf_ha_keeper_pid "$dir")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return 0; fi
    # setpriv execs (runuser would stay as its parent): the pid file's process is the keeper.
    setsid setpriv --reuid "$LF_USER" --regid "$LF_USER" --init-groups \
        env HOME="$LF_HA" XDG_CONFIG_HOME="$LF_HA/xdg/config" XDG_DATA_HOME="$LF_HA/xdg/data" \
        XDG_RUNTIME_DIR="$LF_HA/xdg/run" PGHOST="$LF_PGSOCK" PGUSER=postgres \
        pg_autoctl run --pgdata "$dir" >>"$LF_LOG/$name.log" 2>&1 < /dev/null &
}
lf_ha_keeper_pid() {
    head -1 "$LF_HA/xdg/run/pg_autoctl$1/pg_autoctl.pid" 2>/dev/null || true
}

# wait_until SECONDS COMMAND...: poll every 0.2 s.
lf_ha_wait() {
    local secs=$1 i; shift
    for i in $(seq $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}
lf_ha_node_state() { lf_ha_monitor_sql "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'"; }
lf_ha_node_is() { [ "$(lf_ha_node_state "$1")" = "$2" ]; }

# Monitor, primary and synchronous secondary. Safe to run again on a formation that exists.
lf_ha_pg_start() {
    local monitor_uri="postgres://autoctl_node@127.0.0.1:$LF_HA_PORT/pg_auto_failover?sslmode=disable"
    local i p dir
    mkdir -p "$LF_HA/xdg/config" "$LF_HA/xdg/data" "$LF_HA/xdg/run" "$LF_PGSOCK" "$LF_LOG"
    chown -R "$LF_USER:" "$LF_HA" "$LF_PGSOCK" "$LF_LOG"
    chmod 0700 "$LF_PGSOCK" "$LF_HA/xdg/run"
    for p in $LF_HA_PORT $LF_HA_NODE_PORTS; do
        [ -S "$LF_PGSOCK/.s.PGSQL.$p" ] || ! lf_pg_port_in_use "$p" || die "port $p is taken: set LANDFORM_PG_PORT"
    done
    if [ ! -f "$LF_HA/xdg/config/pg_autoctl$LF_HA_MONITOR/pg_autoctl.cfg" ]; then
        say "creating the pg_auto_failover monitor in $LF_HA_MONITOR"
        lf_ha_initdb "$LF_HA_MONITOR"
        lf_autoctl create monitor --pgdata "$LF_HA_MONITOR" --pgport "$LF_HA_PORT" --pgctl "$PG_BIN/pg_ctl" \
            --hostname 127.0.0.1 --auth trust --no-ssl >>"$LF_LOG/monitor.log" 2>&1 ||
            { tail -20 "$LF_LOG/monitor.log"; die "pg_autoctl create monitor failed"; }
        # It has no --listen: loopback only, as everything here.
        lf_autoctl config set --pgdata "$LF_HA_MONITOR" postgresql.listen_addresses 127.0.0.1 >/dev/null
    fi
    lf_ha_run "$LF_HA_MONITOR" monitor
    # Ask the monitor itself: polling "pg_autoctl show state" during its start raced with it.
    lf_ha_wait 30 lf_ha_monitor_sql "SELECT count(*) FROM pgautofailover.node" ||
        { tail -20 "$LF_LOG/monitor.log"; die "the monitor did not start"; }
    lf_ha_tune_monitor
    local created=""
    i=0
    for p in $LF_HA_NODE_PORTS; do
        i=$((i + 1)); dir=$(lf_ha_node_dir $i)
        if [ ! -f "$LF_HA/xdg/config/pg_autoctl$dir/pg_autoctl.cfg" ]; then
            created="$created $i"
            say "creating PostgreSQL node$i in $dir"
            if [ $i = 1 ]; then
                lf_ha_initdb "$dir"
            else
                # pg_basebackup starts with a checkpoint; without one now it waits for the next.
                psql -X -q -h "$LF_PGSOCK" -p "$(lf_ha_primary_port)" -U postgres -d postgres -c CHECKPOINT >/dev/null
            fi
            lf_autoctl create postgres --pgdata "$dir" --pgport "$p" --pgctl "$PG_BIN/pg_ctl" \
                --hostname 127.0.0.1 --listen 127.0.0.1 --name "node$i" --monitor "$monitor_uri" --auth trust --no-ssl \
                --dbname postgres --username postgres >>"$LF_LOG/node$i.log" 2>&1 ||
                { tail -20 "$LF_LOG/node$i.log"; die "pg_autoctl create postgres (node$i) failed"; }
        fi
        lf_ha_run "$dir" "node$i"
        # A new formation: node1 must be primary before node2 copies it. An existing one
        # (after scripts/down) starts both, whichever was primary last.
        if [ "$created" = " 1" ]; then
            lf_ha_wait 60 lf_ha_primary_port || { tail -20 "$LF_LOG/node1.log"; die "node1 did not become primary"; }
        fi
    done
    lf_ha_wait 120 lf_ha_settled || { tail -20 "$LF_LOG/node2.log"; die "the formation did not settle (scripts/psql -d pg_auto_failover)"; }
}

# Both nodes in their final state: a primary and a secondary, as the monitor wants them.
lf_ha_settled() {
    [ "$(lf_ha_monitor_sql "SELECT string_agg(reportedstate::text, ' ' ORDER BY reportedstate::text)
        FROM pgautofailover.node WHERE reportedstate = goalstate")" = "primary secondary" ]
}

# lf_ha_settled, and while it is not: a CHECKPOINT on the primary every 3 s. A node rejoining
# that pg_rewind cannot bring back (it fails now and then after a crash) copies the primary with
# pg_basebackup, which waits for the primary's next checkpoint: up to checkpoint_timeout (74 s
# seen, past a 60 s wait) without one asked for.
lf_ha_settled_or_checkpoint() {
    lf_ha_settled && return 0
    local now p
    now=$(date +%s)
    if [ $((now - ${LF_HA_LAST_CHECKPOINT:-0})) -ge 3 ]; then
        LF_HA_LAST_CHECKPOINT=$now
        p=$(lf_ha_primary_port) &&
            psql -X -q -h "$LF_PGSOCK" -p "$p" -U postgres -d postgres -c CHECKPOINT >/dev/null 2>&1
    fi
    return 1
}

# The port of the node that takes writes now (nothing, and failure, when none does).
lf_ha_primary_port() {
    local p
    for p in $LF_HA_NODE_PORTS; do
        [ "$(psql -X -At -h "$LF_PGSOCK" -p "$p" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] &&
            { echo "$p"; return 0; }
    done
    return 1
}

# Local stack only: the monitor notices a dead primary in seconds, not the default ~50 s.
# Production keeps the defaults (docs/operations.md).
lf_ha_tune_monitor() {
    [ "${LANDFORM_HA_TUNED:-1}" = 1 ] || return 0
    local kv
    for kv in health_check_period=1000 health_check_timeout=1000 health_check_max_retries=1 \
        health_check_retry_delay=500 node_considered_unhealthy_timeout=4000 primary_demote_timeout=5000; do
        lf_ha_monitor_sql "ALTER SYSTEM SET pgautofailover.${kv%%=*} = ${kv#*=}" >/dev/null
    done
    lf_ha_monitor_sql "SELECT pg_reload_conf()" >/dev/null
}

# pg_autoctl stop returns at once: wait for the keepers and their postmasters to be gone.
lf_ha_pg_stop() {
    local dir pids=""
    [ -d "${LF_HA:-}" ] || return 0
    for dir in $(lf_ha_node_dir 2) $(lf_ha_node_dir 1) "$LF_HA_MONITOR"; do
        [ -d "$dir" ] || continue
        pids="$pids $(lf_ha_keeper_pid "$dir") $(head -1 "$dir/postmaster.pid" 2>/dev/null || true)"
        lf_autoctl stop --pgdata "$dir" >/dev/null 2>&1 || true
    done
    lf_ha_wait 30 lf_ha_gone $pids || { say "HA processes still running after 30 s: killing"; kill -KILL $pids 2>/dev/null || true; }
}
lf_ha_gone() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# One landformd "host": its own run, log and spool folders and socket, the shared secret.
lf_ha_host_layout() {
    local h=$1
    LF_RUN=$LF_VAR/$h/run LF_LOG=$LF_VAR/$h/log LF_CONF=$LF_VAR/$h/landform.conf
    LF_SOCKET=$LF_RUN/landformd.sock LF_HA_SPOOL=$LF_VAR/$h/spool
}

# Configuration of host H: lf_write_conf's, with the multi-host connection strings.
lf_ha_write_conf() {
    local h=$1 http=$2 workers=${3:-0}
    lf_write_conf "$LF_HA_PORT" "$http" "$workers"
    mkdir -p "$LF_HA_SPOOL"; chown "$LF_USER:" "$LF_HA_SPOOL"; chmod 0700 "$LF_HA_SPOOL"
    cat >> "$LF_CONF" <<CONF
# HA stack ($h): whichever node is primary; reports from the standby when there is one.
database_url = $LF_HA_CONNINFO dbname=$LF_DB user=landform_app
admin_database_url = $LF_HA_CONNINFO dbname=$LF_DB user=landform
CONF
    echo "report_database_url = host=$LF_PGSOCK,$LF_PGSOCK port=${LF_HA_NODE_PORTS// /,} target_session_attrs=prefer-standby dbname=$LF_DB user=landform_app" >> "$LF_CONF"
    echo "spool_dir = $LF_HA_SPOOL" >> "$LF_CONF"
}

# Start both hosts (the first creates the shared secret before the second reads it).
lf_ha_hosts_start() {
    local http=$1 workers=${2:-0} h
    local run=$LF_RUN log=$LF_LOG conf=$LF_CONF sock=$LF_SOCKET
    LF_HA_FASTCGI=""
    for h in $LF_HA_HOSTS; do
        lf_ha_host_layout "$h"
        lf_ha_write_conf "$h" "$http" "$workers"
        [ -z "${LF_HA_EXTRA_CONF:-}" ] || printf '%s\n' "$LF_HA_EXTRA_CONF" >> "$LF_CONF"
        if [ "$h" = h1 ]; then lf_migrate || die "migrate failed (see above)"; fi
        lf_landformd_start
        LF_HA_FASTCGI="$LF_HA_FASTCGI unix:$LF_SOCKET"
    done
    LF_RUN=$run LF_LOG=$log LF_CONF=$conf LF_SOCKET=$sock
    LF_HA_FASTCGI=${LF_HA_FASTCGI# }
    export LF_HA_FASTCGI
}

lf_ha_hosts_stop() {
    local run=$LF_RUN log=$LF_LOG conf=$LF_CONF sock=$LF_SOCKET h
    for h in $LF_HA_HOSTS; do lf_ha_host_layout "$h"; lf_landformd_stop; done
    LF_RUN=$run LF_LOG=$log LF_CONF=$conf LF_SOCKET=$sock
}

# Anything of the HA stack still running (a killed keeper's postmaster, a crashed host).
lf_ha_kill_leftovers() {
    lf_kill_leftovers "-c $LF_VAR/h[0-9]/landform.conf serve" "pg_autoctl run --pgdata $LF_HA/" "-D $LF_HA/"
}
lf_ha_node_ports_but() { local p; for p in $LF_HA_NODE_PORTS; do [ "$p" = "$1" ] || echo "$p"; done; }
