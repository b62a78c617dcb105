#!/usr/bin/env bash
# A rule dropped (and its tag renamed) while submissions (half of them new leads, tagged as they
# are written, half again to one of 30), batches of new leads and stage changes tag leads with it: the
# lead row records a rule's tag without a foreign key (leads.rule_tags), so the rule lock
# (landform._tag_rules_hold) is what keeps a tag from outliving its rule. After the storm: no
# lead records a rule that is gone, no lead carries the dropped rule's tag, leads.tags is what
# lead_tags lists. A session that loses a deadlock to a drop tries again, as landformd does for a
# submission; any other error fails the test.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.add_tag_rule('wx', '微信', '{\"any_channel\": \"wx\"}');
   SELECT landform.add_tag_rule('talking', '沟通中', '{\"stage\": \"初步沟通\"}');" >/dev/null

# Each statement again after a lost deadlock, counted in the test's table.
q "CREATE TABLE public.retried (n integer);
   CREATE FUNCTION public.again(p_sql text) RETURNS void LANGUAGE plpgsql AS \$\$
   BEGIN
   	LOOP
   		BEGIN
   			EXECUTE p_sql;
   			RETURN;
   		EXCEPTION WHEN deadlock_detected THEN
   			INSERT INTO public.retried VALUES (1);
   		END;
   	END LOOP;
   END \$\$;" >/dev/null

gate_open 1
err=$(mktemp)
for s in 1 2 3; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR i IN 1..200 LOOP
		PERFORM public.again(format('SELECT landform.submit(''demo'', ''wx'', %L, NULL, NULL, %L, NULL, NULL, NULL, NULL, NULL)',
			CASE WHEN i % 2 = 0 THEN '+86138' || lpad(($s * 1000 + i)::text, 8, '0')
			     ELSE '+86139' || lpad(((i * $s) % 30)::text, 8, '0') END, '{\"size\": \"gt100k\"}'));
		COMMIT;
	END LOOP; END \$\$;" >/dev/null 2>>"$err" &
done
# Batches of 12 new leads (submit_batch's set path: each written once with its rule tags).
psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
DO \$\$ BEGIN FOR i IN 1..25 LOOP
	PERFORM public.again(format('SELECT landform.submit_batch(%L)', (SELECT jsonb_agg(jsonb_build_object('page', 'demo',
		'channel', 'wx', 'phone', '+86137' || lpad((i * 100 + k)::text, 8, '0'), 'fields', '{\"size\": \"gt100k\"}'::jsonb))
		FROM generate_series(1, 12) k)));
	COMMIT;
