-- Reclaim and staff actions: expiry to the next member who has not held the lead, max
-- attempts and all-tried to the open pool, on_expiry, accept statuses, off duty, deactivation,
-- leave_pool, release/claim/assign, the history, the admin API's errors.
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a', 'b', 'c', 'x']) l;
	PERFORM landform.join_pool('default', l) FROM unnest(ARRAY['a', 'b', 'c']) l;
END $$;

CREATE FUNCTION pg_temp.new_lead(p_n integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT lead_id FROM landform.submit('demo', NULL, '+86131' || lpad(p_n::text, 8, '0'), NULL, NULL, '{}',
	                                    NULL, 'n' || p_n, NULL, NULL, NULL)
$$;
CREATE FUNCTION pg_temp.lead(p_n integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.leads WHERE phone = '+86131' || lpad(p_n::text, 8, '0')
$$;
CREATE FUNCTION pg_temp.sid(p_login text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.staff WHERE login = p_login
$$;
-- 'state:login' of a lead now.
CREATE FUNCTION pg_temp.who(p_lead bigint) RETURNS text LANGUAGE sql AS $$
	SELECT l.state || coalesce(':' || s.login, '') FROM landform.leads l
	LEFT JOIN landform.staff s ON s.id = l.owner_id WHERE l.id = p_lead
$$;
CREATE FUNCTION pg_temp.open_asg(p_lead bigint) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.assignments WHERE lead_id = p_lead AND closed_at IS NULL
$$;
-- Move the lead's open offer's deadline into the past, as if time had passed.
CREATE FUNCTION pg_temp.overdue(p_lead bigint) RETURNS void LANGUAGE sql AS $$
	UPDATE landform.assignments SET deadline = now() - interval '1 second'
	WHERE lead_id = p_lead AND closed_at IS NULL
$$;
CREATE FUNCTION pg_temp.path(p_lead bigint) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(holder || ':' || coalesce(outcome, 'open'), ' ' ORDER BY assignment_id)
	FROM landform.lead_history WHERE lead_id = p_lead
$$;

-- Expiry walks the rotation, never back to someone who let it expire, then the open pool.
SELECT t.is(pg_temp.new_lead(1) IS NOT NULL, true, 'lead 1 submitted');
SELECT t.is(assigned, 1, 'dispatch offers it') FROM landform.dispatch();
SELECT t.is(pg_temp.who(pg_temp.lead(1)), 'pending:a', 'lead 1 is offered to a');
DO $$ BEGIN PERFORM pg_temp.overdue(pg_temp.lead(1)); END $$;
SELECT t.is(expired || '/' || assigned || '/' || to_open_pool, '1/1/0', 'dispatch expires it and offers it again') FROM landform.dispatch();
SELECT t.is(pg_temp.who(pg_temp.lead(1)), 'pending:b', 'the next member who has not held it gets it');
SELECT t.is(misses, 1, 'the lead counts one miss') FROM landform.leads WHERE id = pg_temp.lead(1);
DO $$ BEGIN PERFORM pg_temp.overdue(pg_temp.lead(1)); END $$;
SELECT t.is(expired || '/' || assigned, '1/1', 'second expiry') FROM landform.dispatch();
SELECT t.is(pg_temp.who(pg_temp.lead(1)), 'pending:c', 'then the third member');
DO $$ BEGIN PERFORM pg_temp.overdue(pg_temp.lead(1)); END $$;
SELECT t.is(expired || '/' || assigned || '/' || to_open_pool, '1/0/1', 'after max_attempts (3) misses it goes to the open pool')
FROM landform.dispatch();
SELECT t.is(pg_temp.who(pg_temp.lead(1)), 'open', 'lead 1 is in the open pool');
SELECT t.is(pg_temp.path(pg_temp.lead(1)), 'a:expired b:expired c:expired (open pool):open',
            'lead_history shows every holder and outcome in one query');
SELECT t.is((SELECT count(*) FROM landform.open_pool WHERE lead_id = pg_temp.lead(1)), 1::bigint, 'open_pool lists it');

-- With more attempts allowed than members: once everyone has had it, the open pool.
SELECT t.lives($$SELECT landform.set_pool('default', p_max_attempts => 10)$$, 'max attempts 10');
SELECT t.is(pg_temp.new_lead(2) IS NOT NULL, true, 'lead 2 submitted');
DO $$ BEGIN
	PERFORM landform.dispatch();
	FOR i IN 1..3 LOOP
		PERFORM pg_temp.overdue(pg_temp.lead(2));
		PERFORM landform.dispatch();
	END LOOP;
END $$;
SELECT t.is(pg_temp.who(pg_temp.lead(2)), 'open', 'when every member has let it expire it goes to the open pool');
SELECT t.is((SELECT count(DISTINCT staff_id) || '/' || count(staff_id) FROM landform.assignments WHERE lead_id = pg_temp.lead(2)),
            '3/3', 'three offers, three different members: it never came back to anyone');

-- An untried member who is off duty: the lead waits for them rather than repeating.
SELECT t.is(pg_temp.new_lead(3) IS NOT NULL, true, 'lead 3 submitted');
DO $$ BEGIN PERFORM landform.dispatch(); END $$;
CREATE TEMP TABLE first_holder AS SELECT owner_id FROM landform.leads WHERE id = pg_temp.lead(3);
DO $$
DECLARE
	v_other text;
BEGIN
	-- Send one untried member off duty, expire twice.
	SELECT login INTO v_other FROM landform.staff WHERE login IN ('a', 'b', 'c')
	AND id <> (SELECT owner_id FROM first_holder) ORDER BY login LIMIT 1;
	PERFORM landform.set_on_duty(v_other, false);
	PERFORM pg_temp.overdue(pg_temp.lead(3));
	PERFORM landform.dispatch();
	PERFORM pg_temp.overdue(pg_temp.lead(3));
	PERFORM landform.dispatch();
	CREATE TEMP TABLE sleeper AS SELECT v_other AS login;
END $$;
SELECT t.is(pg_temp.who(pg_temp.lead(3)), 'waiting', 'two members tried, the third off duty: the lead waits');
SELECT t.is((SELECT count(*) FROM landform.leads_waiting WHERE lead_id = pg_temp.lead(3)), 1::bigint, 'leads_waiting shows it');
SELECT t.is(landform.set_on_duty(login, true), 0, 'the untried member comes back on duty') FROM sleeper;
SELECT t.is(pg_temp.who(pg_temp.lead(3)), 'pending:' || login, 'and gets the lead at once') FROM sleeper;

-- on_expiry = open_pool: straight to the open pool after one miss.
DO $$ BEGIN
	PERFORM landform.add_pool('strict', interval '5 minutes', 3, 'open_pool');
	PERFORM landform.register_page('strict', 'Strict', 'lead');
	PERFORM landform.set_page_pool('strict', 'strict');
	PERFORM landform.join_pool('strict', 'a');
	PERFORM landform.join_pool('strict', 'b');
	PERFORM landform.submit('strict', NULL, '+8613200000001', NULL, NULL, '{}', NULL, 's1', NULL, NULL, NULL);
	PERFORM landform.dispatch();
END $$;
SELECT t.is(round(extract(epoch FROM deadline - assigned_at)), 300::numeric, 'the pool''s own claim timeout is used')
FROM landform.assignments a JOIN landform.pools p ON p.id = a.pool_id WHERE p.name = 'strict';
DO $$ BEGIN PERFORM pg_temp.overdue(l.id) FROM landform.leads l WHERE phone = '+8613200000001'; END $$;
SELECT t.is(expired || '/' || to_open_pool, '1/1', 'a pool with on_expiry open_pool sends an expired lead to the open pool')
FROM landform.dispatch();
SELECT t.is(pg_temp.who(id), 'open', 'it is in the open pool after one miss') FROM landform.leads WHERE phone = '+8613200000001';

-- accept(): statuses.
SELECT t.is(pg_temp.new_lead(4) IS NOT NULL, true, 'lead 4 submitted');
DO $$ BEGIN PERFORM landform.dispatch(); END $$;
CREATE TEMP TABLE l4 AS SELECT a.id AS asg, a.staff_id, s.login FROM landform.assignments a
	JOIN landform.staff s ON s.id = a.staff_id WHERE a.lead_id = pg_temp.lead(4);
SELECT t.is(landform.accept(asg, pg_temp.sid('x')), 'not_yours', 'accepting someone else''s offer: not_yours') FROM l4;
SELECT t.is(landform.accept(-1, staff_id), 'not_found', 'accepting a missing assignment: not_found') FROM l4;
SELECT t.is(landform.accept(asg, staff_id), 'accepted', 'accept before the deadline: accepted') FROM l4;
SELECT t.is(pg_temp.who(pg_temp.lead(4)), 'owned:' || login, 'the lead is theirs') FROM l4;
SELECT t.is(landform.accept(asg, staff_id), 'already_accepted', 'accepting twice: already_accepted') FROM l4;
DO $$ BEGIN PERFORM pg_temp.overdue(pg_temp.lead(4)); END $$;
SELECT t.is(expired, 0, 'an accepted lead is never expired, even past its deadline') FROM landform.dispatch();
SELECT t.is(pg_temp.who(pg_temp.lead(4)), 'owned:' || login, 'it stays with its owner') FROM l4;

SELECT t.is(pg_temp.new_lead(5) IS NOT NULL, true, 'lead 5 submitted');
DO $$ BEGIN PERFORM landform.dispatch(); PERFORM pg_temp.overdue(pg_temp.lead(5)); END $$;
CREATE TEMP TABLE l5 AS SELECT a.id AS asg, a.staff_id FROM landform.assignments a WHERE a.lead_id = pg_temp.lead(5);
SELECT t.is(landform.accept(asg, staff_id), 'expired', 'accept after the deadline, before the dispatcher ran: expired') FROM l5;
SELECT t.is(accepted_at IS NULL AND closed_at IS NULL, true, 'and it changed nothing')
FROM landform.assignments WHERE id = (SELECT asg FROM l5);
DO $$ BEGIN PERFORM landform.dispatch(); END $$;
SELECT t.is(landform.accept(asg, staff_id), 'expired', 'accept after the dispatcher took it back: expired') FROM l5;
SELECT t.isnt(pg_temp.open_asg(pg_temp.lead(5)), asg, 'the lead has moved on to a new offer') FROM l5;

-- Off duty: unaccepted leads are taken back and offered to others at once; owned ones stay.
DO $$ BEGIN
	PERFORM landform.set_pool('default', p_max_attempts => 3);
	FOR i IN 10..21 LOOP PERFORM pg_temp.new_lead(i); END LOOP;
	PERFORM landform.dispatch();
END $$;
CREATE TEMP TABLE a_before AS SELECT
	(SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('a') AND state = 'pending') AS pending,
	(SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('a') AND state = 'owned') AS owned,
	(SELECT array_agg(id) FROM landform.leads WHERE owner_id = pg_temp.sid('a') AND state = 'pending') AS ids;
SELECT t.ok(pending >= 3, 'a has ' || pending || ' pending leads') FROM a_before;
SELECT t.is(landform.set_on_duty('a', false), pending::integer, 'set_on_duty(false) returns how many were taken back') FROM a_before;
SELECT t.is((SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('a') AND state = 'pending'), 0::bigint,
            'an off-duty member has no unaccepted leads left');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('a') AND state = 'owned'), owned,
            'accepted leads stay with them') FROM a_before;
SELECT t.is((SELECT count(*) FROM landform.leads WHERE id = ANY (ids) AND state = 'pending' AND owner_id <> pg_temp.sid('a')),
            pending, 'the taken-back leads were offered to others at once, without a dispatch') FROM a_before;
SELECT t.is((SELECT count(*) FROM landform.assignments WHERE lead_id = ANY (ids) AND outcome = 'reclaimed' AND note = 'off duty'),
            pending, 'the history says reclaimed, off duty') FROM a_before;
SELECT t.is(landform.set_on_duty('a', true), 0, 'a comes back');

-- Deactivation: every open lead, accepted ones too, goes back to rotation.
CREATE TEMP TABLE b_before AS SELECT array_agg(id) AS ids, count(*) AS n,
	count(*) FILTER (WHERE state = 'owned') AS owned
	FROM landform.leads WHERE owner_id = pg_temp.sid('b');
SELECT t.ok(n > 0, 'b holds ' || n || ' leads (' || owned || ' accepted)') FROM b_before;
SELECT t.is(landform.deactivate_staff('b'), n::integer, 'deactivate_staff returns how many leads were handed back') FROM b_before;
SELECT t.is((SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('b')), 0::bigint, 'a deactivated member holds nothing');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE id = ANY (ids) AND (state = 'pending' OR state = 'open')), n,
            'their leads were rotated at once (or sent to the open pool when everyone had tried)') FROM b_before;
