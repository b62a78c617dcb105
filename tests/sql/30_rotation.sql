-- Fair rotation: equal weights stay within one of each other at every dispatch, weights
-- 2:1:1, tie order, newcomers and members back on duty start at the pool minimum, caps.
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM t.members('default', 'a', 'b', 'c');
END $$;

-- Count of rotation assignments per member of a pool, zero included.
CREATE FUNCTION pg_temp.counts(p_pool text) RETURNS TABLE (login text, n bigint) LANGUAGE sql AS $$
	SELECT s.login, count(a.id)
	FROM landform.pool_members m JOIN landform.pools p ON p.id = m.pool_id AND p.name = p_pool
	JOIN landform.staff s ON s.id = m.staff_id
	LEFT JOIN landform.assignments a ON a.staff_id = m.staff_id AND a.pool_id = m.pool_id AND a.via = 'rotation'
	GROUP BY s.login ORDER BY s.login
$$;

-- Leads p_from..p_to on a page, phones p_prefix + the number in 8 digits, keys p_key + number.
CREATE FUNCTION pg_temp.submit_range(p_page text, p_prefix text, p_key text, p_from integer, p_to integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN p_from..p_to LOOP
		PERFORM landform.submit(p_page, NULL, p_prefix || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL, p_key || i, NULL, NULL, NULL);
	END LOOP;
END
$$;

-- The same leads rotated by dispatch() one at a time: each is handed out before the next arrives.
CREATE FUNCTION pg_temp.dispatch_each(p_page text, p_prefix text, p_key text, p_from integer, p_to integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN p_from..p_to LOOP
		PERFORM pg_temp.submit_range(p_page, p_prefix, p_key, i, i);
		PERFORM landform.dispatch();
	END LOOP;
END
$$;

-- Who got how many of the leads p_from..p_to on demo, dispatched at once: 'a+1 b+1 ...'.
CREATE FUNCTION pg_temp.gains(p_from integer, p_to integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_before jsonb := (SELECT jsonb_object_agg(login, n) FROM pg_temp.counts('default'));
BEGIN
	PERFORM pg_temp.submit_range('demo', '+86138', 'k', p_from, p_to);
	PERFORM landform.dispatch();
	RETURN (SELECT string_agg(c.login || '+' || (c.n - coalesce((v_before->>c.login)::bigint, 0)), ' ' ORDER BY c.login)
	        FROM pg_temp.counts('default') c);
END
$$;

-- A pool of its own and the page that feeds it.
CREATE FUNCTION pg_temp.pool_with_page(p_pool text, p_page text, p_title text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM landform.add_pool(p_pool);
	PERFORM landform.register_page(p_page, p_title, 'lead');
	PERFORM landform.set_page_pool(p_page, p_pool);
END
$$;

-- 3000 submissions, dispatched in uneven bursts; the spread is measured after every dispatch.
CREATE TABLE spread (at_lead integer, spread bigint);
DO $$
DECLARE
	v_next integer := 1;
BEGIN
	PERFORM setseed(0.42);
	FOR i IN 1..3000 LOOP
		PERFORM landform.submit('demo', 'ch' || (i % 3), '+86138' || lpad(i::text, 8, '0'),
		                        NULL, NULL, '{}', NULL, 'k' || i, NULL, NULL, NULL);
		IF i = v_next OR i = 3000 THEN
			PERFORM landform.dispatch();
			INSERT INTO spread SELECT i, max(n) - min(n) FROM pg_temp.counts('default');
			v_next := i + 1 + (random() * 60)::integer;
		END IF;
	END LOOP;
END $$;
SELECT t.ok(count(*) > 50, 'dispatched in ' || count(*) || ' uneven bursts') FROM spread;
SELECT t.is(max(spread), 1::bigint, 'equal weights: counts never differ by more than one after any dispatch') FROM spread;
SELECT t.is((SELECT count(*) FROM landform.assignments a JOIN landform.outbox o ON o.assignment_id = a.id
             AND o.kind = 'assigned' AND o.staff_id = a.staff_id AND o.targets = 0 AND o.fanned_at IS NOT NULL),
            3000::bigint, 'each offer wrote its assigned notice, settled as no_target (no target is set up)');
SELECT t.is(string_agg(login || '=' || n, ' '), 'a=1000 b=1000 c=1000', '3000 leads, 3 members: 1000 each')
FROM pg_temp.counts('default');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE state = 'waiting'), 0::bigint, 'none left unassigned');
SELECT t.is((SELECT count(*) FROM (SELECT lead_id FROM landform.assignments GROUP BY lead_id HAVING count(*) > 1) x),
            0::bigint, 'no lead assigned twice');
SELECT t.is((SELECT string_agg(login || '=' || received || '/' || pending, ' ' ORDER BY login) FROM landform.member_load),
            'a=1000/1000 b=1000/1000 c=1000/1000', 'member_load shows received and pending per member');

-- A newcomer starts at the pool's current minimum: the next four leads go one each.
DO $$ BEGIN
	PERFORM landform.add_staff('d', 'D');
	PERFORM landform.join_pool('default', 'd');
END $$;
SELECT t.is(received, 1000::bigint, 'a member joining starts at the pool minimum, not at zero')
FROM landform.member_load WHERE login = 'd';
SELECT t.is(pg_temp.gains(3001, 3004), 'a+1 b+1 c+1 d+1',
            'after a newcomer joins, the next four leads go one to each member');

-- Off duty: no leads. Back on duty: starts at the current minimum, no burst.
SELECT t.is(landform.set_on_duty('d', false), 1, 'going off duty takes back the one unaccepted lead');
SELECT t.is(pg_temp.gains(3005, 3034), 'a+10 b+10 c+10 d+0',
            'an off-duty member gets nothing (d''s reclaimed lead went to a; then 30 new leads)');
SELECT t.is(landform.set_on_duty('d', true), 0, 'back on duty');
SELECT t.is(m.received, (SELECT min(received) FROM landform.member_load WHERE login <> 'd'),
            'a member back on duty starts at the pool minimum')
FROM landform.member_load m WHERE m.login = 'd';
SELECT t.is(pg_temp.gains(3035, 3042), 'a+2 b+2 c+2 d+2',
            'after coming back on duty, no burst: 8 leads go two each');

-- Weights 2:1:1 -> 1500/750/750.
DO $$ BEGIN
	PERFORM pg_temp.pool_with_page('w', 'wpage', 'Weighted');
	PERFORM landform.add_staff('w2', 'Double');
	PERFORM landform.add_staff('w1a', 'Single A');
	PERFORM landform.add_staff('w1b', 'Single B');
	PERFORM landform.join_pool('w', 'w2', 2);
	PERFORM landform.join_pool('w', 'w1a', 1);
	PERFORM landform.join_pool('w', 'w1b');
END $$;
TRUNCATE spread;
DO $$
DECLARE
	v_next integer := 1;
BEGIN
	PERFORM setseed(0.7);
	FOR i IN 1..3000 LOOP
		PERFORM pg_temp.submit_range('wpage', '+86139', 'w', i, i);
		IF i = v_next OR i = 3000 THEN
			PERFORM landform.dispatch();
			INSERT INTO spread
			SELECT i, max(abs(c.n::numeric / m.weight * 2 - d.n::numeric / md.weight * 2))
			FROM pg_temp.counts('w') c JOIN landform.member_load m ON m.login = c.login AND m.pool = 'w',
			     pg_temp.counts('w') d JOIN landform.member_load md ON md.login = d.login AND md.pool = 'w';
			v_next := i + 1 + (random() * 80)::integer;
		END IF;
	END LOOP;
END $$;
SELECT t.near(n, CASE login WHEN 'w2' THEN 1500 ELSE 750 END, 1, 'weights 2:1:1 over 3000 leads: ' || login || ' got ' || n)
FROM pg_temp.counts('w');
SELECT t.ok(max(spread) <= 2, 'weighted: received/weight never drifts apart by more than one turn (max '
            || max(spread) / 2 || ')') FROM spread;

-- Tie order: equal load -> oldest last assignment -> id.
DO $$ BEGIN
	PERFORM pg_temp.pool_with_page('tie', 'tpage', 'Tie');
	PERFORM t.members('tie', 't3', 't1', 't2');
	PERFORM pg_temp.submit_range('tpage', '+86136', 't', 1, 4);
	PERFORM landform.dispatch();
	PERFORM pg_temp.dispatch_each('tpage', '+86136', 't', 5, 6);
END $$;
SELECT t.is(string_agg(s.login, ' ' ORDER BY l.id), 't3 t1 t2 t3 t1 t2',
            'ties go by oldest last assignment, then id (t3 was added first, so it has the lowest id)')
FROM landform.leads l JOIN landform.staff s ON s.id = l.owner_id JOIN landform.pools p ON p.id = l.pool_id
WHERE p.name = 'tie';

-- Caps: a member at the cap is skipped until a lead leaves them.
DO $$ BEGIN
	PERFORM pg_temp.pool_with_page('cap', 'cpage', 'Cap');
	PERFORM landform.add_staff('small', 'Small');
	PERFORM landform.add_staff('big', 'Big');
	PERFORM landform.join_pool('cap', 'small', 1, 2);
	PERFORM landform.join_pool('cap', 'big');
	PERFORM pg_temp.submit_range('cpage', '+86135', 'c', 1, 10);
	PERFORM landform.dispatch();
END $$;
SELECT t.is(string_agg(login || '=' || n, ' '), 'big=8 small=2', 'a member at their cap of 2 open leads gets no more')
FROM pg_temp.counts('cap');
SELECT t.is(landform.staff_release(l.id, l.owner_id), 'released', 'small releases one lead')
FROM landform.leads l JOIN landform.staff s ON s.id = l.owner_id WHERE s.login = 'small' ORDER BY l.id LIMIT 1;
DO $$ BEGIN
	PERFORM landform.submit('cpage', NULL, '+8613500000011', NULL, NULL, '{}', NULL, 'c11', NULL, NULL, NULL);
	PERFORM landform.dispatch();
END $$;
SELECT t.is(string_agg(login || '=' || n, ' '), 'big=8 small=3', 'with room under the cap again, the next lead goes to the lower load')
FROM pg_temp.counts('cap');
SELECT t.lives($$SELECT landform.set_cap('cap', 'small', NULL)$$, 'set_cap(NULL) removes the cap');

-- Nobody on duty: leads wait, visible in leads_waiting; coming on duty rotates them at once.
DO $$ BEGIN
	PERFORM pg_temp.pool_with_page('idle', 'ipage', 'Idle');
	PERFORM landform.add_staff('sleepy', 'Sleepy');
	PERFORM landform.join_pool('idle', 'sleepy');
	PERFORM landform.set_on_duty('sleepy', false);
	PERFORM pg_temp.submit_range('ipage', '+86134', 'i', 1, 3);
END $$;
SELECT t.is(d.assigned, 0, 'dispatch with nobody on duty assigns nothing') FROM landform.dispatch() d;
SELECT t.is((SELECT count(*) FROM landform.leads_waiting WHERE pool = 'idle'), 3::bigint, 'leads_waiting lists them');
SELECT t.is(landform.set_on_duty('sleepy', true), 0, 'sleepy comes on duty');
SELECT t.is((SELECT count(*) FROM landform.leads_waiting WHERE pool = 'idle'), 0::bigint,
            'coming on duty rotates the waiting leads at once');
SELECT t.is(d.assigned || '/' || d.expired || '/' || d.to_open_pool, '0/0/0', 'an idle dispatch reports nothing done')
FROM landform.dispatch() d;

-- The set-based batch makes exactly the choices of one-by-one rotation: two identical pools,
-- uneven weights, uneven starting counters and turns, a cap; 600 leads in one dispatch in
-- the first, one dispatch per lead in the second; the sequences of members must match.
DO $$
DECLARE
	v_w integer;
	v_r integer;
	v_t integer;
BEGIN
	PERFORM setseed(0.31);
	PERFORM pg_temp.pool_with_page('eq1', 'eq1', 'Eq1');
	PERFORM pg_temp.pool_with_page('eq2', 'eq2', 'Eq2');
	FOR k IN 1..6 LOOP
		v_w := 1 + (random() * 3)::integer;
		v_r := (random() * 12)::integer * v_w / 2;
		v_t := (random() * 5)::integer;
		PERFORM landform.add_staff('eq1m' || k, 'Eq1 ' || k);
		PERFORM landform.add_staff('eq2m' || k, 'Eq2 ' || k);
		PERFORM landform.join_pool('eq1', 'eq1m' || k, v_w, CASE WHEN k = 3 THEN 40 END);
		PERFORM landform.join_pool('eq2', 'eq2m' || k, v_w, CASE WHEN k = 3 THEN 40 END);
		UPDATE landform.pool_members m SET received = v_r, last_turn = v_t
		FROM landform.staff s WHERE s.id = m.staff_id AND s.login IN ('eq1m' || k, 'eq2m' || k);
	END LOOP;
	UPDATE landform.pools SET turn = 10 WHERE name IN ('eq1', 'eq2');
	PERFORM pg_temp.submit_range('eq1', '+86133', 'eq1-', 1, 600);
	PERFORM landform.dispatch();
	PERFORM pg_temp.dispatch_each('eq2', '+86132', 'eq2-', 1, 600);
END $$;
SELECT t.is((SELECT string_agg(right(s.login, 1), '' ORDER BY l.id) FROM landform.leads l
             JOIN landform.staff s ON s.id = l.owner_id JOIN landform.pools p ON p.id = l.pool_id WHERE p.name = 'eq1'),
            (SELECT string_agg(right(s.login, 1), '' ORDER BY l.id) FROM landform.leads l
             JOIN landform.staff s ON s.id = l.owner_id JOIN landform.pools p ON p.id = l.pool_id WHERE p.name = 'eq2'),
            'a batch of 600 picks the same members in the same order as 600 single dispatches');
SELECT t.is((SELECT count(*) FROM landform.leads l JOIN landform.staff s ON s.id = l.owner_id WHERE s.login = 'eq1m3'),
            40::bigint, 'the batch respects the cap');

-- With a target that takes assigned notices, rotation leaves them for the notifier.
SELECT FROM landform.set_notify_target('crm', 'webhook', 'http://127.0.0.1:9/in', 'sixteen-chars-ok', '{assigned}');
SELECT FROM landform.submit('demo', NULL, '+8613899990000', NULL, NULL, '{}', NULL, 'k-target', NULL, NULL, NULL);
SELECT FROM landform.dispatch();
SELECT t.ok(o.fanned_at IS NULL AND o.targets IS NULL, 'with a target taking assigned, the notice waits for the notifier')
FROM landform.outbox o JOIN landform.assignments a ON a.id = o.assignment_id
JOIN landform.leads l ON l.id = a.lead_id AND l.phone = '+8613899990000';
SELECT FROM landform.drop_notify_target('crm');
