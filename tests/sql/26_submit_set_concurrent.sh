#!/usr/bin/env bash
# submit_batch's set-based path under concurrency, as replay meets it: 4 sessions store the same
# 200 spooled records (same keys, same phones) in batches of 50, each in its own batch order, at
# once: each record is stored exactly once, with one lead per phone, and nothing fails or
# deadlocks. A key another transaction is storing while a batch runs is replayed after it
# commits, not stored twice (the batch waits on the key's lock, then looks).
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   CREATE TABLE res (sess int, ord bigint, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean);" >/dev/null

gate_open 1
for s in 1 2 3 4; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR k IN 0..3 LOOP
		INSERT INTO res SELECT $s, r.* FROM landform.submit_batch((
			SELECT jsonb_agg(jsonb_build_object('page', 'demo', 'phone', '+86136' || lpad(i::text, 8, '0'),
				'fields', '{}'::jsonb, 'idem_key', 'spooled-' || i, 'received_at', now() - interval '1 minute')
				ORDER BY (i * $s * 7) % 50)
			FROM generate_series(((k + $s) % 4) * 50 + 1, ((k + $s) % 4) * 50 + 50) AS i)) r;
		COMMIT;
	END LOOP; END \$\$;" > "/tmp/lf-set-$$.$s" 2>&1 &
done
sessions_done "/tmp/lf-set-$$" "4 sessions replaying the same records at once"
tap_is "$(q "SELECT count(*) FROM res")" 800 "every record answered in every session"
tap_is "$(q "SELECT count(*) FROM landform.submissions")" 200 "each record stored exactly once"
tap_is "$(q "SELECT count(*) FROM res WHERE NOT replayed")" 200 "... one session stored it, the others replayed it"
tap_is "$(q "SELECT count(*) FROM (SELECT 1 FROM res r JOIN landform.submissions s ON s.id = r.submission_id
             GROUP BY s.id HAVING count(DISTINCT r.lead_id) = 1 AND count(*) = 4) x")" 200 \
	"every session got the same submission and lead for a record"
tap_is "$(q "SELECT count(*) || '/' || sum(submissions) FROM landform.leads")" "200/200" "one lead per phone, each counted once"
tap_is "$(q "SELECT sum(submissions) || '/' || sum(leads) FROM landform.page_daily")" "200/200" "page_daily counts each once"

# A key held by an open transaction while a batch with it runs.
psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" \
	-c "SELECT landform.submit('demo', NULL, '+8613500000001', NULL, NULL, '{}', NULL, 'held', NULL, NULL, NULL)" \
	-c "SELECT pg_sleep(1.5)" -c "COMMIT" >/dev/null &
sleep 0.7
got=$(q "SELECT string_agg(ord || ':' || replayed, ',' ORDER BY ord) FROM landform.submit_batch((
	SELECT jsonb_agg(jsonb_build_object('page', 'demo', 'phone', '+86135000000' || lpad(n::text, 2, '0'), 'fields', '{}'::jsonb,
	                                    'idem_key', CASE n WHEN 1 THEN 'held' ELSE 'h-' || n END) ORDER BY n)
	FROM generate_series(1, 16) n)) WHERE ord <= 3" 2>&1)
wait
tap_is "$got" "1:true,2:false,3:false" "a batch meeting a key being stored elsewhere waits, then replays it"
tap_is "$(q "SELECT count(*) FROM landform.submissions WHERE idem_key = 'held'")" 1 "... stored once"
