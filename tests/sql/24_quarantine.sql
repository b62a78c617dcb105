-- The quarantine (issue 13): a post that filled the honeypot is kept, not rotated and not a lead,
-- visible in landform.suspect_submissions; release_suspect(id) stores it through submit (dedup and
-- rotation apply); purge_suspects() deletes it after suspect_retention; at most suspect_cap kept
-- per client address a day, the rest dropped and counted; forget(phone) reaches it; stamp
-- refusals flushed by count_traffic are counted apart from spam.
\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM t.members('default', 'alice');
	PERFORM landform.set_setting('suspect_cap', '3');
END $$;
CREATE TEMP TABLE q AS
SELECT landform.quarantine('demo', 'wx', '+8613800000001', '张三', NULL, '{"name":"张三","_website":"x"}',
                           '同意', 'k1', '203.0.113.1', 'UA', 'zh-CN') AS r;
\o
SELECT t.is((SELECT r FROM q), 'quarantined', 'a honeypot post is quarantined');
SELECT t.is((SELECT count(*) FROM landform.leads), 0::bigint, '... it is not a lead');
SELECT t.is((SELECT count(*) FROM landform.submissions), 0::bigint, '... nor a submission');
SELECT t.is((SELECT coalesce(sum(submissions), 0) FROM landform.page_daily), 0::numeric,
            '... nor counted as one');
SELECT t.is((SELECT page || '|' || channel || '|' || phone || '|' || name || '|' || host(client_addr) || '|'
                    || (purge_at - received_at)::text
             FROM landform.suspect_submissions), 'demo|wx|+8613800000001|张三|203.0.113.1|14 days',
            'admins see it in landform.suspect_submissions, with when it will be purged');
SELECT t.is(landform.quarantine('demo', 'wx', '+8613800000001', '张三', NULL, '{}', NULL, 'k1',
                                '203.0.113.1', NULL, NULL), 'replayed',
            'the same stamp again is a replay');
SELECT t.is((SELECT count(*) FROM landform.suspects), 1::bigint, '... which keeps nothing new');

-- The cap per client address and day.
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000002', NULL, NULL, '{}', NULL, 'k2',
                                '203.0.113.1', NULL, NULL), 'quarantined', 'a second one from the address is kept');
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000003', NULL, NULL, '{}', NULL, 'k3',
                                '203.0.113.1', NULL, NULL), 'quarantined', 'a third one is kept (cap 3)');
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000004', NULL, NULL, '{}', NULL, 'k4',
                                '203.0.113.1', NULL, NULL), 'over_cap', 'a fourth one is over the cap');
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000005', NULL, NULL, '{}', NULL, 'k5',
                                '203.0.113.1', NULL, NULL), 'over_cap', '... and a fifth');
SELECT t.is((SELECT count(*) FROM landform.suspects WHERE client_addr = '203.0.113.1'), 3::bigint,
            '... neither is kept');
SELECT t.is((SELECT n FROM landform.refusals WHERE reason = 'suspect_over_cap' AND page = 'demo'), 2::bigint,
            '... both are counted in landform.refusals');
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000006', NULL, NULL, '{}', NULL, 'k6',
                                '198.51.100.9', NULL, NULL), 'quarantined', 'another address has its own cap');
UPDATE landform.suspects SET received_at = now() - interval '25 hours' WHERE idem_key = 'k2';
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000007', NULL, NULL, '{}', NULL, 'k7',
                                '203.0.113.1', NULL, NULL), 'quarantined', 'the cap counts the last 24 hours');
SELECT t.throws($$SELECT landform.quarantine('nope', NULL, '+8613800000001', NULL, NULL, '{}', NULL, 'x',
                NULL, NULL, NULL)$$, 'P0002', 'an unknown page is refused as submit refuses it');
SELECT t.throws($$SELECT landform.quarantine('demo', NULL, '13800000001', NULL, NULL, '{}', NULL, 'x',
                NULL, NULL, NULL)$$, '23514', 'a phone not in E.164 form is refused');

