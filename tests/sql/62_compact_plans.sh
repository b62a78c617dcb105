#!/usr/bin/env bash
# The rollup compactions fold in one pass whatever the statistics say. page_daily and staff_daily
# churn (rows added by every submission and dispatch round, folded every tick), so their
# statistics are often stale; with them the planner once re-ran the grouping for every row
# (page_daily: 2,944 rows took a second, a burst's backlog timed the tick out and stalled the
# dispatcher). Checked through the plans auto_explain prints.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

# Stale statistics, as the churn leaves them: a table that held a busy day's rows, folded and
# vacuumed down to one live row at its end (so its pages stay), analyzed. A burst then fills the
# free space: the table does not grow, and the planner still expects about one row.
q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.add_staff('ann', 'Ann');
   INSERT INTO landform.page_daily (page_id, channel_id, day, submissions, leads)
   SELECT (SELECT id FROM landform.pages WHERE slug = 'demo'), NULL, current_date - 1, 1, 1
   FROM generate_series(1, 30000);
   INSERT INTO landform.staff_daily (staff_id, day, received)
   SELECT (SELECT id FROM landform.staff WHERE login = 'ann'), current_date - 1, 1
   FROM generate_series(1, 30000);
   DELETE FROM landform.page_daily WHERE ctid <> (SELECT max(ctid) FROM landform.page_daily);
   DELETE FROM landform.staff_daily WHERE ctid <> (SELECT max(ctid) FROM landform.staff_daily);" >/dev/null
q "VACUUM ANALYZE landform.page_daily" >/dev/null
q "VACUUM ANALYZE landform.staff_daily" >/dev/null
q "INSERT INTO landform.page_daily (page_id, channel_id, day, submissions, leads)
   SELECT (SELECT id FROM landform.pages WHERE slug = 'demo'), NULL, current_date, 1, 1
   FROM generate_series(1, 3000);
   INSERT INTO landform.staff_daily (staff_id, day, received)
   SELECT (SELECT id FROM landform.staff WHERE login = 'ann'), current_date, 1
   FROM generate_series(1, 3000);" >/dev/null

# plans FUNCTION: what auto_explain prints for every statement the call runs.
plans() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -c "LOAD 'auto_explain'" \
		-c "SET auto_explain.log_min_duration = 0" -c "SET auto_explain.log_nested_statements = on" \
		-c "SET auto_explain.log_analyze = on" -c "SET auto_explain.log_timing = off" \
		-c "SET auto_explain.log_level = notice" -c "SET client_min_messages = notice" \
		-c "SELECT landform.$1(current_date - 7)" 2>&1
}
# The most rows any one plan node handled (rows x loops): about the table's size when each node
# runs once or per row of a small input; its square when a grouping is re-run for every row.
most_work() {
	grep -o 'actual rows=[0-9]* loops=[0-9]*' | awk -F'[= ]' '{ w = $3 * $5; if (w > m) m = w } END { print m + 0 }'
}

# check TABLE COLUMN: compact_TABLE's plan stays linear, and it folds today's rows into one.
check() {
	local w
	w=$(plans "compact_$1" | sed -n "/DELETE FROM landform.$1/,/CONTEXT/p" | most_work)
	tap_ok "$( [ "$w" -gt 0 ] && [ "$w" -le 12000 ]; echo $? )" \
		"compact_$1's plan stays linear on 3,000 rows with stale statistics (most rows in one node: $w)"
	tap_is "$(q "SELECT count(*) || ':' || sum($2) FROM landform.$1")" "2:3001" \
		"... and folds them into one row with the sum (yesterday's row stays apart)"
}
check page_daily submissions
check staff_daily received
