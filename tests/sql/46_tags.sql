-- Tag rules (issue 16): every condition kind, all/any nesting, refusals naming the bad part,
-- the issue's five rules on a known story, submit tagging in the same call, sticky vs
-- non-sticky, manual tags untouched, provenance, drop_tag_rule, preview, the views, the daily
-- tick set-based with a controllable clock (landform.clock), and the per-lead and set-based
-- paths agreeing on a table of cases.
\o /dev/null
SET landform.clock = '2026-03-01 12:00+08';
SET track_functions = 'all';
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.register_page('ask', 'Ask', 'consult');
	PERFORM landform.add_staff('alice', 'Alice');
	PERFORM landform.add_staff('bob', 'Bob');
	PERFORM landform.add_pool('north');
	PERFORM landform.join_pool('default', 'alice');
	PERFORM landform.join_pool('north', 'bob');
END $$;
CREATE FUNCTION pg_temp.lead(p_n integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.leads WHERE phone = '+8613800000' || lpad(p_n::text, 3, '0') $$;
CREATE FUNCTION pg_temp.sub(p_n integer, p_page text, p_channel text, p_fields jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE sql AS $$
	SELECT lead_id FROM landform.submit(p_page, p_channel, '+8613800000' || lpad(p_n::text, 3, '0'),
		NULL, 'q?', p_fields, NULL, NULL, NULL, NULL, NULL) $$;
CREATE FUNCTION pg_temp.tags(p_n integer) RETURNS text LANGUAGE sql AS $$
	SELECT array_to_string(tags, ',') FROM landform.leads WHERE id = pg_temp.lead(p_n) $$;
CREATE FUNCTION pg_temp.src(p_n integer) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(tag || ':' || source || ':' || coalesce(given_by, '-'), ' ' ORDER BY tag, source, given_by)
	FROM landform.lead_tags WHERE lead = pg_temp.lead(p_n) $$;
CREATE FUNCTION pg_temp.stage(p_n integer, p_stage text) RETURNS void LANGUAGE sql AS $$
	UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = p_stage)
	WHERE id = pg_temp.lead(p_n) $$;
-- Which of leads 1..n carry a tag.
CREATE FUNCTION pg_temp.who(p_tag text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(right(phone, 3)::integer::text, ' ' ORDER BY phone), '')
	FROM landform.leads WHERE tags @> ARRAY[p_tag] $$;
\o

-- The issue's five rules, saved before any lead exists.
SELECT t.is((SELECT tagged FROM landform.add_tag_rule('retain', '重要挽留',
	'{"all": [{"deals": {"min": 3}}, {"last_deal": {"min_ago": "30 days", "max_ago": "60 days"}},
	          {"deal_total": {"min": 500}}]}')), 0::bigint, 'add_tag_rule: the RFM rule, nothing to tag yet');
SELECT t.ok((SELECT rule_id FROM landform.add_tag_rule('expo', '展会', '{"channel": "expo2025"}')) > 0,
            'add_tag_rule: channel expo2025');
SELECT t.ok((SELECT rule_id FROM landform.add_tag_rule('ka', 'KA', '{"field": "size", "eq": "gt100k"}')) > 0,
            'add_tag_rule: a form answer');
SELECT t.ok((SELECT rule_id FROM landform.add_tag_rule('asked', '咨询过', '{"form_kind": "consult"}')) > 0,
            'add_tag_rule: asked on a consult page');
SELECT t.ok((SELECT rule_id FROM landform.add_tag_rule('keen', '意向', '{"stage_reached": "意向客户"}', true)) > 0,
            'add_tag_rule: reached a stage, sticky');
SELECT t.is((SELECT depends FROM landform.tag_rules WHERE name = 'retain'), '{deal,time}'::text[],
            'the RFM rule depends on deals and time');

-- Capture: tagged in submit's own call.
\o /dev/null
SELECT pg_temp.sub(1, 'demo', 'expo2025', '{"size": "gt100k"}');
\o
SELECT t.is(pg_temp.tags(1), 'KA,展会', 'one submit call: the lead has its channel and answer tags');
SELECT t.is(pg_temp.src(1), 'KA:rule:ka 展会:rule:expo', 'each tag says which rule gave it');
SELECT t.ok((SELECT bool_and(t.since = s.created_at) FROM landform.lead_tags t
             JOIN landform.submissions s ON s.lead_id = t.lead WHERE t.lead = pg_temp.lead(1)),
            'tagged in the same transaction as the submission');
\o /dev/null
SELECT pg_temp.sub(2, 'ask', NULL, '{"size": "small"}');
SELECT pg_temp.sub(3, 'demo', 'wx', '{"size": "gt100k"}');
\o
SELECT t.is(pg_temp.tags(2), '咨询过', 'a question on a consult page: 咨询过');
SELECT t.is(pg_temp.tags(3), 'KA', 'another channel: KA only');
\o /dev/null
SELECT pg_temp.sub(3, 'ask', NULL);
\o
SELECT t.is(pg_temp.tags(3), 'KA,咨询过', 'a repeat submission on the consult page adds 咨询过');

-- Stage: reached 意向客户 (sticky), in the transaction of the change.
SELECT pg_temp.stage(1, '意向客户') \g /dev/null
SELECT t.is(pg_temp.tags(1), 'KA,展会,意向', 'moving to 意向客户 tags 意向 at once');
SELECT pg_temp.stage(1, '无意向') \g /dev/null
SELECT t.is(pg_temp.tags(1), 'KA,展会,意向', 'sticky: moving on keeps 意向');
SELECT pg_temp.stage(2, '成交') \g /dev/null
SELECT t.is(pg_temp.tags(2), '咨询过,意向', 'won straight away has reached 意向客户');

-- RFM on a known story: three deals, last one 2026-01-20, 600 in all.
\o /dev/null
SELECT landform.add_deal(pg_temp.lead(3), 100, '2025-12-01 10:00+08');
SELECT landform.add_deal(pg_temp.lead(3), 200, '2026-01-05 10:00+08');
\o
SELECT t.is(pg_temp.who('重要挽留'), '', 'two deals: not yet');
\o /dev/null
SELECT landform.add_deal(pg_temp.lead(3), 300, '2026-01-20 10:00+08');
\o
SELECT t.is(pg_temp.who('重要挽留'), '3', 'the third deal (40 days ago, 600 in all) tags 重要挽留 at once');
\o /dev/null
SELECT landform.add_deal(pg_temp.lead(1), 100, '2026-01-20 10:00+08'),
       landform.add_deal(pg_temp.lead(1), 100, '2026-01-21 10:00+08'),
       landform.add_deal(pg_temp.lead(1), 100, '2026-01-22 10:00+08');
\o
SELECT t.is(pg_temp.who('重要挽留'), '3', 'three deals of 300 in all: below 500, not tagged');

-- The daily tick: time passes (the clock), set-based, once a day after tag_rules_at.
SELECT landform.set_setting('tag_rules_at', '03:00') \g /dev/null
SELECT t.throws_like($$SELECT landform.set_setting('tag_rules_at', '25:00')$$, '22023', 'bad tag_rules_at',
                     'tag_rules_at must be a time');
SET landform.clock = '2026-03-02 02:00+08';
SELECT t.is(landform.tick_tags(), NULL::bigint, 'before 03:00 the tick does nothing');
SET landform.clock = '2026-03-22 04:00+08';
-- Calls counted around the tick (pending counts: a delta, not a total).
CREATE FUNCTION pg_temp.calls() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(pg_stat_get_xact_function_calls('landform._tags_apply(bigint,bigint[],timestamptz)'::regprocedure), 0)
	       || '/' || coalesce(pg_stat_get_xact_function_calls('landform._tags_settle(bigint,bigint[],boolean[])'::regprocedure), 0) $$;
BEGIN;
CREATE TEMP TABLE calls_before AS SELECT split_part(pg_temp.calls(), '/', 1)::integer AS a,
                                         split_part(pg_temp.calls(), '/', 2)::integer AS s;
SELECT t.is(landform.tick_tags(), 1::bigint, '60 days after the last deal: the tick takes 重要挽留 back (non-sticky)');
SELECT t.is((SELECT (split_part(pg_temp.calls(), '/', 1)::integer - a) || '/' || (split_part(pg_temp.calls(), '/', 2)::integer - s)
             FROM calls_before),
            '1/0', 'the tick is set-based: one _tags_apply for the one time rule, no per-lead evaluation');
COMMIT;
SELECT t.is(pg_temp.who('重要挽留'), '', 'lead 3 left 重要挽留');
SELECT t.is(landform.tick_tags(), NULL::bigint, 'once a day: the same day again does nothing');
SET landform.clock = '2026-01-30 04:00+08';
UPDATE landform.tag_rules SET evaluated_on = NULL;   -- the clock went back: forget the days run
SELECT t.is(landform.tick_tags(), 0::bigint, '10 days after the last deal: too recent, still out');
SET landform.clock = '2026-02-25 04:00+08';
SELECT t.is(landform.tick_tags(), 1::bigint, '36 days after: the next day''s tick brings it back in');
SELECT t.is(pg_temp.who('重要挽留'), '3', 'lead 3 in 重要挽留 again');
SELECT landform.add_tag_rule('recent', '近期', '{"last_seen": {"max_ago": "400 days"}}') \g /dev/null
SET landform.clock = '2026-02-26 04:00+08';
SELECT t.is(ARRAY[landform.tick_tags(), landform.tick_tags(), landform.tick_tags()], ARRAY[0, 0, NULL]::bigint[],
            'one time rule per tick call (short transactions), then nothing until tomorrow');
SELECT landform.drop_tag_rule('recent') \g /dev/null
SELECT t.ok((SELECT (SELECT daily_summary FROM landform.tick_notifications()) IS NOT NULL),
            'tick_notifications runs the tag tick too (already done today: nothing more)');

-- Manual tags: recorded with who, never touched by rules.
SELECT set_config('landform.staff_id', (SELECT id::text FROM landform.staff WHERE login = 'alice'), false) \g /dev/null
UPDATE landform.leads SET tags = tags || '{VIP,展会}'::text[] WHERE id = pg_temp.lead(3);
SELECT set_config('landform.staff_id', '', false) \g /dev/null
SELECT t.is(pg_temp.src(3), 'KA:rule:ka VIP:manual:alice 咨询过:rule:asked 展会:manual:alice 重要挽留:rule:retain',
            'a hand edit of leads.tags records manual tags and by whom');
SELECT landform.set_tag_rule('expo', p_condition => '{"any_channel": "expo2025"}') \g /dev/null
SELECT t.is(pg_temp.who('展会'), '1 3', 'a rule changed: its tags follow, the manual 展会 stays');
SELECT t.is(landform.drop_tag_rule('expo'), 1::bigint, 'drop_tag_rule: removes the one tag it gave');
SELECT t.is(pg_temp.who('展会'), '3', 'the manual 展会 stays when the rule that also gave it goes');
UPDATE landform.leads SET tags = array_remove(tags, 'KA') WHERE id = pg_temp.lead(3);
SELECT t.is((SELECT count(*) FROM landform.lead_tags WHERE lead = pg_temp.lead(3) AND tag = 'KA')
            || ' ' || (SELECT l.rule_tags ? r.id::text FROM landform.leads l, landform.tag_rules r
                       WHERE l.id = pg_temp.lead(3) AND r.name = 'ka')
            || ' ' || (SELECT l.rule_tags <> '{}' FROM landform.leads l WHERE l.id = pg_temp.lead(3)), '0 false true',
            'a tag removed by hand goes with its rule''s record on the lead (the other rules'' stay)');
SELECT t.is((SELECT added FROM landform.apply_tag_rules('ka')), 1::bigint, 'apply_tag_rules: a true non-sticky rule puts it back');

-- Non-sticky vs sticky on the same change.
SELECT landform.add_tag_rule('talking', '沟通中', '{"stage": "初步沟通"}') \g /dev/null
SELECT landform.add_tag_rule('talked', '沟通过', '{"stage": "初步沟通"}', true) \g /dev/null
SELECT pg_temp.stage(3, '初步沟通') \g /dev/null
SELECT t.is(pg_temp.who('沟通中') || '/' || pg_temp.who('沟通过'), '3/3', 'stage 初步沟通: both tags');
SELECT pg_temp.stage(3, '意向客户') \g /dev/null
SELECT t.is(pg_temp.who('沟通中') || '/' || pg_temp.who('沟通过'), '/3', 'stage left: non-sticky goes, sticky stays');

-- Owner and pool, in the transaction that changes them.
SELECT landform.add_tag_rule('bobs', 'bob的', '{"any": [{"owner": "bob"}, {"pool": "north"}]}') \g /dev/null
SELECT landform.assign(pg_temp.lead(2), 'bob') \g /dev/null
SELECT t.is(pg_temp.who('bob的'), '2', 'assigned to bob: tagged by the owner rule');
SELECT landform.release(pg_temp.lead(2)) \g /dev/null
SELECT t.is(pg_temp.who('bob的'), '', 'released: taken back');

-- drop_tag_rule keeping its tags.
SELECT t.is(landform.drop_tag_rule('talked', p_keep_tags => true), 1::bigint, 'drop_tag_rule(keep): one tag kept');
SELECT t.is((SELECT source || ':' || given_by FROM landform.lead_tags WHERE tag = '沟通过'), 'rule:talked (dropped)',
            'a kept tag names the dropped rule');

-- Views.
SELECT t.is((SELECT leads || '/' || manual || '/' || rule FROM landform.tag_counts WHERE tag = '展会'), '1/1/0',
            'tag_counts: leads and by source');
SELECT t.is((SELECT string_agg(tag, ',' ORDER BY tag) FROM landform.tag_counts), 'KA,VIP,咨询过,展会,意向,沟通过,重要挽留',
            'tag_counts: every tag in use');

-- Preview: counts and examples, no change.
SELECT t.is((SELECT matches || ' ' || (examples -> 0 ->> 'lead')::bigint FROM landform.preview_tag_rule('{"field": "size", "in": ["small", "x"]}')),
            '1 ' || pg_temp.lead(2), 'preview_tag_rule: how many and which');
SELECT t.is((SELECT count(*) FROM landform.tag_rules), 6::bigint, 'preview saves nothing');

-- Refusals name the bad part.
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"all": [{"deals": {"min": 3}}, {"deals": {"mn": 1}}]}')$$,
                     '22023', 'at condition\.all\[2\]\.deals\.mn', 'an unknown key is named with its place');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"colour": "red"}')$$, '22023', 'no condition kind.*colour',
                     'an unknown kind is named');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"any": [{"all": [{"any": [{"tag": "x"}]}]}]}')$$, '22023',
                     'nest one level only at condition\.any\[1\]\.all\[1\]', 'two levels of nesting are refused');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"last_seen": {"max_ago": "soon"}}')$$, '22023',
                     'interval.*at condition\.last_seen\.max_ago', 'a bad interval is named');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"stage": "nope"}')$$, 'P0002', 'no stage named "nope"',
                     'an unknown stage is named');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"field": "size", "eq": "a", "in": ["b"]}')$$, '22023',
                     'exactly one of eq, in, contains', 'a field with two tests is refused');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"channel": "wx", "tag": "x"}')$$, '22023',
                     'unknown key beside "channel".* at condition\.tag', 'two kinds in one object are refused');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"submissions": {"min": 1.5}}')$$, '22023',
                     'whole number 0-1e12 at condition\.submissions\.min', 'a count must be whole');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('[]')$$, '22023', 'want a JSON object', 'not an object');
