#!/usr/bin/env bash
# Assignment through the real stack: 3,000 leads posted through nginx by 16 concurrent clients
# while two landformd dispatchers run at once land 1,000 +- 1 on each of 3 members, none
# unassigned, none twice; a lead nobody accepts moves to the next member and then the open pool.
source "$(dirname "$0")/../lib.sh"

master=$(landformd_pid)

# Two pages of the test copy of landing/, each pointing at its own pool.
for slug in fair fast; do
    rm -rf "$LF_LANDING/$slug"; mkdir -p "$LF_LANDING/$slug"
    cp "$LF_LANDING/demo/page.html" "$LF_LANDING/demo/form.json" "$LF_LANDING/$slug/"
done
lines=$(wc -l < "$LF_LOG/landformd.log")
kill -HUP "$master"
registered() { [ "$(q "select count(*) from landform.pages where slug in ('fair','fast')")" = 2 ]; }
wait_for 10 registered || not_ok "pages fair and fast registered after SIGHUP"

admin "select landform.add_pool('it-fair', '1 hour', 3)"
admin "select landform.add_pool('it-fast', '3 seconds', 2)"
for who in fa fb fc; do admin "select landform.add_staff('it_$who', 'Fair $who')"; admin "select landform.join_pool('it-fair', 'it_$who')"; done
for who in xa xb; do admin "select landform.add_staff('it_$who', 'Fast $who')"; admin "select landform.join_pool('it-fast', 'it_$who')"; done
admin "select landform.set_page_pool('fair', 'it-fair')"
admin "select landform.set_page_pool('fast', 'it-fast')"

# A second landformd (another host, as far as the database can tell) with its own dispatcher.
second=$LF_VAR/second.conf
sed -e "s|^listen = .*|listen = unix:$LF_RUN/second.sock|" -e "s|^pid_file = .*|pid_file = $LF_RUN/second.pid|" \
    -e "s|^log_file = .*|log_file = $LF_LOG/second.log|" -e "s|^workers = .*|workers = 1|" "$LF_CONF" > "$second"
setsid "$LF_BIN" -c "$second" serve >> "$LF_LOG/second.stderr" 2>&1 < /dev/null &
two_dispatchers() { [ "$(pgrep -c -x lf-dispatch)" -ge 2 ] && grep -q 'dispatcher ready' "$LF_LOG/second.log"; }
check "a second landformd with its own dispatcher runs beside the first" wait_for 10 two_dispatchers

# --- 3,000 submissions, 16 clients, each from its own loopback address ------------------------
CLIENTS=16 PER=188   # 16 x 188 = 3,008; the first 3,000 are used
work=$LF_VAR/fair; rm -rf "$work"; mkdir -p "$work"
pids=""
for c in $(seq 1 $CLIENTS); do
    curl -s $(for i in $(seq $PER); do printf '%s ' "$LF_URL/api/v1/pages/fair/stamp"; done) \
        | grep -o '"stamp":"[^"]*"' | sed 's/"stamp":"//; s/"$//' > "$work/stamps.$c" &
    pids="$pids $!"
done
wait $pids
sleep 2.1   # a person needs at least two seconds; so must the test
n=0
for c in $(seq 1 $CLIENTS); do
    cfg=$work/curl.$c; : > "$cfg"
    i=0
    while read -r stamp && [ $n -lt 3000 ]; do
        i=$((i + 1)); n=$((n + 1))
        printf 'next\n' >> "$cfg"
        printf 'silent\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\ninterface = 127.0.0.%d\nurl = "%s/p/fair?ch=it"\n' "$((c + 1))" "$LF_URL" >> "$cfg"
        printf 'data-urlencode = "_stamp=%s"\ndata-urlencode = "name=客户 %d-%d"\ndata-urlencode = "mobile=139%02d%06d"\ndata-urlencode = "agree=on"\n' \
            "$stamp" "$c" "$i" "$c" "$i" >> "$cfg"
    done < "$work/stamps.$c"
    sed -i '1d' "$cfg"
done
t0=$(date +%s%N)
pids=""
for c in $(seq 1 $CLIENTS); do curl -K "$work/curl.$c" > "$work/codes.$c" 2>&1 & pids="$pids $!"; done
wait $pids
secs=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$(cat "$work"/codes.* | sort | uniq -c | awk '{print $2 "x" $1}')" "303x3000" "3,000 submissions through nginx by 16 clients all answered 303 (${secs} ms)"

