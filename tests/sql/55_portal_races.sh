#!/usr/bin/env bash
# Portal races, as landform_app from separate sessions at once: two members tapping claim on
# the same 200 open-pool leads (exactly one gets each, the other is told lost_race), and a
# member accepting 200 offers while two dispatchers expire them at their deadlines (each
# offer is either accepted or taken back, and the portal says which).
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

tok() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
sa=$(tok "session a"); sb=$(tok "session b")
q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a', 'b']) l;
   SELECT landform.join_pool('default', l) FROM unnest(ARRAY['a', 'b']) l;
   SELECT landform.set_password(l, '\$argon2id\$v=19\$m=65536,t=2,p=1\$c2FsdHNhbHQ\$aGFzaGhhc2g') FROM unnest(ARRAY['a', 'b']) l;
   SELECT landform.portal_login_finish('a', NULL, landform._staff_id('a'), '$sa', 'csrf-$sa', NULL, NULL);
   SELECT landform.portal_login_finish('b', NULL, landform._staff_id('b'), '$sb', 'csrf-$sb', NULL, NULL);
   SELECT count(*) FROM (SELECT landform.submit('demo', NULL, '+86138' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL,
                                             'k' || i, NULL, NULL, NULL) FROM generate_series(1, 200) i) s;
   SELECT * FROM landform.dispatch();
   SELECT count(*) FROM (SELECT landform.release(id) FROM landform.leads) s;
   CREATE TABLE claims (who text, lead bigint, status text, reason text);
   GRANT SELECT, INSERT ON claims TO landform_app;" >/dev/null
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE state = 'open'")" 200 "scene: 200 leads in the open pool"

app() { PGOPTIONS="${PGOPTIONS:-} -c role=landform_app" psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
gate_open 1
for who in a b; do
	s=$(tok "session $who")
	app -c "$gate_wait" -c "
	DO \$\$
	DECLARE
		r jsonb;
	BEGIN
		FOR i IN 1..200 LOOP
			r := landform.portal_action('$s', 'csrf-$s', 'claim', i, '{}');
			INSERT INTO claims VALUES ('$who', i, r->>'status', r->>'reason');
			COMMIT;
		END LOOP;
	END \$\$;" >/dev/null &
done
wait
tap_is "$(q "SELECT count(*) FROM claims")" 400 "400 claims answered"
tap_is "$(q "SELECT count(*) FROM (SELECT lead FROM claims GROUP BY lead
                                   HAVING count(*) FILTER (WHERE status = 'ok') = 1
                                      AND count(*) FILTER (WHERE status = 'lost_race' AND reason = 'claimed') = 1) x")" 200 \
	"every lead: one claim ok, the other lost_race (claimed)"
tap_is "$(q "SELECT count(*) FROM claims c JOIN landform.leads l ON l.id = c.lead
             WHERE c.status = 'ok' AND l.owner_id = landform._staff_id(c.who) AND l.state = 'owned'")" 200 \
	"each lead belongs to the member told ok"
won=$(q "SELECT string_agg(n::text, '/' ORDER BY who) FROM (SELECT who, count(*) n FROM claims WHERE status = 'ok' GROUP BY who) x")
echo "# claims won a/b: $won"

# Accept against expiry: 200 new offers to a, deadlines 5 ms apart; a taps each around its
# deadline while two dispatchers loop.
q "SELECT landform.set_on_duty('b', false);
   SELECT count(*) FROM (SELECT landform.submit('demo', NULL, '+86139' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL,
                                             'n' || i, NULL, NULL, NULL) FROM generate_series(1, 200) i) s;
   SELECT * FROM landform.dispatch();
   SELECT landform.set_on_duty('b', true);
   CREATE TABLE race AS
   SELECT a.id, a.lead_id, clock_timestamp() + interval '1.5 s' + (row_number() OVER (ORDER BY a.id)) * interval '5 ms' AS deadline,
          NULL::text AS status, NULL::text AS reason
   FROM landform.assignments a WHERE a.closed_at IS NULL AND a.accepted_at IS NULL;
   GRANT SELECT, UPDATE ON race TO landform_app;
   UPDATE landform.assignments a SET deadline = r.deadline FROM race r WHERE r.id = a.id;" >/dev/null
tap_is "$(q "SELECT count(*) FROM race")" 200 "scene: 200 offers to a"
app -c "
DO \$\$
DECLARE
	r record;
	v jsonb;
BEGIN
	PERFORM setseed(0.25);
	FOR r IN SELECT * FROM race ORDER BY deadline LOOP
		PERFORM pg_sleep(greatest(0, extract(epoch FROM r.deadline - clock_timestamp()) + (random() - 0.5) * 0.004));
		COMMIT;
		v := landform.portal_action('$sa', 'csrf-$sa', 'accept', r.lead_id, jsonb_build_object('assignment', r.id));
		UPDATE race SET status = v->>'status', reason = v->>'reason' WHERE id = r.id;
		COMMIT;
	END LOOP;
END \$\$;" >/dev/null &
race_expirers 30
wait
tap_is "$(q "SELECT count(*) FROM race WHERE status IS NOT NULL")" 200 "200 accepts answered"
tap_is "$(q "SELECT count(*) FROM race r JOIN landform.assignments a ON a.id = r.id
             WHERE (r.status = 'ok' AND a.outcome = 'accepted' AND a.closed_at IS NULL)
                OR (r.status = 'lost_race' AND r.reason = 'expired' AND a.accepted_at IS NULL)")" 200 \
	"each accept: ok and kept, or lost_race (expired) and not accepted"
tap_is "$(q "SELECT count(*) FROM race r JOIN landform.leads l ON l.id = r.lead_id
             WHERE r.status = 'lost_race' AND l.owner_id = landform._staff_id('a')")" 0 \
	"a lost lead is never still a's"
echo "# accepts ok/lost: $(q "SELECT count(*) FILTER (WHERE status = 'ok') || '/' || count(*) FILTER (WHERE status = 'lost_race') FROM race")"