SELECT t.throws_like($$SELECT landform.preview_tag_rule('{"any": []}')$$, '22023', '1-20 conditions at condition\.any',
                     'an empty any is refused');
SELECT t.throws_like($$SELECT landform.add_tag_rule('x', 'a,b', '{"tag": "x"}')$$, '22023', 'bad tag', 'a tag with a comma is refused');
SELECT t.throws_like($$SELECT landform.add_tag_rule('ka', 'K', '{"tag": "x"}')$$, '23505', 'already exists', 'rule names are unique');
SELECT t.throws_like($$SELECT landform.drop_tag_rule('zzz')$$, 'P0002', 'no tag rule named "zzz"', 'dropping an unknown rule');
-- A value that looks like SQL stays a value.
SELECT t.is((SELECT matches FROM landform.preview_tag_rule($${"field": "size", "eq": "x') OR true OR ('"}$$)), 0::bigint,
            'a quote in a value cannot reach SQL text');
SELECT t.is((SELECT matches FROM landform.preview_tag_rule($${"field": "a'b\"", "contains": "%"}$$)), 0::bigint,
            'nor in a field name');

-- The per-lead path (_tags_eval, as submit and the triggers run it) and the set-based one
-- (_tags_apply, as apply_tag_rules and the tick run it) agree on a table of cases.
\o /dev/null
DO $$ BEGIN
	PERFORM pg_temp.sub(4, 'demo', 'wx', '{"size": "mid", "city": "上海"}');
	PERFORM pg_temp.sub(4, 'ask', 'expo2025', '{"note": "price please"}');
	PERFORM pg_temp.sub(5, 'ask', NULL, '{"city": "北京"}');
