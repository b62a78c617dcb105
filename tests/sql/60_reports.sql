-- Reports on a known stream of views, opens, submissions, assignments, contacts, stage
-- moves and deals: every figure of funnel(), channel_report(), revenue_factors(),
-- staff_report(), staff_stages(), consultation_report() checked exactly, and the views agree.
DO $$ BEGIN
	-- The stream spans minutes around now(): run it in a zone where local midnight is hours
	-- away (the midnight rules have their own test, 61), so the figures never straddle a day.
	PERFORM landform.set_setting('time_zone', 'Etc/GMT' || CASE WHEN o > 0 THEN '-' || o ELSE '+' || -o END)
	FROM (SELECT 12 - extract(hour FROM now() AT TIME ZONE 'UTC')::integer AS o) x;
	PERFORM t.scene('alice', 'bob');
END $$;

\o /dev/null
-- Traffic: two flushes for demo/wx (the second with one visitor the workers had not counted
-- that day yet), one each for demo/qr and ask without a channel.
SELECT landform.count_traffic(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'channel', 'wx', 'views', 100, 'opens', 20, 'spam', 2,
		'visitors', 3),
	jsonb_build_object('page', 'demo', 'channel', 'qr', 'views', 50, 'opens', 10,
		'visitors', 1),
	jsonb_build_object('page', 'ask', 'views', 30, 'opens', 5,
		'visitors', 2)));
SELECT landform.count_traffic(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'channel', 'wx', 'views', 10,
		'visitors', 1)));

-- Submissions: L1, L2 on demo/wx, L3 on demo/qr, L1 again on demo/wx (repeat), L4 asks on
-- ask, L5 on demo/qr.
CREATE TEMP TABLE sub (n integer, page text, channel text, phone text);
INSERT INTO sub VALUES (1, 'demo', 'wx', '+8613800000001'), (2, 'demo', 'wx', '+8613800000002'),
	(3, 'demo', 'qr', '+8613800000003'), (4, 'demo', 'wx', '+8613800000001'),
	(5, 'ask', NULL, '+8613800000004'), (7, 'demo', 'qr', '+8613800000005');
SELECT count(*) FROM sub, landform.submit(sub.page, sub.channel, sub.phone, 'P' || sub.n, 'question ' || sub.n,
	'{}', '我同意', 'k' || sub.n, NULL, NULL, 'zh-CN');
CREATE TEMP TABLE ld AS
SELECT l.id, 'L' || right(l.phone, 1) AS tag FROM landform.leads l;
CREATE FUNCTION pg_temp.lead(p_tag text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM ld WHERE tag = p_tag $$;

SELECT * FROM landform.dispatch();                     -- alice L1 L3 L5, bob L2 L4
SELECT count(*) FROM landform.submit('ask', NULL, '+8613800000001', 'P6', 'question 6', '{}',
	'我同意', 'k6', NULL, NULL, NULL);                  -- L1 asks too: a repeat, a consultation

CREATE FUNCTION pg_temp.offer(p_lead text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.assignments WHERE lead_id = pg_temp.lead(p_lead) AND closed_at IS NULL $$;
CREATE FUNCTION pg_temp.staff(p_login text) RETURNS bigint LANGUAGE sql AS $$
	SELECT id FROM landform.staff WHERE login = p_login $$;
-- Accept an offer p_secs after it was made: the offer is moved back in the same transaction
-- (one now()), so the time to accept is exact.
CREATE FUNCTION pg_temp.accept_after(p_lead text, p_login text, p_secs integer) RETURNS text LANGUAGE sql AS $$
	UPDATE landform.assignments SET assigned_at = now() - p_secs * interval '1 second'
	WHERE id = pg_temp.offer(p_lead);
	SELECT landform.accept(pg_temp.offer(p_lead), pg_temp.staff(p_login)) $$;
-- First contact p_secs after the current offer was made.
CREATE FUNCTION pg_temp.contact_after(p_lead text, p_secs integer) RETURNS void LANGUAGE sql AS $$
	UPDATE landform.leads SET first_contact_at =
		(SELECT assigned_at FROM landform.assignments WHERE id = pg_temp.offer(p_lead)) + p_secs * interval '1 second'
	WHERE id = pg_temp.lead(p_lead) $$;

\o
SELECT t.is(string_agg(s.login || ':' || d.tag, ' ' ORDER BY d.tag), 'alice:L1 bob:L2 alice:L3 bob:L4 alice:L5',
            'rotation: alice L1 L3 L5, bob L2 L4')
FROM landform.assignments a JOIN ld d ON d.id = a.lead_id JOIN landform.staff s ON s.id = a.staff_id;

SELECT t.is(pg_temp.accept_after('L1', 'alice', 60), 'accepted', 'alice accepts L1 after a minute');
SELECT t.is(pg_temp.accept_after('L2', 'bob', 120), 'accepted', 'bob accepts L2 after two minutes');
SELECT t.is(pg_temp.accept_after('L3', 'alice', 30), 'accepted', 'alice accepts L3 after 30 s');
-- bob lets L4 expire; it goes to alice, who accepts.
UPDATE landform.assignments SET deadline = now() - interval '1 second' WHERE id = pg_temp.offer('L4');
SELECT expired FROM landform.dispatch() \g /dev/null
SELECT t.is(pg_temp.accept_after('L4', 'alice', 90), 'accepted', 'alice accepts L4 after bob let it expire, after 90 s');

\o /dev/null
-- Contacts (the portal's "contacted"), stage moves, deals.
SELECT pg_temp.contact_after('L1', 300);
SELECT pg_temp.contact_after('L2', 600);
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '初步沟通') WHERE id IN (pg_temp.lead('L1'), pg_temp.lead('L2'));
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '意向客户') WHERE id = pg_temp.lead('L1');
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '成交') WHERE id = pg_temp.lead('L1');
UPDATE landform.leads SET stage_id = (SELECT id FROM landform.stages WHERE name = '无意向') WHERE id = pg_temp.lead('L2');
SELECT count(*) FROM (SELECT landform.add_deal(pg_temp.lead('L1'), 1000),
                             landform.add_deal(pg_temp.lead('L1'), 500),
                             landform.add_deal(pg_temp.lead('L3'), 300)) x;
