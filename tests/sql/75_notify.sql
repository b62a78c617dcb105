-- Notification delivery in SQL: spreading the outbox to targets (kinds, one-target test
-- messages, no target), leased claims (per-target room, nothing claimed twice), results
-- (retry, dead, release, a stale holder fenced off, a late success kept), a lease that ran
-- out on the last attempt, admin functions and their errors, the status views.
DO $$ BEGIN
	PERFORM landform.add_staff('nina', '倪娜');
	PERFORM landform.add_staff('boss', '经理');
	PERFORM landform.set_wecom_userid('nina', 'NiNa');
	PERFORM landform.register_page('demo', 'Demo', 'lead');
END $$;

CREATE FUNCTION pg_temp.sid(p_login text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.staff WHERE login = p_login
$$;
CREATE FUNCTION pg_temp.tid(p_name text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.notify_targets WHERE name = p_name
$$;
CREATE FUNCTION pg_temp.note(p_kind text, p_payload jsonb DEFAULT '{}') RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO landform.outbox (kind, staff_id, payload) VALUES (p_kind, pg_temp.sid('nina'), p_payload)
	RETURNING id
$$;
-- "target:status:attempts" of each delivery of a notice.
CREATE FUNCTION pg_temp.ds(p_outbox bigint) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(target || ':' || status || ':' || attempts, ' ' ORDER BY target)
	FROM landform.delivery_status WHERE outbox_id = p_outbox
$$;
-- As if the deliveries' next attempt (or lease end) had come.
CREATE FUNCTION pg_temp.due() RETURNS void LANGUAGE sql AS $$
	UPDATE landform.deliveries SET next_at = now() - interval '1 second' WHERE state = 'pending'
$$;
CREATE FUNCTION pg_temp.claim(p_worker text, p_limit integer DEFAULT 10, p_per integer DEFAULT 10,
	p_busy jsonb DEFAULT '{}', p_max integer DEFAULT 3) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(outbox_id || '.' || target_name || '#' || attempt, ' '
	                           ORDER BY outbox_id, target_name), '')
	FROM landform.notify_claim(p_worker, p_limit, p_per, p_busy, 60000, p_max)
$$;
CREATE FUNCTION pg_temp.finish(p_worker text, p_results jsonb, p_max integer DEFAULT 3) RETURNS integer
LANGUAGE sql AS $$ SELECT landform.notify_finish(p_worker, p_results, p_max) $$;
CREATE FUNCTION pg_temp.r(p_outbox bigint, p_target text, p_extra jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('outbox', p_outbox, 'target', pg_temp.tid(p_target)) || p_extra
$$;

-- Nothing configured: a notice is settled as no_target when written; the notifier never sees it.
SELECT pg_temp.note('assigned') AS n0 \gset
SELECT t.is(status, 'no_target', 'a notice written while no target exists is no_target at once')
FROM landform.notifications WHERE id = :n0;
SELECT t.ok(fanned_at IS NOT NULL AND targets = 0, 'it is written spread, to 0 targets') FROM landform.outbox WHERE id = :n0;
SELECT t.is(pg_temp.claim('w1'), '', 'with no target there is nothing to send');
INSERT INTO landform.outbox (kind, staff_id, available_at) VALUES ('assigned', pg_temp.sid('nina'), now() + interval '1 hour')
RETURNING id AS n_later \gset
INSERT INTO landform.outbox (kind, target_id) VALUES ('test', 999) RETURNING id AS n_direct \gset
SELECT t.is((SELECT count(*) FROM landform.outbox WHERE id IN (:n_later, :n_direct) AND fanned_at IS NULL), 2::bigint,
            'a notice due later, or for one named target, is left for the notifier');
DELETE FROM landform.outbox WHERE id IN (:n_later, :n_direct);

-- Targets, with their errors.
SELECT t.ok(landform.set_notify_target('grp', 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k') > 0, 'a WeCom robot target');
SELECT t.ok(landform.set_notify_target('crm', 'webhook', 'http://127.0.0.1:9/in', 'sixteen-chars-ok', '{assigned,expired}') > 0,
            'a webhook target for two kinds');
SELECT t.is(landform.set_notify_target('grp', 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k2'),
            pg_temp.tid('grp'), 'setting a target again changes it in place');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'sms', 'http://a/')$$, '22023', 'an unknown kind is refused');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'wecom', 'ftp://a/')$$, '22023', 'a non-http URL is refused');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'wecom', 'http://a b/')$$, '22023', 'a URL with a space is refused');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'webhook', 'http://a/')$$, '22023', 'a webhook without a secret is refused');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'webhook', 'http://a/', 'short')$$, '22023', 'a short secret is refused');
