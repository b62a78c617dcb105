-- Issue 13, as landform_app the way landformd calls it: a member sees the open pool of their
-- own pools only, by every path (tables under row-level security, the two masking views, every
-- portal function, every action), whatever lead id they try (ids are sequential); and every
-- contact detail (phone, e-mail fields, phones / e-mails / WeChat ids in free text: fields,
-- questions, notes, release reasons) is masked until the member has accepted the lead.
GRANT USAGE ON SCHEMA t TO landform_app;
CREATE FUNCTION t.act(p_login text, p_action text, p_lead bigint, p_args jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_action(t.s(p_login), t.c(p_login), p_action, p_lead, p_args) $$;
CREATE FUNCTION t.lead(p_login text, p_lead bigint) RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_lead(t.s(p_login), p_lead) $$;
-- Every lead id in an answer, wherever it appears ("lead_id" or "id" of a lead).
CREATE FUNCTION t.ids(p jsonb) RETURNS bigint[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(DISTINCT (m[1])::bigint), '{}')
	FROM regexp_matches(p::text, '"lead_id": ([0-9]+)', 'g') AS m
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
CREATE TABLE vip_leads (id bigint);
GRANT SELECT ON vip_leads TO landform_app;

-- The scene: alice in the default pool; carol in vip. Two vip leads go to the open pool
-- (one released by carol with a reason, one never taken), with notes, a consultation and
-- contact details in free text; alice's own lead is offered to her.
\o /dev/null
DO $$
BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'consult');
	PERFORM landform.register_page('vip', 'VIP', 'consult');
	PERFORM landform.add_pool('vip');
	PERFORM landform.set_page_pool('vip', 'vip');
	-- Two members, each with a password and a session (t.s) as the portal opens them.
	PERFORM landform.add_staff(m, initcap(m)) FROM unnest(ARRAY['alice', 'carol']) m;
	PERFORM t.sessions('alice', 'carol');
	PERFORM landform.join_pool('default', 'alice');
	PERFORM landform.join_pool('vip', 'carol');
	PERFORM landform.submit('vip', NULL, '+8613700000001', '贵宾一', '13900001111 或微信 wxid_abc',
	                        '{"email": "vip.one@example.com", "mobile": "+8613700000001"}', NULL, 'v1', NULL, NULL, NULL);
	PERFORM landform.submit('vip', NULL, '+447911123456', 'VIP Two', 'mail me: two@example.org',
	                        '{"email": "two@example.org"}', NULL, 'v2', NULL, NULL, NULL);
	PERFORM landform.submit('demo', NULL, '+8613800000003', '客户三', '微信 zhang_san88 电话 021-1234 5678',
	                        '{"email": "three@example.cn", "note": "QQ 12345678"}', NULL, 'd3', NULL, NULL, NULL);
	PERFORM landform.dispatch();
	-- carol accepts lead 1, notes a phone, releases it with a reason naming a number; lead 2
	-- goes to the open pool by an admin's release.
	PERFORM landform.portal_action(t.s('carol'), t.c('carol'), 'accept', 1);
	PERFORM landform.portal_action(t.s('carol'), t.c('carol'), 'note', 1, '{"body": "his wife: 13600002222"}');
	PERFORM landform.portal_action(t.s('carol'), t.c('carol'), 'release', 1, '{"reason": "wrong number, try 13500003333"}');
	PERFORM landform.release(2);
	INSERT INTO vip_leads SELECT id FROM landform.leads WHERE pool_id = (SELECT id FROM landform.pools WHERE name = 'vip');
END
$$;
\o
SELECT t.is((SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM landform.leads), '1:open 2:open 3:pending',
            'scene: vip leads 1 and 2 in the open pool, lead 3 offered to alice');
SELECT t.is((SELECT count(*) FROM vip_leads), 2::bigint, 'scene: two vip leads');

SET ROLE landform_app;

-- --- tables and views, as the portal sets the member up ------------------------------------------
BEGIN;
SELECT landform._portal_enter(t.s('alice')) \g /dev/null
SELECT t.is((SELECT array_agg(id ORDER BY id) FROM landform.leads), '{3}'::bigint[],
            'alice (default pool): the leads table shows her offer only, not vip''s open pool');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE id IN (SELECT id FROM vip_leads)), 0::bigint, 'vip leads by id: no row');
