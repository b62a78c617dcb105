-- Segments (issue 16): saved filters in the tag rules' grammar (tags all/any/none of, stage,
-- channel, page, pool, first_seen, deals), counted, listed and exported with every cell a
-- spreadsheet would run as a formula made inert; refusals name the bad part.
\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.submit('demo', CASE WHEN i % 2 = 0 THEN 'expo2025' ELSE 'wx' END, '+861380000000' || i,
		CASE WHEN i = 3 THEN '=HYPERLINK("http://x")' ELSE 'n' || i END, NULL, '{}', NULL, NULL, NULL, NULL, NULL)
	FROM generate_series(1, 6) i;
	UPDATE landform.leads SET tags = '{VIP,展会}' WHERE phone LIKE '%1' OR phone LIKE '%2';
	UPDATE landform.leads SET tags = '{"=cmd|'' /C calc''!A0",VIP}' WHERE phone LIKE '%3';
	UPDATE landform.leads SET tags = '{展会}' WHERE phone LIKE '%4';
	PERFORM landform.add_deal(l.id, 300) FROM landform.leads l WHERE phone LIKE '%2' OR phone LIKE '%4';
END $$;
CREATE FUNCTION pg_temp.who(p_seg text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(right(phone, 1), ' ' ORDER BY phone), '') FROM landform.segment_leads(p_seg) $$;
\o

SELECT t.is(landform.add_segment('vip展会', '{"tags_all": ["VIP", "展会"]}'), 2::bigint, 'add_segment: tags all of, with its count');
SELECT t.is(pg_temp.who('vip展会'), '1 2', 'segment_leads: which');
SELECT t.is(landform.add_segment('any', '{"tags_any": ["展会", "nope"]}'), 3::bigint, 'tags any of');
SELECT t.is(landform.add_segment('none', '{"tags_none": ["VIP"]}'), 3::bigint, 'tags none of');
SELECT t.is(landform.add_segment('mix', '{"all": [{"channel": "expo2025"}, {"deals": {"min": 1}},
	{"first_seen": {"max_ago": "1 day"}}, {"stage": "新客户"}, {"pool": "default"}, {"first_page": "demo"}]}'),
            2::bigint, 'channel, deals, first_seen, stage, pool and page together');
SELECT t.is(pg_temp.who('mix'), '2 4', '... the expo leads with a deal');
SELECT t.is(landform.segment_count('vip展会'), 2::bigint, 'segment_count');
UPDATE landform.leads SET tags = '{展会}' WHERE phone LIKE '%1';
SELECT t.is(landform.segment_count('vip展会'), 1::bigint, 'a segment is live: counts follow the leads');
SELECT t.is(landform.add_segment('vip展会', '{"tag": "展会"}'), 3::bigint, 'add_segment again replaces the filter');

-- Export: formula cells made inert, phones in full, numbers left alone.
SELECT landform.add_segment('vip', '{"tag": "VIP"}') \g /dev/null
SELECT t.is((SELECT name || ' | ' || tags FROM landform.segment_export('vip') WHERE phone LIKE '%3'),
            '''=HYPERLINK("http://x") | ''=cmd|'' /C calc''!A0;VIP', 'a hostile name and tag are made inert');
SELECT t.is((SELECT phone FROM landform.segment_export('vip') WHERE phone LIKE '%2'), '+8613800000002',
            'a phone is a number: whole, not prefixed');
SELECT t.is(landform._csv_inert('-12.5') || ' ' || landform._csv_inert('-x') || ' ' || landform._csv_inert('@a')
            || ' ' || landform._csv_inert(E'\tx') || ' ' || landform._csv_inert('a=b'),
            '-12.5 ''-x ''@a ''' || E'\tx' || ' a=b', 'the guard: = + - @ tab CR at the start, unless a number');

-- Refusals.
SELECT t.throws_like($$SELECT landform.add_segment('x', '{"tags_all": "VIP"}')$$, '22023', 'at filter\.tags_all',
                     'tags_all wants an array, named in the message');
SELECT t.throws_like($$SELECT landform.segment_count('nope')$$, 'P0002', 'no segment named "nope"', 'an unknown segment');
SELECT landform.drop_segment('any') \g /dev/null
SELECT t.is((SELECT count(*) FROM landform.segments WHERE name = 'any'), 0::bigint, 'drop_segment');
