-- Row-level security and grants, checked directly in SQL as landform_app: a member sees only
-- the leads they hold and the open pool (tables, views, functions), nothing without a member
-- set, no phones or fields except through the masking views, no admin functions, no writes;
-- RLS is forced; landform_app is neither owner nor superuser.
GRANT USAGE ON SCHEMA t TO landform_app;
-- Staff ids by login, readable by landform_app (which may not read staff.login by id).
CREATE TABLE ids (login text PRIMARY KEY, id bigint);
GRANT SELECT ON ids TO landform_app;
CREATE FUNCTION t.sid(p_login text) RETURNS text LANGUAGE sql AS $$ SELECT id::text FROM ids WHERE login = p_login $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
-- What each member may see, worked out as the superuser (no RLS) for comparison.
CREATE TABLE expect (login text, lead_id bigint);
GRANT SELECT ON expect TO landform_app;

-- alice and bob: 6 leads each offered, 2 of them accepted; bob releases one to the open pool;
-- notes, consultations, a deal on several.
DO $$
DECLARE
	v_login text;
BEGIN
	PERFORM t.pages_demo_ask();
	FOREACH v_login IN ARRAY ARRAY['alice', 'bob'] LOOP
		PERFORM landform.add_staff(v_login, initcap(v_login));
		PERFORM t.sessions(v_login);
		PERFORM landform.join_pool('default', v_login);
	END LOOP;
	PERFORM landform.submit(CASE WHEN i > 10 THEN 'ask' ELSE 'demo' END, 'wx', '+8613800000' || lpad(i::text, 3, '0'),
	                        'P' || i, 'Q' || i, jsonb_build_object('mobile', '+8613800000' || lpad(i::text, 3, '0')),
	                        NULL, 'k' || i, '192.0.2.9', 'ua', NULL)
	FROM generate_series(1, 12) i;
	PERFORM landform.dispatch();
	PERFORM landform.accept(a.id, a.staff_id) FROM landform.assignments a WHERE a.lead_id IN (1, 2, 3, 4);
	PERFORM landform.staff_release(4, landform._staff_id('bob'));
	INSERT INTO landform.notes (lead_id, staff_id, body) SELECT id, owner_id, 'note ' || id FROM landform.leads WHERE owner_id IS NOT NULL;
	INSERT INTO landform.deals (lead_id, staff_id, amount) VALUES (1, landform._staff_id('alice'), 100), (2, landform._staff_id('bob'), 200);
	INSERT INTO ids SELECT login, id FROM landform.staff;
	INSERT INTO expect SELECT s.login, l.id FROM landform.leads l CROSS JOIN landform.staff s
	WHERE l.owner_id = s.id OR l.state = 'open';
END
$$;
SELECT t.is((SELECT count(*) FROM expect WHERE login = 'alice'), 7::bigint, 'scene: alice holds 6 leads, and 1 is open');
SELECT t.is((SELECT state FROM landform.leads WHERE id = 4), 'open', 'scene: lead 4 is in the open pool');

-- --- the role ------------------------------------------------------------------------------
SELECT t.ok(NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole AND NOT rolcreatedb, 'landform_app: no superuser, BYPASSRLS, CREATEROLE, CREATEDB')
FROM pg_roles WHERE rolname = 'landform_app';
SELECT t.is((SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'landform'::regnamespace AND c.relowner = 'landform_app'::regrole),
            0::bigint, 'landform_app owns nothing in the schema');
SELECT t.ok(c.relrowsecurity AND c.relforcerowsecurity, c.relname || ': row-level security enabled and forced (relforcerowsecurity)')
FROM pg_class c
WHERE c.oid IN ('landform.leads'::regclass, 'landform.assignments'::regclass, 'landform.submissions'::regclass,
                'landform.consultations'::regclass, 'landform.notes'::regclass, 'landform.deals'::regclass,
                'landform.outbox'::regclass, 'landform.staff_sessions'::regclass, 'landform.staff_invitations'::regclass,
                'landform.login_attempts'::regclass)