SELECT t.throws($$SELECT landform.set_notify_target('x', 'wecom', 'http://a/', NULL, '{}')$$, '22023', 'an empty kinds list is refused');
SELECT t.throws($$SELECT landform.set_notify_target('bad name', 'wecom', 'http://a/')$$, '22023', 'a name with a space is refused');
SELECT t.throws($$SELECT landform.enable_notify_target('nope')$$, 'P0002', 'an unknown target is named in the error');
SELECT t.throws($$SELECT landform.set_wecom_userid('nina', '<@all>')$$, '22023', 'a WeCom id with markup is refused');
SELECT t.throws($$SELECT landform.set_wecom_userid('nobody', 'x')$$, 'P0002', 'a WeCom id for an unknown login is refused');

-- Spreading: every target takes assigned, only the robot takes daily_summary.
SELECT pg_temp.note('assigned', '{"deadline": "2024-05-01T02:25:00+00:00"}') AS n1 \gset
SELECT pg_temp.note('daily_summary') AS n2 \gset
SELECT t.is(pg_temp.claim('w1'), :n1 || '.crm#1 ' || :n1 || '.grp#1 ' || :n2 || '.grp#1',
            'a claim spreads new notices to the targets that take their kind and leases them');
SELECT t.is(targets, 2, 'the assigned notice went to 2 targets') FROM landform.outbox WHERE id = :n1;
SELECT t.is(pg_temp.ds(:n1), 'crm:in_flight:1 grp:in_flight:1', 'its deliveries are in flight, attempt 1');
SELECT t.is(pg_temp.claim('w2'), '', 'another notifier claims nothing that is leased');

-- Results: one sent, one failed (retried later), one handed back.
SELECT t.is(pg_temp.finish('w1', jsonb_build_array(
	pg_temp.r(:n1, 'grp', '{"ok": true, "status": 200, "ms": 12}'),
	pg_temp.r(:n1, 'crm', '{"ok": false, "status": 500, "error": "HTTP 500", "retry_ms": 60000, "ms": 30}'),
	pg_temp.r(:n2, 'grp', '{"release": true}'))), 3, 'three results recorded in one call');
SELECT t.is(pg_temp.ds(:n1), 'crm:retrying:1 grp:sent:1', 'sent and retrying');
SELECT t.is(last_error || ' ' || last_status || ' ' || (next_at > now() + interval '50 seconds'), 'HTTP 500 500 true',
            'the failure keeps its error and waits retry_ms') FROM landform.delivery_status WHERE outbox_id = :n1 AND target = 'crm';
SELECT t.is(pg_temp.ds(:n2), 'grp:queued:0', 'a handed-back delivery is due again, its attempt not counted');
SELECT t.is(status || ' ' || attempts || ' ' || last_error, 'sending 2 HTTP 500', 'the notice sums up its deliveries')
FROM landform.notifications WHERE id = :n1;

-- Per-target room: this notifier already has 2 in flight at the robot.
SELECT pg_temp.note('daily_summary') AS n3 \gset
SELECT t.is(pg_temp.claim('w1', 10, 2, jsonb_build_object(pg_temp.tid('grp')::text, 2)), '',
            'a target at its per-notifier limit gets nothing more');
SELECT t.is(pg_temp.claim('w1', 1, 2, '{}'), :n2 || '.grp#1', 'the limit caps one claim');
SELECT t.is(pg_temp.claim('w1', 10, 2, '{}'), :n3 || '.grp#1', 'and the next claim takes the rest');

