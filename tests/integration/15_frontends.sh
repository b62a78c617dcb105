#!/usr/bin/env bash
# landformd behind every front-end docs/deploy.md describes: nginx (the stack's own), Apache
# httpd (mod_proxy_fcgi), lighttpd (mod_fastcgi) and Caddy (fastcgi transport), each started
# here from the very template in docs/deploy/ on its own loopback port, and the same capture
# tests through each: pages, a post stored, a streamed chunked post stored, 422 with values
# kept, the JSON API, a 2 MB body refused, /healthz, /staff/login, static assets, a 10 KB
# Cookie. Then, with a raw FastCGI client (tests/fcgi-client.py): a request without a usable
# path; idle kept connections and trickling bodies must not hold the workers; and the same with
# nginx keeping connections, and with bodies trickling through Apache, lighttpd and Caddy.
source "$(dirname "$0")/../lib.sh"

APACHE_PORT=${LANDFORM_TEST_APACHE_PORT:-$((LF_HTTP_PORT + 1))}
LIGHTTPD_PORT=${LANDFORM_TEST_LIGHTTPD_PORT:-$((LF_HTTP_PORT + 2))}
CADDY_PORT=${LANDFORM_TEST_CADDY_PORT:-$((LF_HTTP_PORT + 3))}
KEEP_PORT=${LANDFORM_TEST_NGINX_KEEP_PORT:-$((LF_HTTP_PORT + 4))}
FCGI_CLIENT="python3 $LF_ROOT/tests/fcgi-client.py"
FE=$LF_VAR/frontends
rm -rf "$FE"; mkdir -p "$FE"

# A template of docs/deploy/ with its ${LANDFORM_*} placeholders filled, as lf_nginx_start does.
render() {
    LANDFORM_HTTP_ADDR=127.0.0.1 LANDFORM_HTTP_PORT=$2 LANDFORM_HTTP_LISTEN=127.0.0.1:$2 \
    LANDFORM_FRONT_MAX_BODY=1048576 LANDFORM_FRONT_MAX_BODY_KB=1024 \
    LANDFORM_LANDING_DIR="$LF_LANDING" LANDFORM_FASTCGI_SOCKET="$LF_SOCKET" \
        perl -pe 's/\$\{(LANDFORM_[A-Z_]+)\}/exists $ENV{$1} ? $ENV{$1} : die "unset $1\n"/ge' \
        "$LF_ROOT/docs/deploy/$1"
}

# Each server gets its process settings here (pid, logs, user, modules) and the site from its
# template; everything it writes is under $FE or $LF_LOG.
start_apache() {
    local d=$FE/apache m=/usr/lib/apache2/modules mod
    mkdir -p "$d/run"
    render apache.conf.template "$APACHE_PORT" > "$d/landform.conf" || return 1
    {
        echo "ServerRoot $d"
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$APACHE_PORT"
        echo "PidFile $d/run/apache.pid"
        echo "DefaultRuntimeDir $d/run"
        echo "Mutex file:$d/run default"
        echo "ErrorLog $LF_LOG/apache-error.log"
        echo "LogLevel warn"
        echo "User $LF_USER"
        echo "Group $LF_USER"
        echo "TypesConfig /etc/mime.types"
        echo "StartServers 1"
        echo "ServerLimit 2"
        echo "ThreadsPerChild 16"
        echo "MaxRequestWorkers 32"
        for mod in mpm_event authz_core mime alias headers expires reqtimeout proxy proxy_fcgi; do
            echo "LoadModule ${mod}_module $m/mod_$mod.so"
        done
        echo "Include $d/landform.conf"
    } > "$d/httpd.conf"
    apache2 -f "$d/httpd.conf" -k start
}
stop_apache() { [ -s "$FE/apache/run/apache.pid" ] && kill -TERM "$(cat "$FE/apache/run/apache.pid")" 2>/dev/null; }