ORDER BY c.relname;
SELECT t.is((SELECT array_agg(p.proname::text ORDER BY p.proname::text) FROM pg_proc p
             WHERE p.pronamespace = 'landform'::regnamespace AND has_function_privilege('landform_app', p.oid, 'EXECUTE')
               AND p.proname NOT IN ('notify_claim', 'notify_finish')),
            ARRAY['_filter_number', '_invalid', '_parse_day', '_portal_enter', '_portal_filter_tags', '_portal_lead_tags', '_portal_segment_leads', '_portal_segments',
                  'channel_visit', 'count_traffic', 'dispatch', 'is_e164', 'lead_mark', 'mask_contact', 'mask_fields', 'mask_phone', 'metrics_snapshot',
                  'portal_accept_invitation', 'portal_action', 'portal_channel_qr', 'portal_channels', 'portal_home',
                  'portal_invitation', 'portal_lead', 'portal_login_begin', 'portal_login_finish', 'portal_logout',
                  'portal_may_see', 'portal_pool', 'portal_reports', 'portal_segment_export', 'portal_set_channel_target', 'quarantine',
                  'referral_share', 'referral_visit', 'register_page', 'spool_dead_add', 'submit', 'submit_batch', 'tick_notifications'],
            'landform_app may execute exactly the capture, dispatch, notification tick, spool replay and portal functions, the masking, visibility, filter and refusal helpers, and the metrics gauges');
SELECT t.ok(p.prosecdef AND p.proconfig @> '{"search_path=pg_catalog, pg_temp"}', p.proname || ': SECURITY DEFINER with a fixed search_path')
FROM pg_proc p
WHERE p.pronamespace = 'landform'::regnamespace
  AND p.proname IN ('submit', 'count_traffic', 'register_page', 'dispatch', 'portal_login_begin', 'portal_login_finish',
                    'portal_invitation', 'portal_accept_invitation', 'portal_logout', 'portal_action', '_portal_enter')
ORDER BY p.proname;
SELECT t.ok(p.proconfig @> '{jit=off}', p.proname || ': runs without JIT')
FROM pg_proc p
WHERE p.pronamespace = 'landform'::regnamespace
  AND (has_function_privilege('landform_app', p.oid, 'EXECUTE') OR p.proname = '_dispatch_pool')
  -- inlined helpers: a SET clause would stop the planner inlining them
  AND p.proname NOT IN ('mask_phone', 'mask_contact', 'mask_fields', 'is_e164', 'portal_may_see', '_invalid')
ORDER BY p.proname;
SELECT t.ok(NOT p.prosecdef, p.proname || ': SECURITY INVOKER, so row-level security applies')
FROM pg_proc p
WHERE p.pronamespace = 'landform'::regnamespace AND p.proname IN ('portal_home', 'portal_lead', 'portal_pool')
ORDER BY p.proname;
SELECT t.is((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'landform'::regnamespace
             AND has_function_privilege('public', p.oid, 'EXECUTE')), 0::bigint, 'PUBLIC may execute nothing in the schema');

SET ROLE landform_app;

-- --- nothing without a member ----------------------------------------------------------------
SELECT t.is((SELECT count(*) FROM landform.leads), 0::bigint, 'no member set: no leads');
SELECT t.is((SELECT count(*) FROM landform.assignments), 0::bigint, 'no member set: no assignments');
SELECT t.is((SELECT count(*) FROM landform.submissions), 0::bigint, 'no member set: no submissions');
SELECT t.is((SELECT count(*) FROM landform.notes), 0::bigint, 'no member set: no notes');
SELECT t.is((SELECT count(*) FROM landform.consultations), 0::bigint, 'no member set: no consultations');
SELECT t.is((SELECT count(*) FROM landform.portal_phones), 0::bigint, 'no member set: no phones');
SELECT t.is((SELECT count(*) FROM landform.portal_submission_fields), 0::bigint, 'no member set: no fields');
SELECT t.is((SELECT max(version) FROM landform.schema_migrations) IS NOT NULL, true, 'landform_app can read the migration version (healthz)');

-- --- one member, as the portal sets it: only their leads and the open pool ----------------------
BEGIN;
SELECT landform._portal_enter(t.s('alice')) \g /dev/null
SELECT t.is((SELECT array_agg(id ORDER BY id) FROM landform.leads),
            (SELECT array_agg(lead_id ORDER BY lead_id) FROM expect WHERE login = 'alice'), 'alice: exactly her leads and the open pool');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE owner_id = t.sid('bob')::bigint), 0::bigint, 'alice: none of bob''s');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE id = (SELECT min(lead_id) FROM expect WHERE login = 'bob' AND lead_id <> 4)),
            0::bigint, 'alice: bob''s lead by id: no row');
