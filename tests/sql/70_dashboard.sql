-- The admin dashboard's one call, portal_reports: sessions and the admin check (as landform_app,
-- the role landformd serves as), the period's checks (the channels page's too), and on a known
-- stream every number equal to the report views (funnel_daily, channel_monthly) and functions
-- (staff_report).
GRANT USAGE ON SCHEMA t TO landform_app;
CREATE TABLE t.kv (k text PRIMARY KEY, v text);

-- A session for a member, as landformd opens one after a good password.
CREATE FUNCTION t.session(p_login text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_tok text := encode(sha256(convert_to(p_login || clock_timestamp() || random(), 'UTF8')), 'hex');
BEGIN
	UPDATE landform.staff SET password_hash = '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2g'
	WHERE login = p_login;
	PERFORM landform.portal_login_finish(p_login, '192.0.2.1', (SELECT id FROM landform.staff WHERE login = p_login),
		v_tok, 'csrf-token-for-' || p_login, 'test agent', NULL);
	RETURN v_tok;
END
$$;
GRANT SELECT ON t.kv TO landform_app;

\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.set_pool('default', p_claim_timeout => interval '1 hour');
	PERFORM t.members('default', 'alice', 'bob');
	PERFORM landform.add_staff('root', 'The admin');
	PERFORM landform.set_admin('root', true);
END $$;
INSERT INTO t.kv SELECT 'root', t.session('root');
INSERT INTO t.kv SELECT 'alice', t.session('alice');
INSERT INTO t.kv SELECT 'today', landform.today();

-- A stream: traffic on demo/wx, demo/-cmd (a code a spreadsheet would take for a formula) and
-- demo without a channel; four submissions, one a repeat; dispatch, accepts, a contact, a deal
-- and a channel cost.
SELECT landform.count_traffic(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'channel', 'wx', 'views', 40, 'opens', 8,
		'visitors', 2),
	jsonb_build_object('page', 'demo', 'channel', '-cmd', 'views', 7, 'opens', 2,
		'visitors', 1),
	jsonb_build_object('page', 'demo', 'views', 5, 'opens', 1,
		'visitors', 1)));
SELECT landform.submit('demo', s.ch, s.phone, 'P', NULL, '{}', '我同意', 'k' || s.n, NULL, NULL, 'zh-CN')
FROM (VALUES (1, 'wx', '+8613800000001'), (2, 'wx', '+8613800000002'), (3, '-cmd', '+8613800000003'),
             (4, 'wx', '+8613800000001')) AS s(n, ch, phone);
SELECT * FROM landform.dispatch();
SELECT landform.accept(a.id, a.staff_id) FROM landform.assignments a WHERE a.closed_at IS NULL;
UPDATE landform.leads SET first_contact_at = now() WHERE phone = '+8613800000001';
SELECT landform.add_deal((SELECT id FROM landform.leads WHERE phone = '+8613800000001'), 1234.5);
SELECT landform.set_channel_cost('wx', landform.today() - 9, landform.today(), 100);
\o

-- --- who may see it ----------------------------------------------------------------------
SET ROLE landform_app;
SELECT t.is(landform.portal_reports(NULL, NULL, NULL)->>'status', 'unauthenticated', 'no session: unauthenticated');
SELECT t.is(landform.portal_reports(repeat('a', 64), NULL, NULL)->>'status', 'unauthenticated', 'an unknown session: unauthenticated');
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'alice'), NULL, NULL)->>'status', 'forbidden',
            'a member who is not an admin: forbidden');
SELECT t.ok(NOT landform.portal_reports((SELECT v FROM t.kv WHERE k = 'alice'), NULL, NULL) ? 'funnel',
            'forbidden carries no figures');
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), NULL, NULL)->>'status', 'ok',
            'an admin, as landform_app: ok');
SELECT t.throws($$SELECT * FROM landform.funnel('-infinity', 'infinity')$$, '42501',
                'landform_app still cannot call the report functions themselves');
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), '2026-02-01', '2026-01-01')->>'status',
            'invalid', 'a period that ends before it starts is invalid');
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), '2020-01-01', '2026-01-01')->>'field',
            'from', 'a period over two years is invalid, on the field from');
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), '-infinity', 'infinity')->>'status',
            'invalid', 'infinite ends are refused');
-- The channels page takes the same period with the same rule, and one code for both problems.
CREATE FUNCTION pg_temp.period(p_page text, p_from date, p_to date) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(x->>'code', x->>'status') || ' ' || coalesce(x->>'from', '-') || ' ' || coalesce(x->>'to', '-')
	FROM (SELECT CASE p_page WHEN 'reports' THEN landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), p_from, p_to)
	                         ELSE landform.portal_channels((SELECT v FROM t.kv WHERE k = 'root'), p_from, p_to) END) AS r(x)