END LOOP; END \$\$;" >/dev/null 2>>"$err" &
psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
DO \$\$ BEGIN FOR i IN 1..200 LOOP
	PERFORM public.again(format('UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages ORDER BY random() LIMIT 1)
	                             WHERE id = (SELECT id FROM landform.leads ORDER BY random() LIMIT 1)'));
	COMMIT;
END LOOP; END \$\$;" >/dev/null 2>>"$err" &
# The admin: a rule tagging every submission added, renamed and dropped, again and again.
psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
DO \$\$ BEGIN FOR i IN 1..15 LOOP
	PERFORM public.again('SELECT landform.add_tag_rule(''flip'', ''F'', ''{\"field\": \"size\", \"eq\": \"gt100k\"}'')');
	COMMIT;
	PERFORM pg_sleep(0.02);
	PERFORM public.again('SELECT landform.set_tag_rule(''flip'', ''F2'')');
	COMMIT;
	PERFORM pg_sleep(0.02);
	PERFORM public.again('SELECT landform.drop_tag_rule(''flip'')');
	COMMIT;
END LOOP; END \$\$;" >/dev/null 2>>"$err" &
wait
tap_is "$(grep -c ERROR "$err")" 0 "no session failed (but for deadlocks lost and tried again): $(grep -m1 ERROR "$err")"
rm -f "$err"
echo "# deadlocks lost and tried again: $(q "SELECT count(*) FROM public.retried")"
tap_is "$(q "SELECT count(*) FROM landform.leads")" 630 "630 leads (300 submitted one by one and 300 in batches, new and tagged as they are written; 30 again and again)"
tap_is "$(q "SELECT count(*) FROM landform.leads l, jsonb_object_keys(l.rule_tags) k
             WHERE NOT EXISTS (SELECT 1 FROM landform.tag_rules r WHERE r.id = k::bigint)")" 0 \
	"no lead records a tag from a rule that is gone"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE tags && '{F,F2}'")" 0 "no lead carries the dropped rule's tag"
tap_is "$(q "SELECT count(*) FROM landform.leads l
             WHERE l.tags IS DISTINCT FROM ARRAY(SELECT DISTINCT t.tag FROM landform.lead_tags t WHERE t.lead = l.id ORDER BY 1)")" 0 \
	"leads.tags is what lead_tags lists, for every lead"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE NOT tags @> '{微信}'")" 0 "the rule left in place tagged every lead"
tap_is "$(q "SELECT sum(added) || '/' || sum(removed) FROM landform.apply_tag_rules()")" 0/0 \
	"a final set-based run finds no tag missing and none left over"

# The same, one moment pinned: a rule dropped while a transaction that wrote new leads with its
# tag (one submit, one batch on submit_batch's set path) has not committed yet. The drop waits
# for it and then takes the tag back; without the rule lock it would not wait and the leads
# would keep a tag of a rule that is gone.
# pin CALL CHANGE: CALL in a transaction that sleeps before COMMIT, CHANGE meanwhile.
pin() {
	PGAPPNAME=lf_pinned psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "$1" -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null &
	for _ in $(seq 100); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lf_pinned' AND query LIKE '%pg_sleep%'")" = 1 ] && break
		sleep 0.05
	done
	q "$2" >/dev/null
	wait
}
# one PHONE SIZE: a submission of that phone answering size SIZE.
one() { echo "SELECT landform.submit('demo', NULL, '$1', NULL, NULL, '{\"size\": \"$2\"}', NULL, NULL, NULL, NULL, NULL)"; }
q "SELECT landform.add_tag_rule('pinned', 'P', '{\"field\": \"size\", \"eq\": \"gt100k\"}')" >/dev/null
for how in submit batch; do
	case $how in
	submit) call=$(one +8613600000001 gt100k) ;;
	batch) call="SELECT landform.submit_batch((SELECT jsonb_agg(jsonb_build_object('page', 'demo',
		'phone', '+86136' || lpad((100 + k)::text, 8, '0'), 'fields', '{\"size\": \"gt100k\"}'::jsonb))
		FROM generate_series(1, 12) k))" ;;
	esac
	pin "$call" "SELECT landform.drop_tag_rule('pinned')"
	tap_is "$(q "SELECT count(*) FROM landform.leads l, jsonb_object_keys(l.rule_tags) k
	             WHERE l.phone LIKE '+86136%' AND NOT EXISTS (SELECT 1 FROM landform.tag_rules r WHERE r.id = k::bigint)")" 0 \
		"$how: a rule dropped before the new leads it tagged commit: no lead records it"
	tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86136%' AND tags @> '{P}'")" 0 \
		"$how: ... and none carries its tag"
	q "SELECT landform.add_tag_rule('pinned', 'P', '{\"field\": \"size\", \"eq\": \"gt100k\"}')" >/dev/null
done
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE phone LIKE '+86136%' AND tags @> '{P}'")" 13 \
	"the rule added again tags them (so the transactions above did match it)"

# A rule added, or its condition changed, while a transaction that wrote a new lead it matches
# has not committed: the change waits for it, and its own re-evaluation then tags that lead.
# Without the rule lock in every submission the lead, evaluated against the rules of its moment
# and committed after the change had looked, would stay untagged. The last case with no rule
# saved at all (a submission then reads no rule, and still waits).
tagged() { q "SELECT count(*) FROM landform.leads WHERE phone LIKE '$1%' AND tags @> '{$2}'"; }
pin "$(one +8613500000001 a1)" "SELECT landform.add_tag_rule('added', 'A', '{\"field\": \"size\", \"eq\": \"a1\"}')"
tap_is "$(tagged +8613500000001 A)" 1 "submit: a rule added before a new lead it matches commits tags it"
pin "SELECT landform.submit_batch((SELECT jsonb_agg(jsonb_build_object('page', 'demo',
	'phone', '+86135001' || lpad(k::text, 5, '0'), 'fields', '{\"size\": \"a2\"}'::jsonb)) FROM generate_series(1, 12) k))" \
	"SELECT landform.add_tag_rule('added2', 'A2', '{\"field\": \"size\", \"eq\": \"a2\"}')"
tap_is "$(tagged +86135001 A2)" 12 "batch: ... and so it does the new leads of a batch"
pin "$(one +8613500200001 s1)" "SELECT landform.set_tag_rule('added', p_condition => '{\"field\": \"size\", \"eq\": \"s1\"}')"
tap_is "$(tagged +8613500200001 A)" 1 "submit: a rule's condition changed meanwhile: the new condition tags it"
q "SELECT landform.drop_tag_rule(name) FROM landform.tag_rules" >/dev/null
pin "$(one +8613500300001 a3)" "SELECT landform.add_tag_rule('first', 'F', '{\"field\": \"size\", \"eq\": \"a3\"}')"
tap_is "$(tagged +8613500300001 F)" 1 "submit with no rule saved: the first rule, added meanwhile, tags it"