start_lighttpd() {
    local d=$FE/lighttpd
    mkdir -p "$d/tmp" "$d/empty"
    chown -R "$LF_USER:" "$d"
    render lighttpd.conf.template "$LIGHTTPD_PORT" > "$d/landform.conf" || return 1
    cat > "$d/lighttpd.conf" <<CONF
server.port = $LIGHTTPD_PORT
server.bind = "127.0.0.1"
server.pid-file = "$d/lighttpd.pid"
server.errorlog = "$LF_LOG/lighttpd-error.log"
server.username = "$LF_USER"
server.groupname = "$LF_USER"
server.upload-dirs = ( "$d/tmp" )
server.document-root = "$d/empty"
include "$d/landform.conf"
CONF
    lighttpd -f "$d/lighttpd.conf"
}
stop_lighttpd() { [ -s "$FE/lighttpd/lighttpd.pid" ] && kill -TERM "$(cat "$FE/lighttpd/lighttpd.pid")" 2>/dev/null; }

start_caddy() {
    local d=$FE/caddy
    mkdir -p "$d/data" "$d/config"
    render Caddyfile.template "$CADDY_PORT" > "$d/landform.caddy" || return 1
    cat > "$d/Caddyfile" <<CONF
{
	admin off
	auto_https off
	log {
		output file $LF_LOG/caddy.log
		level WARN
	}
}
import $d/landform.caddy
CONF
    chown -R "$LF_USER:" "$d"
    (cd "$d" && setsid runuser -u "$LF_USER" -- env HOME="$d" XDG_DATA_HOME="$d/data" \
        XDG_CONFIG_HOME="$d/config" caddy run --config "$d/Caddyfile" --adapter caddyfile \
        --pidfile "$d/caddy.pid" > "$d/caddy.out" 2>&1 < /dev/null &)
}
stop_caddy() { [ -s "$FE/caddy/caddy.pid" ] && kill -TERM "$(cat "$FE/caddy/caddy.pid")" 2>/dev/null; }

# nginx as told not to be set up (docs/deploy.md): keeping FastCGI connections open
# (fastcgi_keep_conn on, an upstream keepalive pool), to show that nothing stalls anyway.
start_nginx_keep() {
    local d=$FE/nginx-keep
    mkdir -p "$d/tmp"
    chown -R "$LF_USER:" "$d/tmp"
    cat > "$d/nginx.conf" <<CONF
user $LF_USER $LF_USER;
worker_processes 1;
pid $d/nginx.pid;
error_log $LF_LOG/nginx-keep-error.log warn;
events { worker_connections 256; }
http {
    access_log off;
$(lf_nginx_temp_paths "$d")
    upstream landformd { server unix:$LF_SOCKET; keepalive 8; }
    server {
        listen 127.0.0.1:$KEEP_PORT;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass landformd;
            fastcgi_keep_conn on;
            fastcgi_read_timeout 10s;
        }
    }
}
CONF
    nginx -e "$LF_LOG/nginx-keep-error.log" -p "$d" -c "$d/nginx.conf"
}
stop_nginx_keep() { [ -s "$FE/nginx-keep/nginx.pid" ] && kill -QUIT "$(cat "$FE/nginx-keep/nginx.pid")" 2>/dev/null; }

stop_all() { stop_apache; stop_lighttpd; stop_caddy; stop_nginx_keep; true; }
trap stop_all EXIT