-- Release: through submit, so the lead is made, rotated and deduplicated as any post.
SELECT landform.submit('demo', NULL, '+8613800000003', '李四', NULL, '{}', NULL, 'n1', NULL, NULL, NULL) \gset
CREATE TEMP TABLE rel AS SELECT * FROM landform.release_suspect((SELECT id FROM landform.suspects WHERE idem_key = 'k1'));
SELECT t.ok((SELECT new_lead AND NOT replayed FROM rel), 'a released post becomes a new lead');
SELECT t.is((SELECT s.idem_key || '|' || (s.fields ->> 'name') || '|' || l.phone || '|' || c.code
             FROM rel JOIN landform.submissions s ON s.id = rel.submission_id
             JOIN landform.leads l ON l.id = s.lead_id JOIN landform.channels c ON c.id = s.channel_id),
            'k1|张三|+8613800000001|wx', '... a submission with everything the visitor sent');
SELECT t.is((SELECT count(*) FROM landform.suspect_submissions WHERE phone = '+8613800000001'), 0::bigint,
            '... and leaves the quarantine');
\o /dev/null
SELECT landform.dispatch();
\o
SELECT t.is((SELECT s.login FROM landform.leads l JOIN landform.staff s ON s.id = l.owner_id
             WHERE l.phone = '+8613800000001'), 'alice', '... and is rotated to a member');
CREATE TEMP TABLE rel2 AS SELECT * FROM landform.release_suspect((SELECT id FROM landform.suspects WHERE idem_key = 'k3'));
SELECT t.ok((SELECT NOT new_lead FROM rel2), 'a released post from a known phone attaches to its lead (dedup)');
SELECT t.is((SELECT submissions FROM landform.leads WHERE phone = '+8613800000003'), 2,
            '... which counts it');
SELECT t.throws($$SELECT landform.release_suspect((SELECT min(id) FROM landform.suspects) - 1000)$$, 'P0002',
                'releasing what is not there is refused');

-- forget(phone) reaches the quarantine.
\o /dev/null
SELECT landform.forget('+8613800000006');
\o
SELECT t.is((SELECT count(*) FROM landform.suspects WHERE phone = '+8613800000006'), 0::bigint,
            'forget(phone) deletes quarantined posts with that number');

-- Purge after suspect_retention, from the dispatcher's tick.
UPDATE landform.suspects SET received_at = now() - interval '15 days' WHERE idem_key = 'k2';
\o /dev/null
SELECT landform.tick_notifications();
\o
SELECT t.is((SELECT count(*) FROM landform.suspects WHERE idem_key = 'k2'), 0::bigint,
            'the tick purges posts older than suspect_retention');
SELECT t.is((SELECT count(*) FROM landform.suspects WHERE idem_key = 'k7'), 1::bigint, '... and keeps newer ones');
\o /dev/null
SELECT landform.set_setting('suspect_retention', '2 hours');
UPDATE landform.suspects SET received_at = now() - interval '3 hours' WHERE idem_key = 'k7';
\o
SELECT t.is(landform.purge_suspects(), 1, 'the retention is a setting');
SELECT t.throws($$SELECT landform.set_setting('suspect_retention', '5 minutes')$$, '22023',
                'a retention under an hour is refused');
SELECT t.throws($$SELECT landform.set_setting('suspect_cap', '-1')$$, '22023', 'a negative cap is refused');

-- Stamp refusals come with the workers' counters, apart from spam.
\o /dev/null
SELECT landform.count_traffic('[{"page":"demo","channel":null,"views":0,"spam":1,"refused":{"stamp_forged":3,"stamp_missing":1}},
                                {"page":"demo","channel":"wx","refused":{"stamp_forged":2,"evil":5,"stamp_too_fast":"x"}}]');
SELECT landform.count_traffic('[{"page":"demo","channel":null,"refused":{"stamp_forged":1}}]');
\o
SELECT t.is((SELECT string_agg(reason || '=' || n, ',' ORDER BY reason) FROM landform.refusals
             WHERE reason LIKE 'stamp%'), 'stamp_forged=6,stamp_missing=1',
            'count_traffic counts stamp refusals per page, day and reason; other keys are ignored');
SELECT t.is((SELECT sum(spam) FROM landform.page_daily), 1::numeric, '... apart from spam');

-- landform_app (what landformd logs in as) may quarantine but not read the quarantine.
GRANT USAGE ON SCHEMA t TO landform_app;
SET ROLE landform_app;
SELECT t.is(landform.quarantine('demo', NULL, '+8613800000008', NULL, NULL, '{}', NULL, 'k8',
                                '192.0.2.1', NULL, NULL), 'quarantined', 'landformd''s role may quarantine');
SELECT t.throws('SELECT * FROM landform.suspect_submissions', '42501', '... but not read the quarantine');
RESET ROLE;