SELECT t.ok((SELECT bool_and(lead_id IN (SELECT lead_id FROM expect WHERE login = 'alice')) FROM landform.assignments), 'alice: assignments only of her visible leads');
SELECT t.ok((SELECT count(*) FROM landform.assignments WHERE lead_id = 4) = 2, 'alice: the open lead''s history (bob held it) is visible');
SELECT t.ok((SELECT bool_and(lead_id IN (SELECT lead_id FROM expect WHERE login = 'alice')) FROM landform.submissions)
            AND (SELECT count(*) FROM landform.submissions) = 7, 'alice: submissions only of her visible leads');
SELECT t.ok((SELECT bool_and(lead_id IN (SELECT lead_id FROM expect WHERE login = 'alice')) FROM landform.notes)
            AND (SELECT count(*) FROM landform.notes) > 0, 'alice: notes only of her visible leads');
SELECT t.ok((SELECT bool_and(lead_id IN (SELECT lead_id FROM expect WHERE login = 'alice')) FROM landform.consultations),
            'alice: consultations only of her visible leads');
SELECT t.is((SELECT array_agg(lead_id ORDER BY lead_id) FROM landform.portal_phones),
            (SELECT array_agg(lead_id ORDER BY lead_id) FROM expect WHERE login = 'alice'), 'alice: phones of the same leads');
SELECT t.is((SELECT count(*) FROM landform.portal_phones WHERE full_phone), 2::bigint, 'alice: in full only for her 2 accepted leads');
SELECT t.ok((SELECT bool_and(phone ~ '^1[3-9][0-9]\*{4}[0-9]{4}$') FROM landform.portal_phones WHERE NOT full_phone),
            'alice: masked for offers and the open pool');
SELECT t.is((SELECT count(*) FROM landform.portal_submission_fields WHERE fields->>'mobile' LIKE '+86%'), 2::bigint,
            'alice: fields in full only for her accepted leads');
SELECT t.throws($$SELECT phone FROM landform.leads$$, '42501', 'the phone column is not granted');
SELECT t.throws($$SELECT fields FROM landform.submissions$$, '42501', 'submitted fields are not granted');
SELECT t.throws($$SELECT client_addr FROM landform.submissions$$, '42501', 'client addresses are not granted');
SELECT t.throws($$SELECT * FROM landform.deals$$, '42501', 'deals are not granted');
SELECT t.throws($$SELECT * FROM landform.outbox$$, '42501', 'the outbox is not granted');
SELECT t.throws($$SELECT cost FROM landform.channels$$, '42501', 'channel costs are not granted');
COMMIT;

BEGIN;
SELECT landform._portal_enter(t.s('bob')) \g /dev/null
SELECT t.is((SELECT array_agg(id ORDER BY id) FROM landform.leads),
            (SELECT array_agg(lead_id ORDER BY lead_id) FROM expect WHERE login = 'bob'), 'bob: exactly his leads and the open pool');
SELECT t.ok((SELECT count(*) FROM landform.leads WHERE id = 4) = 1, 'bob: the open pool too');
COMMIT;

SELECT t.is((SELECT count(*) FROM landform.leads), 0::bigint, 'after the transaction the member is gone again');