END $$;
\o
CREATE TEMP TABLE cases (n serial, cond jsonb, want text);
INSERT INTO cases (cond, want) VALUES
	('{"first_page": "demo"}', '1 3 4'),
	('{"first_page": ["ask"]}', '2 5'),
	('{"any_page": "ask"}', '2 3 4 5'),
	('{"channel": "expo2025"}', '1'),
	('{"any_channel": ["expo2025", "nope"]}', '1 4'),
	('{"field": "city", "in": ["上海", "北京"]}', '4 5'),
	('{"field": "note", "contains": "price"}', '4'),
	('{"field": "size", "eq": "gt100k"}', '1 3'),
	('{"form_kind": "lead"}', '1 3 4'),
	('{"stage": ["无意向", "成交"]}', '1 2'),
	('{"stage_reached": "初步沟通"}', '2 3'),
	('{"owner": "alice"}', ''),
	('{"pool": "default"}', '1 2 3 4 5'),
	('{"submissions": {"min": 2}}', '3 4'),
	('{"submissions": {"max": 1}}', '1 2 5'),
	('{"deals": {"min": 3, "max": 3}}', '1 3'),
	('{"deal_total": {"min": 500}}', '3'),
	('{"deals": {"max": 2}}', '2 4 5'),               -- leads without deals match (the anti-join form)
	('{"deals": {"min": 0, "max": 3}}', '1 2 3 4 5'),
	('{"deal_total": {"max": 400}}', '1 2 4 5'),
	('{"last_deal": {"max_ago": "35 days"}}', '1'),
	('{"first_seen": {"max_ago": "1 day"}}', '1 2 3 4 5'),
	('{"last_seen": {"min_ago": "1 day"}}', ''),
	('{"tag": "KA"}', '1 3'),
	('{"no_tag": "KA"}', '2 4 5'),
	('{"all": [{"tag": "KA"}, {"any": [{"stage": "无意向"}, {"deals": {"min": 3}}]}]}', '1 3'),
	('{"any": [{"field": "city", "eq": "北京"}, {"all": [{"any_page": "ask"}, {"any_channel": "expo2025"}]}]}', '4 5'),
	('{"all": [{"no_tag": "KA"}, {"form_kind": "consult"}]}', '2 4 5');
