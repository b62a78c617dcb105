-- Notifications: every kind is written once, with a stable key, in the transaction of the
-- change that causes it (assigned, repeat_submission, expired) or by tick_notifications()
-- (expiring, stage_dwell, daily_summary); the manager's copies; stage reminders.
\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.set_pool('default', p_claim_timeout => interval '1 hour');
	PERFORM t.members('default', 'alice', 'bob');
	PERFORM landform.add_staff('boss', 'Boss');
	PERFORM landform.set_pool_manager('default', 'boss');
	PERFORM landform.set_notifications(p_expiry_warning => '5 minutes', p_no_summary => true);
END $$;
CREATE FUNCTION pg_temp.staff(p_login text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.staff WHERE login = p_login $$;
CREATE FUNCTION pg_temp.lead(p_n integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.leads WHERE phone = '+861380000000' || p_n $$;
CREATE FUNCTION pg_temp.offer(p_n integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.assignments WHERE lead_id = pg_temp.lead(p_n) AND closed_at IS NULL $$;
CREATE FUNCTION pg_temp.box(p_kind text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(s.login || ':' || coalesce(right(l.phone, 1), '-'), ' ' ORDER BY o.id), '')
	FROM landform.outbox o JOIN landform.staff s ON s.id = o.staff_id
	LEFT JOIN landform.leads l ON l.id = o.lead_id WHERE o.kind = p_kind $$;
SELECT landform.submit('demo', NULL, '+861380000000' || i, NULL, NULL, '{}', NULL, 'k' || i, NULL, NULL, NULL)
FROM generate_series(1, 3) i;
SELECT landform.dispatch();
\o

SELECT t.is(pg_temp.box('assigned'), 'alice:1 bob:2 alice:3', 'assigned: one notice per offer, to the member');
SELECT t.is((SELECT string_agg(o.idem_key, ' ' ORDER BY o.id) FROM landform.outbox o),
            (SELECT string_agg('assigned:a' || a.id || '>' || a.staff_id, ' ' ORDER BY a.id) FROM landform.assignments a),
            'the key of an assigned notice names the offer and the member');

-- Expiring: within five minutes of the deadline, to the member and the manager, once.
UPDATE landform.assignments SET deadline = now() + interval '2 minutes' WHERE id = pg_temp.offer(1);
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 2, 'tick: an offer due in 2 minutes warns member and manager');
SELECT t.is(pg_temp.box('expiring'), 'alice:1 boss:1', 'expiring: to alice and to boss');
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 0, 'the next tick does not warn again');
SELECT t.is((SELECT payload ->> 'to' FROM landform.outbox WHERE kind = 'expiring' AND staff_id = pg_temp.staff('boss')),
            'manager', 'the manager''s copy says it is one');
UPDATE landform.assignments SET deadline = now() + interval '10 minutes' WHERE id = pg_temp.offer(2);
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 0, 'an offer due in 10 minutes is not warned about yet');

-- Expired: written by the transaction that takes the offer back.
BEGIN;
UPDATE landform.assignments SET deadline = now() - interval '1 second' WHERE id = pg_temp.offer(1);
SELECT expired FROM landform.dispatch() \g /dev/null
SELECT t.is(pg_temp.box('expired'), 'alice:1 boss:1', 'expired: to the member and the manager');
SELECT t.is((SELECT count(*) FROM landform.outbox o JOIN landform.assignments a ON a.id = o.assignment_id
             WHERE o.kind = 'expired' AND o.created_at = a.closed_at AND a.outcome = 'expired'), 2::bigint,
            'in the same transaction as the expiry');
ROLLBACK;
SELECT t.is(pg_temp.box('expired'), '', 'rolled back with it');
UPDATE landform.assignments SET deadline = now() - interval '1 second' WHERE id = pg_temp.offer(1);
SELECT expired FROM landform.dispatch() \g /dev/null
SELECT t.is(pg_temp.box('expired') || ' / ' || pg_temp.box('assigned'), 'alice:1 boss:1 / alice:1 bob:2 alice:3 bob:1',
            'lead 1 expired from alice went to bob, who is told it was assigned');
SELECT t.lives($$UPDATE landform.assignments SET note = 'x' WHERE outcome = 'expired'$$,
               'touching an expired offer again writes nothing new');
SELECT t.is((SELECT count(*) FROM landform.outbox WHERE kind = 'expired'), 2::bigint, 'still two expired notices');
SELECT landform.set_pool_manager('default', NULL) \g /dev/null
UPDATE landform.assignments SET deadline = now() + interval '1 minute' WHERE id = pg_temp.offer(3);
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 1, 'without a manager only the member is warned');
SELECT landform.set_pool_manager('default', 'boss') \g /dev/null
SELECT landform.deactivate_staff('boss') \g /dev/null
UPDATE landform.assignments SET deadline = now() + interval '1 minute' WHERE id = pg_temp.offer(2);
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 1, 'a deactivated manager gets no copy');

-- Repeat submission from a lead someone holds.
SELECT landform.submit('demo', NULL, '+8613800000002', NULL, NULL, '{}', NULL, 'k2b', NULL, NULL, NULL) \g /dev/null
SELECT t.is(pg_temp.box('repeat_submission'), 'bob:2', 'repeat_submission: to the holder');
SELECT t.is((SELECT idem_key FROM landform.outbox WHERE kind = 'repeat_submission'),
            (SELECT 'repeat_submission:s' || id || '>' || pg_temp.staff('bob') FROM landform.submissions WHERE idem_key = 'k2b'),
            'its key names the submission and the holder');

