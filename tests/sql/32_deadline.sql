-- Deadlines counted in a pool's working hours and time zone: across a night, a weekend,
-- holidays and make-up days, DST in another zone; wall clock without hours.
DO $$ BEGIN
	PERFORM landform.add_pool('office', interval '30 minutes');
	PERFORM landform.set_working_hours('office', '09:00', '18:00');
	PERFORM landform.add_pool('ny', interval '30 minutes', 3, 'rotate', 'America/New_York');
	PERFORM landform.set_working_hours('ny', '09:00', '17:00', ARRAY[1,2,3,4,5]);
	PERFORM landform.add_pool('always', interval '30 minutes');
END $$;

CREATE FUNCTION pg_temp.due(p_pool text, p_from text, p_dur interval DEFAULT '30 minutes') RETURNS text
LANGUAGE sql AS $$
	SELECT to_char(landform.deadline_after(p.id, p_from::timestamptz, p_dur) AT TIME ZONE 'Asia/Shanghai',
	               'Dy YYYY-MM-DD HH24:MI')
	FROM landform.pools p WHERE p.name = p_pool
$$;

-- 2024-03-05 is a Tuesday.
SELECT t.is(pg_temp.due('office', '2024-03-05 10:00+08'), 'Tue 2024-03-05 10:30', 'inside working hours: plain 30 minutes');
SELECT t.is(pg_temp.due('office', '2024-03-05 17:55+08'), 'Wed 2024-03-06 09:25', '17:55 + 30 min with hours 09-18 is 09:25 next working day');
SELECT t.is(pg_temp.due('office', '2024-03-05 17:30+08'), 'Tue 2024-03-05 18:00', 'a deadline may fall exactly at closing time');
SELECT t.is(pg_temp.due('office', '2024-03-05 23:10+08'), 'Wed 2024-03-06 09:30', 'assigned at night: counted from opening');
SELECT t.is(pg_temp.due('office', '2024-03-05 07:00+08'), 'Tue 2024-03-05 09:30', 'assigned before opening: counted from opening');
SELECT t.is(pg_temp.due('office', '2024-03-08 17:55+08'), 'Mon 2024-03-11 09:25', 'Friday 17:55 is due Monday 09:25 (across a weekend)');
SELECT t.is(pg_temp.due('office', '2024-03-09 12:00+08'), 'Mon 2024-03-11 09:30', 'assigned on Saturday: due Monday');
SELECT t.is(pg_temp.due('office', '2024-03-05 09:00+08', '10 hours'), 'Wed 2024-03-06 10:00', '10 working hours span two days');
SELECT t.is(pg_temp.due('office', '2024-03-08 12:00+08', '3 days'), 'Wed 2024-03-20 12:00', 'a timeout counts working time only: 3 days = 72 working hours = 8 days of 9 hours');

-- Holidays and make-up working days.
SELECT t.lives($$SELECT landform.set_day('office', '2024-03-06', false, 'holiday')$$, 'set a holiday');
SELECT t.is(pg_temp.due('office', '2024-03-05 17:55+08'), 'Thu 2024-03-07 09:25', 'a holiday is skipped');
SELECT t.lives($$SELECT landform.set_day('office', '2024-03-09', true, '调休')$$, 'set a make-up working Saturday');
SELECT t.is(pg_temp.due('office', '2024-03-08 17:55+08'), 'Sat 2024-03-09 09:25', 'a make-up Saturday counts');
SELECT t.lives($$SELECT landform.clear_day('office', '2024-03-09')$$, 'clear a calendar day');
SELECT t.is(pg_temp.due('office', '2024-03-08 17:55+08'), 'Mon 2024-03-11 09:25', 'a cleared day follows the week again');
SELECT t.lives($$SELECT landform.set_working_hours('office', '09:00', '18:00', ARRAY[1,2,3,4,5,6])$$, 'six-day week');
SELECT t.is(pg_temp.due('office', '2024-03-08 17:55+08'), 'Sat 2024-03-09 09:25', 'working days are configurable');

-- Another zone, across the US switch to summer time (Sunday 2024-03-10).
SELECT t.is(to_char(landform.deadline_after(p.id, '2024-03-08 16:50-05', '30 minutes') AT TIME ZONE 'America/New_York', 'Dy YYYY-MM-DD HH24:MI'),
            'Mon 2024-03-11 09:20', 'hours are kept in the pool''s own zone (New York, across DST)')
FROM landform.pools p WHERE p.name = 'ny';
SELECT t.is(landform.deadline_after(p.id, '2024-03-08 16:50-05', '30 minutes'), '2024-03-11 13:20+00'::timestamptz,
            'the New York deadline is the right instant (EDT, UTC-4)')
FROM landform.pools p WHERE p.name = 'ny';

-- No hours: wall clock.
SELECT t.is(pg_temp.due('always', '2024-03-08 17:55+08'), 'Fri 2024-03-08 18:25', 'a pool without hours counts wall time');
SELECT t.lives($$SELECT landform.set_working_hours('office', NULL, NULL)$$, 'working hours can be removed');
SELECT t.is(pg_temp.due('office', '2024-03-08 17:55+08'), 'Fri 2024-03-08 18:25', 'without hours again: wall time');
SELECT t.lives($$SELECT landform.set_working_hours('office', '00:00', '24:00', ARRAY[1,2,3,4,5,6,7])$$, 'hours may be 00:00-24:00');
SELECT t.is(pg_temp.due('office', '2024-03-08 23:55+08'), 'Sat 2024-03-09 00:25', '24:00 ends the day exactly');

-- dispatch() uses it.
DO $$ BEGIN
	PERFORM landform.register_page('nyp', 'NY', 'lead');
	PERFORM landform.set_page_pool('nyp', 'ny');
	PERFORM t.members('ny', 'joe');
	PERFORM landform.submit('nyp', NULL, '+12125550100', NULL, NULL, '{}', NULL, 'ny1', NULL, NULL, NULL);
	PERFORM landform.dispatch();
END $$;
SELECT t.is(a.deadline, landform.deadline_after(a.pool_id, a.assigned_at, interval '30 minutes'),
            'dispatch gives each offer its working-hours deadline')
FROM landform.assignments a;

-- Bad input.
SELECT t.throws_like($$SELECT landform.set_working_hours('office', '18:00', '09:00')$$, '22023', 'start before',
                     'hours that end before they start are refused');
SELECT t.throws($$SELECT landform.set_working_hours('office', '09:00', NULL)$$, '22023', 'start without end is refused');
SELECT t.throws_like($$SELECT landform.set_working_hours('office', '09:00', '18:00', ARRAY[0,8])$$, '22023', 'working days',
                     'weekdays outside 1..7 are refused');
SELECT t.throws($$SELECT landform.set_working_hours('office', '09:00', '18:00', ARRAY[]::integer[])$$, '22023', 'no working days is refused');
SELECT t.throws_like($$SELECT landform.set_working_hours('office', '09:00', '18:00', ARRAY[1], 'CST')$$, '22023', 'unknown time zone',
                     'an ambiguous zone abbreviation is refused');
SELECT t.throws_like($$SELECT landform.set_working_hours('nowhere', '09:00', '18:00')$$, 'P0002', 'no pool named "nowhere"',
                     'an unknown pool is named in the error');
SELECT t.throws($$SELECT landform.set_day('office', NULL, false)$$, '22004', 'set_day needs a day');