-- --- the same through the portal functions ----------------------------------------------------
SELECT t.is(landform.portal_lead(t.s('alice'), l.lead_id)->>'status', 'not_found', 'portal_lead: bob''s lead ' || l.lead_id || ' is not_found for alice')
FROM expect l WHERE l.login = 'bob' AND l.lead_id <> 4 ORDER BY l.lead_id;
SELECT t.is(landform.portal_lead(t.s('alice'), l.lead_id)->>'status', 'ok', 'portal_lead: her lead ' || l.lead_id)
FROM expect l WHERE l.login = 'alice' ORDER BY l.lead_id;
SELECT t.is(landform.portal_lead(t.s('bob'), 4) #>> '{lead,state}', 'open', 'portal_lead: the open lead, for bob');
SELECT t.is(landform.portal_lead(t.s('alice'), 4) #>> '{lead,state}', 'open', 'portal_lead: the open lead, for alice');
SELECT t.ok((SELECT bool_and((e->>'lead_id')::bigint IN (SELECT lead_id FROM expect WHERE login = 'alice'))
             FROM jsonb_array_elements(landform.portal_home(t.s('alice'), '{}')->'waiting') e), 'portal_home: only alice''s offers');
SELECT t.ok((SELECT bool_and((e->>'lead_id')::bigint IN (SELECT lead_id FROM expect WHERE login = 'alice'))
             FROM jsonb_array_elements(landform.portal_home(t.s('alice'), '{}')->'mine') e), 'portal_home: only alice''s leads');
SELECT t.is(landform.portal_pool(t.s('alice')) #>> '{leads,0,lead_id}', '4', 'portal_pool: the open pool is shared');
SELECT t.is(landform.portal_action(t.s('alice'), t.c('alice'), 'note', l.lead_id, '{"body": "x"}'),
            '{"status": "not_found"}'::jsonb, 'portal_action: a note on bob''s lead ' || l.lead_id || ' is not_found')
FROM expect l WHERE l.login = 'bob' AND l.lead_id <> 4 ORDER BY l.lead_id LIMIT 2;
SELECT t.is(landform.portal_lead(t.s('alice'), 424242)->>'status', 'not_found', 'portal_lead: an id that does not exist, the same answer');

-- --- no admin views, no admin functions, no writes ---------------------------------------------
SELECT t.throws(format('SELECT * FROM landform.%I', v), '42501', 'admin view landform.' || v || ': permission denied')
FROM unnest(ARRAY['open_pool', 'leads_assigned', 'leads_waiting', 'leads_overdue', 'member_load', 'lead_history', 'staff_access']) v;
SELECT t.throws(f, '42501', 'admin call refused: ' || f)
FROM unnest(ARRAY[
	$$SELECT landform.assign(1, 'alice')$$, $$SELECT landform.release(1)$$, $$SELECT landform.claim(4, 'alice')$$,
	$$SELECT landform.accept(5, 1)$$, $$SELECT landform.staff_release(1, 1)$$, $$SELECT landform.staff_claim(4, 1)$$,
	$$SELECT landform.deactivate_staff('bob')$$, $$SELECT landform.set_on_duty('bob', false)$$,
	$$SELECT landform.join_pool('default', 'bob', 5)$$, $$SELECT landform.add_pool('mine')$$,
	$$SELECT landform.import_staged()$$, $$SELECT landform.end_sessions('bob')$$,
	$$SELECT landform._portal_gone(1, 1, false)$$, $$SELECT landform._invite(1)$$,
	$$SELECT landform._assign(4, 1, 1, 'manual', NULL, true, 'me')$$]) f;
SELECT t.throws(f, '42501', 'write refused: ' || f)
FROM unnest(ARRAY[
	$$INSERT INTO landform.notes (lead_id, staff_id, body) VALUES (1, 1, 'x')$$,
	$$UPDATE landform.leads SET owner_id = 1$$,
	$$UPDATE landform.leads SET stage_id = 2 WHERE id = 1$$,
	$$DELETE FROM landform.assignments$$,
	$$INSERT INTO landform.staff_sessions (token_hash, staff_id, csrf) VALUES (repeat('a', 64), 1, repeat('c', 20))$$,
	$$UPDATE landform.staff SET is_admin = true$$,
	$$UPDATE landform.settings SET value = 'UTC'$$,
	$$TRUNCATE landform.login_attempts$$]) f;
BEGIN;
SELECT landform._portal_enter(t.s('alice')) \g /dev/null
SELECT t.throws($$UPDATE landform.leads SET stage_id = 2 WHERE id = 1$$, '42501', 'a member''s own lead cannot be written directly either');
COMMIT;

-- --- what landform_app must be able to do ------------------------------------------------------
SELECT t.is((SELECT new_lead FROM landform.submit('demo', 'wx', '+8613800000999', 'New', NULL, '{}', NULL, 'app1', NULL, NULL, NULL)),
            true, 'landform_app can submit');
SELECT t.lives($$SELECT landform.count_traffic('[{"page": "demo", "views": 3}]')$$, 'landform_app can count traffic');
SELECT t.lives($$SELECT landform.register_page('demo2', 'Demo 2', 'lead')$$, 'landform_app can register a page');
SELECT t.is((SELECT assigned FROM landform.dispatch()), 1, 'landform_app can dispatch');
SELECT t.is((SELECT count(*) FROM landform.leads), 0::bigint, 'and still sees no lead');
RESET ROLE;
SELECT t.is((SELECT actor FROM (SELECT landform.actor() AS actor) a), 'sql:postgres', 'back to the superuser');