-- One consultation answered after ten minutes.
UPDATE landform.consultations SET answered_at = created_at + interval '10 minutes',
	answered_by = pg_temp.staff('alice')
WHERE lead_id = pg_temp.lead('L4');
SELECT landform.set_channel_cost('wx', landform._day(now()) - 9, landform._day(now()), 100);
SELECT landform.set_channel_cost('qr', '2024-01-30', '2024-02-01', 100);

CREATE TEMP TABLE today AS SELECT landform._day(now()) AS d;
\o

-- The funnel, every figure.
SELECT t.is(string_agg(concat_ws(' ', page, channel, views, visitors, opens, submissions, spam, new_leads,
                                 repeat_leads, consultations, assigned, accepted, contacted, won), ' | '
                       ORDER BY page, channel),
            'ask (none) 30 2 5 2 0 1 1 2 1 1 0 0 | demo qr 50 1 10 2 0 2 0 0 2 1 0 1 | demo wx 110 4 20 3 2 2 1 0 2 2 2 1',
            'funnel: views visitors opens submissions spam new repeat consultations assigned accepted contacted won')
FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today));
SELECT t.is(concat_ws(' ', open_rate, submit_rate, lead_rate, assign_rate, accept_rate, contact_rate,
                      win_rate, visitor_to_lead, lead_to_won),
            '5.0000 0.1500 0.6667 1.0000 1.0000 1.0000 0.5000 0.5000 0.5000',
            'funnel rates for demo/wx: each step over the one before')
FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today)) WHERE page = 'demo' AND channel = 'wx';
SELECT t.is(concat_ws(' ', open_rate, submit_rate, lead_rate, assign_rate, accept_rate, contact_rate,
                      win_rate, visitor_to_lead, lead_to_won),
            '10.0000 0.2000 1.0000 1.0000 0.5000 0.0000 2.0000 0.5000',
            'funnel rates for demo/qr: a rate over zero is NULL (left out)')
FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today)) WHERE page = 'demo' AND channel = 'qr';
SELECT t.is((SELECT count(*) FROM landform.funnel((SELECT d - 1 FROM today), (SELECT d - 1 FROM today))), 0::bigint,
            'nothing yesterday');
SELECT t.is((SELECT string_agg(concat_ws(' ', period, page, channel, views, submissions, won), ' | ' ORDER BY page, channel)
             FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today), 'month')),
            (SELECT string_agg(concat_ws(' ', date_trunc('month', d)::date, x.page, x.channel, x.views, x.submissions, x.won),
                               ' | ' ORDER BY x.page, x.channel)
             FROM today, landform.funnel_daily x WHERE x.period = d),
            'monthly grain: the month''s first day, the same sums');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel('-infinity', 'infinity', 'week') f),
            (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel_weekly f), 'funnel_weekly is funnel(all time, week)');
SELECT t.is((SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today)) f),
            (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM landform.funnel_daily f), 'funnel_daily equals the dashboard call');
