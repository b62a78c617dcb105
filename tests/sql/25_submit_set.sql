-- submit_batch's set-based path (landform._submit_set: a statement per table for a run of items
-- with distinct phones and keys, what a spool replay goes through): one batch mixing everything
-- a replay meets stores exactly what submit called item by item in phone order stores (leads,
-- submissions, consultations, page_daily by day, outbox, referral credits, routes and tags,
-- channels), answers the same, and keeps each guarantee checked one by one below.
\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.register_page('ask', 'Ask us', 'consult');
	PERFORM landform.set_setting('time_zone', 'Asia/Shanghai');
	PERFORM landform.set_pool('default', p_claim_timeout => interval '1 hour');
	PERFORM landform.add_pool('VIP');
	PERFORM landform.add_staff('alice', 'Alice');
	PERFORM landform.join_pool('default', 'alice');
	PERFORM landform.add_route('vip', 10, '{"field": "vip", "eq": "yes"}', 'VIP');
	PERFORM landform.add_tag_rule('wx', '微信', '{"channel": "wx"}');
END $$;
-- Before the outage: an owned lead (its repeat notifies alice; it refers others), and two
-- submissions that reached the database although their workers spooled them too.
CREATE FUNCTION pg_temp.sub(p_phone text, p_key text, p_name text DEFAULT NULL) RETURNS bigint LANGUAGE sql AS $$
	SELECT lead_id FROM landform.submit('demo', NULL, p_phone, p_name, NULL, '{}', NULL, p_key, NULL, NULL, NULL) $$;
SELECT pg_temp.sub('+8613700000001', 'pre-1', 'Owned');
SELECT landform.dispatch();
SELECT landform.accept(id, staff_id) FROM landform.assignments;
SELECT pg_temp.sub('+8613700000002', 'pre-2');
SELECT pg_temp.sub('+8613700000019', 'pre-3');
SELECT landform.forget('+8613700000009');
CREATE TEMP TABLE tok AS SELECT landform.referral_token(lead_id, 'demo') AS token
FROM landform.submissions WHERE idem_key = 'pre-1';

