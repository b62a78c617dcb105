#!/usr/bin/env bash
# Reports under concurrency: 8 sessions submit (new and repeat, two pages, three channels)
# while two dispatchers run dispatch() and tick_notifications(), two staff sessions accept,
# contact, move stages and record deals, and a counter flusher counts traffic. Afterwards
# every rollup equals a recount from the rows and every notice exists exactly once.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.register_page('ask', 'Ask', 'consult');
   SELECT landform.set_pool('default', p_claim_timeout => interval '1 hour');
   SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a','b','c']) l;
   SELECT landform.join_pool('default', l) FROM unnest(ARRAY['a','b','c']) l;
   SELECT landform.set_notifications(p_expiry_warning => '1 hour');" >/dev/null

t0=$(now_s)
pids=()
for w in 1 2 3 4 5 6 7 8; do
	psql -X -q -v ON_ERROR_STOP=1 -c "
	DO \$\$
	BEGIN
		PERFORM setseed($w / 10.0);
		FOR i IN 1..300 LOOP
			PERFORM landform.submit(CASE WHEN i % 4 = 0 THEN 'ask' ELSE 'demo' END,
				(ARRAY['wx', 'qr', NULL])[1 + i % 3],
				'+86138' || lpad((floor(random() * 1500))::text, 8, '0'), NULL, 'q', '{}', 'ok',
				'w$w-' || i, NULL, NULL, NULL);
			COMMIT;
		END LOOP;
	END \$\$;" >/dev/null &
	pids+=($!)
done
for d in 1 2; do
	psql -X -q -v ON_ERROR_STOP=1 -c "
	DO \$\$
	BEGIN
		FOR i IN 1..150 LOOP
			PERFORM landform.dispatch();
			COMMIT;
			PERFORM landform.tick_notifications();
			COMMIT;
			PERFORM pg_sleep(0.01);
		END LOOP;
	END \$\$;" >/dev/null &
done
for s in a b; do
	psql -X -q -v ON_ERROR_STOP=1 -c "
	DO \$\$
	DECLARE
		r record;
	BEGIN
		FOR i IN 1..60 LOOP
			FOR r IN SELECT a.id, a.staff_id, a.lead_id FROM landform.assignments a
			         WHERE a.closed_at IS NULL AND a.accepted_at IS NULL AND a.staff_id IS NOT NULL
			         ORDER BY random() LIMIT 10 LOOP
				PERFORM landform.accept(r.id, r.staff_id);
				COMMIT;
				UPDATE landform.leads SET first_contact_at = coalesce(first_contact_at, now())
				WHERE id = r.lead_id AND state = 'owned';
				COMMIT;
				IF random() < 0.5 THEN
					UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages ORDER BY random() LIMIT 1)
					WHERE id = r.lead_id AND state = 'owned';
					COMMIT;
				END IF;
				IF random() < 0.3 AND EXISTS (SELECT 1 FROM landform.leads WHERE id = r.lead_id) THEN
					PERFORM landform.add_deal(r.lead_id, 100);
					COMMIT;
				END IF;
			END LOOP;
			PERFORM pg_sleep(0.02);
		END LOOP;
	END \$\$;" >/dev/null &
done
psql -X -q -v ON_ERROR_STOP=1 -c "
DO \$\$
BEGIN
	FOR i IN 1..100 LOOP
		PERFORM landform.count_traffic(jsonb_build_array(
			jsonb_build_object('page', 'demo', 'channel', 'wx', 'views', 3, 'opens', 1,
			                   'visitors', 2),
			jsonb_build_object('page', 'ask', 'views', 1)));
		COMMIT;
	END LOOP;
END \$\$;" >/dev/null &
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
wait || fail=1
tap_is "$fail" 0 "every session finished without an error"
echo "# 2400 submissions with dispatch, ticks, accepts, contacts, stages, deals and traffic alongside: $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }') s"
q "SELECT * FROM landform.dispatch()" >/dev/null
q "SELECT * FROM landform.tick_notifications()" >/dev/null

echo "# $(q "SELECT 'leads ' || count(*) || ', accepted ' || count(accepted_at) || ', contacted ' || count(first_contact_at)
            || ', won ' || count(won_at) FROM landform.leads"), deals $(q "SELECT count(*) FROM landform.deals"), notices $(q "SELECT count(*) FROM landform.outbox")"
tap_is "$(q "SELECT count(*) FROM (
	(SELECT page_id, channel_id, day, consultations, assigned, accepted, contacted, won FROM landform.lead_daily
	 EXCEPT ALL SELECT * FROM landform_test.lead_daily_recount())
	UNION ALL
	(SELECT * FROM landform_test.lead_daily_recount()
	 EXCEPT ALL SELECT page_id, channel_id, day, consultations, assigned, accepted, contacted, won FROM landform.lead_daily)) x")" 0 \
	"lead_daily equals a recount from the rows"
tap_is "$(q "SELECT count(*) FROM (
	(SELECT * FROM landform_test.staff_daily_sums() EXCEPT ALL SELECT * FROM landform_test.staff_daily_recount())
	UNION ALL
	(SELECT * FROM landform_test.staff_daily_recount() EXCEPT ALL SELECT * FROM landform_test.staff_daily_sums())) x")" 0 \
	"staff_daily sums to a recount from offers and leads (counts and every second behind the medians)"
tap_is "$(q "SELECT count(*) FROM (SELECT staff_id, day FROM landform.staff_daily GROUP BY 1, 2 HAVING count(*) > 1) x")" 0 \
	"the ticks folded it to one row per member-day"
tap_is "$(q "SELECT sum(submissions) || ' ' || sum(new_leads) || ' ' || sum(consultations) || ' ' || sum(views) FROM landform.funnel_daily")" \
	"$(q "SELECT (SELECT count(*) FROM landform.submissions) || ' ' || (SELECT count(*) FROM landform.leads) || ' ' ||
	           (SELECT count(*) FROM landform.consultations) || ' ' || 400")" \
	"the funnel's submissions, new leads, consultations and views equal the rows"
tap_is "$(q "SELECT sum(visitors) FROM landform.funnel_daily WHERE channel = 'wx'")" 200 \
	"unique visitors equal what the 100 flushes counted"
tap_is "$(q "SELECT sum(won) || ' ' || sum(orders) FROM landform.channel_monthly")" \
	"$(q "SELECT (SELECT count(*) FROM landform.leads WHERE won_at IS NOT NULL) || ' ' || (SELECT count(*) FROM landform.deals)")" \
	"won leads and orders equal the rows"
tap_is "$(q "SELECT count(*) FROM landform.assignments a WHERE a.staff_id IS NOT NULL AND a.via = 'rotation'
             AND (SELECT count(*) FROM landform.outbox o WHERE o.kind = 'assigned' AND o.assignment_id = a.id) <> 1")" 0 \
	"every offer has exactly one assigned notice"
tap_is "$(q "SELECT count(*) FROM landform.assignments a WHERE a.accepted_at IS NULL AND a.closed_at IS NULL AND a.staff_id IS NOT NULL
             AND (SELECT count(*) FROM landform.outbox o WHERE o.kind = 'expiring' AND o.assignment_id = a.id) <> 1")" 0 \
	"every offer still open got exactly one expiring warning from the two ticking dispatchers"
tap_is "$(q "SELECT count(*) - count(DISTINCT idem_key) FROM landform.outbox")" 0 "no notice key twice"
tap_is "$(q "SELECT count(*) FROM landform.leads l WHERE l.state = 'owned' AND (l.accepted_at IS NULL)")" 0 \
	"every owned lead has its first acceptance time"