SELECT t.throws($$SELECT * FROM landform.funnel('2024-01-01', '2024-01-31', 'year')$$, '22023', 'an unknown grain is refused');
SELECT t.throws($$SELECT * FROM landform.funnel('2024-02-01', '2024-01-31')$$, '22023', 'a range ending before it starts is refused');

-- Rollups equal a recount from the rows.
SELECT t.is((SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM (SELECT page_id, channel_id, day, consultations, assigned, accepted, contacted, won FROM landform.lead_daily) r),
            (SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.lead_daily_recount() r),
            'lead_daily equals a recount from leads and consultations');
SELECT t.is((SELECT sum(submissions)::bigint FROM landform.page_daily), (SELECT count(*) FROM landform.submissions),
            'page_daily counts every submission');
SELECT t.is((SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_sums() r),
            (SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_recount() r),
            'staff_daily sums to a recount from offers and leads');
SELECT t.ok((SELECT count(*) FROM landform.staff_daily) > (SELECT count(*) FROM landform_test.staff_daily_recount()),
            'staff_daily holds several rows per member-day before folding');
SELECT t.ok(landform.compact_staff_daily() > 0, 'compact_staff_daily folds them');
SELECT t.is((SELECT count(*) FROM landform.staff_daily), (SELECT count(*) FROM landform_test.staff_daily_recount()),
            'one row per member-day after folding');
SELECT t.is((SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_sums() r),
            (SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_recount() r),
            'and the same sums');

-- Channels: spend, cost per lead / won, revenue, return.
SELECT t.is(string_agg(concat_ws(' ', channel, views, visitors, submissions, new_leads, consultations, assigned,
                                 accepted, contacted, won, spend, cost_per_lead, cost_per_won, orders, revenue, roi),
                       ' | ' ORDER BY channel),
            '(none) 30 2 2 1 2 1 1 0 0 0 0.00 0 0 | qr 50 1 2 2 0 2 1 0 1 0 0.00 0.00 1 300.00 | wx 110 4 3 2 0 2 2 2 1 10.00 5.00 10.00 2 1500.00 150.0000',
            'channel_report for today: counts, spend 100 over ten days, cost per lead and won, revenue, roi')
FROM landform.channel_report((SELECT d FROM today), (SELECT d FROM today), 'day');
SELECT t.is(string_agg(x.day || '=' || x.amount, ' ' ORDER BY x.day), '2024-01-30=33.33 2024-01-31=33.33 2024-02-01=33.34',
            'a period''s cost is spread over its days to the cent')
FROM landform.channel_spend x JOIN landform.channels c ON c.id = x.channel_id WHERE c.code = 'qr';
SELECT t.is(string_agg(concat_ws(' ', period, channel, spend), ' | ' ORDER BY period), '2024-01-01 qr 66.66 | 2024-02-01 qr 33.34',
            'channel_report by month splits the spend by month')
FROM landform.channel_report('2024-01-01', '2024-02-29', 'month');
SELECT t.is((SELECT cost FROM landform.channels WHERE code = 'wx'), 100.00, 'channels.cost is the total spend');
SELECT t.lives($$SELECT landform.set_channel_cost('wx', (SELECT d FROM today), (SELECT d FROM today), 10)$$,
               'setting a day again replaces it');
SELECT t.is((SELECT cost FROM landform.channels WHERE code = 'wx'), 100.00, 'the same amount again: total unchanged');
SELECT t.throws($$SELECT landform.set_channel_cost('nope', '2024-01-01', '2024-01-02', 1)$$, 'P0002', 'an unknown channel is refused');

-- Live-code scans (issue 17): counted by channel_visit per target page, a column before views
-- in both reports; a stopped code's scans are not.
\o /dev/null
SELECT landform.set_channel_target('qr', 'demo');
SELECT landform.channel_visit('qr') FROM generate_series(1, 3);
SELECT landform.set_channel_target('qr', 'ask', 'utm_medium=print');
\o
SELECT t.is((SELECT concat_ws(' ', status, page, query) FROM landform.channel_visit('qr')), 'ok ask utm_medium=print',
            'channel_visit says where the code points now');
SELECT t.is(string_agg(concat_ws(' ', page, channel, scans, views), ' | ' ORDER BY page, channel),
            'ask (none) 0 30 | ask qr 1 0 | demo qr 3 50 | demo wx 0 110',
            'funnel: scans per page the code pointed to, before views')
FROM landform.funnel((SELECT d FROM today), (SELECT d FROM today));
SELECT t.is(string_agg(concat_ws(' ', channel, scans, views), ' | ' ORDER BY channel), '(none) 0 30 | qr 4 50 | wx 0 110',
            'channel_report: scans per channel')
