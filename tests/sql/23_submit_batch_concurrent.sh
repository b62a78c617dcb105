#!/usr/bin/env bash
# submit_batch() under concurrency: 4 sessions store batches of the same 20 phones, each in its
# own order, at once. Batches take their phones in one order, so none deadlocks, none fails, and
# every submission is kept on one lead per phone.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead')" >/dev/null

gate_open 1
for s in 1 2 3 4; do
	# Session s orders the phones by (i * s * 7) mod 20: four different orders, two reversed.
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR k IN 1..25 LOOP
		PERFORM * FROM landform.submit_batch((
			SELECT jsonb_agg(jsonb_build_object('page', 'demo',
				'phone', '+86135' || lpad(i::text, 8, '0'), 'fields', '{}'::jsonb,
				'idem_key', 'c-$s-' || k || '-' || i)
				ORDER BY CASE WHEN $s % 2 = 0 THEN -i ELSE i END * ((i * $s * 7) % 20 + 1))
			FROM generate_series(1, 20) AS i));
		COMMIT;
	END LOOP; END \$\$;" > "/tmp/lf-batch-$$.$s" 2>&1 &
done
sessions_done "/tmp/lf-batch-$$" "4 sessions storing batches of the same phones in different orders"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86135%'")" 20 "one lead per phone"
tap_is "$(q "SELECT count(*) FROM landform.submissions")" 2000 "every submission is kept (4 x 25 x 20)"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86135%' AND submissions = 100")" 20 \
	"each lead counts its 100 submissions"
tap_is "$(q "SELECT sum(submissions) || '/' || sum(leads) FROM landform.page_daily")" "2000/20" \
	"page_daily counts every submission and each new lead once"