$$;
SELECT t.is(pg_temp.period(p, NULL, NULL), 'ok ' || (d - 29) || ' ' || d,
            p || ': no dates, the last 30 days to today')
FROM unnest(ARRAY['reports', 'channels']) p, (SELECT v::date AS d FROM t.kv WHERE k = 'today') today;
SELECT t.is(pg_temp.period(p, NULL, '2026-01-31'), 'ok 2026-01-02 2026-01-31', p || ': only an end, the 30 days to it')
FROM unnest(ARRAY['reports', 'channels']) p;
SELECT t.is(pg_temp.period(p, '2024-01-01', '2026-01-01'), 'ok 2024-01-01 2026-01-01', p || ': 731 days, the most')
FROM unnest(ARRAY['reports', 'channels']) p;
SELECT t.is(pg_temp.period('reports', '2024-01-01', '2026-01-02'), 'period_span - -', 'reports: 732 days is period_span');
SELECT t.is(pg_temp.period('reports', '2026-01-02', '2026-01-01'), 'period_order - -', 'reports: ending before the start is period_order');
SELECT t.is(pg_temp.period('reports', NULL, 'infinity'), 'period_order - -', 'reports: an infinite end is period_order');
SELECT t.is(pg_temp.period('channels', '2024-01-01', '2026-01-02'), 'period_range - -', 'channels: 732 days is period_range');
SELECT t.is(pg_temp.period('channels', '2026-01-02', '2026-01-01'), 'period_range - -', 'channels: ending before the start too');
SELECT t.is(pg_temp.period('channels', NULL, 'infinity'), 'period_range - -', 'channels: an infinite end too');
RESET ROLE;
UPDATE landform.staff SET is_admin = false WHERE login = 'root';
SELECT t.is(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), NULL, NULL)->>'status', 'forbidden',
            'an admin no longer flagged: forbidden at once');
UPDATE landform.staff SET is_admin = true WHERE login = 'root';

-- --- the numbers -------------------------------------------------------------------------
CREATE TEMP TABLE r AS
SELECT landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), landform.today() - 6, landform.today()) AS j;
CREATE TEMP TABLE d AS
SELECT landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'), NULL, NULL) AS j;

SELECT t.is(j->>'from', (landform.today() - 6)::text, 'from as asked') FROM r;
SELECT t.is(j->>'to', landform.today()::text, 'to as asked') FROM r;
SELECT t.is(j->>'from', (landform.today() - 29)::text, 'no dates: the last 30 days') FROM d;
SELECT t.is(j->'me'->>'login', 'root', 'me is the admin') FROM r;
SELECT t.is(j->'presets'->0->>'from', (landform.today() - 6)::text, 'preset: the last 7 days') FROM r;
SELECT t.is(j->'presets'->2->>'from', date_trunc('month', landform.today())::date::text, 'preset: this month') FROM r;
SELECT t.is(j->>'csrf', 'csrf-token-for-root', 'the session''s csrf token') FROM r;

SELECT t.is((SELECT string_agg(x->>'step' || '=' || (x->>'count'), ' ' ORDER BY o) FROM jsonb_array_elements(j->'funnel') WITH ORDINALITY AS e(x, o)),
            'views=52 visitors=4 opens=11 submissions=4 new_leads=3 assigned=3 accepted=3 contacted=1 won=1',
            'the funnel steps of the stream') FROM r;
SELECT t.is((SELECT string_agg(coalesce(x->>'rate', '-'), ' ' ORDER BY o) FROM jsonb_array_elements(j->'funnel') WITH ORDINALITY AS e(x, o)),
            '- - 2.7500 0.3636 0.7500 1.0000 1.0000 0.3333 1.0000',
            'each step''s rate over the step before') FROM r;
SELECT t.is((SELECT array_agg((x->>'count')::bigint ORDER BY o) FROM jsonb_array_elements(j->'funnel') WITH ORDINALITY AS e(x, o)),
            (SELECT ARRAY[sum(views), sum(visitors), sum(opens), sum(submissions), sum(new_leads), sum(assigned),
                          sum(accepted), sum(contacted), sum(won)]::bigint[]
             FROM landform.funnel_daily WHERE period BETWEEN landform.today() - 6 AND landform.today()),
            'the funnel steps are the sums of funnel_daily over the period') FROM r;

