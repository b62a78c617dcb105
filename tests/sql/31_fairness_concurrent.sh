#!/usr/bin/env bash
# 16 sessions submit 3000 leads and call dispatch() concurrently while a 17th samples the
# counts: with 3 equal members the counts never differ by more than one at any committed
# moment, end at 1000 each, nothing unassigned, nothing assigned twice.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a','b','c']) l;
   SELECT landform.join_pool('default', l) FROM unnest(ARRAY['a','b','c']) l;
   CREATE TABLE sample (spread bigint, total bigint);
   CREATE TABLE done (sess int);" >/dev/null

t0=$(now_s)
gate_open 1
for s in $(seq 0 15); do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN
		FOR n IN 0..2999 LOOP
			CONTINUE WHEN n % 16 <> $s;
			PERFORM landform.submit('demo', 'c' || (n % 5), '+86138' || lpad(n::text, 8, '0'), NULL, NULL,
			                        '{}', NULL, 'key-' || n, NULL, NULL, NULL);
			COMMIT;
			IF n % 7 = 0 THEN PERFORM landform.dispatch(); COMMIT; END IF;
		END LOOP;
		PERFORM landform.dispatch();
		INSERT INTO done VALUES ($s);
	END \$\$;" >/dev/null &
done
# The sampler: one snapshot per sample, until every submitter is done.
psql -X -q -v ON_ERROR_STOP=1 -c "
DO \$\$ BEGIN
	LOOP
		INSERT INTO sample
		SELECT max(n) - min(n), sum(n) FROM (
			SELECT count(a.id) AS n FROM landform.staff s
			LEFT JOIN landform.assignments a ON a.staff_id = s.id GROUP BY s.id) c;
		COMMIT;
		EXIT WHEN (SELECT count(*) FROM done) = 16;
		PERFORM pg_sleep(0.002);
	END LOOP;
END \$\$;" >/dev/null &
wait
echo "# 3000 submissions from 16 sessions with concurrent dispatch: $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }') s"

q "SELECT * FROM landform.dispatch()" >/dev/null
tap_is "$(q "SELECT count(*) FROM landform.leads")" 3000 "3000 leads stored"
tap_ok "$( [ "$(q "SELECT count(*) FROM sample WHERE total > 0")" -gt 20 ]; echo $?)" \
	"the sampler saw the counts while they grew ($(q "SELECT count(*) FROM sample") samples)"
tap_is "$(q "SELECT max(spread) FROM sample")" 1 "counts never differed by more than one at any sampled moment"
tap_is "$(q "SELECT string_agg(s.login || '=' || c, ' ' ORDER BY s.login) FROM (SELECT staff_id, count(*) c FROM landform.assignments GROUP BY staff_id) x JOIN landform.staff s ON s.id = x.staff_id")" \
	"a=1000 b=1000 c=1000" "3 members, 3000 leads: 1000 each"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE state = 'waiting' OR owner_id IS NULL")" 0 "none unassigned"
tap_is "$(q "SELECT count(*) FROM (SELECT lead_id FROM landform.assignments GROUP BY lead_id HAVING count(*) > 1) x")" 0 \
	"none assigned twice"
tap_is "$(q "SELECT count(*) FROM landform.leads l JOIN landform.assignments a ON a.lead_id = l.id AND a.closed_at IS NULL AND a.staff_id = l.owner_id")" 3000 \
	"each lead's owner is its one open assignment"
