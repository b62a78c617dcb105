-- Spooled submissions (issue 14): submit and submit_batch take the time a submission was
-- received; it is counted and attributed then (page_daily's day, created_at, first_seen,
-- consent_at), never later than now; a replayed one whose phone was forgotten after it was
-- received is not stored, and one received after the forget is.
DO $$ BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM landform.set_setting('time_zone', 'Asia/Shanghai');
END $$;

-- Received yesterday evening (Shanghai), replayed now.
CREATE TEMP TABLE r AS
SELECT * FROM landform.submit_batch(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'channel', 'late', 'phone', '+8613900000001', 'fields', '{}'::jsonb,
	                   'consent', '同意', 'idem_key', 'ra-1', 'received_at', (now() - interval '1 day')::text),
	jsonb_build_object('page', 'ask', 'channel', 'late', 'phone', '+8613900000002', 'question', 'q',
	                   'fields', '{}'::jsonb, 'idem_key', 'ra-2', 'received_at', (now() - interval '1 day')::text)));
SELECT t.is((SELECT count(*) FROM r WHERE submission_id IS NOT NULL), 2::bigint, 'both are stored');
SELECT t.is((SELECT s.created_at FROM landform.submissions s WHERE s.idem_key = 'ra-1'),
            (SELECT s.consent_at FROM landform.submissions s WHERE s.idem_key = 'ra-1'),
            'consent is dated when it was given');
SELECT t.ok((SELECT s.created_at < now() - interval '23 hours' FROM landform.submissions s WHERE s.idem_key = 'ra-1'),
            'the submission is dated when it was received, not stored');
SELECT t.ok((SELECT l.first_seen < now() - interval '23 hours' FROM landform.leads l WHERE l.phone = '+8613900000001'),
            '... and so is its new lead''s first_seen');
SELECT t.ok((SELECT c.created_at < now() - interval '23 hours' FROM landform.consultations c
             JOIN landform.submissions s ON s.id = c.submission_id WHERE s.idem_key = 'ra-2'),
            '... and a consultation');
SELECT t.is((SELECT sum(d.submissions) FROM landform.page_daily d JOIN landform.channels c ON c.id = d.channel_id
             WHERE c.code = 'late' AND d.day = ((now() - interval '1 day') AT TIME ZONE 'Asia/Shanghai')::date)::bigint,
            2::bigint, 'page_daily counts them on the day they were received');
SELECT t.is((SELECT count(*) FROM landform.page_daily d JOIN landform.channels c ON c.id = d.channel_id
             WHERE c.code = 'late' AND d.day = (now() AT TIME ZONE 'Asia/Shanghai')::date AND d.submissions > 0),
            0::bigint, '... not today');

-- A time in the future (a host's clock ahead) is taken as now.
SELECT count(*) FROM landform.submit('demo', NULL, '+8613900000003', NULL, NULL, '{}', NULL, 'ra-3', NULL, NULL, NULL,
                                     now() + interval '1 hour');
SELECT t.ok((SELECT s.created_at <= now() FROM landform.submissions s WHERE s.idem_key = 'ra-3'),
            'a receive time in the future is taken as now');
-- Eleven arguments, as before: received now.
SELECT count(*) FROM landform.submit('demo', NULL, '+8613900000004', NULL, NULL, '{}', NULL, 'ra-4', NULL, NULL, NULL);
SELECT t.ok((SELECT s.created_at > now() - interval '10 seconds' FROM landform.submissions s WHERE s.idem_key = 'ra-4'),
            'without a receive time, a submission is dated now');

-- forget() while a submission waits in a spool.
SELECT count(*) FROM landform.forget('+8613900000005');
SELECT t.is((SELECT count(*) FROM landform.forgotten_phones
             WHERE phone_hash = sha256(convert_to('+8613900000005', 'UTF8'))), 1::bigint,
            'forget records the phone''s hash');
SELECT t.is((SELECT count(*) FROM landform.forgotten_phones WHERE encode(phone_hash, 'escape') LIKE '%8613900000005%'),
            0::bigint, '... never the number');
CREATE TEMP TABLE f AS
SELECT * FROM landform.submit_batch(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'phone', '+8613900000005', 'fields', '{}'::jsonb, 'idem_key', 'ra-5',
	                   'received_at', (now() - interval '1 minute')::text)));
SELECT t.is((SELECT (submission_id IS NULL AND lead_id IS NULL) FROM f), true,
            'a replayed submission received before the forget is answered without ids');
SELECT t.is((SELECT count(*) FROM landform.leads WHERE phone = '+8613900000005'), 0::bigint, '... and not stored');
SELECT count(*) FROM landform.submit('demo', NULL, '+8613900000005', NULL, NULL, '{}', NULL, 'ra-6', NULL, NULL, NULL,
                                     clock_timestamp() + interval '1 second');
SELECT count(*) FROM landform.submit('demo', NULL, '+8613900000005', NULL, NULL, '{}', NULL, 'ra-7', NULL, NULL, NULL);
SELECT t.is((SELECT count(*) FROM landform.submissions WHERE idem_key IN ('ra-6', 'ra-7')), 2::bigint,
            'one sent after the forget is stored, replayed or not');

-- The replayer's dead letters: a row without personal data.
SELECT t.ok(landform.spool_dead_add('host1', 'f.dead', 'k', 'demo', now(), 'P0002', 'unknown page') > 0,
            'spool_dead_add records a refused spooled submission');
