#!/usr/bin/env bash
# The admin dashboard over HTTP (curl through nginx): /staff/reports, its JSON twin and its
# CSV files are for admins only (a member 403, no session 303/401); the page has the period
# picker, the SVG chart and the tables; each CSV has a UTF-8 BOM, SQL's column names and the
# very numbers of landform.funnel / channel_report / staff_report; a channel code a
# spreadsheet would run as a formula (-cmd) arrives quoted with a leading '; bad input is
# dropped or refused (422), an unknown table is 404.
source "$(dirname "$0")/../lib.sh"

W=$LF_VAR/reports-it
rm -rf "$W"; mkdir -p "$W"
R=$(printf '%04d' $((RANDOM % 10000)))

PAGE=reports-it$R
admin "select landform.register_page('$PAGE', 'Reports IT', 'lead')"
admin "select landform.add_pool('it-reports-$R', '30 minutes', 3)"
admin "select landform.set_page_pool('$PAGE', 'it-reports-$R')"
link_boss=$(q "select landform.add_staff('it_boss$R', '老板 <i>Boss</i>')")
link_m=$(q "select landform.add_staff('it_rm$R', 'Member')")
admin "select landform.set_admin('it_boss$R', true)"
admin "select landform.join_pool('it-reports-$R', 'it_rm$R')"
is "$(portal_join boss "$link_boss" 'boss password 1')" 303 "the admin sets a password"
is "$(portal_join m "$link_m" 'member password 1')" 303 "the member sets a password"

# Traffic and submissions on wx-it and -cmd (a code that starts like a formula).
admin "select landform.count_traffic(jsonb_build_array(
    jsonb_build_object('page', '$PAGE', 'channel', 'wx-it', 'views', 30, 'opens', 6,
        'visitors', jsonb_build_array(gen_random_uuid(), gen_random_uuid(), gen_random_uuid())),
    jsonb_build_object('page', '$PAGE', 'channel', '-cmd', 'views', 9, 'opens', 3,
        'visitors', jsonb_build_array(gen_random_uuid()))))"
for i in 1 2; do
    admin "select landform.submit('$PAGE', 'wx-it', '+86139${R}000$i', 'R$i', NULL, '{}', 'yes', 'it-rep-$R-$i', '127.0.0.1', 'it', 'zh-CN')"
done
admin "select landform.submit('$PAGE', '-cmd', '+86139${R}0009', 'R9', NULL, '{}', 'yes', 'it-rep-$R-9', '127.0.0.1', 'it', 'zh-CN')"
admin "select landform.dispatch()"

TO=$(q "select landform.today()")
FROM=$(q "select landform.today() - 6")
P="from=$FROM&to=$TO"

# --- who may see it -----------------------------------------------------------------------
is "$(req x GET /staff/reports)" 303 "no session: to the login page"
like "$(hdr x Location)" '^/staff/login\?next=%2Fstaff%2Freports' "... and back afterwards"
is "$(req x GET /api/v1/staff/reports)" 401 "no session, JSON: 401"
is "$(req m GET /staff/reports)" 403 "a member who is not an admin: 403"
like "$(body m)" '管理员|admins' "... saying reports are for admins"
is "$(req m GET "/staff/reports.csv?table=funnel&$P")" 403 "... and no CSV either"
is "$(req m GET /api/v1/staff/reports)" 403 "... nor JSON"
is "$(req m GET /staff/)" 200 "the member's own page opens"
unlike "$(body m)" 'href="/staff/reports"' "... without a Reports link"
is "$(req boss GET /staff/)" 200 "the admin's home opens"
like "$(body boss)" 'href="/staff/reports"' "... with a Reports link"

# --- the page ------------------------------------------------------------------------------
is "$(req boss GET "/staff/reports?$P")" 200 "the admin opens the dashboard"
like "$(body boss)" '<form class="period" method="get" action="/staff/reports">' "a plain GET form picks the period"
like "$(body boss)" "type=\"date\" name=\"from\" value=\"$FROM\"" "... showing the period asked for"
like "$(body boss)" 'data-preset="last7"' "... with presets"
like "$(body boss)" '<svg xmlns="http://www.w3.org/2000/svg" class="chart funnel"' "the funnel is an inline SVG"
is "$(body boss | grep -o '<g class="bar"' | wc -l)" 9 "... with nine bars"
unlike "$(body boss)" '<script>|style=' "... and no inline script or style"
like "$(body boss)" '老板 &lt;i&gt;Boss&lt;/i&gt;' "names are escaped"
like "$(hdr boss Content-Security-Policy)" "script-src 'self'" "the page keeps the portal's CSP"
views=$(q "select sum(views) from landform.funnel('$FROM', '$TO')")
like "$(body boss)" "<tr data-step=\"views\"><th scope=\"row\">[^<]*</th><td class=\"num\">$views</td>" "views on the page equal SQL ($views)"
leads=$(q "select sum(new_leads) from landform.funnel('$FROM', '$TO')")
like "$(body boss)" "<tr data-step=\"new_leads\"><th scope=\"row\">[^<]*</th><td class=\"num\">$leads</td>" "new leads on the page equal SQL ($leads)"
like "$(body boss)" '<td>wx-it</td>' "the channel table lists wx-it"
like "$(body boss)" "<td>it_boss$R</td>" "the staff table lists the admin"

