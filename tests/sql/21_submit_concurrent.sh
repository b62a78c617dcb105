#!/usr/bin/env bash
# submit() under concurrency: retries with the same idempotency key from 8 sessions at once
# store one submission; one phone from 8 sessions at once makes one lead; lead_mark() for new leads.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   CREATE TABLE res (sess int, i int, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean);" >/dev/null

# Same keys from every session: 200 keys, 8 sessions, same order, so they collide.
gate_open 1
for s in 1 2 3 4 5 6 7 8; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR i IN 1..200 LOOP
		INSERT INTO res SELECT $s, i, r.* FROM landform.submit('demo', 'wx',
			'+86139' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL, 'same-key-' || i, NULL, NULL, NULL) r;
		COMMIT;
	END LOOP; END \$\$;" >/dev/null &
done
wait
tap_is "$(q "SELECT count(*) FROM res")" 1600 "8 sessions x 200 retries all answered"
tap_is "$(q "SELECT count(*) FROM landform.submissions")" 200 "concurrent retries stored one submission per key"
tap_is "$(q "SELECT count(*) FROM (SELECT i FROM res GROUP BY i HAVING count(DISTINCT submission_id) = 1 AND count(DISTINCT lead_id) = 1) s")" 200 \
	"every retry of a key got the same submission and lead"
tap_is "$(q "SELECT count(*) FROM res WHERE NOT replayed")" 200 "exactly one call per key was the original, the rest replayed"
tap_is "$(q "SELECT bool_and(new_lead)::text FROM res")" true "replays report the original new_lead"
tap_is "$(q "SELECT count(*) FROM landform.leads")" 200 "one lead per key"
tap_is "$(q "SELECT sum(submissions) FROM landform.page_daily")" 200 "counters bumped once per key"

# Same phones, different keys: one lead per phone, every submission kept.
q "TRUNCATE res" >/dev/null
gate_open 1
for s in 1 2 3 4 5 6 7 8; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR i IN 1..100 LOOP
		INSERT INTO res SELECT $s, i, r.* FROM landform.submit('demo', NULL,
			'+86137' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL, 'phone-$s-' || i, NULL, NULL, NULL) r;
		COMMIT;
	END LOOP; END \$\$;" >/dev/null &
done
wait
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86137%'")" 100 "one phone from 8 sessions at once makes one lead"
tap_is "$(q "SELECT count(*) FROM res WHERE new_lead")" 100 "exactly one submission per phone reports a new lead"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86137%' AND submissions = 8")" 100 "each lead counts its 8 submissions"
tap_is "$(q "SELECT count(*) FROM landform.submissions s JOIN landform.leads l ON l.id = s.lead_id WHERE l.phone LIKE '+86137%'")" 800 \
	"every submission is kept"

# lead_mark() (what dispatchers poll) moves with a new lead. (A repeat may move it too: its
# insert attempt draws an id before the phone is found taken. That only wakes a dispatcher.)
m0=$(q "SELECT landform.lead_mark()")
q "SELECT lead_id FROM landform.submit('demo', NULL, '+8613600000001', NULL, NULL, '{}', NULL, 'n1', NULL, NULL, NULL)" >/dev/null
m1=$(q "SELECT landform.lead_mark()")
q "SELECT lead_id FROM landform.submit('demo', NULL, '+8613600000001', NULL, NULL, '{}', NULL, 'n2', NULL, NULL, NULL)" >/dev/null
m2=$(q "SELECT landform.lead_mark()")
id=$(q "SELECT id FROM landform.leads WHERE phone = '+8613600000001'")
tap_is "$([ "$m1" -gt "$m0" ] && [ "$m1" -ge "$id" ] && [ "$m2" -ge "$m1" ] && echo moved)" moved \
	"a new lead moves lead_mark() up to at least its id ($m0 -> $m1, lead $id)"