SELECT t.is((SELECT count(*) FROM landform.assignments WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint, 'no vip assignments');
SELECT t.is((SELECT count(*) FROM landform.submissions WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint, 'no vip submissions');
SELECT t.is((SELECT count(*) FROM landform.consultations WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint, 'no vip questions');
SELECT t.is((SELECT count(*) FROM landform.notes WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint, 'no vip notes');
SELECT t.is((SELECT count(*) FROM landform.portal_phones WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint, 'no vip phones');
SELECT t.is((SELECT count(*) FROM landform.portal_submission_fields WHERE lead_id IN (SELECT id FROM vip_leads)), 0::bigint,
            'no vip fields');
COMMIT;
BEGIN;
SELECT landform._portal_enter(t.s('carol')) \g /dev/null
SELECT t.is((SELECT array_agg(id ORDER BY id) FROM landform.leads), '{1,2}'::bigint[], 'carol (vip): vip''s open pool');
SELECT t.is((SELECT count(*) FROM landform.notes), 1::bigint, 'carol: the note on the open lead');
COMMIT;
BEGIN;
-- A member set by hand without the pools (not how the portal does it) sees no open pool at all.
SELECT set_config('landform.staff_id', t.sid, true) FROM (SELECT (landform._portal_enter(t.s('carol')) #>> '{me,id}') AS sid) t \g /dev/null
SELECT set_config('landform.pools', '', true) \g /dev/null
SELECT t.is((SELECT count(*) FROM landform.leads), 0::bigint, 'no pools set: no open pool');
COMMIT;

-- --- every portal function, every lead id ------------------------------------------------------
SELECT t.is(t.lead('alice', i) ->> 'status', 'not_found', 'portal_lead: vip lead ' || i || ' is not_found for alice')
FROM vip_leads v(i) ORDER BY i;
SELECT t.is(t.lead('alice', 424242) ->> 'status', 'not_found', 'the same answer as an id that does not exist');
SELECT t.is(t.ids(landform.portal_pool(t.s('alice'))), '{}'::bigint[], 'portal_pool: alice''s open pool is empty');
SELECT t.is(t.ids(landform.portal_pool(t.s('carol'))), '{1,2}'::bigint[], 'portal_pool: carol''s has both vip leads');
SELECT t.is(t.ids(landform.portal_home(t.s('alice'), '{}')), '{3}'::bigint[], 'portal_home: alice sees her offer only');
SELECT t.is(t.act('alice', a, v.i, args) ->> 'status', 'not_found', 'portal_action ' || a || ' on vip lead ' || v.i || ': not_found')
FROM vip_leads v(i),
     (VALUES ('claim', '{}'::jsonb), ('accept', '{}'), ('note', '{"body": "x"}'), ('contacted', '{}'),
             ('release', '{"reason": "x"}'), ('stage', '{"stage": 2}'), ('tag', '{"add": ["x"]}'),
             ('answer', '{"consultation": 1}')) AS x(a, args)
ORDER BY v.i, a;
SELECT t.is((SELECT state FROM landform.leads WHERE id = 1) IS NULL, true, 'and (as landform_app) still nothing to see');

-- --- masking until accepted --------------------------------------------------------------------
-- carol, open pool lead 1: everything masked, in every place a contact detail can hide.
SELECT t.is(t.lead('carol', 1) #>> '{lead,phone}', '137****0001', 'open pool: phone masked');
SELECT t.is(t.lead('carol', 1) #>> '{submissions,0,fields,email}', 'v***@example.com', 'open pool: e-mail field masked');
SELECT t.is(t.lead('carol', 1) #>> '{submissions,0,fields,mobile}', '137****0001', 'open pool: phone field masked');
SELECT t.is(t.lead('carol', 1) #>> '{consultations,0,question}', '139****1111 或微信 wxid_***',
            'open pool: phone and WeChat id in the question masked');
SELECT t.is(t.lead('carol', 1) #>> '{notes,0,body}', 'his wife: 136****2222', 'open pool: a phone in a note masked');
SELECT t.is((SELECT e->>'note' FROM jsonb_array_elements(t.lead('carol', 1)->'history') e WHERE e->>'outcome' = 'released'),
            'wrong number, try 135****3333', 'open pool: a phone in the release reason masked');
SELECT t.is(t.lead('carol', 2) #>> '{lead,phone}', '+447****3456', 'open pool: a foreign phone masked');
SELECT t.is(t.lead('carol', 2) #>> '{consultations,0,question}', 'mail me: t***@example.org', 'open pool: an e-mail in the question masked');
SELECT t.ok(position('example.org' IN t.lead('carol', 2)::text) > 0
            AND position('two@' IN t.lead('carol', 2)::text) = 0, 'open pool: the address appears nowhere in the answer');
-- alice, her offer (lead 3, not accepted yet).
SELECT t.is(t.lead('alice', 3) #>> '{consultations,0,question}', '微信 *** 电话 021****5678', 'offer: WeChat id and landline masked');
SELECT t.is(t.lead('alice', 3) #>> '{submissions,0,fields,email}', 't***@example.cn', 'offer: e-mail field masked');
SELECT t.is(t.lead('alice', 3) #>> '{submissions,0,fields,note}', 'QQ ***', 'offer: QQ number in a field masked');
SELECT t.ok(position('13800000003' IN t.lead('alice', 3)::text) = 0 AND position('zhang_san88' IN t.lead('alice', 3)::text) = 0
            AND position('three@' IN t.lead('alice', 3)::text) = 0, 'offer: no contact detail anywhere in the answer');
-- accepted: everything in full.
SELECT t.is(t.act('alice', 'accept', 3) ->> 'status', 'ok', 'alice accepts her offer');
SELECT t.is(t.lead('alice', 3) #>> '{lead,phone}', '+8613800000003', 'accepted: full phone');
SELECT t.is(t.lead('alice', 3) #>> '{submissions,0,fields,email}', 'three@example.cn', 'accepted: full e-mail');
SELECT t.is(t.lead('alice', 3) #>> '{consultations,0,question}', '微信 zhang_san88 电话 021-1234 5678', 'accepted: the question in full');
SELECT t.is(t.act('carol', 'claim', 1) ->> 'status', 'ok', 'carol claims lead 1 back');
SELECT t.is(t.lead('carol', 1) #>> '{notes,0,body}', 'his wife: 13600002222', 'claimed (accepted): the note in full');
RESET ROLE;