-- Tables: every cell equals the view's row as text, in the same order.
SELECT t.is((SELECT jsonb_agg(x) FROM jsonb_array_elements(j->'funnel_rows'->'rows') x),
            (SELECT jsonb_agg(to_jsonb(ARRAY[f.period::text, f.page, f.channel, f.scans::text, f.views::text, f.visitors::text,
                f.opens::text, f.submissions::text, f.spam::text, f.new_leads::text, f.repeat_leads::text,
                f.consultations::text, f.assigned::text, f.accepted::text, f.contacted::text, f.won::text,
                f.open_rate::text, f.submit_rate::text, f.lead_rate::text, f.assign_rate::text,
                f.accept_rate::text, f.contact_rate::text, f.win_rate::text, f.visitor_to_lead::text,
                f.lead_to_won::text]) ORDER BY f.period, f.page, f.channel)
             FROM landform.funnel_daily f WHERE f.period BETWEEN landform.today() - 6 AND landform.today()),
            'funnel rows equal funnel_daily over the period, cell by cell') FROM r;
SELECT t.is(jsonb_array_length(j->'funnel_rows'->'rows'), 3, 'three page x channel rows today') FROM r;
SELECT t.is(jsonb_array_length(j->'funnel_rows'->'columns'), 25, 'the funnel has its 25 columns') FROM r;
SELECT t.is((SELECT string_agg(x->>2, ' ' ORDER BY x->>2) FROM jsonb_array_elements(j->'funnel_rows'->'rows') x),
            '(none) -cmd wx', 'channel codes as they are, (none) for traffic without one') FROM r;

SELECT t.is((SELECT jsonb_agg(x) FROM jsonb_array_elements(j->'channels'->'rows') x),
            (SELECT jsonb_agg(to_jsonb(ARRAY[c.period::text, c.channel, c.scans::text, c.views::text, c.visitors::text,
                c.submissions::text, c.new_leads::text, c.consultations::text, c.assigned::text,
                c.accepted::text, c.contacted::text, c.won::text, c.spend::text, c.cost_per_lead::text,
                c.cost_per_won::text, c.orders::text, c.revenue::text, c.roi::text]) ORDER BY c.period, c.channel)
             FROM landform.channel_report(landform.today() - 29, landform.today(), 'month') c),
            'channel rows equal channel_report by month over the default 30 days') FROM d;
SELECT t.is((SELECT sum((x->>16)::numeric)::text FROM jsonb_array_elements(j->'channels'->'rows') x WHERE x->>1 = 'wx'),
            '1234.50', 'wx revenue: the deal (over the months the period touches)') FROM r;
SELECT t.is((SELECT x->>12 FROM jsonb_array_elements(j->'channels'->'rows') x WHERE x->>1 = 'wx'
             AND x->>0 = date_trunc('month', landform.today())::date::text),
            '70.00', 'wx spend: seven of the ten days of its cost (when the week is inside one month)') FROM r
WHERE landform.today() - 6 >= date_trunc('month', landform.today())::date;

SELECT t.is((SELECT jsonb_agg(x) FROM jsonb_array_elements(j->'staff'->'rows') x),
            (SELECT jsonb_agg(to_jsonb(ARRAY[s.login, s.display_name, s.received::text, s.offered::text,
                s.accepted_in_time::text, s.expired::text, s.accept_rate::text, s.median_accept::text,
                s.contacted::text, s.median_first_contact::text, s.won::text, s.pending_now::text,
                s.owned_now::text]) ORDER BY s.login)
             FROM landform.staff_report(landform.today() - 6, landform.today()) s),
            'staff rows equal staff_report over the period') FROM r;
SELECT t.is((SELECT string_agg(x->>0 || ':' || (x->>2), ' ' ORDER BY x->>0) FROM jsonb_array_elements(j->'staff'->'rows') x),
            'alice:2 bob:1 root:0', 'offers received per member') FROM r;

-- A period with nothing in it: zero counts, no rates, empty tables.
SELECT t.is((SELECT string_agg((x->>'count') || ':' || coalesce(x->>'rate', '-'), ' ')
             FROM jsonb_array_elements(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'),
                 '2001-01-01', '2001-01-31')->'funnel') x),
            '0:- 0:- 0:- 0:- 0:- 0:- 0:- 0:- 0:-', 'an empty period: zeros and no rates');
SELECT t.is(jsonb_array_length(landform.portal_reports((SELECT v FROM t.kv WHERE k = 'root'),
                 '2001-01-01', '2001-01-31')->'funnel_rows'->'rows'), 0, 'an empty period: no funnel rows');
