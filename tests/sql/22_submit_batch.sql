-- landform.submit_batch(): many submissions in one transaction, each answered as submit()
-- answers it, by its place in the batch; one bad item refuses the whole batch and stores nothing.
DO $$ BEGIN
	PERFORM t.pages_demo_ask();
END $$;

-- Items out of phone order, the same key twice, the same phone twice with two keys, a consult
-- page, keys left out (NULL), text that needs escaping in JSON.
CREATE TEMP TABLE b AS
SELECT * FROM landform.submit_batch($j$[
 {"page":"demo","channel":"wx","phone":"+8613800000003","name":"王五 🚀 O'Neil","fields":{"name":"王五 🚀 O'Neil","company":"<script>\"x\"\\</script>"},"consent":"同意","idem_key":"b-1","client_addr":"203.0.113.7","user_agent":"UA/1","lang":"zh-CN"},
 {"page":"demo","channel":null,"phone":"+8613800000001","name":"Ann","fields":{},"idem_key":"b-2","lang":"en"},
 {"page":"demo","phone":"+8613800000003","name":"again","fields":{},"idem_key":"b-1"},
 {"page":"demo","phone":"+8613800000001","name":"Ann B","fields":{},"idem_key":"b-3"},
 {"page":"ask","phone":"+447911123456","question":"  How much? ","fields":{},"idem_key":"b-4"}
]$j$);

SELECT t.is((SELECT string_agg(ord::text, ',' ORDER BY ord) FROM b), '1,2,3,4,5',
            'one answer per item, numbered by its place in the batch');
SELECT t.is(l.phone, '+8613800000003', 'item 1 is answered with its own lead')
FROM b JOIN landform.leads l ON l.id = b.lead_id WHERE b.ord = 1;
SELECT t.is(l.phone, '+8613800000001', 'item 2 is answered with its own lead')
FROM b JOIN landform.leads l ON l.id = b.lead_id WHERE b.ord = 2;
SELECT t.is((SELECT (submission_id, lead_id, new_lead, replayed)::text FROM b WHERE ord = 3),
            (SELECT (submission_id, lead_id, new_lead, true)::text FROM b WHERE ord = 1),
            'the same key twice in one batch: the second replays the first');
SELECT t.is((SELECT count(*) FROM landform.submissions WHERE idem_key = 'b-1'), 1::bigint,
            '... and stores nothing new');
SELECT t.is((SELECT lead_id FROM b WHERE ord = 4), (SELECT lead_id FROM b WHERE ord = 2),
            'the same phone twice in one batch attaches to one lead');
SELECT t.is((SELECT string_agg(new_lead::text, ',' ORDER BY ord) FROM b WHERE ord IN (2, 4)), 'true,false',
            '... the first (in phone order, then key) is the new lead');
SELECT t.is((SELECT submissions FROM landform.leads WHERE phone = '+8613800000001'), 2,
            '... which counts both submissions');
SELECT t.is(c.question, 'How much?', 'a consult page item records its consultation')
FROM landform.consultations c JOIN b ON b.submission_id = c.submission_id WHERE b.ord = 5;
SELECT t.is(s.fields ->> 'name' || '|' || (s.fields ->> 'company') || '|' || s.consent_text || '|'
            || host(s.client_addr) || '|' || s.user_agent || '|' || s.lang || '|' || c.code,
            $$王五 🚀 O'Neil|<script>"x"\</script>|同意|203.0.113.7|UA/1|zh-CN|wx$$,
            'every argument arrives byte-exact through the JSON')
FROM landform.submissions s JOIN landform.channels c ON c.id = s.channel_id WHERE s.idem_key = 'b-1';
SELECT t.ok((SELECT channel_id IS NULL AND consent_text IS NULL AND client_addr IS NULL
             FROM landform.submissions WHERE idem_key = 'b-2'), 'keys left out or null are NULL');
