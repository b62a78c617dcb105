#!/usr/bin/env bash
# accept() against expiry by dispatch(): raced 1000 times at the deadline, exactly one wins
# each time and the loser learns it. Plus the two orders forced with a row lock.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.set_pool('default', p_claim_timeout => interval '1 hour');
   SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a','b']) l;
   SELECT landform.join_pool('default', l) FROM unnest(ARRAY['a','b']) l;
   SELECT count(*) FROM (SELECT landform.submit('demo', NULL, '+86130' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL,
                                             'k' || i, NULL, NULL, NULL) FROM generate_series(1, 1000) i) s;
   SELECT * FROM landform.dispatch();
   -- Deadlines 3 ms apart, starting in 1.5 s.
   CREATE TABLE race AS
   SELECT a.id, a.staff_id, clock_timestamp() + interval '1.5 s' + (row_number() OVER (ORDER BY a.id)) * interval '3 ms' AS deadline,
          NULL::text AS result
   FROM landform.assignments a;
   UPDATE landform.assignments a SET deadline = r.deadline FROM race r WHERE r.id = a.id;" >/dev/null

# The acceptor: each accept between 1.8 ms before and 1.2 ms after its deadline, in a fresh
# transaction (so now() is then).
psql -X -q -v ON_ERROR_STOP=1 -c "
DO \$\$
DECLARE
	r record;
BEGIN
	PERFORM setseed(0.5);
	FOR r IN SELECT * FROM race ORDER BY deadline LOOP
		PERFORM pg_sleep(greatest(0, extract(epoch FROM r.deadline - clock_timestamp()) + (random() - 0.6) * 0.003));
		COMMIT;
		UPDATE race SET result = landform.accept(r.id, r.staff_id) WHERE id = r.id;
		COMMIT;
	END LOOP;
END \$\$;" >/dev/null &
# Two expirers: dispatch() in a loop until every raced offer is decided.
race_expirers 60
wait

tap_is "$(q "SELECT count(*) FROM race WHERE result IS NOT NULL")" 1000 "1000 accepts answered"
tap_is "$(q "SELECT count(*) FROM race r JOIN landform.assignments a ON a.id = r.id
             WHERE (r.result = 'accepted' AND a.outcome = 'accepted' AND a.closed_at IS NULL)
                OR (r.result = 'expired' AND a.outcome = 'expired' AND a.accepted_at IS NULL)")" 1000 \
	"every race has exactly one winner, and the loser was told (accepted <-> kept, expired <-> taken back)"
won=$(q "SELECT count(*) FROM race WHERE result = 'accepted'")
echo "# accept won $won races, expiry won $((1000 - won))"
# Who wins depends on the machine's load (a busy CI box can make every accept late), so the
# split is reported, not asserted; both orders are forced deterministically below.
[ "$won" -gt 0 ] && [ "$won" -lt 1000 ] || echo "# note: one side won every race this time; the forced orders below still cover both"
tap_is "$(q "SELECT count(*) FROM landform.leads l WHERE (SELECT count(*) FROM landform.assignments a WHERE a.lead_id = l.id AND a.closed_at IS NULL) <> 1")" 0 \
	"every lead has exactly one open assignment"
tap_is "$(q "SELECT count(*) FROM race r JOIN landform.assignments a ON a.id = r.id JOIN landform.leads l ON l.id = a.lead_id
             WHERE r.result = 'expired' AND (l.owner_id = r.staff_id OR l.state <> 'pending')")" 0 \
	"every lost lead went to the other member"

# Forced orders: a third session holds the row; whoever queued first wins.
force() { # $1 = deadline offset (s), $2 = accept start (s), $3 = accept in-transaction delay, $4 = dispatch start
	q "SELECT landform.submit('demo', NULL, '+8613900000$5', NULL, NULL, '{}', NULL, 'f$5', NULL, NULL, NULL);
	   SELECT * FROM landform.dispatch();" >/dev/null
	local id staff
	id=$(q "SELECT a.id FROM landform.assignments a JOIN landform.leads l ON l.id = a.lead_id WHERE l.phone = '+8613900000$5'")
	staff=$(q "SELECT staff_id FROM landform.assignments WHERE id = $id")
	q "UPDATE landform.assignments SET deadline = clock_timestamp() + interval '$1 s' WHERE id = $id" >/dev/null
	psql -X -q -c "BEGIN" -c "SELECT 1 FROM landform.assignments WHERE id = $id FOR UPDATE" \
		-c "SELECT pg_sleep(2.2)" -c "COMMIT" >/dev/null &
	(sleep "$2"; psql -X -q -A -t -c "BEGIN" -c "SELECT pg_sleep($3)" \
		-c "SELECT 'accept=' || landform.accept($id, $staff)" -c "COMMIT" >"$tmp/accept") &
	(sleep "$4"; psql -X -q -A -t -c "SELECT 'expired=' || expired FROM landform.dispatch()" >"$tmp/dispatch") &
	wait
	cat "$tmp/accept" "$tmp/dispatch" | grep = | tr '\n' ' '
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_is "$(force 1.0 0.3 0 1.3 01)" "accept=accepted expired=0 " "accept queued first on the row wins; the expiry then finds it accepted"
tap_is "$(force 0.6 0.1 1.2 0.9 02)" "accept=expired expired=1 " "expiry queued first wins; the accept, started before the deadline, learns it expired"
