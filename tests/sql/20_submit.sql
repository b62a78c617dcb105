-- landform.submit(), register_page(), count_traffic(): dedup by phone, idempotent retries,
-- consultations, counters, repeat submissions to the owner, bad input.
DO $$ BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM t.members('default', 'alice');
END $$;

CREATE TEMP TABLE r AS
SELECT 1 AS step, * FROM landform.submit('demo', 'wx', '+8613800000001', ' 张三 ', NULL,
	'{"phone":"138 0000 0001"}', '我同意隐私政策', 'key-1', '203.0.113.9', 'Mozilla/5.0', 'zh-CN');
SELECT t.is(new_lead, true, 'first submission creates a lead') FROM r WHERE step = 1;
SELECT t.is(replayed, false, 'first submission is not a replay') FROM r WHERE step = 1;

INSERT INTO r SELECT 2, * FROM landform.submit('demo', 'wx', '+8613800000001', '张三', NULL,
	'{"phone":"138 0000 0001"}', '我同意隐私政策', 'key-1', '203.0.113.9', 'Mozilla/5.0', 'zh-CN');
SELECT t.is((SELECT (submission_id, lead_id, new_lead) FROM r WHERE step = 2)::text,
            (SELECT (submission_id, lead_id, new_lead) FROM r WHERE step = 1)::text,
            'a retry with the same idempotency key returns the same row');
SELECT t.is(replayed, true, 'the retry says replayed') FROM r WHERE step = 2;
SELECT t.is((SELECT count(*) FROM landform.submissions), 1::bigint, 'the retry stored no submission');
SELECT t.is((SELECT submissions FROM landform.leads), 1, 'the retry did not count as a submission');

INSERT INTO r SELECT 3, * FROM landform.submit('demo', 'qr', '+8613800000001', '另一个名字', NULL,
	'{}', NULL, 'key-2', NULL, NULL, 'en');
SELECT t.is(new_lead, false, 'the same phone again is not a new lead') FROM r WHERE step = 3;
SELECT t.is((SELECT lead_id FROM r WHERE step = 3), (SELECT lead_id FROM r WHERE step = 1),
            'the same phone attaches to the existing lead');
SELECT t.is((SELECT count(*) FROM landform.leads), 1::bigint, 'one lead per phone');
SELECT t.is((SELECT submissions FROM landform.leads), 2, 'the lead counts both submissions');
SELECT t.is((SELECT name FROM landform.leads), '张三', 'the first name given is kept, trimmed');
SELECT t.ok((SELECT last_seen >= first_seen FROM landform.leads), 'last_seen moves on');

SELECT t.is(l.state || '/' || p.name || '/' || pg.slug || '/' || c.code, 'waiting/default/demo/wx',
            'a new lead waits for rotation in the page''s pool, with its source page and channel')
FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id
JOIN landform.pages pg ON pg.id = l.page_id JOIN landform.channels c ON c.id = l.channel_id;
SELECT t.is((SELECT string_agg(code, ',' ORDER BY code) FROM landform.channels), 'qr,wx',
            'unknown channel codes are created on the fly');
SELECT t.is(s.consent_text || '|' || (s.consent_at IS NOT NULL) || '|' || host(s.client_addr) || '|'
            || s.user_agent || '|' || s.lang || '|' || (s.fields ->> 'phone'),
            '我同意隐私政策|true|203.0.113.9|Mozilla/5.0|zh-CN|138 0000 0001',
            'the submission keeps consent with its time, address, user agent, language, fields')
FROM landform.submissions s WHERE s.idem_key = 'key-1';
SELECT t.is((SELECT count(*) FROM landform.consultations), 0::bigint, 'lead pages make no consultation');

-- Consult page: a consultation row with the question.
INSERT INTO r SELECT 4, * FROM landform.submit('ask', NULL, '+447911123456', 'Ann', '  How much is it? ',
	'{}', NULL, 'key-3', NULL, NULL, 'en');
SELECT t.is(c.question || '|' || pg.slug || '|' || (c.lead_id = r.lead_id) || '|' || (c.submission_id = r.submission_id),
            'How much is it?|ask|true|true', 'a consult page records the question as a consultation')
FROM landform.consultations c JOIN landform.pages pg ON pg.id = c.page_id JOIN r ON r.step = 4;

-- Counters: page x channel x day (Asia/Shanghai by default).
SELECT t.is(string_agg(pg.slug || ':' || coalesce(c.code, '-') || ':' || d.submissions || ':' || d.leads, ' ' ORDER BY pg.slug, c.code),
            'ask:-:1:1 demo:qr:1:0 demo:wx:1:1', 'page_daily counts submissions and new leads per page x channel')