SET landform.clock = '2026-02-25 12:00+08';
CREATE TEMP TABLE got (n integer, bulk text, one text);
DO $$
DECLARE
	c record;
	v_bulk text;
	v_one text;
BEGIN
	FOR c IN SELECT * FROM cases ORDER BY n LOOP
		PERFORM landform.add_tag_rule('case' || c.n, 'case' || c.n, c.cond);
		v_bulk := pg_temp.who('case' || c.n);
		UPDATE landform.leads SET tags = array_remove(tags, 'case' || c.n);   -- the rule's record too
		PERFORM landform._tags_eval(landform._tag_clock(), l.id, '{submit,stage,owner,deal}')
		FROM landform.leads l ORDER BY l.id;
		v_one := pg_temp.who('case' || c.n);
		INSERT INTO got VALUES (c.n, v_bulk, v_one);
		PERFORM landform.drop_tag_rule('case' || c.n);
	END LOOP;
END $$;
SELECT t.is(g.bulk, c.want, 'set-based: ' || c.cond::text) FROM cases c JOIN got g USING (n) ORDER BY n;
SELECT t.is(g.one, g.bulk, 'per lead agrees: ' || c.cond::text) FROM cases c JOIN got g USING (n) ORDER BY n;

-- A new lead is written once, with its tags (the submit rules evaluated over the row about to
-- be written): no update of its row, and the same tags as the set-based evaluation gives.
\o /dev/null
SELECT landform.add_tag_rule('n' || n, 'n' || n, c) FROM (VALUES
	(1, '{"first_page": "ask"}'::jsonb), (2, '{"any_channel": "wx"}'), (3, '{"field": "size", "in": ["s", "m"]}'),
	(4, '{"field": "note", "contains": "call"}'), (5, '{"all": [{"form_kind": "lead"}, {"submissions": {"max": 1}}]}'),
	(6, '{"any": [{"first_seen": {"max_ago": "1 hour"}}, {"channel": "nope"}]}'), (7, '{"no_tag": "vip"}'),
	(8, '{"channel": "wx"}'), (9, '{"any_page": "demo"}')) AS x(n, c);