-- A stale holder is fenced off; a late success still counts.
SELECT FROM pg_temp.due();
SELECT t.is(pg_temp.claim('w2', 10, 10, '{}'), :n1 || '.crm#2 ' || :n2 || '.grp#2 ' || :n3 || '.grp#2',
            'when leases end, another notifier takes the deliveries over');
SELECT t.is(pg_temp.finish('w1', jsonb_build_array(pg_temp.r(:n2, 'grp', '{"ok": false, "status": 0, "error": "timed out", "retry_ms": 1}'))),
            0, 'a failure reported by the former holder changes nothing');
SELECT t.is(pg_temp.finish('w1', jsonb_build_array(pg_temp.r(:n3, 'grp', '{"ok": true, "status": 200}'))),
            1, 'a success reported by the former holder is kept: the receiver has it');
SELECT t.is(pg_temp.finish('w2', jsonb_build_array(pg_temp.r(:n3, 'grp', '{"ok": false, "error": "x", "retry_ms": 1}'),
                                                   pg_temp.r(:n2, 'grp', '{"ok": true, "status": 200}'))),
            1, '... and the new holder''s later failure does not undo it');
SELECT t.is(pg_temp.ds(:n3), 'grp:sent:2', 'sent after two attempts');

-- Dead after the maximum attempts, from a result and from a lease that ran out.
SELECT t.is(pg_temp.finish('w2', jsonb_build_array(pg_temp.r(:n1, 'crm', '{"ok": false, "status": 500, "error": "HTTP 500", "retry_ms": 0}'))),
            1, 'attempt 2 of the webhook fails');
SELECT t.is(pg_temp.claim('w2'), :n1 || '.crm#3', 'attempt 3 is claimed');
SELECT FROM pg_temp.due();
SELECT t.is(pg_temp.claim('w3'), '', 'its lease runs out with no result: nothing to claim');
SELECT t.is(pg_temp.ds(:n1), 'crm:dead:3 grp:sent:1', 'the delivery is dead after its last attempt''s lease');
SELECT t.is(status, 'dead', 'the notice is dead') FROM landform.notifications WHERE id = :n1;
SELECT t.is(dead, 1::bigint, 'notify_target_status counts it') FROM landform.notify_target_status WHERE name = 'crm';
SELECT t.is(pg_temp.finish('w2', jsonb_build_array(pg_temp.r(:n1, 'crm', '{"ok": false, "error": "late"}'))),
            0, 'a failure after that changes nothing');
SELECT t.is(landform.retry_notifications(:n1), 1::bigint, 'retry_notifications revives it');
SELECT t.is(pg_temp.ds(:n1) || ' ' || (SELECT status FROM landform.notifications WHERE id = :n1),
            'crm:queued:0 grp:sent:1 sending', '... from attempt 1');
SELECT t.is(pg_temp.claim('w3'), :n1 || '.crm#1', '... and it is claimed again');
SELECT t.is(pg_temp.finish('w3', jsonb_build_array(pg_temp.r(:n1, 'crm', '{"ok": false, "status": 503, "retry_ms": 0}')), 1),
            1, 'with a maximum of 1, one failure');
SELECT t.is(pg_temp.ds(:n1), 'crm:dead:1 grp:sent:1', '... is dead at once');

-- A test message goes to its target only, whatever the target's kinds; a paused target waits.
SELECT landform.test_notify_target('crm') AS n4 \gset
SELECT t.is(pg_temp.claim('w3'), :n4 || '.crm#1', 'a test message goes to its one target');
SELECT FROM landform.enable_notify_target('grp', false);
SELECT pg_temp.note('assigned') AS n5 \gset
SELECT pg_temp.note('stage_dwell') AS n_none \gset
SELECT t.is((SELECT string_agg(kind || ':' || coalesce(targets::text, 'waiting'), ' ' ORDER BY id) FROM landform.outbox
             WHERE id IN (:n5, :n_none)), 'assigned:waiting stage_dwell:0',
            'a kind no active target takes is settled when written, the others wait for the notifier');