FROM landform.page_daily d JOIN landform.pages pg ON pg.id = d.page_id
LEFT JOIN landform.channels c ON c.id = d.channel_id;
SELECT t.is((SELECT DISTINCT day FROM landform.page_daily), (now() AT TIME ZONE 'Asia/Shanghai')::date,
            'the day is counted in the configured time zone');
SELECT t.lives($$SELECT landform.submit('ask', '', '+447911123457', NULL, 'q', NULL, NULL, NULL, NULL, NULL, NULL)$$,
            'an empty channel code and NULL fields/key are accepted');
SELECT t.is(sum(d.submissions), 2::numeric, 'an empty channel counts as no channel')
FROM landform.page_daily d JOIN landform.pages pg ON pg.id = d.page_id WHERE pg.slug = 'ask';
SELECT t.is((SELECT count(*) FROM landform.page_daily d JOIN landform.pages pg ON pg.id = d.page_id
             WHERE pg.slug = 'ask'), 2::bigint, 'each submission adds a page_daily row (no shared row to wait on)');
SELECT t.is(landform.compact_page_daily(), 1, 'compact_page_daily folds the rows of one page x channel x day');
SELECT t.is(d.submissions || ':' || d.leads, '2:2', 'the folded row keeps the sums')
FROM landform.page_daily d JOIN landform.pages pg ON pg.id = d.page_id WHERE pg.slug = 'ask';

-- Bad input: clear errors, nothing stored.
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM landform.submissions) AS s,
	(SELECT count(*) FROM landform.leads) AS l, (SELECT sum(submissions) FROM landform.page_daily) AS d;