SELECT t.is((SELECT active::text || '/' || on_duty::text FROM landform.staff WHERE login = 'b'), 'false/false', 'b is inactive and off duty');
SELECT t.throws_like($$SELECT landform.set_on_duty('b', true)$$, '55000', 'deactivated', 'a deactivated member cannot come on duty');
SELECT t.throws($$SELECT landform.assign(1, 'b')$$, '55000', 'nothing can be assigned to a deactivated member');
SELECT t.lives($$SELECT landform.activate_staff('b')$$, 'activate_staff');
SELECT t.is((SELECT active::text || '/' || on_duty::text FROM landform.staff WHERE login = 'b'), 'true/false', 'reactivated, still off duty');

-- Release and claim.
CREATE TEMP TABLE rel AS SELECT id AS lead, owner_id FROM landform.leads WHERE state = 'owned' ORDER BY id LIMIT 1;
SELECT t.is(landform.staff_release(lead, pg_temp.sid('x')), 'not_yours', 'releasing someone else''s lead: not_yours') FROM rel;
SELECT t.is(landform.staff_release(lead, owner_id), 'released', 'the owner releases it') FROM rel;
SELECT t.is(pg_temp.who(lead), 'open', 'a released lead is in the open pool') FROM rel;
SELECT t.is(landform.staff_release(lead, owner_id), 'not_yours', 'releasing it again: not_yours') FROM rel;
SELECT t.is(landform.staff_claim(lead, pg_temp.sid('x')), 'not_member', 'x is in no pool: not_member') FROM rel;
SELECT t.is(landform.staff_claim(lead, pg_temp.sid('c')), 'claimed', 'a member claims it') FROM rel;
SELECT t.is(pg_temp.who(lead), 'owned:c', 'a claimed lead is owned at once') FROM rel;
SELECT t.is(landform.staff_claim(lead, pg_temp.sid('a')), 'not_open', 'claiming it again: not_open') FROM rel;
SELECT t.is(landform.staff_claim(-5, pg_temp.sid('a')), 'not_found', 'claiming a missing lead: not_found');
SELECT t.lives($$SELECT landform.set_cap('default', 'a', 0)$$, 'cap a at 0');
SELECT t.is(landform.staff_claim(pg_temp.lead(1), pg_temp.sid('a')), 'over_cap', 'a member at the cap cannot claim');
SELECT t.lives($$SELECT landform.set_cap('default', 'a', NULL)$$, 'uncap a');

