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
    libcjson-dev libcmocka-dev libsodium-dev libcurl4-openssl-dev postgresql postgresql-contrib nginx-light curl"
LF_PACKAGES_TEST="valgrind clang libclang-rt-14-dev chromium nodejs npm apache2 lighttpd caddy prometheus"
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
    setsid env $(lf_landformd_env) "$LF_BIN" -c "$LF_CONF" serve >>"$LF_LOG/landformd.stderr" 2>&1 < /dev/null &
    local i
    for i in $(seq 100); do
        [ -S "$LF_SOCKET" ] && [ -s "$LF_RUN/landformd.pid" ] && return 0
        sleep 0.1
    done
    tail -20 "$LF_LOG/landformd.log" "$LF_LOG/landformd.stderr" 2>/dev/null
    die "landformd did not start"
}

lf_landformd_stop() {
    local pid; pid=$(lf_landformd_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    local i
    for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# nginx with every path under $LF_VAR/nginx; the site itself is docker/nginx.conf.template.
# A template with ${LANDFORM_*} placeholders filled from the environment (nginx's own $variables
# left alone); an unset one stops with its name.
lf_render() {
    perl -pe 's/\$\{(LANDFORM_[A-Z_]+)\}/exists $ENV{$1} ? $ENV{$1} : die "unset $1\n"/ge' "$1"
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

lf_nginx_start() {
    # The production defaults (docker/compose.yaml has the same), or LANDFORM_POST_RATE and
    # LANDFORM_POST_BURST from the environment: docs/operations.md "Rate limits".
    local http=$1 rate=${2:-${LANDFORM_POST_RATE:-10r/s}} burst=${3:-${LANDFORM_POST_BURST:-200}}
    local nd=$LF_VAR/nginx
    mkdir -p "$nd/tmp/body" "$nd/tmp/fastcgi" "$nd/tmp/proxy" "$nd/tmp/uwsgi" "$nd/tmp/scgi"
    chown -R "$LF_USER:" "$nd/tmp"
    LANDFORM_POST_RATE=$rate LANDFORM_POST_BURST=$burst LANDFORM_FASTCGI="unix:$LF_SOCKET" \
    LANDFORM_HTTP_LISTEN="127.0.0.1:$http" LANDFORM_NGINX_MAX_BODY=1m \
    LANDFORM_LANDING_DIR="$LF_LANDING" LANDFORM_NGINX_INCLUDE_DIR="$nd/include" \
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
    client_body_temp_path $nd/tmp/body;
    fastcgi_temp_path $nd/tmp/fastcgi;
    proxy_temp_path $nd/tmp/proxy;
    uwsgi_temp_path $nd/tmp/uwsgi;
    scgi_temp_path $nd/tmp/scgi;
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

lf_nginx_stop() {
    local pid; pid=$(cat "$LF_RUN/nginx.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill -QUIT "$pid" 2>/dev/null || return 0
    local i
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# Anything still running from this stack's folder (a crashed master's workers, say).
lf_kill_leftovers() {
    local pids pat
    for pat in "-c $LF_VAR/[^/]*\.conf serve" "-p $LF_VAR/nginx -c" "-D $LF_PGDATA" "$LF_VAR/frontends/"; do
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