SELECT t.throws($$SELECT landform.submit('nope', NULL, '+8613800000009', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                'P0002', 'an unknown page raises P0002');
SELECT t.throws_like($$SELECT landform.submit('nope', NULL, '+8613800000009', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                'P0002', 'unknown page "nope"', 'the error names the page');
SELECT t.throws($$SELECT landform.submit('demo', NULL, '13800000009', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'a phone not in E.164 raises 22023');
SELECT t.throws($$SELECT landform.submit('demo', NULL, '+0138', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'a too short phone raises 22023');
SELECT t.throws($$SELECT landform.submit('demo', NULL, NULL, NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'a missing phone raises 22023');
SELECT t.throws_like($$SELECT landform.submit('demo', 'w x', '+8613800000009', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'bad channel code', 'a bad channel code raises 22023');
SELECT t.throws($$SELECT landform.submit('demo', repeat('c', 33), '+8613800000009', NULL, NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'a 33-character channel code is refused');
SELECT t.throws($$SELECT landform.submit('demo', NULL, '+8613800000009', NULL, NULL, '[1]', NULL, 'k9', NULL, NULL, NULL)$$,
                '22023', 'fields that are not a JSON object are refused');
SELECT t.throws($$SELECT landform.submit('demo', NULL, '+8613800000009', repeat('名', 201), NULL, '{}', NULL, 'k9', NULL, NULL, NULL)$$,
                '22001', 'a name over 200 characters is refused');
SELECT t.throws($$SELECT landform.submit('demo', NULL, '+8613800000009', NULL, NULL, '{}', NULL, repeat('k', 201), NULL, NULL, NULL)$$,
                '22001', 'an idempotency key over 200 characters is refused');
SELECT t.is((SELECT count(*) FROM landform.submissions) || '/' || (SELECT count(*) FROM landform.leads)
            || '/' || (SELECT sum(submissions) FROM landform.page_daily),
            s || '/' || l || '/' || d, 'refused submissions stored nothing') FROM before;
SELECT t.is((SELECT count(*) FROM landform.channels WHERE code = 'w x'), 0::bigint, 'no channel was created for refused input');

-- A page's pool decides where its new leads rotate.
DO $$ BEGIN
	PERFORM landform.add_pool('vip');
	PERFORM landform.set_page_pool('ask', 'vip');
	PERFORM landform.submit('ask', NULL, '+8613900000001', NULL, 'q', '{}', NULL, 'k-vip', NULL, NULL, NULL);
END $$;
SELECT t.is(p.name, 'vip', 'a lead from a page with a pool goes to that pool')
FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id WHERE l.phone = '+8613900000001';

-- register_page: upsert by slug, the pool is kept.
SELECT t.lives($$SELECT landform.register_page('ask', 'Ask us anything', 'consult')$$, 'register_page again updates');
SELECT t.is(pg.title || '/' || p.name, 'Ask us anything/vip', 'register_page updates the title and keeps the pool')
FROM landform.pages pg JOIN landform.pools p ON p.id = pg.pool_id WHERE pg.slug = 'ask';
SELECT t.throws($$SELECT landform.register_page('x', 'X', 'survey')$$, '22023', 'register_page refuses an unknown kind');
SELECT t.throws($$SELECT landform.register_page('../etc', 'X', 'lead')$$, '22023', 'register_page refuses a bad slug');

-- Repeat submissions from a lead somebody holds: the holder is told, no new rotation.
DO $$ BEGIN PERFORM landform.dispatch(); END $$;
SELECT t.is(landform.accept(a.id, s.id), 'accepted', 'alice accepts the demo lead')
FROM landform.assignments a JOIN landform.staff s ON s.id = a.staff_id
JOIN landform.leads l ON l.id = a.lead_id WHERE l.phone = '+8613800000001';
CREATE TEMP TABLE n_assign AS SELECT count(*) AS n FROM landform.assignments;
INSERT INTO r SELECT 5, * FROM landform.submit('demo', 'wx', '+8613800000001', NULL, NULL, '{}', NULL, 'key-5', NULL, NULL, NULL);
SELECT t.is((SELECT count(*) FROM landform.assignments), n, 'a repeat submission of an owned lead is not rotated again') FROM n_assign;
SELECT t.is(o.kind || '/' || s.login || '/' || (o.submission_id = r.submission_id) || '/' || (o.lead_id = r.lead_id),
            'repeat_submission/alice/true/true', 'the owner gets an outbox notification for the repeat')
FROM landform.outbox o JOIN landform.staff s ON s.id = o.staff_id JOIN r ON r.step = 5
WHERE o.kind = 'repeat_submission';
SELECT t.is(l.state || '/' || s.login, 'owned/alice', 'the lead stays with its owner')
FROM landform.leads l JOIN landform.staff s ON s.id = l.owner_id WHERE l.phone = '+8613800000001';

-- count_traffic: views, unique visitors (counted by the workers), opens, spam added; the
-- day in the time zone; the answer is the zone's offset from UTC.
SELECT t.is(landform.count_traffic('[
 {"page":"demo","channel":"wx","at":1704126600,"views":3,"opens":1,"spam":0,"visitors":2},
 {"page":"demo","channel":"wx","at":1704126601,"views":2,"opens":0,"spam":1,"visitors":0},
 {"page":"demo","channel":null,"at":1704126600,"views":1,"visitors":1},
 {"page":"gone","channel":"wx","at":1704126600,"views":7}
]'), 28800, 'count_traffic takes a batch and answers the offset of Asia/Shanghai (8 h)');
-- 1704126600 = 2024-01-01 16:30 UTC = 2024-01-02 00:30 in Shanghai.
SELECT t.is(string_agg(coalesce(c.code, '-') || ':' || d.views || ':' || d.visitors || ':' || d.opens || ':' || d.spam, ' ' ORDER BY c.code NULLS FIRST),
            '-:1:1:0:0 wx:5:2:1:1', 'rows of one page x channel x day in a batch are summed into one')
FROM landform.page_daily d LEFT JOIN landform.channels c ON c.id = d.channel_id WHERE d.day = '2024-01-02';
SELECT t.lives($$SELECT landform.count_traffic('[{"page":"demo","channel":"wx","at":1704130000,"views":1,
  "visitors":1},{"page":"demo","channel":"wx","at":1704130000,"views":-5,"visitors":-3},
  {"page":"demo","channel":"wx","at":1704130000,"visitors":["a","b"]}]')$$,
  'a second flush the same day (negative counts are 0; a list of ids, from an older worker, counts its length)');
SELECT t.is(sum(d.views) || ':' || sum(d.visitors), '6:5', 'the second flush adds to the day')
FROM landform.page_daily d JOIN landform.channels c ON c.id = d.channel_id WHERE d.day = '2024-01-02' AND c.code = 'wx';
SELECT t.is((SELECT count(*) FROM landform.page_daily d JOIN landform.pages p ON p.id = d.page_id WHERE p.slug = 'gone'),
            0::bigint, 'counters of unknown pages are dropped');
SELECT t.lives($$SELECT landform.set_setting('time_zone', 'UTC')$$, 'the time zone is a setting');
SELECT t.is(landform.count_traffic('[{"page":"demo","channel":"wx","at":1704126600,"views":1}]'), 0, 'flush in UTC: offset 0');
SELECT t.is(d.views, 1::bigint, 'with time_zone UTC the same instant is counted on 2024-01-01')
FROM landform.page_daily d WHERE d.day = '2024-01-01';
SELECT t.throws($$SELECT landform.set_setting('time_zone', 'Mars/Olympus')$$, '22023', 'an unknown time zone is refused');
SELECT t.throws($$SELECT landform.count_traffic('{"page":"demo"}')$$, '22023', 'count_traffic wants an array');
SELECT t.lives($$SELECT landform.count_traffic('[]')$$, 'an empty batch is fine');
SELECT t.lives($$SELECT landform.count_traffic('[{"page":"demo","channel":"new_ch","views":1}]')$$, 'a row without at counts now');
SELECT t.is((SELECT count(*) FROM landform.channels WHERE code = 'new_ch'), 1::bigint, 'count_traffic creates unknown channels');

-- Pages and channels that anything names cannot go (the guards standing in for the keys).
SELECT t.throws_like($$DELETE FROM landform.pages WHERE slug = 'demo'$$, '23503', 'has leads',
                     'a page with submissions cannot be deleted');
SELECT t.throws_like($$DELETE FROM landform.channels WHERE code = 'wx'$$, '23503', 'has traffic',
                     'a channel with submissions cannot be deleted');
SELECT t.throws_like($$DELETE FROM landform.channels WHERE code = 'new_ch'$$, '23503', 'has traffic',
                     'a channel with counted traffic cannot be deleted');
SELECT t.throws($$UPDATE landform.pages SET id = id + 1000 WHERE slug = 'demo'$$, '23503', 'page ids cannot change');
SELECT t.throws($$UPDATE landform.channels SET id = id + 1000 WHERE code = 'wx'$$, '23503', 'channel ids cannot change');
DO $$ BEGIN
	PERFORM landform.register_page('unused', 'Unused', 'lead');
	PERFORM landform.count_traffic('[{"page":"unused","views":4}]');
END $$;
SELECT t.lives($$DELETE FROM landform.pages WHERE slug = 'unused'$$, 'a page with only traffic can be deleted');
SELECT t.is((SELECT count(*) FROM landform.page_daily d WHERE NOT EXISTS
             (SELECT 1 FROM landform.pages p WHERE p.id = d.page_id)), 0::bigint,
            'its counters went with it');
INSERT INTO landform.channels (code) VALUES ('never_used');
SELECT t.lives($$DELETE FROM landform.channels WHERE code = 'never_used'$$, 'an unused channel can be deleted');

-- The row rules hold for rows written by hand too (one check function per table), and say which.
CREATE FUNCTION pg_temp.lead_sql(p_phone text, p_name text, p_source text, p_state text, p_owner text)
RETURNS text LANGUAGE sql AS $$
	SELECT format('INSERT INTO landform.leads (phone, name, pool_id, source, state, owner_id, stage_id)
	               VALUES (%L, %L, landform._pool_id(NULL), %L, %L, %s, landform.first_stage())',
	              p_phone, p_name, p_source, p_state, p_owner)
$$;
SELECT t.lives(pg_temp.lead_sql('+8613100000001', 'Ok', 'admin', 'waiting', 'NULL'), 'a valid lead row is taken');
SELECT t.throws_like(pg_temp.lead_sql('13900000002', NULL, 'admin', 'waiting', 'NULL'), '23514', 'E.164',
                     'a phone without + is refused');
SELECT t.throws_like(pg_temp.lead_sql('+8613100000003', repeat('x', 201), 'admin', 'waiting', 'NULL'), '23514',
                     'at most 200', 'a name over 200 characters is refused');
SELECT t.throws_like(pg_temp.lead_sql('+8613100000004', NULL, 'web', 'waiting', 'NULL'), '23514', 'source',
                     'an unknown source is refused');
SELECT t.throws_like(pg_temp.lead_sql('+8613100000005', NULL, 'admin', 'lost', 'NULL'), '23514', 'state',
                     'an unknown state is refused');
SELECT t.throws_like(pg_temp.lead_sql('+8613100000006', NULL, 'admin', 'pending', 'NULL'), '23514',
                     'state pending needs an owner', 'a pending lead without an owner is refused');
SELECT t.throws_like(pg_temp.lead_sql('+8613100000007', NULL, 'admin', 'waiting',
                                      (SELECT min(id)::text FROM landform.staff)), '23514',
                     'state waiting cannot have an owner', 'a waiting lead with an owner is refused');
SELECT t.throws_like($$UPDATE landform.leads SET state = 'owned' WHERE phone = '+8613100000001'$$, '23514',
                     'state owned needs an owner', 'an update is checked too');
SELECT t.throws_like($$UPDATE landform.submissions SET fields = '[1]' WHERE id = (SELECT min(id) FROM landform.submissions)$$,
                     '23514', 'JSON object', 'a submission''s fields must be an object');
SELECT t.throws_like($$UPDATE landform.submissions SET idem_key = '' WHERE id = (SELECT min(id) FROM landform.submissions)$$,
                     '23514', 'idempotency key', 'an empty idempotency key is refused');
