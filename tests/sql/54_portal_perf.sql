-- The lead list at size: a member with 500 accepted leads and 20 offers, among 100 members
-- and 60,000 leads (3,000 in the open pool) with submissions, history and notes.
-- portal_home, portal_lead and portal_pool as landform_app, timed (median of 15 calls).
GRANT USAGE ON SCHEMA t TO landform_app;
-- Median milliseconds of n runs of a query, run as whoever calls it.
CREATE FUNCTION t.median_ms(p_sql text, p_n integer) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	v_t timestamptz;
	v_ms numeric[] := '{}';
BEGIN
	FOR i IN 1..p_n LOOP
		v_t := clock_timestamp();
		EXECUTE p_sql;
		v_ms := v_ms || (extract(epoch FROM clock_timestamp() - v_t) * 1000)::numeric;
	END LOOP;
	RETURN round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(v_ms) x)::numeric, 1);
END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;

DO $$
BEGIN
	PERFORM landform.register_page('p' || i, 'Page ' || i, CASE WHEN i = 5 THEN 'consult' ELSE 'lead' END) FROM generate_series(1, 5) i;
	INSERT INTO landform.channels (code) SELECT 'ch' || i FROM generate_series(1, 8) i;
	PERFORM landform._add_staff('m' || i, 'Member ' || i) FROM generate_series(1, 100) i;
	UPDATE landform.staff SET password_hash = '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
	INSERT INTO landform.pool_members (pool_id, staff_id) SELECT landform._pool_id(NULL), id FROM landform.staff;
	-- Member m1 owns leads 1..500 and is offered 501..520; the rest go round the others,
	-- every 20th to the open pool.
	INSERT INTO landform.leads (phone, name, pool_id, page_id, channel_id, state, owner_id, stage_id,
	                            stage_since, tags, first_seen, last_seen, first_contact_at, submissions, handoffs)
	SELECT '+86138' || lpad(i::text, 8, '0'), '客户' || i, landform._pool_id(NULL),
	       (SELECT id FROM landform.pages WHERE slug = 'p' || (1 + i % 5)),
	       (SELECT id FROM landform.channels WHERE code = 'ch' || (1 + i % 8)),
	       x.state, x.owner, (SELECT id FROM landform.stages ORDER BY position OFFSET (i % 4) LIMIT 1),
	       now() - (i % 90) * interval '1 day', CASE WHEN i % 7 = 0 THEN '{vip,回访}'::text[] ELSE '{}' END,
	       now() - (i % 365) * interval '1 day', now() - (i % 30) * interval '1 hour',
	       CASE WHEN i % 3 = 0 THEN now() - interval '1 day' END, 1, 1
	FROM generate_series(1, 60000) i,
	LATERAL (SELECT CASE WHEN i <= 500 THEN 'owned' WHEN i <= 520 THEN 'pending'
	                     WHEN i % 20 = 0 THEN 'open' WHEN i % 10 = 1 THEN 'pending' ELSE 'owned' END AS state,
	                CASE WHEN i <= 520 THEN landform._staff_id('m1')
	                     WHEN i % 20 = 0 THEN NULL ELSE landform._staff_id('m' || (2 + i % 99)) END AS owner) x;
	-- A closed offer by someone else in every lead's history, then the current holding.
	INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, assigned_at, deadline,
	                                  closed_at, outcome, closed_by)
	SELECT l.id, l.pool_id, landform._staff_id('m' || (2 + (l.id + 7) % 99)), 'rotation', 'dispatch',
	       l.first_seen, l.first_seen + interval '30 minutes', l.first_seen + interval '30 minutes', 'expired', 'dispatch'
	FROM landform.leads l;
	INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, assigned_at, deadline,
	                                  accepted_at, outcome)
	SELECT l.id, l.pool_id, l.owner_id, 'rotation', 'dispatch', now() - interval '10 minutes',
	       now() + (l.id % 50) * interval '1 minute',
	       CASE WHEN l.state = 'owned' THEN now() - interval '5 minutes' END,
	       CASE WHEN l.state = 'owned' THEN 'accepted' END
	FROM landform.leads l WHERE l.owner_id IS NOT NULL;
	INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, assigned_at)
	SELECT l.id, l.pool_id, NULL, 'open_pool', 'dispatch', now() - (l.id % 500) * interval '1 hour'
	FROM landform.leads l WHERE l.state = 'open';
	INSERT INTO landform.submissions (lead_id, page_id, channel_id, name, fields, new_lead, created_at)
	SELECT l.id, l.page_id, l.channel_id, l.name,
	       jsonb_build_object('name', l.name, 'mobile', l.phone, 'company', 'Co ' || l.id), true, l.first_seen
	FROM landform.leads l;
	INSERT INTO landform.consultations (submission_id, lead_id, page_id, question, answered_at)
	SELECT s.id, s.lead_id, s.page_id, '多少钱？', CASE WHEN s.id % 2 = 0 THEN now() END
	FROM landform.submissions s WHERE s.lead_id % 10 = 0;
	INSERT INTO landform.notes (lead_id, staff_id, body)
	SELECT l.id, l.owner_id, 'note ' || n FROM landform.leads l, generate_series(1, 2) n WHERE l.owner_id IS NOT NULL;
	PERFORM landform.portal_login_finish('m1', NULL, landform._staff_id('m1'), repeat('a', 64), repeat('c', 32), NULL, NULL);
END
$$;
ANALYZE;

SET ROLE landform_app;
SELECT t.is(jsonb_array_length(landform.portal_home(repeat('a', 64), '{"limit": 500}')->'mine'), 500, 'portal_home lists all 500 accepted leads (a page of its most, 500)');
SELECT t.is(jsonb_array_length(landform.portal_home(repeat('a', 64), '{}')->'waiting'), 20, 'and the 20 offers');
SELECT t.is(jsonb_array_length(landform.portal_pool(repeat('a', 64))->'leads'), 500, 'portal_pool: the longest-waiting 500 of 3,000');
CREATE TEMP TABLE timing (what text, ms numeric);
INSERT INTO timing VALUES
	('portal_home, 500 leads', t.median_ms($$SELECT landform.portal_home(repeat('a', 64), '{"limit": 500}')$$, 15)),
	('portal_home, searched', t.median_ms($$SELECT landform.portal_home(repeat('a', 64), '{"q": "客户4", "tag": "vip"}')$$, 15)),
	('portal_lead', t.median_ms($$SELECT landform.portal_lead(repeat('a', 64), 250)$$, 15)),
	('portal_pool, 500 of 3,000', t.median_ms($$SELECT landform.portal_pool(repeat('a', 64))$$, 15)),
	('portal_action note', t.median_ms($$SELECT landform.portal_action(repeat('a', 64), repeat('c', 32), 'note', 250, '{"body": "x"}')$$, 15));
SELECT t.diag(what || ': ' || ms || ' ms (median of 15)') FROM timing;
SELECT t.ok(ms < 100, what || ' well under 200 ms (' || ms || ' ms)') FROM timing;
RESET ROLE;