declare -A URL=([nginx]=$LF_URL [apache]=http://127.0.0.1:$APACHE_PORT
    [lighttpd]=http://127.0.0.1:$LIGHTTPD_PORT [caddy]=http://127.0.0.1:$CADDY_PORT)
FRONTENDS="nginx apache lighttpd caddy"
for fe in apache lighttpd caddy; do
    if "start_$fe" > "$FE/$fe.start.log" 2>&1 && lf_wait_http "${URL[$fe]}/healthz"; then
        ok "$fe starts from docs/deploy/ in front of landformd's socket"
    else
        not_ok "$fe starts from docs/deploy/ in front of landformd's socket (see $FE/$fe.start.log, $LF_LOG/)"
    fi
done

stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
# Submissions made by this run only (the stack may have run this file before).
FIRST=$(q "select coalesce(max(id), 0) from landform.submissions")
phone_rows() { q "select count(*) from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '$1' and s.id > $FIRST"; }
stored() { q "select $2 from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone = '$1' and s.id > $FIRST"; }
nsub() { q "select count(*) from landform.submissions"; }
head -c 2000000 /dev/zero | tr '\0' a | sed 's/^/name=/' > "$FE/2mb.txt"

BIG_COOKIE="lf_big=$(head -c 10240 /dev/zero | tr '\0' a)"
# Pages first, through each front-end; their stamps are used after the 2 s a human needs.
declare -A STAMPS
for fe in $FRONTENDS; do
    u=${URL[$fe]}
    page=$(curl -s -w '\n%{http_code}' "$u/p/demo?ch=fe")
    is "$(echo "$page" | tail -1)" 200 "$fe: the landing page answers 200"
    like "$page" '<html lang="zh-CN"' "$fe: ... in Chinese"
    like "$(curl -s "$u/p/demo?lang=en")" '<html lang="en"' "$fe: ?lang=en gives the English page"
    STAMPS[$fe]="$(echo "$page" | stamp_of)"
    for n in 1 2 3 4; do STAMPS[$fe]+=" $(curl -s "$u/p/demo" | stamp_of)"; done
    like "${STAMPS[$fe]}" '^v1\.[^ ]+ v1\.[^ ]+ v1\.[^ ]+ v1\.[^ ]+ v1\.[^ ]+$' "$fe: the pages carry form stamps"
    like "$(curl -s -o /dev/null -w "%{http_code} %{content_type}" "$u/assets/_common/style.css")" "^200 text/css" \
        "$fe: serves a page's static assets"
    cmp -s <(curl -s "$u/assets/_common/style.css") "$LF_LANDING/_common/assets/style.css" && ok "$fe: ... byte for byte" || not_ok "$fe: ... byte for byte"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$u/assets/demo/form.json")
    like "$code" '^40[34]$' "$fe: serves nothing of a page's folder but its assets/ ($code)"
    code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$u/assets/demo/../form.json")
    like "$code" '^40[034]$' "$fe: ... not through .. either ($code)"
    like "$(curl -s -w ' %{http_code}' "$u/healthz")" '"status":"ok".* 200$' "$fe: /healthz answers 200"
    like "$(curl -s -w ' %{http_code}' "$u/staff/login")" 'name="csrf".* 200$' "$fe: /staff/login answers 200 with its form"
    is "$(curl -s -o /dev/null -w '%{http_code}' "$u/p/no-such-page")" 404 "$fe: an unknown page answers 404"
    # nginx's header buffers are docker/nginx.conf.template's and tested with it.
    [ "$fe" = nginx ] || is "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $BIG_COOKIE" "$u/p/demo")" 200 \
        "$fe: a page with a 10 KB Cookie header answers 200"
done
sleep 2.2