-- Stage dwell: 新客户 allows a day. Lead 2 accepted by bob, in its stage for two days.
SELECT t.is(landform.accept(pg_temp.offer(2), pg_temp.staff('bob')), 'accepted', 'bob accepts lead 2');
UPDATE landform.leads SET stage_since = now() - interval '2 days' WHERE id = pg_temp.lead(2);
SELECT t.is((SELECT string_agg(login || ' ' || stage || ' ' || (overdue_by > interval '23 hours'), ',') FROM landform.stage_reminders),
            'bob 新客户 true', 'stage_reminders shows the lead, its stage, a day overdue');
SELECT t.is((SELECT count(*) FROM landform.staff_reminders(pg_temp.staff('bob'))), 1::bigint, 'staff_reminders(bob) has it');
SELECT t.is((SELECT count(*) FROM landform.staff_reminders(pg_temp.staff('alice'))), 0::bigint, 'staff_reminders(alice) does not');
SELECT t.is((SELECT stage_dwell FROM landform.tick_notifications()), 1, 'tick: one stage_dwell notice');
SELECT t.is(pg_temp.box('stage_dwell'), 'bob:2', 'to the owner');
SELECT t.is((SELECT stage_dwell FROM landform.tick_notifications()), 0, 'once per stay in the stage');
SELECT t.is((SELECT payload ->> 'stage' FROM landform.outbox WHERE kind = 'stage_dwell'), '新客户', 'the notice names the stage');
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '意向客户') WHERE id = pg_temp.lead(2);
SELECT t.is((SELECT count(*) FROM landform.stage_reminders), 0::bigint, 'a stage change starts the clock again');
UPDATE landform.leads SET stage_since = now() - interval '8 days' WHERE id = pg_temp.lead(2);
SELECT t.is((SELECT stage_dwell FROM landform.tick_notifications()), 1, 'a long stay in the next stage is a new notice');
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '成交'),
	stage_since = now() - interval '100 days' WHERE id = pg_temp.lead(2);
SELECT t.is((SELECT stage_dwell FROM landform.tick_notifications()), 0, 'a stage without dwell time never reminds');
SELECT t.is((SELECT count(*) FROM landform.stage_reminders), 0::bigint, 'and shows no reminder');

-- Daily summary: once a day, to every active member, yesterday's figures.
UPDATE landform.assignments SET assigned_at = now() - interval '1 day', accepted_at = NULL, deadline = now() + interval '1 day'
WHERE id = pg_temp.offer(3);
SELECT landform.set_notifications(p_daily_summary_at => '00:00') \g /dev/null
SELECT t.is((SELECT daily_summary FROM landform.tick_notifications()), 2, 'tick after the summary time: one per active member (not boss)');
SELECT t.is((SELECT daily_summary FROM landform.tick_notifications()), 0, 'only once a day');
DELETE FROM landform.outbox WHERE kind = 'daily_summary' AND staff_id = pg_temp.staff('alice');
SELECT t.is((SELECT daily_summary FROM landform.tick_notifications()), 0, 'not again even when its rows were pruned');
SELECT t.is((SELECT (payload ->> 'received') || ' ' || (payload ->> 'pending_now') || ' ' || (payload ->> 'day')
             FROM landform.outbox WHERE kind = 'daily_summary' AND staff_id = pg_temp.staff('bob')),
            '0 1 ' || (landform._day(now()) - 1), 'bob''s summary: nothing received yesterday, one offer pending now');
SELECT t.is((SELECT idem_key FROM landform.outbox WHERE kind = 'daily_summary' AND staff_id = pg_temp.staff('bob')),
            'daily_summary:d' || landform._day(now()) || '>' || pg_temp.staff('bob'), 'its key names the day and the member');
SELECT landform.set_notifications(p_no_summary => true) \g /dev/null
UPDATE landform.tick_state SET day = '2000-01-01';
SELECT t.is((SELECT daily_summary FROM landform.tick_notifications()), 0, 'no summary when switched off');

-- Keys: unique, so a producer that runs again writes nothing.
SELECT t.is((SELECT count(DISTINCT idem_key) FROM landform.outbox), (SELECT count(*) FROM landform.outbox), 'every key is unique');
SELECT t.throws($$INSERT INTO landform.outbox (kind, staff_id, assignment_id) SELECT kind, staff_id, assignment_id FROM landform.outbox WHERE kind = 'expired' LIMIT 1$$,
                '23505', 'the same notice twice is refused by its key');
SELECT t.is((SELECT string_agg(DISTINCT kind, ' ' ORDER BY kind) FROM landform.outbox),
            'assigned daily_summary expired expiring repeat_submission stage_dwell', 'every kind was produced');
SELECT landform.set_notifications(p_expiry_warning => '0') \g /dev/null
UPDATE landform.assignments SET deadline = now() + interval '1 minute' WHERE id = pg_temp.offer(1);
SELECT t.is((SELECT expiring FROM landform.tick_notifications()), 0, 'expiry warnings off');
SELECT t.throws($$SELECT landform.set_notifications(p_expiry_warning => '2 days')$$, '22023', 'a warning longer than a day is refused');
SELECT t.throws($$SELECT landform.set_pool_manager('default', 'nobody')$$, 'P0002', 'an unknown manager is refused');
