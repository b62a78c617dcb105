-- Privacy: consent per lead; forget(phone) leaves no trace of the person in any table and
-- keeps the anonymous counts (funnel, channel and revenue reports do not move);
-- purge_unconverted(older_than) erases old leads never won and keeps the rest.
\o /dev/null
DO $$ BEGIN
	PERFORM t.scene('alice');
END $$;
SELECT landform.count_traffic('[{"page":"demo","channel":"wx","views":10,"opens":4,"visitors":1}]');
SELECT landform.submit('demo', 'wx', '+8613800000001', '张三', NULL, '{"note":"call after 6"}', '同意 v1', 'a1', '203.0.113.1', 'UA', 'zh-CN');
SELECT landform.submit('ask', 'wx', '+8613800000001', '张三', '多少钱?', '{}', '同意 v2', 'a2', '203.0.113.1', 'UA', 'zh-CN');
SELECT landform.submit('demo', 'wx', '+8613800000002', '李四', NULL, '{}', NULL, 'b1', NULL, NULL, NULL);
SELECT landform.dispatch();
SELECT landform.accept(id, staff_id) FROM landform.assignments;
SELECT landform.submit('demo', 'wx', '+8613800000001', '张三', NULL, '{}', '同意 v2', 'a3', NULL, NULL, NULL);
UPDATE landform.leads SET first_contact_at = now(), stage_id = (SELECT id FROM landform.stages WHERE name = '初步沟通');
INSERT INTO landform.notes (lead_id, staff_id, body)
SELECT id, owner_id, '张三 wants a call' FROM landform.leads WHERE phone = '+8613800000001';
SELECT landform.add_deal(id, 800, now(), 'paid by 张三') FROM landform.leads WHERE phone = '+8613800000001';
SELECT landform.add_deal(id, 200) FROM landform.leads WHERE phone = '+8613800000001';
INSERT INTO landform.import_staging (phone, name) VALUES ('138 0000 0001', '张三');
INSERT INTO landform.imports (pool_id, started_by) VALUES (1, 'test');
INSERT INTO landform.import_rejects (import_id, line, phone, reason) VALUES (1, 1, '+86 138-0000-0001', 'already_known'),
	(1, 2, '139 0000 0009', 'already_known');
CREATE TEMP TABLE before AS SELECT
	(SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel_daily f) AS funnel,
	(SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.channel_monthly f) AS channels,
	(SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.revenue_monthly f) AS revenue,
	(SELECT string_agg(concat_ws(' ', login, received, offered, accepted_in_time, expired, median_accept,
	                             contacted, median_first_contact, won), ' | ' ORDER BY login)
	 FROM landform.staff_monthly) AS staff,
	(SELECT string_agg(f::text, ' ' ORDER BY f::text)
	 FROM landform.staff_stages(landform.today() - 1, landform.today()) f) AS stages;
CREATE TEMP TABLE victim AS SELECT id FROM landform.leads WHERE phone = '+8613800000001';
\o

-- Consent.
SELECT t.is(string_agg(page || ' ' || consent_text || ' ' || (consent_at = submitted_at), ', ' ORDER BY submission_id),
            'demo 同意 v1 true, ask 同意 v2 true, demo 同意 v2 true', 'consent_log: each submission''s consent text and time')
FROM landform.consent_log WHERE phone = '+8613800000001';
SELECT t.is((SELECT last_consent_text || ' ' || submissions || ' ' || without_consent || ' ' || (first_consent_at < last_consent_at)
             FROM landform.lead_consent WHERE phone = '+8613800000001'), '同意 v2 3 0 true',
            'lead_consent: latest text, submissions, none without consent, first before last');
SELECT t.is((SELECT coalesce(last_consent_text, '-') || ' ' || submissions || ' ' || without_consent
             FROM landform.lead_consent WHERE phone = '+8613800000002'), '- 1 1', 'a submission without consent shows');

-- Forget.
SELECT t.is((SELECT concat_ws(' ', leads, submissions, consultations, notes, notifications, deals_kept, import_rows)
             FROM landform.forget('138 0000 0001')),
            '1 3 1 1 2 2 2', 'forget: the lead, 3 submissions, 1 consultation, 1 note, 2 notices (assigned, repeat), 2 deals kept, 2 import rows');
CREATE TEMP TABLE trace (tbl text, n bigint);
DO $$
DECLARE
	r record;
	n bigint;
BEGIN
	FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'landform'::regnamespace AND c.relkind = 'r' LOOP
		EXECUTE format('SELECT count(*) FROM landform.%I x WHERE x::text ~ %L', r.relname, '13800000001|张三') INTO n;
		INSERT INTO trace VALUES (r.relname, n);
		FOR r IN SELECT r.relname AS relname, a.attname FROM pg_attribute a
		         WHERE a.attrelid = format('landform.%I', r.relname)::regclass AND a.attname = 'lead_id' LOOP
			EXECUTE format('SELECT count(*) FROM landform.%I WHERE lead_id = (SELECT id FROM victim)', r.relname) INTO n;
			INSERT INTO trace VALUES (r.relname || '.lead_id', n);
		END LOOP;
	END LOOP;