\o
-- (pg_stat_xact_user_tables counts the current transaction's row writes: one transaction.)
BEGIN;
CREATE TEMP TABLE upd0 AS SELECT coalesce(n_tup_upd, 0) AS n, coalesce(n_tup_ins, 0) AS i
FROM pg_stat_xact_user_tables WHERE relid = 'landform.leads'::regclass;
\o /dev/null
SELECT pg_temp.sub(21, 'ask', 'wx', '{"size": "m", "note": "please call"}'), pg_temp.sub(22, 'demo', NULL, '{"size": "l"}'),
       pg_temp.sub(23, 'demo', 'wx', '{"note": "no"}');
\o
SELECT t.is((SELECT (n_tup_upd - u.n) || '/' || (n_tup_ins - u.i) FROM pg_stat_xact_user_tables, upd0 u
             WHERE relid = 'landform.leads'::regclass), '0/3', 'three new leads tagged at submit: inserted, no update of their rows');
COMMIT;
SELECT t.is(pg_temp.tags(21) || ' / ' || pg_temp.tags(22) || ' / ' || pg_temp.tags(23),
            'n1,n2,n3,n4,n6,n7,n8,咨询过 / n5,n6,n7,n9 / n2,n5,n6,n7,n8,n9', 'their tags, each from its rule');
SELECT t.is((SELECT sum(a.added + a.removed) FROM landform.apply_tag_rules() a JOIN landform.tag_rules r ON r.name = a.rule
             WHERE r.name LIKE 'n_'), 0::numeric, 'the set-based evaluation finds nothing to change: the same results');
SELECT t.is(pg_temp.src(23), 'n2:rule:n2 n5:rule:n5 n6:rule:n6 n7:rule:n7 n8:rule:n8 n9:rule:n9', 'each tag row names its rule');
-- The same for submissions stored together (submit_batch's set path: 5 or more distinct phones
-- in a run, no route): each new lead written once, with its rule tags.
BEGIN;
CREATE TEMP TABLE upd1 AS SELECT coalesce(n_tup_upd, 0) AS n, coalesce(n_tup_ins, 0) AS i
FROM pg_stat_xact_user_tables WHERE relid = 'landform.leads'::regclass;
SELECT landform.submit_batch((SELECT jsonb_agg(jsonb_build_object('page', CASE WHEN k % 3 = 0 THEN 'ask' ELSE 'demo' END,
	'channel', CASE WHEN k % 2 = 0 THEN 'wx' END, 'phone', '+8613800000' || lpad((30 + k)::text, 3, '0'),
	'fields', jsonb_build_object('size', CASE WHEN k % 4 = 0 THEN 's' ELSE 'l' END, 'note', CASE WHEN k % 5 = 0 THEN 'call me' END),
	'idem_key', 'nb-' || k)) FROM generate_series(1, 14) k)) \g /dev/null
SELECT t.is((SELECT (n_tup_upd - u.n) || '/' || (n_tup_ins - u.i) FROM pg_stat_xact_user_tables, upd1 u
             WHERE relid = 'landform.leads'::regclass), '0/14', 'fourteen new leads stored together, tagged: inserted, no update of their rows');
COMMIT;
SELECT t.is((SELECT string_agg(right(l.phone, 2) || '=' || array_to_string(l.tags, ','), ' ' ORDER BY l.phone)
             FROM landform.leads l WHERE l.phone BETWEEN '+8613800000031' AND '+8613800000044'),
            '31=n5,n6,n7,n9 32=n2,n5,n6,n7,n8,n9 33=n1,n6,n7,咨询过 34=n2,n3,n5,n6,n7,n8,n9 35=n4,n5,n6,n7,n9 '
            || '36=n1,n2,n6,n7,n8,咨询过 37=n5,n6,n7,n9 38=n2,n3,n5,n6,n7,n8,n9 39=n1,n6,n7,咨询过 '
            || '40=n2,n4,n5,n6,n7,n8,n9 41=n5,n6,n7,n9 42=n1,n2,n3,n6,n7,n8,咨询过 43=n5,n6,n7,n9 44=n2,n5,n6,n7,n8,n9',
            'their tags, each from its rule');
SELECT t.is((SELECT sum(a.added + a.removed) FROM landform.apply_tag_rules() a JOIN landform.tag_rules r ON r.name = a.rule
             WHERE r.name LIKE 'n_'), 0::numeric, 'the set-based evaluation finds nothing to change for them either');
SELECT t.is(pg_temp.src(40), 'n2:rule:n2 n4:rule:n4 n5:rule:n5 n6:rule:n6 n7:rule:n7 n8:rule:n8 n9:rule:n9',
            'each of their tags names its rule');
-- What a new lead is written with, from the evaluator generated with the rules (tags as
-- expressions, no table read): two rules giving one tag, the tag once; and in a session whose
-- evaluator is older than the saved rules (a rule renamed and one dropped since: tag_rules_built
-- counted on), the tags of the rules as saved, not as it was built.
BEGIN;
\o /dev/null
SELECT landform.add_tag_rule('n10', 'n9', '{"any_page": "demo"}');
SELECT pg_temp.sub(60, 'demo', NULL);
\o
SELECT t.is(pg_temp.tags(60) || ' from ' || (SELECT string_agg(r.name, ',' ORDER BY r.name) FROM landform.leads l,
            jsonb_object_keys(l.rule_tags) k JOIN landform.tag_rules r ON r.id = k::bigint WHERE l.id = pg_temp.lead(60)),
            'n5,n6,n7,n9 from n10,n5,n6,n7,n9', 'two rules giving one tag: the tag once, both rules recorded');
UPDATE landform.tag_rules SET tag = 'n9b' WHERE name = 'n10';
DELETE FROM landform.tag_rules WHERE name = 'n7';
UPDATE landform.tag_rules_built SET generation = generation + 1;
\o /dev/null
SELECT pg_temp.sub(61, 'demo', NULL);
\o
SELECT t.is(pg_temp.tags(61) || ' from ' || (SELECT string_agg(r.name, ',' ORDER BY r.name) FROM landform.leads l,
            jsonb_object_keys(l.rule_tags) k JOIN landform.tag_rules r ON r.id = k::bigint WHERE l.id = pg_temp.lead(61)),
            'n5,n6,n9,n9b from n10,n5,n6,n9', 'an evaluator older than the rules: the saved rules'' tags, none of a rule gone');
SELECT t.is((SELECT count(*) FROM landform.leads l, jsonb_object_keys(l.rule_tags) k WHERE l.id = pg_temp.lead(61)),
            4::bigint, '... and no rule that is gone recorded');
ROLLBACK;

SELECT landform.drop_tag_rule('n' || n) FROM generate_series(1, 9) n \g /dev/null

-- Import: tags from the file say so.
INSERT INTO landform.import_staging (phone, name, channel, tags) VALUES ('13800000099', NULL, 'fair', 'vip;KA');
SELECT landform.import_staged() \g /dev/null
SELECT t.is(pg_temp.src(99), 'KA:import:- vip:import:-', 'imported tags are recorded as such');
SELECT t.is((SELECT bool_and(l.tags = ARRAY(SELECT DISTINCT x.tag FROM landform.lead_tags x WHERE x.lead = l.id ORDER BY 1))
             FROM landform.leads l), true, 'leads.tags is exactly the tags lead_tags lists, for every lead');

-- Notify: a rule marked so tells the lead's holder when it tags their lead (the seed's
-- 提交表单立刻提醒并打标签), in the submission's transaction; once per tagging.
SELECT landform.add_tag_rule('price', '问价格', '{"field": "want", "eq": "price"}', p_notify => true) \g /dev/null
SELECT landform.assign(pg_temp.lead(5), 'alice') \g /dev/null
SELECT pg_temp.sub(5, 'demo', NULL, '{"want": "price"}') \g /dev/null
SELECT t.is((SELECT string_agg(s.login || ':' || (o.payload ->> 'tag') || ':' || (o.payload ->> 'rule'), ' ')
             FROM landform.outbox o JOIN landform.staff s ON s.id = o.staff_id WHERE o.kind = 'tagged'),
            'alice:问价格:price', 'a notify rule tells the holder, naming tag and rule');
