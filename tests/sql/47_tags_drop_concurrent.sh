#!/usr/bin/env bash
# A rule dropped (and its tag renamed) while submissions and stage changes tag leads with it: the
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
			'+86139' || lpad(((i * $s) % 30)::text, 8, '0'), '{\"size\": \"gt100k\"}'));
		COMMIT;
	END LOOP; END \$\$;" >/dev/null 2>>"$err" &
done
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
tap_is "$(q "SELECT count(*) FROM landform.leads")" 30 "30 leads"
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