is "$(req boss GET "/api/v1/staff/reports?$P")" 200 "the JSON twin"
like "$(body boss)" '"status": ?"ok"' "... says ok"
like "$(body boss)" "\"from\": ?\"$FROM\"" "... for the period asked"

# --- CSV -----------------------------------------------------------------------------------
is "$(req boss GET "/staff/reports.csv?table=funnel&$P")" 200 "the funnel CSV downloads"
like "$(hdr boss Content-Type)" '^text/csv; charset=utf-8' "... as text/csv in UTF-8"
like "$(hdr boss Content-Disposition)" "^attachment; filename=\"landform-funnel-$FROM-$TO.csv\"" "... as an attachment named after the period"
is "$(head -c 3 "$W/boss.body" | od -An -tx1 | tr -d ' ')" efbbbf "... starting with a UTF-8 BOM"
is "$(tail -c +4 "$W/boss.body" | head -1 | tr -d '\r')" \
   "period,page,channel,scans,views,visitors,opens,submissions,spam,new_leads,repeat_leads,consultations,assigned,accepted,contacted,won,open_rate,submit_rate,lead_rate,assign_rate,accept_rate,contact_rate,win_rate,visitor_to_lead,lead_to_won" \
   "... with SQL's column names"
is "$(head -1 "$W/boss.body" | tail -c 2 | od -An -tx1 | tr -d ' ')" 0d0a "... and CRLF line ends"
got=$(tr -d '\r' < "$W/boss.body" | grep ",$PAGE,wx-it,")
want=$(q "copy (select * from landform.funnel('$FROM', '$TO') where page = '$PAGE' and channel = 'wx-it') to stdout with (format csv)")
is "$got" "$want" "the wx-it row equals SELECT * FROM landform.funnel(...)"
like "$got" ",$PAGE,wx-it,0,30,3,6,2,0,2," "... no scans, 30 views, 3 visitors, 6 opens, 2 submissions, 2 new leads"
got=$(tr -d '\r' < "$W/boss.body" | grep ",$PAGE,")
like "$got" ",$PAGE,\"'-cmd\",0,9,1,3,1," "the -cmd channel is quoted with a leading ' (no formula)"
unlike "$got" ",-cmd," "... never bare"
want=$(q "copy (select * from landform.funnel('$FROM', '$TO')) to stdout with (format csv)" | sed "s/,-cmd,/,\"'-cmd\",/" | sort)
is "$(tail -c +4 "$W/boss.body" | tr -d '\r' | tail -n +2 | sort)" "$want" "every funnel row equals SQL"

is "$(req boss GET "/staff/reports.csv?table=channels&$P")" 200 "the channel CSV downloads"
is "$(tail -c +4 "$W/boss.body" | head -1 | tr -d '\r')" \
   "period,channel,scans,views,visitors,submissions,new_leads,consultations,assigned,accepted,contacted,won,spend,cost_per_lead,cost_per_won,orders,revenue,roi" \
   "... with SQL's column names"
want=$(q "copy (select * from landform.channel_report('$FROM', '$TO')) to stdout with (format csv)" | sed "s/,-cmd,/,\"'-cmd\",/" | sort)
is "$(tail -c +4 "$W/boss.body" | tr -d '\r' | tail -n +2 | sort)" "$want" "every channel row equals SQL"
like "$(body boss)" "\"'-cmd\"" "... -cmd neutralized there too"

is "$(req boss GET "/staff/reports.csv?table=staff&$P")" 200 "the staff CSV downloads"
want=$(q "copy (select * from landform.staff_report('$FROM', '$TO')) to stdout with (format csv)" | sort)
is "$(tail -c +4 "$W/boss.body" | tr -d '\r' | tail -n +2 | sort)" "$want" "every staff row equals SQL"
like "$(body boss)" "it_rm$R,Member,3,3," "... the member received the three offers"

# --- bad input -----------------------------------------------------------------------------
is "$(req boss GET "/staff/reports.csv?table=secrets&$P")" 404 "an unknown table is 404"
is "$(req boss GET "/staff/reports.csv?$P")" 404 "... and no table too"
is "$(req boss GET "/staff/reports?from=$TO&to=$FROM")" 422 "a period ending before it starts is refused"
is "$(req boss GET "/staff/reports?from=2026-02-30&to=x")" 200 "dates that do not parse are dropped (the last 30 days)"
like "$(body boss)" "name=\"to\" value=\"$TO\"" "... ending today"

t_done