-- Admin: assign, release, claim.
SELECT t.is(landform.assign(pg_temp.lead(1), 'x') > 0, true, 'assign() gives an open-pool lead to anyone, member or not');
SELECT t.is(pg_temp.who(pg_temp.lead(1)), 'owned:x', 'a manually assigned lead is owned at once');
SELECT t.throws_like($$SELECT landform.assign(pg_temp.lead(1), 'x')$$, '55000', 'already belongs', 'assigning to the owner again is refused');
SELECT t.is(landform.accept(a.id, a.staff_id), 'reassigned', 'a stale accept of a reassigned offer changes nothing and says so')
FROM landform.assignments a WHERE a.lead_id = pg_temp.lead(1) AND a.outcome = 'reassigned' AND a.staff_id IS NOT NULL LIMIT 1;
SELECT t.is(landform.assign(pg_temp.lead(1), 'a') > 0, true, 'assign() takes a lead from its owner');
SELECT t.is(pg_temp.path(pg_temp.lead(1)),
            'a:expired b:expired c:expired (open pool):reassigned x:reassigned a:accepted',
            'the history shows open pool -> x -> a');
SELECT t.ok(landform.release(pg_temp.lead(1)) > 0, 'release() sends a lead to the open pool');
SELECT t.throws_like($$SELECT landform.release(pg_temp.lead(1))$$, '55000', 'already in the open pool', 'releasing an open-pool lead again is refused');
SELECT t.ok(landform.claim(pg_temp.lead(1), 'c') > 0, 'claim() on a member''s behalf');
SELECT t.throws_like($$SELECT landform.claim(pg_temp.lead(1), 'a')$$, '55000', 'not_open', 'claim() of a lead not in the open pool says why');
SELECT t.throws_like($$SELECT landform.assign(999999, 'a')$$, 'P0002', 'no lead with id 999999', 'an unknown lead is named');
SELECT t.throws_like($$SELECT landform.assign(pg_temp.lead(1), 'zed')$$, 'P0002', 'no staff member with login "zed"', 'an unknown login is named');