i=0
for fe in $FRONTENDS; do
    u=${URL[$fe]}; i=$((i + 1))
    read -r s0 s1 s2 s3 s4 <<< "${STAMPS[$fe]}"
    # A plain urlencoded post.
    out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --data-urlencode "_stamp=$s0" \
        --data-urlencode "name=前端 $fe" --data-urlencode "mobile=137150${i}0001" --data-urlencode "agree=on" "$u/p/demo?ch=fe")
    like "$out" "^303 $u/p/demo/thanks\\?lang=zh-CN&ch=fe&t=t1\\.[0-9]+\\.[0-9a-f]{32}\\.$s0\$" \
        "$fe: a good post answers 303 to the thanks page (its stamp signed in, for the share link)"
    is "$(stored "+86137150${i}0001" "s.fields->>'name'")" \
        "前端 $fe" "$fe: ... and is stored"
    # The same post streamed chunked, its end a moment later (curl -T - from a pipe), so a
    # front-end that streams bodies passes it on without a length (Apache: no CONTENT_LENGTH,
    # Caddy: -1): stored, never just thanked.
    out=$({ printf '_stamp=%s&name=%%E5%%88%%86%%E5%%9D%%97+%s&mobile=137150%s0002' "$s1" "$fe" "$i"; sleep 0.3; printf '&agree=on'; } |
        curl -s -o /dev/null -w '%{http_code}' -X POST -T - -H 'Content-Type: application/x-www-form-urlencoded' "$u/p/demo")
    is "$out" 303 "$fe: a streamed chunked post answers 303"
    is "$(stored "+86137150${i}0002" "s.fields->>'name' || ' ' || (s.fields->>'agree')")" \
        "分块 $fe true" "$fe: ... and is stored, every field"
    # A bad phone: 422, every typed value back.
    page=$(curl -s -w '\n%{http_code}' --data-urlencode "_stamp=$s3" --data-urlencode "name=O'Brien $fe" \
        --data-urlencode "mobile=12345" --data-urlencode "company=<b>co</b>" --data-urlencode "agree=on" "$u/p/demo")
    is "$(echo "$page" | tail -1)" 422 "$fe: a bad phone answers 422"
    like "$page" "value=\"O&#39;Brien $fe\"" "$fe: ... the typed name kept"
    like "$page" 'value="12345"' "$fe: ... the bad phone kept for correcting"
    like "$page" 'value="&lt;b&gt;co&lt;/b&gt;"' "$fe: ... the company kept, escaped"
    # The JSON API.
    json=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
        -d "{\"_stamp\":\"$s2\",\"name\":\"API $fe\",\"mobile\":\"137150${i}0003\",\"agree\":true}" \
        "$u/api/v1/pages/demo/submissions?ch=api")
    like "$json" '^\{"ok":true,.* 201$' "$fe: the JSON API answers 201"
    is "$(phone_rows "+86137150${i}0003")" 1 "$fe: ... and stores it"
    like "$(curl -s "$u/api/v1/pages/demo/stamp")" '^\{"stamp":"v1\.' "$fe: the JSON API gives stamps"
    # 2 MB: refused by the front-end or landformd, declared or chunked, nothing stored.
    before=$(nsub)
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$FE/2mb.txt" "$u/p/demo")
    like "$code" '^4[0-9][0-9]$' "$fe: a 2 MB body is refused with a 4xx ($code)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -T - -H 'Content-Type: application/x-www-form-urlencoded' "$u/p/demo" < "$FE/2mb.txt")
    like "$code" '^4[0-9][0-9]$' "$fe: ... chunked too ($code)"
    is "$(nsub)" "$before" "$fe: ... and nothing of it is stored"
done

# --- straight to the socket ---------------------------------------------------------------
is "$($FCGI_CLIENT get "$LF_SOCKET" REQUEST_METHOD=GET SCRIPT_NAME=/staff PATH_INFO=/login)" 200 \
    "SCRIPT_NAME + PATH_INFO name the path when nothing else does"
is "$($FCGI_CLIENT get "$LF_SOCKET" REQUEST_METHOD=GET SERVER_NAME=x)" 400 "a request without any path answers 400"
wait_for 3 grep -q 'without a usable path.*the front-end sends: FCGI_ROLE REQUEST_METHOD SERVER_NAME' "$LF_LOG/landformd.log" &&
    ok "... and the log names the parameters the front-end sends" || not_ok "... and the log names the parameters the front-end sends"

# Two connections kept open after their answer (FCGI_KEEP_CONN), as many as there are workers:
# landformd closes them, so nobody waits behind them.
$FCGI_CLIENT keep "$LF_SOCKET" 6 > "$FE/keep1.out" 2>&1 &
k1=$!
$FCGI_CLIENT keep "$LF_SOCKET" 6 > "$FE/keep2.out" 2>&1 &
k2=$!
wait_for 10 grep -q 200 "$FE/keep1.out" && wait_for 10 grep -q 200 "$FE/keep2.out"
code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$LF_URL/healthz")
is "$code" 200 "two idle kept connections do not delay /healthz"
wait $k1 $k2
is "$(cat "$FE/keep1.out" "$FE/keep2.out" | tr '\n' ' ')" "200 closed 200 closed " "... landformd answered them, then closed them"

