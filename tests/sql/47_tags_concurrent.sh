#!/usr/bin/env bash
# Tag rules under concurrency: submissions (single and batched) evaluating capture-time rules,
# stage changes and deals re-evaluating theirs, while two sessions re-run every rule set-based
# and the daily tick runs: no tag lost or doubled, leads.tags always what lead_tags lists, and a
# final apply_tag_rules() finds nothing left to change. Deadlocks would surface as errors.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.register_page('ask', 'Ask', 'consult');
   SELECT landform.add_tag_rule('expo', '展会', '{\"any_channel\": \"expo2025\"}');
   SELECT landform.add_tag_rule('ka', 'KA', '{\"field\": \"size\", \"eq\": \"gt100k\"}');
   SELECT landform.add_tag_rule('asked', '咨询过', '{\"form_kind\": \"consult\"}');
   SELECT landform.add_tag_rule('busy', '常客', '{\"submissions\": {\"min\": 3}}');
   SELECT landform.add_tag_rule('talking', '沟通中', '{\"stage\": \"初步沟通\"}');
   SELECT landform.add_tag_rule('buyer', '回购', '{\"all\": [{\"deals\": {\"min\": 2}}, {\"last_deal\": {\"max_ago\": \"30 days\"}}]}');
   SELECT landform.set_setting('tag_rules_at', '00:00');" >/dev/null

t0=$(now_s)
gate_open 1
err=$(mktemp)
for s in 1 2 3 4; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR i IN 1..150 LOOP
		PERFORM landform.submit(CASE WHEN (i + $s) % 5 = 0 THEN 'ask' ELSE 'demo' END,
			CASE WHEN (i * $s) % 7 = 0 THEN 'expo2025' ELSE 'wx' END,
			'+86139' || lpad((i % 20)::text, 8, '0'), NULL, NULL,
			jsonb_build_object('size', CASE WHEN (i + $s) % 3 = 0 THEN 'gt100k' ELSE 'small' END),
			NULL, NULL, NULL, NULL, NULL);
		COMMIT;
	END LOOP; END \$\$;" >/dev/null 2>>"$err" &
done
# Batches of 5, phones shared with the single submissions.
psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
DO \$\$ BEGIN FOR i IN 1..30 LOOP
	PERFORM landform.submit_batch((SELECT jsonb_agg(jsonb_build_object('page', 'demo', 'channel', 'expo2025',
		'phone', '+86139' || lpad(((i * 5 + k) % 20)::text, 8, '0'), 'fields', '{}'::jsonb)) FROM generate_series(1, 5) k));
	COMMIT;
END LOOP; END \$\$;" >/dev/null 2>>"$err" &
# Stages and deals on the leads as they come.
psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
DO \$\$ DECLARE v bigint; BEGIN FOR i IN 1..150 LOOP
	SELECT id INTO v FROM landform.leads ORDER BY random() LIMIT 1;
	IF v IS NOT NULL THEN
		UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages ORDER BY random() LIMIT 1) WHERE id = v;
		IF i % 3 = 0 THEN PERFORM landform.add_deal(v, 10); END IF;
	END IF;
	COMMIT;
END LOOP; END \$\$;" >/dev/null 2>>"$err" &
# Two set-based runners and the daily tick.
for s in 1 2; do
	psql -X -q -v ON_ERROR_STOP=1 -c "$gate_wait" -c "
	DO \$\$ BEGIN FOR i IN 1..15 LOOP
		PERFORM landform.apply_tag_rules();
		COMMIT;
		UPDATE landform.tag_rules SET evaluated_on = NULL WHERE id IN (SELECT id FROM landform.tag_rules ORDER BY id FOR NO KEY UPDATE);
		COMMIT;
		PERFORM landform.tick_tags();
		COMMIT;
	END LOOP; END \$\$;" >/dev/null 2>>"$err" &
done
wait
echo "# 4 submitters, 1 batcher, 1 stage/deal changer, 2 set-based runners: $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }') s"
tap_is "$(grep -c ERROR "$err")" 0 "no session failed (no deadlock, no duplicate key): $(grep -m1 ERROR "$err")"
rm -f "$err"
tap_is "$(q "SELECT count(*) FROM landform.leads")" 20 "20 leads"
tap_is "$(q "SELECT count(*) - count(DISTINCT (lead, tag, source, given_by)) FROM landform.lead_tags")" 0 \
	"no tag recorded twice"
tap_is "$(q "SELECT count(*) FROM landform.leads l, jsonb_object_keys(l.rule_tags) k
             WHERE NOT EXISTS (SELECT 1 FROM landform.tag_rules r WHERE r.id = k::bigint)")" 0 \
	"every rule a lead records its tag from exists"
tap_is "$(q "SELECT count(*) FROM landform.leads l
             WHERE l.tags IS DISTINCT FROM ARRAY(SELECT DISTINCT t.tag FROM landform.lead_tags t WHERE t.lead = l.id ORDER BY 1)")" 0 \
	"leads.tags is what lead_tags lists, for every lead"
tap_is "$(q "SELECT sum(added) || '/' || sum(removed) FROM landform.apply_tag_rules()")" 0/0 \
	"a final set-based run finds no tag missing and none left over"
tap_ok "$( [ "$(q "SELECT count(*) FROM landform.lead_tags WHERE source = 'rule'")" -gt 30 ]; echo $?)" "the rules did tag leads"