SELECT t.is((SELECT count(DISTINCT xmin::text) FROM landform.submissions), 1::bigint,
            'the whole batch is one transaction');
SELECT t.is((SELECT sum(submissions) || '/' || sum(leads) FROM landform.page_daily), '4/3',
            'page_daily counts each stored submission and new lead once');

-- A second batch replaying a key from the first and adding one.
CREATE TEMP TABLE b2 AS
SELECT * FROM landform.submit_batch($j$[
 {"page":"demo","phone":"+8613800000009","fields":{},"idem_key":"b-5"},
 {"page":"demo","phone":"+8613800000001","fields":{},"idem_key":"b-2"}
]$j$);
SELECT t.is((SELECT (submission_id, replayed)::text FROM b2 WHERE ord = 2),
            (SELECT (submission_id, true)::text FROM b WHERE ord = 2),
            'a key stored by an earlier batch replays');
SELECT t.is((SELECT count(*) FROM b2 WHERE NOT replayed AND new_lead), 1::bigint, 'the new item is stored');

SELECT t.is((SELECT count(*) FROM landform.submit_batch('[]')), 0::bigint, 'an empty batch answers nothing');

-- One bad item refuses the whole batch: nothing of the others is written.
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM landform.submissions) AS s,
	(SELECT count(*) FROM landform.leads) AS l, (SELECT sum(submissions) FROM landform.page_daily) AS d;
SELECT t.throws($$SELECT * FROM landform.submit_batch('[
 {"page":"demo","phone":"+8613800000021","fields":{},"idem_key":"bad-1"},
 {"page":"nope","phone":"+8613800000022","fields":{},"idem_key":"bad-2"}]')$$,
                'P0002', 'an unknown page in a batch raises P0002 as submit does');
SELECT t.throws($$SELECT * FROM landform.submit_batch('[
 {"page":"demo","phone":"+8613800000023","fields":{},"idem_key":"bad-3"},
 {"page":"demo","phone":"13800000024","fields":{},"idem_key":"bad-4"}]')$$,
                '22023', 'a phone not in E.164 in a batch raises 22023');
SELECT t.throws($$SELECT * FROM landform.submit_batch('[
 {"page":"demo","phone":"+8613800000025","fields":{},"idem_key":"bad-5","client_addr":"not an address"}]')$$,
                '22P02', 'a bad client address refuses the batch');
SELECT t.is((SELECT count(*) FROM landform.submissions) || '/' || (SELECT count(*) FROM landform.leads)
            || '/' || (SELECT sum(submissions) FROM landform.page_daily),
            s || '/' || l || '/' || d, 'a refused batch stored nothing, not even its good items') FROM before;
SELECT t.throws_like($$SELECT * FROM landform.submit_batch('{"page":"demo"}')$$, '22023', 'JSON array',
                     'submit_batch wants an array');
SELECT t.throws_like($$SELECT * FROM landform.submit_batch(NULL)$$, '22023', 'JSON array', '... not NULL');
SELECT t.throws_like($$SELECT * FROM landform.submit_batch('[1]')$$, '22023', 'JSON object',
                     '... of objects');

-- landformd's role may call it, and it runs as the owner.
GRANT USAGE ON SCHEMA t TO landform_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
SET ROLE landform_app;
SELECT t.lives($$SELECT * FROM landform.submit_batch('[{"page":"demo","phone":"+8613800000031","fields":{},"idem_key":"app-1"}]')$$,
               'landform_app may call submit_batch');
RESET ROLE;
SELECT t.is((SELECT count(*) FROM landform.submissions WHERE idem_key = 'app-1'), 1::bigint, '... and it is stored');
SELECT t.ok((SELECT prosecdef AND 'jit=off' = ANY (proconfig) FROM pg_proc
             WHERE oid = 'landform.submit_batch(jsonb)'::regprocedure),
            'submit_batch runs as the owner, without JIT');