# The same through nginx with fastcgi_keep_conn on and a keepalive pool: three clients at once,
# more than there are workers, ten requests each; every one answered in time.
if start_nginx_keep > "$FE/nginx-keep.start.log" 2>&1 && lf_wait_http "http://127.0.0.1:$KEEP_PORT/healthz"; then
    for n in 1 2 3; do
        (for r in $(seq 10); do curl -s -o /dev/null -m 3 -w '%{http_code}\n' "http://127.0.0.1:$KEEP_PORT/healthz"; done) > "$FE/keep-nginx$n.out" &
    done
    wait
    is "$(cat "$FE"/keep-nginx[123].out | sort | uniq -c | tr -s ' ')" " 30 200" "nginx keeping FastCGI connections: 30 requests from 3 clients at once all answered"
    is "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$KEEP_PORT/p/demo")" 200 "... and a page after them"
    # landformd closes every connection after its answer; nginx may still pick a kept one in the
    # moment it is being closed, gets a reset, and sends the request again on a new connection
    # (every request above was answered). That one line is expected, now and then; nothing else.
    is "$(grep '\[error\]' "$LF_LOG/nginx-keep-error.log" |
          grep -vc 'recv() failed (104: Connection reset by peer) while reading response header from upstream')" 0 \
        "... and nginx logged no error about the connections landformd closed, but a kept one found closed"
else
    not_ok "nginx with fastcgi_keep_conn on starts (see $FE/nginx-keep.start.log)"
fi
stop_nginx_keep

# Three bodies trickling a byte every 0.3 s (15 s each), more than there are workers; two
# declare their length, one does not. body_timeout (3 s in the test stack) ends them: /healthz
# answers within it, they get 408, and nothing of them is stored or thanked.
body="_stamp=x&name=slow&mobile=13715009999&agree=on"
$FCGI_CLIENT trickle "$LF_SOCKET" /p/demo "$body" 0.3 > "$FE/trickle1.out" 2>&1 &
t1=$!
$FCGI_CLIENT trickle "$LF_SOCKET" /p/demo "$body" 0.3 > "$FE/trickle2.out" 2>&1 &
t2=$!
$FCGI_CLIENT trickle "$LF_SOCKET" /p/demo "$body" 0.3 nolength > "$FE/trickle3.out" 2>&1 &
t3=$!
for n in 1 2 3; do wait_for 10 grep -q sending "$FE/trickle$n.out"; done
sleep 0.5
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -m 8 -w '%{http_code}' "$LF_URL/healthz")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$code" 200 "/healthz answers while three bodies trickle"
[ "$ms" -lt 5000 ] && ok "... within body_timeout and a second (${ms} ms)" || not_ok "... within body_timeout and a second (${ms} ms)"
wait $t1 $t2 $t3
like "$(cat "$FE"/trickle[123].out | tr '\n' ' ')" '^(sending 408 [0-9.]+ ){3}$' "the trickling bodies get 408"
is "$(phone_rows +8613715009999)" 0 "... and nothing of them is stored"
# A body trickling for 9 s (three times body_timeout) through each front-end, with a good
# stamp, all at once. Apache streams it: the worker it holds answers 408 at body_timeout and
# stores nothing, and the other worker answers meanwhile. lighttpd and Caddy (buffer_requests)
# hold the body until it is whole: stored, however slow the visitor.
slow_post() {
    local fe=$1 phone=$2 stamp
    read -r _ _ _ _ stamp <<< "${STAMPS[$fe]}"
    { printf '_stamp=%s&name=slow&mobile=%s&agree=on&company=' "$stamp" "$phone"; for n in $(seq 30); do sleep 0.3; printf x; done; } |
        curl -s -o /dev/null -w '%{http_code}' -X POST -T - -H 'Content-Type: application/x-www-form-urlencoded' \
        "${URL[$fe]}/p/demo" > "$FE/slow-$fe.out" 2>&1
}
slow_post apache 13715009998 & s1=$!
slow_post lighttpd 13715009997 & s2=$!
slow_post caddy 13715009996 & s3=$!
sleep 1
for fe in apache lighttpd caddy; do
    is "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "${URL[$fe]}/healthz")" 200 "$fe: /healthz answers at once while bodies trickle"
done
wait $s1 $s2 $s3
like "$(cat "$FE/slow-apache.out")" '^[45]' "apache: the trickling body is not thanked ($(cat "$FE/slow-apache.out"))"
is "$(phone_rows +8613715009998)" 0 "apache: ... nor stored"
is "$(cat "$FE/slow-lighttpd.out") $(phone_rows +8613715009997)" "303 1" "lighttpd: the trickling body, buffered whole, is stored"
is "$(cat "$FE/slow-caddy.out") $(phone_rows +8613715009996)" "303 1" "caddy: the trickling body, buffered whole, is stored"

t_done