fair_done() { [ "$(q "select count(*) from landform.leads l join landform.pages p on p.id = l.page_id where p.slug = 'fair' and l.state = 'pending'")" = 3000 ]; }
check "every lead is assigned by the dispatchers" wait_for 15 fair_done
counts=$(q "select string_agg(n::text, ' ' order by n) from (select count(*) n from landform.assignments a join landform.pools p on p.id = a.pool_id
            where p.name = 'it-fair' group by a.staff_id) x")
like "$counts" '^(999|1000|1001) (999|1000|1001) (999|1000|1001)$' "3 members receive 1,000 +- 1 each ($counts)"
is "$(q "select max(n) - min(n) <= 1 from (select count(*) n from landform.assignments a join landform.pools p on p.id = a.pool_id where p.name = 'it-fair' group by a.staff_id) x")" t "... differing by at most one"
is "$(q "select count(*) from landform.leads l join landform.pages p on p.id = l.page_id where p.slug = 'fair' and l.state = 'waiting'")" 0 "none is left unassigned"
is "$(q "select count(*) from (select lead_id from landform.assignments a join landform.pools p on p.id = a.pool_id where p.name = 'it-fair' group by lead_id having count(*) > 1) x")" 0 "none is assigned twice"
is "$(q "select count(*) from landform.leads l join landform.pages p on p.id = l.page_id where p.slug = 'fair'")" 3000 "3,000 distinct leads were stored"
grep -q 'dispatch: .*assigned' "$LF_LOG/second.log" "$LF_LOG/landformd.log" && ok "the dispatchers log what they did" || not_ok "the dispatchers log what they did"

# --- a lead nobody accepts: first member, second member, then the open pool -------------------
stamp=$(curl -s "$LF_URL/api/v1/pages/fast/stamp" | grep -o 'v1\.[^"]*')
sleep 2.1
t0=$(date +%s%N)
is "$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$stamp" --data-urlencode "name=慢客户" \
    --data-urlencode "mobile=13612340001" --data-urlencode "agree=on" "$LF_URL/p/fast")" 303 "a lead is submitted through the page"
lead="(select id from landform.leads where phone = '+8613612340001')"
offered() { [ "$(q "select count(*) from landform.assignments where lead_id = $lead and closed_at is null and staff_id is not null")" = 1 ]; }
wait_for 3 offered
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le 1000 ] && ok "it is offered to a member within one second (${ms} ms)" || not_ok "it is offered to a member within one second (took ${ms} ms)"
first=$(q "select s.login from landform.assignments a join landform.staff s on s.id = a.staff_id where a.lead_id = $lead and a.closed_at is null")
second_offer() { [ "$(q "select count(*) from landform.assignments where lead_id = $lead and staff_id is not null")" = 2 ]; }
check "not accepted in 3 s, it is taken back and offered to the next member" wait_for 8 second_offer
second_who=$(q "select s.login from landform.assignments a join landform.staff s on s.id = a.staff_id where a.lead_id = $lead and a.closed_at is null")
[ -n "$second_who" ] && [ "$second_who" != "$first" ] && ok "... a different member ($first, then $second_who)" || not_ok "... a different member ($first, then $second_who)"
open() { [ "$(q "select state from landform.leads where id = $lead")" = open ]; }
check "after max attempts it goes to the open pool" wait_for 8 open
is "$(q "select string_agg(coalesce(outcome, 'open'), ',' order by id) from landform.assignments where lead_id = $lead")" "expired,expired,open" \
    "its history shows both expiries and the open pool"

# An accepted lead stays with its member past the deadline.
stamp=$(curl -s "$LF_URL/api/v1/pages/fast/stamp" | grep -o 'v1\.[^"]*'); sleep 2.1
curl -s -o /dev/null --data-urlencode "_stamp=$stamp" --data-urlencode "name=快客户" --data-urlencode "mobile=13612340002" \
    --data-urlencode "agree=on" "$LF_URL/p/fast"
lead2="(select id from landform.leads where phone = '+8613612340002')"
offered2() { [ -n "$(q "select id from landform.assignments where lead_id = $lead2 and closed_at is null")" ]; }
wait_for 3 offered2
res=$(q "select landform.accept(a.id, a.staff_id) from landform.assignments a where a.lead_id = $lead2 and a.closed_at is null")
is "$res" accepted "the member accepts it before the deadline"
sleep 4
is "$(q "select state || ' ' || (select count(*) from landform.assignments where lead_id = $lead2) from landform.leads where id = $lead2")" "owned 1" \
    "an accepted lead is not reclaimed"

# Tidy up: the second instance, the extra pages.
kill -TERM "$(cat "$LF_RUN/second.pid")" 2>/dev/null
stopped() { ! pgrep -f -- "$second serve" >/dev/null; }
check "the second landformd stops cleanly" wait_for 10 stopped
t_done
