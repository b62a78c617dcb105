#!/usr/bin/env bash
# 100,000 CSV rows through \copy and import_staged(): timed, deduplicated, refused rows
# reported, the new leads shared evenly among 5 members.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.add_staff('s' || i, 'Seller ' || i) FROM generate_series(1, 5) i;
   SELECT landform.join_pool('default', 's' || i) FROM generate_series(1, 5) i;
   -- 50 of the file's phones are already leads.
   SELECT count(*) FROM (SELECT landform.submit('demo', NULL, '+86138' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL,
          'pre' || i, NULL, NULL, NULL) FROM generate_series(7, 100000, 2000) i) s;
   SELECT * FROM landform.dispatch();" >/dev/null

# The file: every spelling, 100 bad phones, 100 repeats of the row before, 50 known phones.
q "COPY (SELECT CASE WHEN i % 1000 = 0 THEN 'n/a'
                     WHEN i % 1000 = 500 THEN '138' || lpad((i - 1)::text, 8, '0')
                     WHEN i % 4 = 0 THEN '138 ' || substr(lpad(i::text, 8, '0'), 1, 4) || ' ' || substr(lpad(i::text, 8, '0'), 5)
                     WHEN i % 4 = 1 THEN '+86 138-' || lpad(i::text, 8, '0')
                     WHEN i % 4 = 2 THEN '0086138' || lpad(i::text, 8, '0')
                     ELSE '138' || lpad(i::text, 8, '0') END AS phone,
                'Name ' || i AS name, 'ch' || (i % 10) AS channel,
                CASE WHEN i % 3 = 0 THEN 'imported,batch' END AS tags
         FROM generate_series(1, 100000) i) TO STDOUT WITH (FORMAT csv, HEADER true)" >"$tmp/leads.csv"
tap_is "$(wc -l <"$tmp/leads.csv")" 100001 "a CSV of 100,000 rows and a header"

t0=$(now_s)
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy landform.import_staging (phone, name, channel, tags) FROM '$tmp/leads.csv' WITH (FORMAT csv, HEADER true)"
t1=$(now_s)
rep=$(q "SELECT total || ' ' || imported || ' ' || refused || ' ' || assigned || ' ' || refused_by_reason::text FROM landform.import_staged()")
t2=$(now_s)
secs=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')
echo "# \\copy of 100,000 rows: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; import_staged (check, insert, rotate): $secs s"
read -r total imported refused assigned reasons <<<"$rep"
tap_is "$total/$imported/$refused" "100000/99750/250" "100,000 rows: 99,750 imported, 250 refused"
tap_is "$reasons" '{"bad_char": 100, "already_known": 50, "duplicate_in_file": 100}' "refusals by reason"
tap_is "$assigned" 99750 "every new lead was assigned in the same call"
tap_ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 20) }'; echo $?)" "import and distribution took seconds ($secs s)"
tap_ok "$( [ "$(q "SELECT max(n) - min(n) FROM (SELECT count(*) n FROM landform.assignments GROUP BY staff_id) x")" -le 1 ]; echo $?)" \
	"the 99,800 leads are shared within one among 5 members (counts differ by at most one)"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE state = 'waiting'")" 0 "none left waiting"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE 'batch' = ANY (tags)")" 33250 "tags were kept"
tap_is "$(q "SELECT count(*) FROM landform.import_rejects")" 250 "every refused row is listed in import_rejects"