-- Received on two Shanghai days (23:30 and 00:30), replayed now. Items 8-14 cannot go together
-- (a referral, a phone twice, a key twice): they go through submit, each in its place, and
-- 9-12 sit between two runs (phones 20-23, 29-32), where a wrong split would put them into one.
CREATE TEMP TABLE items AS SELECT replace(replace($j$[
 {"page":"demo","channel":"wx","phone":"+8613700000011","name":" Ann ","fields":{"vip":"yes"},"consent":"同意","idem_key":"s-1","client_addr":"203.0.113.7","user_agent":"UA/1","lang":"zh-CN","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000012","fields":{},"idem_key":"s-2","received_at":"D2"},
 {"page":"demo","channel":"wx","phone":"+8613700000001","name":"Again","fields":{},"idem_key":"s-3","received_at":"D2"},
 {"page":"ask","channel":"wx","phone":"+8613700000013","question":"  Q? ","fields":{},"idem_key":"s-4","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000002","fields":{},"idem_key":"pre-2","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000009","fields":{},"idem_key":"s-6","received_at":"D1"},
 {"page":"demo","channel":"newchan","phone":"+8613700000014","fields":{},"idem_key":"s-7","received_at":"D2"},
 {"page":"demo","channel":"wx","phone":"+8613700000015","fields":{},"idem_key":"s-8","received_at":"D1","referral":"TOKEN"},
 {"page":"demo","channel":"wx","phone":"+8613700000024","fields":{},"idem_key":"s-9","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000024","fields":{},"idem_key":"s-10","received_at":"D2"},
 {"page":"demo","channel":"wx","phone":"+8613700000027","fields":{},"idem_key":"s-11","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000028","fields":{},"idem_key":"s-11","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000019","fields":{},"idem_key":"pre-3","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000019","fields":{},"idem_key":"pre-3","received_at":"D1"},
 {"page":"demo","channel":"wx","phone":"+8613700000020","fields":{},"received_at":"D1"},
 {"page":"demo","phone":"+8613700000021","received_at":"D2"},
 {"page":"demo","channel":"wx","phone":"+8613700000022","fields":{},"idem_key":"s-17","received_at":"D1"},
 {"page":"ask","channel":"wx","phone":"+8613700000023","fields":{},"idem_key":"s-18","received_at":"D2"},
 {"page":"ask","channel":"fb","phone":"+8613700000029","fields":{},"idem_key":"s-19","received_at":"D1"},
 {"page":"ask","channel":"fb","phone":"+8613700000030","fields":{},"idem_key":"s-20","received_at":"D1"},
 {"page":"ask","channel":"fb","phone":"+8613700000031","fields":{},"idem_key":"s-21","received_at":"D1"},
 {"page":"ask","channel":"fb","phone":"+8613700000032","fields":{},"idem_key":"s-22","received_at":"D1"}
]$j$, 'D1', '2026-01-10T23:30:00+08:00'), 'D2', '2026-01-11T00:30:00+08:00') AS raw;
ALTER TABLE items ADD COLUMN j jsonb;
-- Runs shorter than 5 go one by one: plain items on channel fill lengthen the three runs (phones
-- 05x, 21x, 30x sort into them).
UPDATE items SET j = replace(raw, 'TOKEN', (SELECT token FROM tok))::jsonb || (
	SELECT jsonb_agg(jsonb_build_object('page', 'demo', 'channel', 'fill', 'phone', p, 'fields', '{}'::jsonb,
	                                    'idem_key', 'f' || p, 'received_at', '2026-01-11T00:30:00+08:00'))
	FROM (SELECT '+8613700000005' || d FROM generate_series(0, 5) d
	      UNION ALL SELECT '+8613700000021' || d FROM generate_series(0, 7) d
	      UNION ALL SELECT '+8613700000030' || d FROM generate_series(0, 7) d) f(p));

