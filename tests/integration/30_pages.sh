#!/usr/bin/env bash
# Page loading: a broken page is reported with file and line and does not take the others
# down; a new page appears on SIGHUP and is registered in the database.
source "$(dirname "$0")/../lib.sh"

master=$(landformd_pid)
rm -rf "$LF_LANDING/broken" "$LF_LANDING/fresh" "$LF_LANDING/badjson"
mkdir -p "$LF_LANDING/broken" "$LF_LANDING/fresh" "$LF_LANDING/badjson"
printf '<html>\n<body>\n{{#open}}\nnever closed\n</body>\n' > "$LF_LANDING/broken/page.html"
cp "$LF_LANDING/demo/form.json" "$LF_LANDING/broken/form.json"
cp "$LF_LANDING/demo/page.html" "$LF_LANDING/badjson/page.html"
printf '{\n  "kind": "lead",\n  "title": {"zh-CN": "x", "en": "x"},\n  "fields": [\n    {"name": "Bad Name", "type": "text"}\n  ]\n}\n' > "$LF_LANDING/badjson/form.json"
cp "$LF_LANDING/ask/page.html" "$LF_LANDING/ask/form.json" "$LF_LANDING/fresh/"
: > "$LF_LOG/landformd.log.mark"; lines=$(wc -l < "$LF_LOG/landformd.log")
kill -HUP "$master"
reloaded() { tail -n +"$lines" "$LF_LOG/landformd.log" | grep -q 'landing page(s) loaded'; }
wait_for 10 reloaded
sleep 0.5
log=$(tail -n +"$lines" "$LF_LOG/landformd.log")
like "$log" "broken/page.html:3: [^;]*; page 'broken' skipped" "a broken template is reported with file and line"
like "$log" "badjson/form.json:5: [^;]*; page 'badjson' skipped" "a broken form.json is reported with file and line"
unlike "$log" "fresh form not cached" \
    "every page that loaded serves its fresh form from the stencil made at start (none fell back to rendering)"
is "$(status GET /p/broken)" 404 "the broken page is not served"
is "$(status GET /p/demo)" 200 "the other pages keep serving"
is "$(status GET /p/fresh)" 200 "a page added before SIGHUP is served"
registered() { [ "$(q "select kind from landform.pages where slug = 'fresh'")" = consult ]; }
check "... and registered in the database with its kind" wait_for 5 registered
rm -rf "$LF_LANDING/broken" "$LF_LANDING/fresh" "$LF_LANDING/badjson"
t_done