SELECT pg_temp.sub(5, 'demo', NULL, '{"want": "price"}') \g /dev/null
SELECT landform.apply_tag_rules('price') \g /dev/null
SELECT t.is((SELECT count(*) FROM landform.outbox WHERE kind = 'tagged'), 1::bigint, 'already tagged: not told again');
SELECT pg_temp.sub(2, 'demo', NULL, '{"want": "price"}') \g /dev/null
SELECT t.is((SELECT count(*) FROM landform.outbox WHERE kind = 'tagged' AND lead_id = pg_temp.lead(2))
            || ' ' || pg_temp.who('问价格'), '0 2 5', 'a lead in the open pool is tagged, nobody to tell');

-- The set form of submit's hook (for the leads of submissions stored together): the same tags
-- as the per-lead one, added and taken back, a lead listed twice evaluated once, the notice.
SELECT landform.add_tag_rule('batch', 'B', '{"field": "batch", "eq": "yes"}', p_notify => true) \g /dev/null
SELECT pg_temp.sub(6, 'demo', NULL, '{"batch": "yes"}') \g /dev/null
SELECT t.is(pg_temp.src(6), 'B:rule:batch', 'a new lead tagged in submit''s call (its first tags in one statement)');
SELECT pg_temp.sub(7, 'demo', NULL, '{"batch": "no"}') \g /dev/null
\o /dev/null
UPDATE landform.leads SET rule_tags = '{}' WHERE id = pg_temp.lead(6);
SELECT landform._lead_tags_sync(ARRAY[pg_temp.lead(6)]);
-- lead 7 carries B from the rule, though its answer says no (as if it had changed since)
UPDATE landform.leads SET rule_tags = jsonb_build_object((SELECT id FROM landform.tag_rules WHERE name = 'batch')::text, now())
WHERE id = pg_temp.lead(7);
SELECT landform._lead_tags_sync(ARRAY[pg_temp.lead(7)]);
SELECT landform.assign(pg_temp.lead(6), 'alice');
\o
SELECT t.is(pg_temp.who('B'), '7', 'before: B on lead 7 only');
SELECT landform._rules_on_submit_set(ARRAY[pg_temp.lead(6), pg_temp.lead(7), pg_temp.lead(6)], '{f,f,f}') \g /dev/null
SELECT t.is(pg_temp.who('B') || ' ' || pg_temp.src(6), '6 B:rule:batch', 'set form: lead 6 tagged, lead 7''s B taken back');
SELECT t.is((SELECT string_agg(s.login || ':' || (o.payload ->> 'tag'), ' ') FROM landform.outbox o
             JOIN landform.staff s ON s.id = o.staff_id WHERE o.kind = 'tagged' AND o.lead_id = pg_temp.lead(6)),
            'alice:B', 'set form: the holder told once');