-- Who did it: the admin's database user, or the portal's actor setting.
SELECT t.is(closed_by, 'sql:' || session_user, 'admin changes record the database user')
FROM landform.assignments WHERE lead_id = pg_temp.lead(1) AND outcome = 'released';
BEGIN;
SELECT t.is(set_config('landform.actor', 'staff:c', true), 'staff:c', 'the portal sets landform.actor for its transaction');
SELECT t.is(landform.staff_release(pg_temp.lead(1), pg_temp.sid('c')), 'released', 'c releases via the portal');
COMMIT;
SELECT t.is(closed_by, 'staff:c', 'the portal''s landform.actor is recorded')
FROM landform.assignments WHERE lead_id = pg_temp.lead(1) ORDER BY id DESC OFFSET 1 LIMIT 1;

-- leave_pool: unaccepted leads in that pool go back to rotation at once.
DO $$ BEGIN
	FOR i IN 30..35 LOOP PERFORM pg_temp.new_lead(i); END LOOP;
	PERFORM landform.dispatch();
END $$;
CREATE TEMP TABLE c_pending AS SELECT count(*)::integer AS n FROM landform.leads WHERE owner_id = pg_temp.sid('c') AND state = 'pending';
SELECT t.is(landform.leave_pool('default', 'c'), n, 'leave_pool returns how many offers were taken back') FROM c_pending;
SELECT t.is((SELECT count(*) FROM landform.leads WHERE owner_id = pg_temp.sid('c') AND state = 'pending'), 0::bigint,
            'a member who left has no offers in that pool');