END $$;
SELECT t.is((SELECT coalesce(string_agg(tbl || '=' || n, ' '), '') FROM trace WHERE n > 0), '',
            'no table holds the phone, the name or the lead id any more');
SELECT t.ok((SELECT count(*) FROM trace) > 20, 'every table was searched');
SELECT t.is((SELECT count(*) FROM landform.leads), 1::bigint, 'the other lead stays');
SELECT t.is((SELECT count(*) || ' ' || sum(amount) || ' ' || count(DISTINCT anon_buyer) || ' ' || bool_and(note IS NULL)
             FROM landform.deals WHERE lead_id IS NULL), '2 1000.00 1 true', 'deals stay, detached, one anonymous buyer, notes gone');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel_daily f), (SELECT funnel FROM before),
            'the funnel is unchanged (anonymous counts)');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.channel_monthly f), (SELECT channels FROM before),
            'the channel report is unchanged');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.revenue_monthly f), (SELECT revenue FROM before),
            'revenue, orders and buyers are unchanged');
SELECT t.is((SELECT string_agg(concat_ws(' ', login, received, offered, accepted_in_time, expired, median_accept,
                                        contacted, median_first_contact, won), ' | ' ORDER BY login)
             FROM landform.staff_monthly), (SELECT staff FROM before),
            'staff figures are unchanged (only the load now drops)');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text)
             FROM landform.staff_stages(landform.today() - 1, landform.today()) f), (SELECT stages FROM before),
            'staff_stages is unchanged (accepted offers and stages reached stay, anonymous)');
SELECT t.ok((SELECT stages FROM before) ~ '\(alice,初步沟通,20,2,2,', 'staff_stages counted both of alice''s leads before: the check above means something');
SELECT t.is((SELECT reason || ' ' || leads || ' ' || submissions || ' ' || (actor <> '') FROM landform.erasures), 'forget 1 3 true',
            'the erasure is logged, without the phone');
SELECT t.is((SELECT count(*) FROM landform.import_rejects), 1::bigint, 'other import rejects stay');
SELECT t.is((SELECT concat_ws(' ', leads, submissions, import_rows) FROM landform.forget('+8613999999999')), '0 0 0',
            'an unknown phone: nothing to delete');
SELECT t.is((SELECT count(*) FROM landform.erasures), 2::bigint, 'and the request is logged anyway');
SELECT t.throws($$SELECT * FROM landform.forget('hello')$$, '22023', 'not a phone: refused');
SELECT t.lives($$SELECT landform.submit('demo', 'wx', '+8613800000001', NULL, NULL, '{}', NULL, 'a1', NULL, NULL, NULL)$$,
               'the same person may come back; an old idempotency key is no longer known');
SELECT t.is((SELECT new_lead FROM landform.submissions WHERE idem_key = 'a1'), true, 'and is a new lead');

-- Retention.
\o /dev/null
SELECT landform.submit('demo', NULL, '+861390000000' || i, NULL, NULL, '{}', NULL, 'r' || i, NULL, NULL, NULL)
FROM generate_series(1, 4) i;
-- 1: old, never won: goes. 2: old but won: stays. 3: old but a recent note: stays. 4: recent: stays.
UPDATE landform.leads SET last_seen = now() - interval '400 days', stage_since = now() - interval '400 days'
WHERE phone IN ('+8613900000001', '+8613900000002', '+8613900000003');
UPDATE landform.submissions SET created_at = now() - interval '400 days';
SELECT landform.add_deal(id, 1, now() - interval '400 days') FROM landform.leads WHERE phone = '+8613900000002';
INSERT INTO landform.notes (lead_id, body) SELECT id, 'still talking' FROM landform.leads WHERE phone = '+8613900000003';
UPDATE landform.imports SET started_at = now() - interval '400 days';
CREATE TEMP TABLE counts AS SELECT sum(new_leads) || ' ' || sum(submissions) AS n FROM landform.funnel_daily;
\o
SELECT t.throws($$SELECT * FROM landform.purge_unconverted(interval '1 hour')$$, '22023', 'a retention under a day is refused');
SELECT t.is((SELECT concat_ws(' ', leads, submissions, import_rows) FROM landform.purge_unconverted(interval '1 year')), '1 1 1',
            'purge: one old unconverted lead with its submission, and the old import rejects');
SELECT t.is((SELECT string_agg(right(phone, 1), ' ' ORDER BY phone) FROM landform.leads WHERE phone LIKE '+86139%'), '2 3 4',
            'won, recently noted and recent leads stay');
SELECT t.is((SELECT reason || ' ' || leads FROM landform.erasures ORDER BY id DESC LIMIT 1), 'retention 1', 'logged as retention');
SELECT t.is((SELECT sum(new_leads) || ' ' || sum(submissions) FROM landform.funnel_daily), (SELECT n FROM counts),
            'the funnel still counts the purged lead and its submission');