-- The reference: submit once per item, in submit_batch's order.
CREATE FUNCTION pg_temp.one_by_one(p jsonb)
RETURNS TABLE (ord bigint, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE x record;
BEGIN
	FOR x IN SELECT * FROM ROWS FROM (jsonb_to_recordset(p) AS (page text, channel text, phone text,
		name text, question text, fields jsonb, consent text, idem_key text, client_addr inet,
		user_agent text, lang text, received_at timestamptz, referral text)) WITH ORDINALITY AS i
		ORDER BY i.phone, i.idem_key, i.ordinality
	LOOP
		RETURN QUERY SELECT x.ordinality, s.* FROM landform.submit(x.page, x.channel, x.phone, x.name,
			x.question, x.fields, x.consent, x.idem_key, x.client_addr, x.user_agent, x.lang,
			x.received_at, x.referral) s;
	END LOOP;
END $$;
-- Everything a batch writes, without ids (sequences differ between two runs).
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(E'\n',
	  (SELECT string_agg(concat_ws('|', l.phone, l.name, l.submissions, l.first_seen, l.last_seen,
	          p.name, g.slug, c.code, l.route, l.tags::text, r.phone, l.source, l.state), E'\n' ORDER BY l.phone)
	   FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id LEFT JOIN landform.pages g ON g.id = l.page_id
	   LEFT JOIN landform.channels c ON c.id = l.channel_id LEFT JOIN landform.leads r ON r.id = l.referred_by),
	  (SELECT string_agg(concat_ws('|', s.idem_key, l.phone, g.slug, c.code, s.name, s.fields::text, s.consent_text,
	          s.consent_at, s.client_addr, s.user_agent, s.lang, s.new_lead, s.created_at), E'\n'
	          ORDER BY l.phone, s.idem_key, s.created_at)
	   FROM landform.submissions s JOIN landform.leads l ON l.id = s.lead_id JOIN landform.pages g ON g.id = s.page_id
	   LEFT JOIN landform.channels c ON c.id = s.channel_id),
	  (SELECT string_agg(concat_ws('|', s.idem_key, l.phone, g.slug, q.question, q.created_at), E'\n' ORDER BY s.idem_key)
	   FROM landform.consultations q JOIN landform.submissions s ON s.id = q.submission_id
	   JOIN landform.leads l ON l.id = q.lead_id JOIN landform.pages g ON g.id = q.page_id),
	  (SELECT string_agg(d, E'\n' ORDER BY d) FROM (SELECT concat_ws('|', g.slug, c.code, d.day, sum(d.submissions),
	          sum(d.leads)) AS d FROM landform.page_daily d JOIN landform.pages g ON g.id = d.page_id
	          LEFT JOIN landform.channels c ON c.id = d.channel_id GROUP BY g.slug, c.code, d.day) x),
	  (SELECT string_agg(concat_ws('|', o.kind, t.login, l.phone, s.idem_key, o.payload::text), E'\n'
	          ORDER BY o.kind, l.phone, s.idem_key)
	   FROM landform.outbox o LEFT JOIN landform.staff t ON t.id = o.staff_id LEFT JOIN landform.leads l ON l.id = o.lead_id
	   LEFT JOIN landform.submissions s ON s.id = o.submission_id),
	  (SELECT string_agg(concat_ws('|', l.phone, t.tag, t.source, t.given_by), E'\n' ORDER BY l.phone, t.tag, t.given_by)
	   FROM landform.lead_tags t JOIN landform.leads l ON l.id = t.lead),
	  (SELECT string_agg(concat_ws('|', a.phone, b.phone), E'\n' ORDER BY b.phone)
	   FROM landform.referral_credits k JOIN landform.leads a ON a.id = k.referrer_id JOIN landform.leads b ON b.id = k.referred_id),
	  (SELECT string_agg(code, ',' ORDER BY code) FROM landform.channels)) $$;
CREATE FUNCTION pg_temp.answers(p_rows jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(concat_ws(':', a.ord, s.idem_key, l.phone, a.new_lead, a.replayed), ' ' ORDER BY a.ord)
	FROM jsonb_to_recordset(p_rows) AS a(ord bigint, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
	LEFT JOIN landform.submissions s ON s.id = a.submission_id LEFT JOIN landform.leads l ON l.id = a.lead_id $$;
\o

BEGIN;
SELECT pg_temp.answers((SELECT jsonb_agg(a) FROM pg_temp.one_by_one((SELECT j FROM items)) a)) AS want_answers \gset
SELECT pg_temp.state() AS want_state \gset
ROLLBACK;
CREATE TEMP TABLE b AS SELECT * FROM landform.submit_batch((SELECT j FROM items));
SELECT t.is(pg_temp.answers((SELECT jsonb_agg(b) FROM b)), :'want_answers',
            'submit_batch answers each item as submit called one item at a time answers it');
SELECT t.is(pg_temp.state(), :'want_state',
            '... and stores the same leads, submissions, consultations, daily counts, outbox, tags, credits, channels');

-- The same, one guarantee at a time.
SELECT t.is((SELECT string_agg(g.slug || ':' || d.day || ':' || d.submissions, ',' ORDER BY g.slug, d.day, d.submissions)
             FROM landform.page_daily d JOIN landform.pages g ON g.id = d.page_id WHERE d.submissions > 1),
            'ask:2026-01-10:4,demo:2026-01-10:2,demo:2026-01-11:2,demo:2026-01-11:6,demo:2026-01-11:8,demo:2026-01-11:8',
            'page_daily: a run''s items are counted together, one row per page, channel and day received');
SELECT t.is((SELECT sum(d.submissions) || '/' || sum(d.leads) FROM landform.page_daily d
             WHERE d.day IN ('2026-01-10', '2026-01-11')), '39/37',
            '... counting 39 submissions and 37 new leads, on the days received, none today');
SELECT t.is((SELECT string_agg(d.day || ':' || d.submissions, ',' ORDER BY d.day) FROM (SELECT day, sum(submissions) AS submissions
             FROM landform.page_daily WHERE day IN ('2026-01-10', '2026-01-11') GROUP BY day) d), '2026-01-10:11,2026-01-11:28',
            '... 23:30 and 00:30 Shanghai time on their two days');
SELECT t.is((SELECT (l.first_seen, s.created_at, s.consent_at)::text FROM landform.leads l
             JOIN landform.submissions s ON s.lead_id = l.id WHERE s.idem_key = 's-1'),
            ('2026-01-10T23:30:00+08:00'::timestamptz, '2026-01-10T23:30:00+08:00'::timestamptz,
             '2026-01-10T23:30:00+08:00'::timestamptz)::text,
            'a new lead''s first_seen, its submission and consent are dated when received');
SELECT t.is((SELECT l.name || '|' || l.submissions || '|' || l.last_seen::text FROM landform.leads l WHERE l.phone = '+8613700000001'),
            'Owned|2|' || (SELECT s.created_at FROM landform.submissions s WHERE s.idem_key = 'pre-1')::text,
            'a known phone attaches: counted, its name kept, last_seen never moved back');
SELECT t.is((SELECT count(*) FROM b WHERE ord = 3 AND NOT new_lead AND NOT replayed), 1::bigint, '... answered as a repeat');
SELECT t.is((SELECT t.login FROM landform.outbox o JOIN landform.staff t ON t.id = o.staff_id
             JOIN landform.submissions s ON s.id = o.submission_id WHERE o.kind = 'repeat_submission' AND s.idem_key = 's-3'),
            'alice', '... and its owner is told');
SELECT t.is((SELECT q.question || '|' || q.created_at::text FROM landform.consultations q
             JOIN landform.submissions s ON s.id = q.submission_id WHERE s.idem_key = 's-4'),
            'Q?|' || '2026-01-10T23:30:00+08:00'::timestamptz::text, 'a consult page''s item records its question, dated when received');
SELECT t.is((SELECT count(*) FROM landform.consultations), 6::bigint, '... one per consult item');
SELECT t.is((SELECT (b.submission_id = s.id AND b.lead_id = s.lead_id AND b.replayed AND b.new_lead) FROM b, landform.submissions s
             WHERE b.ord = 5 AND s.idem_key = 'pre-2'), true,
            'a key stored before the outage replays its first row');
SELECT t.is((SELECT count(*) FROM landform.submissions WHERE idem_key IN ('pre-2', 'pre-3')) || '/' ||
            (SELECT submissions FROM landform.leads WHERE phone = '+8613700000002'), '2/1', '... and stores nothing new');
SELECT t.is((SELECT count(*) FROM b, landform.submissions s
             WHERE b.ord IN (13, 14) AND s.idem_key = 'pre-3' AND b.submission_id = s.id AND b.replayed), 2::bigint,
            'a key twice in the batch and stored before: both replay it');
SELECT t.is((SELECT string_agg((submission_id IS NULL AND lead_id IS NULL)::text, ',') FROM b WHERE ord = 6)
            || '/' || (SELECT count(*) FROM landform.leads WHERE phone = '+8613700000009'), 'true/0',
            'a phone forgotten after it was received: not stored, answered without ids');
SELECT t.is((SELECT c.code FROM landform.submissions s JOIN landform.channels c ON c.id = s.channel_id
             WHERE s.idem_key = 's-7'), 'newchan', 'a channel seen for the first time is created');
SELECT t.is((SELECT r.phone FROM landform.leads l JOIN landform.leads r ON r.id = l.referred_by
             WHERE l.phone = '+8613700000015'), '+8613700000001', 'a referral in the batch credits its referrer');
SELECT t.is((SELECT string_agg(new_lead::text || '/' || replayed::text, ',' ORDER BY ord) FROM b WHERE ord IN (9, 10)),
            'false/false,true/false', 'a phone twice in the batch: one new lead (key s-10 goes first), then a repeat');
SELECT t.is((SELECT (b2.submission_id = b1.submission_id AND b2.replayed) FROM b b1, b b2 WHERE b1.ord = 11 AND b2.ord = 12),
            true, 'a key twice in the batch: the second replays the first');
SELECT t.is((SELECT count(*) FROM landform.leads l WHERE l.phone LIKE '+86137000000%'), 40::bigint,
            'one lead per phone: 3 before, 37 new');
SELECT t.is((SELECT p.name || ':' || l.route FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id
             WHERE l.phone = '+8613700000011'), 'VIP:vip', 'routes apply to a new lead of the run');
SELECT t.is((SELECT string_agg(right(l.phone, 2), ',' ORDER BY l.phone) FROM landform.lead_tags t
             JOIN landform.leads l ON l.id = t.lead WHERE t.tag = '微信'),
            '11,12,13,15,20,22,23,24,27', 'tag rules fire for each new lead from wx (none from newchan or none, none forgotten)');
SELECT t.is((SELECT count(DISTINCT xmin::text) FROM landform.submissions WHERE idem_key LIKE 's-%'), 1::bigint,
            'the whole batch is one transaction');

-- A refused item in a run refuses the batch, with submit's own code, and stores nothing.
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM landform.submissions) AS s,
	(SELECT sum(submissions) FROM landform.page_daily) AS d;
-- run(bad): 11 good items and bad, one run.
CREATE FUNCTION pg_temp.run(p_bad jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object('page', 'demo', 'phone', '+86137000009' || lpad(n::text, 2, '0'),
	                                    'fields', '{}'::jsonb, 'idem_key', 'x-' || n)) || jsonb_build_array(p_bad)
	FROM generate_series(1, 11) n $$;
SELECT t.throws($$SELECT * FROM landform.submit_batch(pg_temp.run(
	'{"page":"gone","phone":"+8613700000999","fields":{},"idem_key":"x-12"}'))$$,
                'P0002', 'a run with an unknown page raises P0002 as submit does');
SELECT t.throws($$SELECT * FROM landform.submit_batch(pg_temp.run(
	'{"page":"demo","phone":"+8613700000999","fields":[],"idem_key":"x-12"}'))$$,
                '22023', '... fields that are not an object, 22023');
SELECT t.throws($$SELECT * FROM landform.submit_batch(pg_temp.run(
	'{"page":"demo","phone":"13700000999","fields":{},"idem_key":"x-12"}'))$$,
                '22023', '... a phone not in E.164, 22023');
SELECT t.throws($$SELECT * FROM landform.submit_batch(pg_temp.run(
	jsonb_build_object('page', 'demo', 'phone', '+8613700000999', 'fields', '{}'::jsonb, 'idem_key', repeat('k', 201))))$$,
                '22001', '... a key over 200 characters, 22001');
SELECT t.throws($$SELECT * FROM landform.submit_batch(pg_temp.run(
	'{"page":"demo","channel":"bad code!","phone":"+8613700000999","fields":{},"idem_key":"x-12"}'))$$,
                '22023', '... a bad channel code, 22023');
SELECT t.is((SELECT count(*) FROM landform.submissions) || '/' || (SELECT sum(submissions) FROM landform.page_daily),
            s || '/' || d, '... and nothing of the run is stored') FROM before;
SELECT t.is((SELECT count(*) FROM landform.submit_batch(pg_temp.run(
	'{"page":"demo","phone":"+8613700000999","fields":{},"idem_key":"x-12"}')) WHERE NOT replayed), 12::bigint,
            'the same run without the bad item is stored');