SELECT t.is((SELECT count(*) FROM landform.member_load WHERE login = 'c' AND pool = 'default'), 0::bigint, 'and is no longer listed');
SELECT t.throws($$SELECT landform.leave_pool('default', 'c')$$, 'P0002', 'leaving a pool one is not in is refused');

-- Views.
DO $$ BEGIN PERFORM pg_temp.new_lead(40); PERFORM landform.dispatch(); PERFORM pg_temp.overdue(pg_temp.lead(40)); END $$;
SELECT t.is((SELECT count(*) FROM landform.leads_overdue WHERE lead_id = pg_temp.lead(40)), 1::bigint,
            'leads_overdue lists an offer past its deadline that dispatch has not taken back yet');
SELECT t.is((SELECT overdue FROM landform.member_load m JOIN landform.leads l ON l.id = pg_temp.lead(40)
             JOIN landform.staff s ON s.id = l.owner_id WHERE m.login = s.login AND m.pool = 'default'), 1::bigint,
            'member_load counts it as overdue');
SELECT t.is((SELECT count(*) FROM landform.leads_assigned WHERE state = 'owned'),
            (SELECT count(*) FROM landform.leads WHERE state = 'owned'), 'leads_assigned lists every owned lead');

-- The admin API: bad input is named, with a hint, and nothing is half-written.
SELECT t.throws_like($$SELECT landform.add_staff('Bad Login', 'x')$$, '22023', 'bad login "Bad Login"', 'add_staff: a bad login is named');
SELECT t.throws_like($$SELECT landform.add_staff('a', 'Again')$$, '23505', 'already exists', 'add_staff: a duplicate login');
SELECT t.throws($$SELECT landform.add_staff('newbie', '  ')$$, '22023', 'add_staff: an empty display name');
SELECT t.throws_like($$SELECT landform.add_pool('default')$$, '23505', 'pool "default" already exists', 'add_pool: a duplicate name');
SELECT t.throws_like($$SELECT landform.add_pool('p2', interval '-5 minutes')$$, '22023', 'claim timeout must be positive', 'add_pool: a negative timeout');
SELECT t.throws_like($$SELECT landform.add_pool('p2', interval '5 minutes', 0)$$, '22023', 'max attempts', 'add_pool: zero attempts');
SELECT t.throws_like($$SELECT landform.add_pool('p2', interval '5 minutes', 3, 'drop')$$, '22023', 'on_expiry', 'add_pool: an unknown on_expiry');
SELECT t.throws($$SELECT landform.add_pool('p2', interval '5 minutes', 3, 'rotate', 'Nowhere/City')$$, '22023', 'add_pool: an unknown time zone');
SELECT t.is((SELECT count(*) FROM landform.pools WHERE name = 'p2'), 0::bigint, 'no pool was half-created');
SELECT t.throws_like($$SELECT landform.join_pool('default', 'x', 0)$$, '22023', 'weight must be', 'join_pool: weight 0');
SELECT t.throws($$SELECT landform.join_pool('default', 'x', 1, -1)$$, '22023', 'join_pool: a negative cap');
SELECT t.throws_like($$SELECT landform.join_pool('nope', 'x')$$, 'P0002', 'no pool named "nope"', 'join_pool: an unknown pool');
SELECT t.is((SELECT count(*) FROM landform.member_load WHERE login = 'x'), 0::bigint, 'no membership was half-created');
SELECT t.throws($$SELECT landform.set_on_duty('a', NULL)$$, '22004', 'set_on_duty: on is required');
SELECT t.throws_like($$SELECT landform.set_cap('strict', 'x', 3)$$, 'P0002', 'not a member', 'set_cap: not a member');
SELECT t.throws($$SELECT landform.set_page_pool('nope', 'default')$$, 'P0002', 'set_page_pool: an unknown page');
SELECT t.throws_like($$SELECT landform.set_setting('colour', 'red')$$, '22023', 'unknown setting', 'set_setting: an unknown setting');

