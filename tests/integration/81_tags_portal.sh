#!/usr/bin/env bash
# Segments and tags in the staff portal through nginx (issue 16): a member's lead list filtered
# by two tags at once (all of them) and by a segment, as HTML and JSON, where a segment only
# ever shows the member's own leads (another member's lead in the same segment never appears);
# an unknown segment is 422. GET /staff/segments.csv: an admin's download with full phones and
# hostile cells (a tag, a name) made inert; a member 403, no session to the login page.
source "$(dirname "$0")/../lib.sh"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT

R=$(printf '%04d' $((RANDOM % 10000)))
link_a=$(q "select landform.add_staff('it_tga$R', 'Tag A')")
link_b=$(q "select landform.add_staff('it_tgb$R', 'Tag B')")
link_adm=$(q "select landform.add_staff('it_tgadm$R', 'Tag Admin')")
admin "select landform.set_admin('it_tgadm$R', true)"
is "$(portal_join a "$link_a" 'member password a')" 303 "member A sets a password"
is "$(portal_join b "$link_b" 'member password b')" 303 "member B sets a password"
is "$(portal_join adm "$link_adm" 'admin password 1')" 303 "the admin sets a password"

# Five leads: A owns 1-4, B owns 5; tags x/y for the two-tag filter, s for the segment.
lead() { # N NAME TAGS OWNER
    local id
    id=$(q "select lead_id from landform.submit('demo', NULL, '+86137${R}100$1', \$\$$2\$\$, NULL, '{}', 'yes',
                                                  'it-tgp-$R-$1', '127.0.0.1', 'it', 'zh-CN')")
    admin "update landform.leads set tags = '$3' where id = $id"
    admin "select landform.assign($id, '$4')"
    echo "$id"
}
l1=$(lead 1 "TG1-$R" "{x$R,y$R,s$R}" "it_tga$R")
l2=$(lead 2 "TG2-$R" "{x$R}" "it_tga$R")
l3=$(lead 3 "TG3-$R" "{y$R,s$R}" "it_tga$R")
l4=$(lead 4 "TG4-$R" "{x$R,y$R}" "it_tga$R")
l5=$(lead 5 "=cmd|' /C calc'!A0" "{s$R,x$R,y$R}" "it_tgb$R")
admin "select landform.add_segment('it-tgseg-$R', '{\"tags_any\": [\"s$R\"]}')"
is "$(q "select landform.segment_count('it-tgseg-$R')")" 3 "the segment holds three leads (two of A's, one of B's)"

names() { grep -o "TG[0-9]-$R\|=cmd" "$W/$1.body" | sort -u | tr '\n' ' '; }
is "$(req a GET "/staff/?tag=x$R&tag=y$R")" 200 "A filters the list by two tags"
is "$(names a)" "TG1-$R TG4-$R " "... and sees only her leads carrying both"
like "$(body a)" "name=\"tag\" value=\"x$R\" checked" "... with both boxes checked in the filter form"
is "$(req a GET "/staff/?segment=it-tgseg-$R")" 200 "A filters the list by the segment"
is "$(names a)" "TG1-$R TG3-$R " "... and sees only her own leads in it, not B's"
like "$(body a)" "<option value=\"it-tgseg-$R\" selected>" "... the segment selected in the filter form"
unlike "$(body a)" 'segments.csv' "... and no download of it (members may not)"
req a GET "/staff/?segment=it-tgseg-$R&tag=x$R" >/dev/null
is "$(names a)" "TG1-$R " "segment and tag together: both must hold"
req b GET "/staff/?segment=it-tgseg-$R&tag=x$R&tag=y$R" >/dev/null
is "$(names b)" "=cmd " "B, the same filters: only B's own lead"

ids() { grep -o '"lead_id": *[0-9]*' "$W/$1.body" | grep -o '[0-9]*$' | sort -n | tr '\n' ' '; }
is "$(req a GET "/api/v1/staff/leads?segment=it-tgseg-$R")" 200 "the JSON list by segment"
is "$(ids a)" "$(printf '%s\n' "$l1" "$l3" | sort -n | tr '\n' ' ')" "... lists A's two leads of the segment"
req a GET "/api/v1/staff/leads?tag=y$R&tag=x$R" >/dev/null
is "$(ids a)" "$(printf '%s\n' "$l1" "$l4" | sort -n | tr '\n' ' ')" "the JSON list by two tags"
like "$(body a)" '"segments": *\[[^]]*"it-tgseg-'"$R"'"' "... and offers the segments to choose from"
is "$(req a GET "/api/v1/staff/leads?segment=no-such-$R")" 422 "an unknown segment: 422"
like "$(body a)" '"field": *"segment"' "... naming the segment"

req adm GET "/staff/?segment=it-tgseg-$R" >/dev/null
like "$(body adm)" "href=\"/staff/segments.csv\?name=it-tgseg-$R\" download" "an admin looking at a segment is offered its CSV"

# The CSV download: an admin's, a hostile tag first on one lead, a hostile name on another.
admin "update landform.leads set tags = '{\"=HYPERLINK(\\\"http://x\\\")\"}' || tags where id = $l1"
is "$(req adm GET "/staff/segments.csv?name=it-tgseg-$R")" 200 "an admin downloads the segment as CSV"
like "$(hdr adm Content-Type)" '^text/csv; charset=utf-8' "... as text/csv"
like "$(hdr adm Content-Disposition)" "^attachment; .*filename\\*=UTF-8''it-tgseg-$R.csv" "... as a file named for the segment"
is "$(tail -c +4 "$W/adm.body" | head -1 | tr -d '\r')" "lead_id,phone,name,stage,owner,pool,channel,page,tags,first_seen,last_seen" \
    "... with a header row after the byte order mark"
is "$(grep -c "^$l1,\|^$l3,\|^$l5," "$W/adm.body")" 3 "... one row for each lead of the segment, whoever owns it"
like "$(grep "^$l1," "$W/adm.body")" "^$l1,\\+86137${R}1001,TG1-$R,.*,\"'=HYPERLINK\\(\"\"http://x\"\"\\);" \
    "... the full phone, and a cell starting with a hostile tag starts with ' (cannot run)"
like "$(grep "^$l5," "$W/adm.body")" "^$l5,\\+86137${R}1005,'=cmd\\|' /C calc'!A0," "... and so does a hostile name"
is "$(req a GET "/staff/segments.csv?name=it-tgseg-$R")" 403 "a member may not download a segment"
unlike "$(body a)" "137${R}100" "... and gets no phone number"
is "$(req nobody GET "/staff/segments.csv?name=it-tgseg-$R")" 303 "without a session: to the login page"
is "$(req adm GET "/staff/segments.csv?name=no-such-$R")" 404 "an unknown segment: 404"
admin "select landform.drop_segment('it-tgseg-$R')"
t_done