SELECT t.is((SELECT bool_and(l.tags = ARRAY(SELECT DISTINCT x.tag FROM landform.lead_tags x WHERE x.lead = l.id ORDER BY 1))
             FROM landform.leads l), true, 'leads.tags is still exactly what lead_tags lists');

-- Row-level security: the portal's role sees tag origins only on leads the member may see.
GRANT USAGE ON SCHEMA t TO landform_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
SELECT pg_temp.lead(5) AS l5, pg_temp.lead(2) AS l2, (SELECT id FROM landform.staff WHERE login = 'bob') AS bob,
       (SELECT coalesce(array_agg(m.pool_id), '{}')::text FROM landform.pool_members m
        JOIN landform.staff s ON s.id = m.staff_id WHERE s.login = 'bob') AS bob_pools,
       (SELECT id FROM landform.staff WHERE login = 'alice') AS alice,
       (SELECT coalesce(array_agg(m.pool_id), '{}')::text FROM landform.pool_members m
        JOIN landform.staff s ON s.id = m.staff_id WHERE s.login = 'alice') AS alice_pools \gset
SET ROLE landform_app;
SELECT t.is((SELECT count(*) FROM landform.lead_tag), 0::bigint, 'landform_app without a member: no tag rows');
BEGIN;
-- as _portal_enter sets them: the member, and the pools whose open leads they see
SELECT set_config('landform.staff_id', :'bob', true), set_config('landform.pools', :'bob_pools', true) \g /dev/null
SELECT t.is((SELECT count(*) FROM landform.lead_tag t WHERE NOT EXISTS (SELECT 1 FROM landform.leads l WHERE l.id = t.lead_id)),
            0::bigint, 'bob: no tag row of a lead he cannot see');
SELECT t.is(landform._portal_lead_tags(:l5), '[]'::jsonb, 'bob: none of alice''s lead''s tags');
SELECT t.is(landform._portal_lead_tags(:l2), '[]'::jsonb,
            'bob: not the tags of an open lead in a pool he is not in (issue 13)');
COMMIT;
BEGIN;
SELECT set_config('landform.staff_id', :'alice', true), set_config('landform.pools', :'alice_pools', true) \g /dev/null
SELECT t.ok(jsonb_array_length(landform._portal_lead_tags(:l2)) > 0, 'alice: the tags of the open lead in her pool');
COMMIT;
RESET ROLE;
