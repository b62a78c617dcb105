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

-- The portal (as landform_app, as landformd calls it): a member's list by segment holds only
-- their own leads in it; by several tags, leads carrying all of them; malformed filters named.
CREATE FUNCTION t.home_ids(p_login text, p_filters jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(right(p.phone, 1), ' ' ORDER BY p.phone), '')
	FROM jsonb_array_elements(landform.portal_home(t.s(p_login), p_filters)->'mine') e
	JOIN landform.portal_phones p ON p.lead_id = (e->>'lead_id')::bigint $$;
GRANT USAGE ON SCHEMA t TO landform_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
\o /dev/null
DO $$ BEGIN
	PERFORM landform.add_staff(m, initcap(m)) FROM unnest(ARRAY['amy', 'ben', 'boss']) m;
	PERFORM landform.set_admin('boss', true);
	PERFORM t.sessions('amy', 'ben', 'boss');
	-- amy owns 1, 2, 4; ben owns 3 (VIP, like 2 and... now 1 has 展会 only); 5, 6 nobody's.
	PERFORM landform.assign(l.id, CASE WHEN right(l.phone, 1) = '3' THEN 'ben' ELSE 'amy' END)
	FROM landform.leads l WHERE right(l.phone, 1) IN ('1', '2', '3', '4');
	UPDATE landform.leads SET tags = '{VIP,展会,老客}' WHERE phone LIKE '%4';
END $$;
\o
SELECT t.is(pg_temp.who('vip'), '2 3 4', 'the segment vip: leads 2, 3 (ben''s) and 4');
SET ROLE landform_app;
SELECT t.is(t.home_ids('amy', '{"segment": "vip"}'), '2 4', 'amy''s list by the segment: her own two, not ben''s');
SELECT t.is(t.home_ids('ben', '{"segment": "vip"}'), '3', 'ben''s: his one');
SELECT t.is(t.home_ids('amy', '{"tags": ["VIP", "展会"]}'), '2 4', 'by two tags: the leads carrying both');
SELECT t.is(t.home_ids('amy', '{"tags": ["VIP", "展会", "老客"]}'), '4', 'by three');
SELECT t.is(t.home_ids('amy', '{"tag": "老客", "tags": ["展会"]}'), '4', 'tag and tags together: all of them');
SELECT t.is(t.home_ids('amy', '{"segment": "vip", "tags": ["老客"]}'), '4', 'a segment and a tag: both');
SELECT t.is(t.home_ids('amy', '{"tags": []}'), '1 2 4', 'no tags: no tag filter');
SELECT t.is(landform.portal_home(t.s('amy'), '{"segment": "nope"}') - 'message',
            '{"status": "invalid", "code": "segment_unknown", "field": "segment"}', 'an unknown segment: invalid, with its code, naming the field');
SELECT t.is(landform.portal_home(t.s('amy'), '{"tags": "VIP"}') ->> 'field', 'tags', 'tags must be a list');
SELECT t.is(landform.portal_home(t.s('amy'), jsonb_build_object('tags', to_jsonb(array_fill('x'::text, ARRAY[21]))))
            ->> 'field', 'tags', 'at most 20 tags');
SELECT t.ok(landform.portal_home(t.s('amy'), '{}') -> 'segments' @> '["vip", "mix"]', 'the list offers the segments');
SELECT t.is(landform._portal_segment_leads('vip'), NULL::bigint[], 'no member entered: no segment leads');
-- The admin's CSV: boss only, the rows of segment_export.
SELECT t.is(landform.portal_segment_export(t.s('amy'), 'vip'), '{"status": "forbidden"}', 'a member may not export');
SELECT t.is(landform.portal_segment_export(t.s('boss'), 'nope'), '{"status": "not_found"}', 'an unknown segment');
SELECT t.is(jsonb_array_length(landform.portal_segment_export(t.s('boss'), 'vip') -> 'rows'), 3, 'the admin gets every lead of it');
SELECT t.is((SELECT r ->> 2 FROM jsonb_array_elements(landform.portal_segment_export(t.s('boss'), 'vip') -> 'rows') r
             WHERE r ->> 1 LIKE '%3'), '''=HYPERLINK("http://x")', '... cells made inert as for \copy');
RESET ROLE;
