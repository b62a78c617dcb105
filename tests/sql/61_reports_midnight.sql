-- Reports across midnight in the configured time zone: traffic, cohorts, deals, offers and
-- consultations a moment either side of 00:00 Asia/Shanghai land on their own local day,
-- week and month; changing the zone moves the row-based reports, not the rollups.
\o /dev/null
DO $$ BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM t.members('default', 'alice');
END $$;

-- Traffic at 23:59:59 on Sunday 31 March and 00:00:00 on Monday 1 April (Shanghai); in UTC
-- both are 31 March.
SELECT landform.count_traffic(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'channel', 'wx', 'at', extract(epoch FROM timestamptz '2024-03-31 23:59:59+08'),
	                   'views', 7, 'visitors', 1),
	jsonb_build_object('page', 'demo', 'channel', 'wx', 'at', extract(epoch FROM timestamptz '2024-04-01 00:00:00+08'),
	                   'views', 3, 'visitors', 1)));

-- Two leads whose first moment is either side of midnight, then assigned, accepted, contacted.
SELECT landform.submit('demo', 'wx', '+8613900000001', NULL, NULL, '{}', NULL, 'm1', NULL, NULL, NULL);
SELECT landform.submit('demo', 'wx', '+8613900000002', NULL, NULL, '{}', NULL, 'm2', NULL, NULL, NULL);
UPDATE landform.leads SET first_seen = '2024-03-31 23:59:59.999999+08' WHERE phone = '+8613900000001';
UPDATE landform.leads SET first_seen = '2024-04-01 00:00:00+08' WHERE phone = '+8613900000002';
SELECT landform.dispatch();
SELECT landform.accept(a.id, a.staff_id) FROM landform.assignments a;
UPDATE landform.leads SET first_contact_at = now();
-- Deals either side of the month's end.
SELECT landform.add_deal(id, 100, '2024-03-31 23:59:59+08') FROM landform.leads WHERE phone = '+8613900000001';
SELECT landform.add_deal(id, 50, '2024-04-01 00:00:00+08') FROM landform.leads WHERE phone = '+8613900000002';
-- Offers (earlier, closed ones in the history of the two leads) and consultations at the
-- same moments.
INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_at, assigned_by, deadline,
                                  accepted_at, closed_at, outcome, closed_by)
SELECT l.id, 1, s.id, 'rotation', x.at, 'test', x.at + interval '30 minutes', x.at + interval '30 seconds',
       x.at + interval '1 minute', 'released', 'test'
FROM (VALUES ('+8613900000001', timestamptz '2024-03-31 23:59:59+08'),
             ('+8613900000002', timestamptz '2024-04-01 00:00:00+08')) AS x(phone, at)
JOIN landform.leads l ON l.phone = x.phone JOIN landform.staff s ON s.login = 'alice';
SELECT landform.submit('ask', NULL, '+8613900000003', NULL, 'q', '{}', NULL, 'm3', NULL, NULL, NULL);
SELECT landform.submit('ask', NULL, '+8613900000004', NULL, 'q', '{}', NULL, 'm4', NULL, NULL, NULL);
UPDATE landform.consultations c SET created_at = CASE WHEN l.phone = '+8613900000003'
	THEN timestamptz '2024-03-31 23:59:59+08' ELSE timestamptz '2024-04-01 00:00:00+08' END
FROM landform.leads l WHERE l.id = c.lead_id;
\o

SELECT t.is(string_agg(period || ' ' || views || ' ' || visitors || ' ' || assigned || ' ' || accepted || ' ' || contacted || ' ' || won, ' | ' ORDER BY period),
            '2024-03-31 7 1 1 1 1 1 | 2024-04-01 3 1 1 1 1 1',
            'a moment before midnight counts on the day before, midnight itself on the new day (views and lead cohorts)')
FROM landform.funnel('2024-03-31', '2024-04-01') WHERE page = 'demo';
SELECT t.is(string_agg(period || ' ' || views || ' ' || visitors || ' ' || assigned, ' | ' ORDER BY period),
            '2024-03-25 7 1 1 | 2024-04-01 3 1 1', 'weeks start on Monday: Sunday the 31st and Monday the 1st part')
FROM landform.funnel('2024-03-31', '2024-04-01', 'week') WHERE page = 'demo';
SELECT t.is(string_agg(period || ' ' || views || ' ' || won, ' | ' ORDER BY period),
            '2024-03-01 7 1 | 2024-04-01 3 1', 'months part at local midnight')
FROM landform.funnel('2024-03-01', '2024-04-30', 'month') WHERE page = 'demo';
SELECT t.is(string_agg(period || ' ' || views, ' | ' ORDER BY period), '2024-04-01 3',
            'a range of one day takes only that day')
FROM landform.funnel('2024-04-01', '2024-04-01') WHERE page = 'demo';

SELECT t.is(string_agg(month || ' ' || channel || ' ' || orders || ' ' || revenue, ' | ' ORDER BY month, channel),
            '2024-03-01 (all) 1 100.00 | 2024-03-01 wx 1 100.00 | 2024-04-01 (all) 1 50.00 | 2024-04-01 wx 1 50.00',
            'deals part at local midnight of the month''s end')
FROM landform.revenue_factors('2024-03-01', '2024-04-30') WHERE orders > 0;
SELECT t.is(string_agg(period || ' ' || orders || ' ' || revenue, ' | ' ORDER BY period), '2024-03-31 1 100.00 | 2024-04-01 1 50.00',
            'channel_report days part the deals the same way')
FROM landform.channel_report('2024-03-31', '2024-04-01', 'day') WHERE orders > 0;
SELECT t.is((SELECT received || ' ' || accepted_in_time || ' ' || median_accept FROM landform.staff_report('2024-03-31', '2024-03-31')),
            '1 1 00:00:30', 'staff_report: the offer at 23:59:59 is the 31st''s');
SELECT t.is((SELECT received || ' ' || accepted_in_time || ' ' || median_accept FROM landform.staff_report('2024-04-01', '2024-04-01')),
            '1 1 00:00:30', 'staff_report: the offer at 00:00:00 is the 1st''s');
SELECT t.is((SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_sums() r),
            (SELECT string_agg(r::text, ' ' ORDER BY r::text) FROM landform_test.staff_daily_recount() r),
            'the staff rollup took the same days as a recount');
SELECT t.is(string_agg(day || ' ' || asked, ' | ' ORDER BY day), '2024-03-31 1 | 2024-04-01 1',
            'consultations part at local midnight')
FROM landform.consultation_report('2024-03-31', '2024-04-01');

-- In UTC the row-based reports move (both moments are 31 March there); rollups keep the
-- day they were counted on.
SELECT landform.set_setting('time_zone', 'UTC') \g /dev/null
SELECT t.is(string_agg(month || ' ' || orders || ' ' || revenue, ' | ' ORDER BY month), '2024-03-01 2 150.00',
            'in UTC both deals are March''s')
FROM landform.revenue_factors('2024-03-01', '2024-04-30') WHERE channel = '(all)' AND orders > 0;
SELECT t.is(string_agg(day || ' ' || asked, ' | ' ORDER BY day), '2024-03-31 2',
            'in UTC both consultations are the 31st''s')
FROM landform.consultation_report('2024-03-01', '2024-04-30');
SELECT t.is(string_agg(period || ' ' || views, ' | ' ORDER BY period), '2024-03-31 7 | 2024-04-01 3',
            'counters keep the local day they were counted on')
FROM landform.funnel('2024-03-31', '2024-04-01') WHERE page = 'demo';