SELECT t.is(pg_temp.claim('w3'), :n5 || '.crm#1', 'a paused target gets nothing new');
SELECT FROM landform.enable_notify_target('grp', true);
SELECT pg_temp.note('assigned') AS n6 \gset
SELECT t.is(pg_temp.claim('w3'), :n6 || '.crm#1 ' || :n6 || '.grp#1', 'resumed, it does');

-- Dropping a target: its deliveries go, its notices are summed up without it.
SELECT t.is(pg_temp.finish('w3', jsonb_build_array(pg_temp.r(:n6, 'grp', '{"ok": true}'))), 1, 'the robot has one');
SELECT t.is(landform.drop_notify_target('crm'), 3::bigint, 'dropping the webhook reports its pending deliveries');
SELECT t.is(status || ' ' || targets, 'sent 1', 'a notice it shared is now sent (to the one left)')
FROM landform.notifications WHERE id = :n6;
SELECT t.is((SELECT count(*) FROM landform.outbox WHERE id = :n4), 0::bigint, 'its test message is gone');

-- The claim's notice JSON: staff, lead, and the member a manager's notice is about.
SELECT lead_id AS lead FROM landform.submit('demo', 'wx', '+8613700001111', '王先生', NULL, '{}', NULL, 'k1', NULL, NULL, NULL) \gset
INSERT INTO landform.outbox (kind, staff_id, lead_id, payload)
VALUES ('expired', pg_temp.sid('boss'), :lead, jsonb_build_object('member', pg_temp.sid('nina'), 'to', 'manager'))
RETURNING id AS n7 \gset
SELECT t.is(jsonb_build_object('staff', c.notice -> 'staff' ->> 'name', 'lead', c.notice -> 'lead' ->> 'name',
                               'phone', c.notice -> 'lead' ->> 'phone', 'page', c.notice -> 'lead' ->> 'page',
                               'member', c.notice -> 'member' ->> 'name', 'kind', c.notice ->> 'kind',
                               'tz', c.notice ->> 'tz_offset', 'target', c.target_kind),
            '{"staff": "经理", "lead": "王先生", "phone": "137****1111", "page": "Demo", "member": "倪娜", "kind": "expired", "tz": "28800", "target": "wecom"}'::jsonb,
            'the notice names recipient, lead (phone masked by landform.mask_phone) and member, with the site''s UTC offset')
FROM landform.notify_claim('w4', 10, 10, '{}', 60000, 3) c WHERE c.outbox_id = :n7;

SELECT pg_temp.note('daily_summary') AS n8 \gset
SELECT t.is(n.notice -> 'staff' ->> 'wecom_userid', 'NiNa', 'and the member''s WeCom id for the mention')
FROM landform.notify_claim('w4', 10, 10, '{}', 60000, 3) n WHERE n.outbox_id = :n8;
SELECT t.is(pg_temp.finish('w4', jsonb_build_array(pg_temp.r(:n8, 'grp', '{"ok": false, "error": "x"}')), 1), 1, 'one more dead notice');

-- Housekeeping.
UPDATE landform.outbox SET created_at = now() - interval '40 days';
SELECT t.is(landform.prune_notifications(), 7::bigint, 'pruning deletes old notices that are sent or had no target');
SELECT t.is(landform.prune_notifications('30 days', true), 1::bigint, '... and dead ones when asked');
SELECT t.ok(NOT EXISTS (SELECT 1 FROM landform.deliveries d LEFT JOIN landform.outbox o ON o.id = d.outbox_id WHERE o.id IS NULL),
            'their deliveries go with them');
SELECT t.ok(has_function_privilege('landform_app', 'landform.notify_claim(text,integer,integer,jsonb,integer,integer)', 'EXECUTE')
            AND has_function_privilege('landform_app', 'landform.notify_finish(text,jsonb,integer)', 'EXECUTE'),
            'landform_app may claim and finish');
SELECT t.ok(NOT has_function_privilege('landform_app', 'landform.set_notify_target(text,text,text,text,text[])', 'EXECUTE'),
            '... but not manage targets');