-- set_default_pool: pages without a pool feed the new default.
SELECT t.lives($$SELECT landform.set_default_pool('strict')$$, 'set_default_pool');
SELECT t.is((SELECT string_agg(name, ',') FROM landform.pools WHERE is_default), 'strict', 'exactly one default pool');
SELECT t.is(p.name, 'strict', 'a page without its own pool now feeds the default pool')
FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id WHERE l.id = pg_temp.new_lead(50);

-- Re-weighting keeps a member's load: no burst, no drought.
DO $$ BEGIN PERFORM landform.dispatch(); END $$;
CREATE TEMP TABLE a_strict AS SELECT received FROM landform.member_load WHERE login = 'a' AND pool = 'strict';
SELECT t.lives($$SELECT landform.join_pool('strict', 'a', 4)$$, 'a''s weight in strict goes from 1 to 4');
SELECT t.is((SELECT received FROM landform.member_load WHERE login = 'a' AND pool = 'strict'), received * 4,
            'received is rescaled with the weight, so received/weight stays') FROM a_strict;

-- Deletion guards (in place of per-row keys on bulk paths).
SELECT t.throws_like($$DELETE FROM landform.staff WHERE login = 'a'$$, '23503', 'cannot be deleted',
                     'staff with a history cannot be deleted');
SELECT t.throws_like($$DELETE FROM landform.pools WHERE name = 'default'$$, '23503', 'has leads',
                     'a pool with leads cannot be deleted');
SELECT t.throws_like($$DELETE FROM landform.stages WHERE position = 10$$, '23503', 'still has leads',
                     'a stage with leads cannot be deleted');
SELECT t.throws($$UPDATE landform.staff SET id = id + 1000 WHERE login = 'a'$$, '23503', 'staff ids cannot change');
SELECT t.lives($$DELETE FROM landform.stages WHERE name = '无意向'$$, 'an unused stage can be deleted');
SELECT t.lives($$SELECT landform.add_staff('temp', 'Temp'); DELETE FROM landform.staff WHERE login = 'temp'$$,
               'staff without a history can be deleted');