FROM landform.channel_report((SELECT d FROM today), (SELECT d FROM today), 'day');
SELECT landform.disable_channel('qr') \g /dev/null
SELECT t.is((SELECT status FROM landform.channel_visit('qr')), 'disabled', 'a stopped code is disabled');
SELECT t.is((SELECT sum(scans)::integer FROM landform.channel_scans), 4, '... and its scans are not counted');
SELECT t.is((SELECT status FROM landform.channel_visit('no-such')), 'unknown', 'an unknown code is unknown');
SELECT t.is((SELECT status FROM landform.channel_visit('//evil')), 'unknown', 'so is a code that cannot be one');
SELECT t.throws($$SELECT landform.disable_channel('no-such')$$, 'P0002', 'disable_channel refuses an unknown channel');
SELECT t.throws($$SELECT landform.set_channel_target('qr', 'nope')$$, '22023', 'set_channel_target refuses an unknown page');
SELECT t.throws($$SELECT landform.set_setting('channel_fallback_page', 'nope')$$, '22023', 'the fallback must be a page');
SELECT t.is(landform.channel_query_problem(q), want, 'extra query ' || q || ': ' || coalesce(want, 'ok'))
FROM (VALUES ('a=1&b=x.y~z-_', NULL), ('a', 'query_pair'), ('a=b=c', 'query_pair'), ('a=%2F', 'query_pair'),
             ('CH=1', 'query_reserved'), ('a=1&a=2', 'query_repeated'), ('', 'query_length'),
             ('1a=b', 'query_pair'), ('a=1&&b=2', 'query_pair')) v(q, want);

-- Revenue = traffic x conversion x order value x repurchase.
SELECT t.is(string_agg(concat_ws(' ', channel, traffic, buyers, orders, revenue, conversion, aov, repurchase), ' | '
                       ORDER BY channel),
            '(all) 7 2 3 1800.00 0.285714 600.00 1.5000 | (none) 2 0 0 0 0.000000 | qr 1 1 1 300.00 1.000000 300.00 1.0000 | wx 4 1 2 1500.00 0.250000 750.00 2.0000',
            'revenue factors per channel this month')
FROM landform.revenue_factors((SELECT d FROM today), (SELECT d FROM today));
SELECT t.ok(bool_and(abs(traffic * conversion * aov * repurchase - revenue) <= 0.01 * revenue),
            'the factors multiply to the revenue (to rounding)')
FROM landform.revenue_factors((SELECT d FROM today), (SELECT d FROM today)) WHERE orders > 0;

-- Staff.
SELECT t.is(string_agg(concat_ws(' ', login, received, offered, accepted_in_time, expired, accept_rate,
                                 median_accept, contacted, median_first_contact, won, pending_now, owned_now),
                       ' | ' ORDER BY login),
            'alice 4 4 3 0 0.7500 00:01:00 1 00:05:00 2 1 3 | bob 2 2 1 1 0.5000 00:02:00 1 00:10:00 0 0 1',
            'staff_report: received, offered, in time, expired, medians, contacted, won, load now')
FROM landform.staff_report((SELECT d FROM today), (SELECT d FROM today));
SELECT t.is(string_agg(concat_ws(' ', login, stage, accepted, reached, rate), ' | ' ORDER BY login, stage_position),
            'alice 初步沟通 3 1 0.3333 | alice 意向客户 3 1 0.3333 | alice 成交 3 1 0.3333 | alice 无意向 3 0 0.0000 | '
            'bob 初步沟通 1 1 1.0000 | bob 意向客户 1 0 0.0000 | bob 成交 1 0 0.0000 | bob 无意向 1 1 1.0000',
            'staff_stages: leads each member moved into each stage')
FROM landform.staff_stages((SELECT d FROM today), (SELECT d FROM today));
SELECT t.is((SELECT string_agg(concat_ws(' ', login, received, expired, median_accept, owned_now), ' | ' ORDER BY login)
             FROM landform.staff_monthly WHERE month = date_trunc('month', (SELECT d FROM today))),
            (SELECT string_agg(concat_ws(' ', login, received, expired, median_accept, owned_now), ' | ' ORDER BY login)
             FROM today, landform.staff_report(date_trunc('month', d)::date,
                                               (date_trunc('month', d) + interval '1 month - 1 day')::date)),
            'staff_monthly is staff_report over each month');

-- Consultations.
SELECT t.is(string_agg(concat_ws(' ', day, asked, answered, answered_share, median_answer), ' | '),
            (SELECT d FROM today) || ' 2 1 0.5000 00:10:00', 'consultations: asked, answered, share, median time to answer')
FROM landform.consultation_report((SELECT d FROM today), (SELECT d FROM today));
SELECT t.is((SELECT count(*) FROM landform.consultations_daily), 1::bigint, 'consultations_daily has the day');
