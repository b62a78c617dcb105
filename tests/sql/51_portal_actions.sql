-- Staff portal pages and actions, run as landform_app the way landformd calls them: my leads
-- (offers most urgent first, owned by stage, filters, reminders), a lead (masked phone and
-- fields until accepted), the open pool, and every action including the lost races.
GRANT USAGE ON SCHEMA t TO landform_app;
-- Short calls as a member (t.s, t.c: their session and CSRF tokens, from fixtures.sql).
CREATE FUNCTION t.act(p_login text, p_action text, p_lead bigint, p_args jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_action(t.s(p_login), t.c(p_login), p_action, p_lead, p_args) $$;
CREATE FUNCTION t.home(p_login text, p_filters jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_home(t.s(p_login), p_filters) $$;
CREATE FUNCTION t.lead(p_login text, p_lead bigint) RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_lead(t.s(p_login), p_lead) $$;
CREATE FUNCTION t.pool(p_login text) RETURNS jsonb
LANGUAGE sql AS $$ SELECT landform.portal_pool(t.s(p_login)) $$;
-- The lead ids in a list from portal_home/portal_pool, in order.
CREATE FUNCTION t.ids(p_list jsonb) RETURNS bigint[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg((e->>'lead_id')::bigint ORDER BY o), '{}') FROM jsonb_array_elements(p_list) WITH ORDINALITY AS x(e, o)
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;

-- The scene: alice and bob in the default pool, dan alone in vip; 8 leads from demo
-- (channels wx and ad), rotated alice 1,3,5,7 and bob 2,4,6,8.
DO $$
DECLARE
	v_login text;
BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM landform.register_page('vip', 'VIP', 'lead');
	PERFORM landform.add_pool('vip');
	PERFORM landform.set_page_pool('vip', 'vip');
	PERFORM landform.set_pool('default', p_claim_timeout => interval '1 hour');
	FOREACH v_login IN ARRAY ARRAY['alice', 'bob', 'dan'] LOOP
		PERFORM landform.add_staff(v_login, initcap(v_login));
		PERFORM t.sessions(v_login);
	END LOOP;
	PERFORM landform.join_pool('default', 'alice');
	PERFORM landform.join_pool('default', 'bob');
	PERFORM landform.join_pool('vip', 'dan');
	PERFORM landform.submit('demo', CASE WHEN i % 2 = 1 THEN 'wx' ELSE 'ad' END,
	                        '+8613900000' || lpad(i::text, 3, '0'), '客户' || i, NULL,
	                        jsonb_build_object('name', '客户' || i, 'mobile', '+8613900000' || lpad(i::text, 3, '0'),
	                                           'company', 'Co ' || i),
	                        'I agree', 'k' || i, '192.0.2.1', 'ua', 'zh-CN')
	FROM generate_series(1, 8) i;
	PERFORM landform.submit('vip', NULL, '+8613600000009', 'VIP', NULL, '{}', NULL, 'vip9', NULL, NULL, NULL);
	PERFORM landform.dispatch();
	-- Different deadlines: lead 7 is the most urgent of alice's.
	UPDATE landform.assignments SET deadline = now() + (20 - lead_id) * interval '1 minute';
END
$$;
SELECT t.is((SELECT array_agg(id ORDER BY id) FROM landform.leads WHERE owner_id = landform._staff_id('alice')),
            '{1,3,5,7}'::bigint[], 'scene: alice was offered leads 1, 3, 5, 7');
SELECT t.is((SELECT owner_id FROM landform.leads WHERE id = 9), landform._staff_id('dan'), 'scene: dan was offered lead 9');

SET ROLE landform_app;

-- --- my leads and masking before accept ----------------------------------------------------
SELECT t.is(t.ids(t.home('alice')->'waiting'), '{7,5,3,1}'::bigint[], 'waiting: my offers, most urgent first');
SELECT t.is(t.home('alice')->'mine', '[]'::jsonb, 'mine: nothing accepted yet');
SELECT t.is(t.home('alice') #>> '{waiting,0,phone_masked}', '139****0007', 'waiting: phones masked like 139****0007');
SELECT t.ok((t.home('alice') #>> '{waiting,0,seconds_left}')::integer BETWEEN 11 * 60 - 5 AND 13 * 60,
            'waiting: seconds_left counts down to the deadline');
SELECT t.is(t.home('alice') #>> '{waiting,0,name}', '客户7', 'waiting: the name is shown');
SELECT t.ok((SELECT bool_and(e ? 'assignment_id' AND e ? 'deadline' AND e ? 'page' AND e ? 'channel' AND e ? 'first_seen')
             FROM jsonb_array_elements(t.home('alice')->'waiting') e), 'waiting: assignment, deadline, page, channel, first_seen');
SELECT t.is(t.lead('alice', 1) #>> '{lead,phone}', '139****0001', 'a pending lead: the phone is masked');
SELECT t.is(t.lead('alice', 1) #>> '{lead,full_phone}', 'false', 'and says so');
SELECT t.is(t.lead('alice', 1) #>> '{submissions,0,fields,mobile}', '139****0001', 'a pending lead: phones in the submitted fields are masked too');
SELECT t.is(t.lead('alice', 1) #>> '{submissions,0,fields,company}', 'Co 1', 'other fields are shown');
SELECT t.is((t.lead('alice', 1) #>> '{lead,assignment_id}')::bigint, 1::bigint, 'a pending lead shows the assignment to accept');
SELECT t.ok((t.lead('alice', 1) #>> '{lead,seconds_left}')::integer > 0, 'and its deadline');
SELECT t.ok(position('13900000001' IN t.lead('alice', 1)::text) = 0 AND position('13900000001' IN t.home('alice')::text) = 0,
            'the full number appears nowhere before accept');

-- --- accept --------------------------------------------------------------------------------
SELECT t.is(t.act('alice', 'accept', 1, '{"assignment": 1}'), '{"status": "ok", "message": "accepted"}'::jsonb, 'accept');
SELECT t.is(t.lead('alice', 1) #>> '{lead,phone}', '+8613900000001', 'accepted: the full phone');
SELECT t.is(t.lead('alice', 1) #>> '{submissions,0,fields,mobile}', '+8613900000001', 'accepted: the fields in full');
SELECT t.is(t.lead('alice', 1) #>> '{lead,state}', 'owned', 'accepted: owned');
SELECT t.is(t.act('alice', 'accept', 1, '{"assignment": 1}')->>'status', 'ok', 'accept twice (a double tap): ok');
SELECT t.is(t.act('alice', 'accept', 3, '{}')->>'status', 'ok', 'accept without an assignment id takes my open offer');
SELECT t.is(t.ids(t.home('alice')->'waiting'), '{7,5}'::bigint[], 'accepted leads leave waiting');
SELECT t.is(t.ids(t.home('alice')->'mine'), '{1,3}'::bigint[], 'and are in mine (same stage, seen at once: by id)');
SELECT t.is(t.home('alice') #>> '{mine,0,phone}', '+8613900000001', 'mine: full phones');
SELECT t.is(t.act('alice', 'accept', 2, '{"assignment": 2}'), '{"status": "not_found"}'::jsonb, 'accepting another member''s offer: not_found');
SELECT t.is(t.act('alice', 'accept', 1, '{"assignment": 2}')->>'field', 'assignment', 'my lead with an assignment of another lead: invalid');
SELECT t.is(t.act('alice', 'accept', 7, '{"assignment": 2}')->>'field', 'assignment', 'my offer with another member''s assignment id: invalid');
SELECT t.is(t.act('alice', 'accept', 1, '{"assignment": "x"}')->>'status', 'invalid', 'a malformed assignment id: invalid');

-- The deadline passes; the dispatcher takes the offer back before alice taps.
RESET ROLE;
UPDATE landform.assignments SET deadline = now() - interval '1 second' WHERE id = 5;
SELECT t.is((SELECT expired FROM landform.dispatch()), 1, 'the dispatcher takes lead 5 back');
SET ROLE landform_app;
SELECT t.is(t.act('alice', 'accept', 5, '{"assignment": 5}')->>'status', 'lost_race', 'accept after the dispatcher took it back: lost_race');
SELECT t.is(t.act('alice', 'accept', 5, '{"assignment": 5}')->>'reason', 'expired', 'with the reason');
SELECT t.ok(length(t.act('alice', 'accept', 5, '{}')->>'message') > 10, 'and a message');
SELECT t.is(t.act('alice', 'accept', 5, '{}')->>'status', 'lost_race', 'the same without the assignment id');
SELECT t.is(t.lead('alice', 5)->>'status', 'not_found', 'the lead is gone from alice''s view');
SELECT t.is(t.lead('bob', 5) #>> '{lead,state}', 'pending', 'bob has been offered it');
-- Past the deadline but the dispatcher has not run yet: accept loses too.
RESET ROLE;
UPDATE landform.assignments SET deadline = now() - interval '1 second' WHERE id = 7;
SET ROLE landform_app;
SELECT t.is(t.ids(t.home('alice')->'waiting'), '{}'::bigint[], 'an offer past its deadline leaves waiting');
SELECT t.is(t.act('alice', 'accept', 7, '{"assignment": 7}') - 'message', '{"status": "lost_race", "reason": "expired"}'::jsonb,
            'accept after the deadline, before the dispatcher: lost_race (expired)');

-- --- contacted, stage, note, tag ------------------------------------------------------------
SELECT t.is(t.act('alice', 'contacted', 1)->>'status', 'ok', 'contacted');
RESET ROLE;
SELECT t.near(extract(epoch FROM now() - first_contact_at), 0, 5, 'contacted: the first-contact time is recorded') FROM landform.leads WHERE id = 1;
UPDATE landform.leads SET first_contact_at = first_contact_at - interval '1 hour' WHERE id = 1;
SET ROLE landform_app;
SELECT t.is(t.act('alice', 'contacted', 1)->>'message', 'first contact was already recorded', 'contacted again: ok');
RESET ROLE;
SELECT t.near(extract(epoch FROM now() - first_contact_at), 3600, 5, 'the first contact time stays the first') FROM landform.leads WHERE id = 1;
SET ROLE landform_app;
SELECT t.is(t.act('bob', 'contacted', 5) - 'message', '{"status": "invalid", "code": "lead_not_accepted", "field": "lead"}'::jsonb, 'contacted on an offer not yet accepted: invalid');

SELECT t.is(t.act('alice', 'stage', 1, jsonb_build_object('stage', (SELECT id FROM landform.stages WHERE name = '意向客户')))->>'status', 'ok', 'stage');
SELECT t.is(t.lead('alice', 1) #>> '{lead,stage}', '意向客户', 'the stage changed');
SELECT t.is(t.act('alice', 'stage', 1, '{"stage": 999}') - 'message', '{"status": "invalid", "code": "stage_unknown", "field": "stage"}'::jsonb, 'an unknown stage: invalid');
SELECT t.is(t.act('alice', 'stage', 1, '{"stage": "won"}')->>'field', 'stage', 'a malformed stage: invalid');
SELECT t.is(t.act('alice', 'stage', 1, '{}')->>'field', 'stage', 'no stage: invalid');

SELECT t.is(t.act('alice', 'note', 1, '{"body": "  回电话，下午再联系  "}')->>'status', 'ok', 'note');
SELECT t.is(t.lead('alice', 1) #>> '{notes,0,body}', '回电话，下午再联系', 'the note is there, trimmed');
SELECT t.is(t.lead('alice', 1) #>> '{notes,0,staff}', 'Alice', 'with who wrote it');
SELECT t.is(t.act('alice', 'note', 1, '{"body": "   "}')->>'field', 'body', 'an empty note: invalid');
SELECT t.is(t.act('alice', 'note', 1, jsonb_build_object('body', repeat('字', 2001)))->>'code', 'note_text', 'a note over 2000 characters: note_text');
SELECT t.is(t.act('alice', 'note', 1, jsonb_build_object('body', repeat('字', 2000)))->>'status', 'ok', 'a note of 2000 characters: ok');
SELECT t.is(t.act('alice', 'note', 1, jsonb_build_object('body', E'a\x01b'))->>'code', 'note_text', 'a note with a control character: note_text');
SELECT t.is(t.act('alice', 'note', 1, jsonb_build_object('body', E'line one\n\tline two'))->>'status', 'ok', 'line breaks and tabs are text');
SELECT t.is(t.act('alice', 'release', 1, jsonb_build_object('reason', repeat('x', 501)))->>'code', 'reason_text', 'a reason over 500 characters: reason_text');
SELECT t.is(t.act('alice', 'stage', 1, '{"stage": "won"}')->>'code', 'stage_unknown', 'a malformed stage: stage_unknown');

SELECT t.is(t.act('alice', 'tag', 1, '{"add": ["vip", " 回访 ", "vip"]}')->'tags', '["vip", "回访"]'::jsonb, 'tag: add (trimmed, once each)');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": ["hot"], "remove": ["vip"]}')->'tags', '["hot", "回访"]'::jsonb, 'tag: add and remove at once');
SELECT t.is(t.lead('alice', 1) #>> '{lead,tags}', '["hot", "回访"]', 'the tags are stored');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": ["a,b"]}')->>'field', 'add', 'a tag with a comma: invalid');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": ["a,b"]}')->>'code', 'tag_text', 'with the code tag_text');
SELECT t.is(t.act('alice', 'tag', 1, jsonb_build_object('add', jsonb_build_array(repeat('x', 33))))->>'code', 'tag_text', 'a tag over 32 characters: tag_text');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": [], "remove": null}')->>'code', 'tags_empty', 'no tag to add or remove: tags_empty');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": "vip"}')->>'code', 'tags_list', 'add that is not a list: tags_list');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": "vip"}')->>'field', 'add', 'add that is not a list: invalid');
SELECT t.is(t.act('alice', 'tag', 1, '{"remove": [1]}')->>'field', 'remove', 'a tag that is not a string: invalid');
SELECT t.is(t.act('alice', 'tag', 1, jsonb_build_object('add', (SELECT jsonb_agg('t' || i) FROM generate_series(1, 29) i)))->>'field',
            'add', 'more than 30 tags: invalid');
SELECT t.is(t.act('alice', 'tag', 1, jsonb_build_object('add', (SELECT jsonb_agg('t' || i) FROM generate_series(1, 29) i)))->>'code',
            'tag_count', 'with the code tag_count');
SELECT t.is(t.lead('alice', 1) #>> '{lead,tags}', '["hot", "回访"]', 'a refused change changes nothing');

-- --- answer a consultation -------------------------------------------------------------------
RESET ROLE;
SELECT count(*) FROM (SELECT landform.submit('ask', 'wx', '+8613900000001', '客户1', '价格多少？', '{"question": "价格多少？"}',
                                              NULL, 'ask1', NULL, NULL, NULL)) s \g /dev/null
SET ROLE landform_app;
SELECT t.is(t.lead('alice', 1) #>> '{consultations,0,question}', '价格多少？', 'the consultation shows on the lead');
SELECT t.is(jsonb_array_length(t.lead('alice', 1)->'submissions'), 2, 'with both submissions');
SELECT t.is(t.lead('alice', 1) #>> '{submissions,0,page}', 'ask', 'each with its page');
SELECT t.is(t.lead('alice', 1) #>> '{submissions,0,channel}', 'wx', 'and channel');
SELECT t.is(t.home('alice') #>> '{reminders,0,kind}', 'consultation', 'an unanswered consultation is a reminder');
SELECT t.is(t.act('alice', 'answer', 1, jsonb_build_object('consultation', (t.lead('alice', 1) #>> '{consultations,0,id}')::bigint))->>'status',
            'ok', 'answer');
SELECT t.ok((t.lead('alice', 1) #>> '{consultations,0,answered_at}') IS NOT NULL
            AND t.lead('alice', 1) #>> '{consultations,0,answered_by}' = 'Alice', 'answered, and by whom');
SELECT t.is(t.act('alice', 'answer', 1, jsonb_build_object('consultation', (t.lead('alice', 1) #>> '{consultations,0,id}')::bigint))->>'message',
            'already answered', 'answer twice: ok');
SELECT t.is(t.act('alice', 'answer', 1, '{"consultation": 999}')->>'field', 'consultation', 'an unknown consultation: invalid');
SELECT t.is(t.act('alice', 'answer', 3, '{"consultation": 1}')->>'field', 'consultation', 'another lead''s consultation: invalid');
SELECT t.is(t.home('alice')->'reminders', '[]'::jsonb, 'answered: no more reminder');

-- --- stage reminders ---------------------------------------------------------------------------
RESET ROLE;
UPDATE landform.leads SET stage_since = now() - interval '2 days' WHERE id = 3;
SET ROLE landform_app;
SELECT t.is(t.home('alice')->'reminders' #>> '{0,kind}', 'stage', 'a lead past its stage''s dwell is a reminder');
SELECT t.is((t.home('alice')->'reminders' #>> '{0,lead_id}')::bigint, 3::bigint, 'for that lead');

-- --- release and the open pool ----------------------------------------------------------------
SELECT t.is(t.act('alice', 'release', 3, '{}')->>'field', 'reason', 'release needs a reason');
SELECT t.is(t.act('alice', 'release', 3, '{"reason": "空号"}')->>'status', 'ok', 'release');
SELECT t.is(t.lead('alice', 3) #>> '{lead,state}', 'open', 'released: the lead is in the open pool (and still visible there)');
SELECT t.is(t.lead('alice', 3) #>> '{lead,phone}', '139****0003', 'in the open pool the phone is masked again');
SELECT t.is(t.lead('alice', 3) #>> '{history,0,note}', '空号', 'the reason is in the history');
SELECT t.is(t.lead('alice', 3) #>> '{history,0,outcome}', 'released', 'with the outcome');
SELECT t.is(t.lead('alice', 3) #>> '{history,0,by}', 'staff:alice', 'and who');
SELECT t.is(t.ids(t.pool('bob')->'leads'), '{3}'::bigint[], 'the open pool: bob sees it');
SELECT t.is(t.pool('bob') #>> '{leads,0,phone_masked}', '139****0003', 'masked');
SELECT t.ok((t.pool('bob') #>> '{leads,0,seconds_waiting}')::integer BETWEEN 0 AND 5
            AND t.pool('bob') #>> '{leads,0,waiting_since}' IS NOT NULL, 'with how long it has waited');
SELECT t.is(t.ids(t.pool('dan')->'leads'), '{}'::bigint[], 'a member of another pool does not see it in their pool page');
SELECT t.is(t.lead('bob', 3) #>> '{lead,can_claim}', 'true', 'bob may claim it');
SELECT t.is(t.lead('dan', 3) ->> 'status', 'not_found', 'dan (another pool) does not see it at all (issue 13)');
SELECT t.is(t.act('dan', 'claim', 3), '{"status": "not_found"}'::jsonb, 'dan''s claim: not_found, as for a lead that does not exist');
SELECT t.is(t.act('bob', 'claim', 3), '{"status": "ok", "message": "claimed"}'::jsonb, 'claim');
SELECT t.is(t.lead('bob', 3) #>> '{lead,phone}', '+8613900000003', 'a claimed lead is accepted at once: full phone');
SELECT t.is(t.act('bob', 'claim', 3)->>'status', 'ok', 'claim twice: ok');
SELECT t.is(t.act('alice', 'claim', 3) - 'message', '{"status": "lost_race", "reason": "claimed"}'::jsonb,
            'claiming a lead someone claimed first: lost_race (claimed)');
SELECT t.is(t.lead('alice', 3)->>'status', 'not_found', 'the former holder no longer sees it');
SELECT t.is(t.act('bob', 'claim', 1), '{"status": "not_found"}'::jsonb, 'claiming another member''s lead (never open): not_found');

-- Release by someone who does not hold the lead.
SELECT t.is(t.act('bob', 'release', 1, '{"reason": "mine now"}'), '{"status": "not_found"}'::jsonb, 'release by a member who never held it: not_found');
SELECT t.is(t.act('alice', 'release', 5, '{"reason": "bye"}') - 'message', '{"status": "lost_race", "reason": "expired"}'::jsonb,
            'release by a former holder after the dispatcher took it back: lost_race');
SELECT t.is(t.act('alice', 'release', 3, '{"reason": "bye"}') - 'message', '{"status": "lost_race", "reason": "released"}'::jsonb,
            'release of a lead one released already: lost_race');

-- An admin moves a lead while its holder works on it; the holder goes off duty.
RESET ROLE;
SELECT landform.assign(1, 'bob') \g /dev/null
SET ROLE landform_app;
SELECT t.is(t.act('alice', 'note', 1, '{"body": "late"}') - 'message', '{"status": "lost_race", "reason": "reassigned"}'::jsonb,
            'a note on a lead an admin gave to someone else: lost_race (reassigned)');
SELECT t.is(t.act('alice', 'stage', 1, '{"stage": 1}')->>'status', 'lost_race', 'a stage change: lost_race');
SELECT t.is(t.act('alice', 'tag', 1, '{"add": ["x"]}')->>'status', 'lost_race', 'a tag change: lost_race');
SELECT t.is(t.act('alice', 'contacted', 1)->>'status', 'lost_race', 'contacted: lost_race');
SELECT t.is(t.act('alice', 'answer', 1, '{"consultation": 1}')->>'status', 'lost_race', 'answer: lost_race');
SELECT t.is(t.lead('bob', 1) #>> '{lead,tags}', '["hot", "回访"]', 'nothing of it reached the lead');
SELECT t.ok(t.lead('bob', 1)->'notes' @> '[{"body": "回电话，下午再联系"}]', 'the new holder sees the earlier notes');
RESET ROLE;
SELECT landform.set_on_duty('bob', false) \g /dev/null
SET ROLE landform_app;
SELECT t.is(t.act('bob', 'accept', 5)->>'reason', 'reclaimed', 'an offer taken back when going off duty: lost_race (reclaimed)');
SELECT t.is(t.act('bob', 'note', 1, '{"body": "still mine"}')->>'status', 'ok', 'accepted leads stay when going off duty');

-- --- anything about a lead that is not mine: not_found, whatever the action -------------------
SELECT t.is(t.act('alice', a, 9, '{"assignment": 9, "stage": 1, "body": "x", "add": ["x"], "consultation": 1, "reason": "x"}'),
            '{"status": "not_found"}'::jsonb, a || ' on another member''s lead: not_found')
FROM unnest(ARRAY['accept', 'contacted', 'stage', 'note', 'tag', 'answer', 'release', 'claim']) a;
SELECT t.is(t.act('alice', 'note', 424242, '{"body": "x"}'), '{"status": "not_found"}'::jsonb, 'an unknown lead: not_found');
SELECT t.is(t.act('alice', 'note', NULL, '{"body": "x"}'), '{"status": "not_found"}'::jsonb, 'no lead: not_found');
SELECT t.is(t.act('alice', 'delete', 1)->>'field', 'action', 'an unknown action: invalid');
SELECT t.is(t.act('alice', 'note', 1, '[1]')->>'field', 'args', 'arguments that are not an object: invalid');

-- --- filters and search ----------------------------------------------------------------------
RESET ROLE;
-- Give alice a spread of owned leads: 10 more from different pages, channels, days, stages.
DO $$
BEGIN
	PERFORM landform.submit(CASE WHEN i <= 5 THEN 'demo' ELSE 'ask' END, CASE WHEN i % 2 = 0 THEN 'wx' ELSE 'ad' END,
	                        '+8613700000' || lpad(i::text, 3, '0'), CASE WHEN i = 3 THEN '王小明' ELSE '李' || i END,
	                        NULL, '{}', NULL, 'f' || i, NULL, NULL, NULL)
	FROM generate_series(1, 10) i;
	PERFORM landform.assign(id, 'alice') FROM landform.leads WHERE phone LIKE '+86137%';
	UPDATE landform.leads SET first_seen = timestamptz '2024-05-01 12:00+08' + (right(phone, 2)::integer * interval '1 day'),
	                          stage_id = CASE WHEN right(phone, 1) IN ('1', '2') THEN 2 ELSE 1 END,
	                          tags = CASE WHEN right(phone, 1) = '4' THEN '{vip}'::text[] ELSE '{}' END
	WHERE phone LIKE '+86137%';
END
$$;
SET ROLE landform_app;
SELECT t.is((t.home('alice')->>'mine_total')::integer, 10, 'mine_total: all my accepted leads');
SELECT t.is(t.home('alice', '{"stage": 2}')->>'mine_total', '2', 'filter by stage');
SELECT t.is(t.home('alice', '{"tag": "vip"}') #>> '{mine,0,name}', '李4', 'filter by tag');
SELECT t.is(t.home('alice', '{"channel": "wx"}')->>'mine_total', '5', 'filter by channel');
SELECT t.is(t.home('alice', '{"page": "ask"}')->>'mine_total', '5', 'filter by page');
SELECT t.is(t.home('alice', '{"from": "2024-05-03", "to": "2024-05-05"}')->>'mine_total', '3', 'filter by days (from and to included)');
SELECT t.is(t.home('alice', '{"q": "小明"}') #>> '{mine,0,name}', '王小明', 'search by a part of the name');
SELECT t.is(t.home('alice', '{"q": "0007"}') #>> '{mine,0,phone}', '+8613700000007', 'search by the phone''s last digits');
SELECT t.is(t.home('alice', '{"q": "%"}')->>'mine_total', '0', 'search text is not a pattern');
SELECT t.is(t.home('alice', '{"channel": "wx", "stage": 2}')->>'mine_total', '1', 'filters combine');
SELECT t.is(t.ids(t.home('alice', '{"limit": 3, "offset": 2}')->'mine'),
            (SELECT (t.ids(t.home('alice')->'mine'))[3:5]), 'limit and offset page through the same order');
SELECT t.is(t.home('alice', '{"limit": 3}')->>'mine_total', '10', 'mine_total counts beyond the page');
SELECT t.is(t.home('alice', '{"offset": 50}')->>'mine_total', '10', 'and past the end');
SELECT t.ok((SELECT array_agg((e->>'stage_id')::integer) FROM jsonb_array_elements(t.home('alice')->'mine') e) = '{1,1,1,1,1,1,1,1,2,2}',
            'mine is ordered by stage');
SELECT t.is(t.home('alice')->'tags', '["vip"]'::jsonb, 'the tags of my leads, for the filter');
SELECT t.is(t.home('alice')->'channels', '[{"code": "ad", "name": null}, {"code": "wx", "name": null}]'::jsonb, 'the channels of my leads');
SELECT t.is(t.home('alice')->'pages', '[{"slug": "ask", "title": "Ask us"}, {"slug": "demo", "title": "Demo"}]'::jsonb, 'the pages of my leads');
SELECT t.is(jsonb_array_length(t.home('alice')->'stages'), 5, 'every stage');
SELECT t.is(t.home('alice', '{"stage": "x"}')->>'field', 'stage', 'a malformed stage filter: invalid');
SELECT t.is(t.home('alice', '{"from": "2024-02-30"}')->>'field', 'from', 'an impossible date: invalid');
SELECT t.is(t.home('alice', '{"to": "May 1"}')->>'field', 'to', 'a date in another form: invalid');
SELECT t.is(t.home('alice', '{"limit": 0}')->>'field', 'limit', 'limit 0: invalid');
SELECT t.is(t.home('alice', '{"limit": 501}')->>'code', 'limit_range', 'limit 501: limit_range (at most 500 a page)');
SELECT t.is(t.home('alice', '{"limit": 500}')->>'limit', '500', 'limit 500: taken, and said in the answer');
SELECT t.is(t.home('alice', '{"limit": "12345"}')->>'code', 'limit_range', 'limit of five digits: limit_range');
SELECT t.is(t.home('alice', '{"offset": -1}')->>'code', 'offset_range', 'a negative offset: offset_range');
SELECT t.is(t.home('alice', '{"offset": "1e3"}')->>'code', 'offset_range', 'an offset that is not digits: offset_range');
SELECT t.is(t.home('alice', '{"stage": "1234567890123456789"}')->>'code', 'stage_id', 'a stage id of 19 digits: stage_id');
SELECT t.is(t.home('alice', '{"offset": "", "limit": ""}')->>'limit', '50', 'an empty limit and offset: the defaults');
SELECT t.is(t.home('alice')->>'limit', '50', 'no limit: 50 a page, said in the answer');
SELECT t.is(t.home('alice', '{"from": "2024-02-31"}')->>'code', 'date', 'February 31: date (isotime.c drops it too: tests/data/isotime/cases.tsv)');
SELECT t.is(t.home('alice', '[]')->>'field', 'filters', 'filters that are not an object: invalid');
SELECT t.is(t.home('alice', NULL)->>'status', 'ok', 'no filters at all: ok');
SELECT t.is(t.home('alice', '{"stage": "", "tag": "", "q": " "}')->>'mine_total', '10', 'empty filters are no filters');
RESET ROLE;
