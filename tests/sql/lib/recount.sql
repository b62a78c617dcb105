-- Recounts of the rollups (sql/code/62_rollups.sql) from the rows, for the SQL tests and
-- bench/reports: test code, not in the production schema. tests/run-sql loads it into its
-- template after migrate, as tap.sql; the tests compare these with lead_daily and staff_daily.
CREATE SCHEMA IF NOT EXISTS landform_test;

-- What lead_daily should hold, recounted from the rows (rows of erased people are gone, so
-- after an erasure the rollup is rightly higher).
CREATE OR REPLACE FUNCTION landform_test.lead_daily_recount()
RETURNS TABLE (page_id bigint, channel_id bigint, day date, consultations bigint,
               assigned bigint, accepted bigint, contacted bigint, won bigint)
LANGUAGE sql STABLE AS $$
	WITH z AS (SELECT landform.setting('time_zone') AS tz)
	SELECT u.page_id, u.channel_id, u.day, sum(u.c)::bigint, sum(u.a)::bigint, sum(u.ac)::bigint,
	       sum(u.co)::bigint, sum(u.w)::bigint
	FROM (
		SELECT c.page_id, s.channel_id, (c.created_at AT TIME ZONE z.tz)::date AS day,
		       1 AS c, 0 AS a, 0 AS ac, 0 AS co, 0 AS w
		FROM landform.consultations c JOIN landform.submissions s ON s.id = c.submission_id, z
		UNION ALL
		SELECT l.page_id, l.channel_id, (l.first_seen AT TIME ZONE z.tz)::date, 0,
		       (l.handoffs > 0)::integer, (l.accepted_at IS NOT NULL)::integer,
		       (l.first_contact_at IS NOT NULL)::integer, (l.won_at IS NOT NULL)::integer
		FROM landform.leads l, z
		WHERE l.page_id IS NOT NULL
	) u
	GROUP BY 1, 2, 3
	HAVING sum(u.c) + sum(u.a) + sum(u.ac) + sum(u.co) + sum(u.w) > 0
$$;

-- One member-day of staff_daily with the seconds sorted: what the recount and the table's
-- sums both return, so they compare row for row.
CREATE TYPE landform_test.staff_day AS (staff_id bigint, day date, received bigint,
	offered bigint, accepted_in_time bigint, expired bigint, contacted bigint, won bigint,
	accept_secs double precision[], contact_secs double precision[]);

-- What staff_daily sums to, recounted from offers and leads.
CREATE OR REPLACE FUNCTION landform_test.staff_daily_recount()
RETURNS SETOF landform_test.staff_day
LANGUAGE sql STABLE AS $$
	WITH z AS (SELECT landform.setting('time_zone') AS tz)
	SELECT u.staff_id, u.day, sum(u.received)::bigint, sum(u.offered)::bigint, sum(u.in_time)::bigint,
	       sum(u.expired)::bigint, sum(u.contacted)::bigint, sum(u.won)::bigint,
	       coalesce(array_agg(u.secs ORDER BY u.secs) FILTER (WHERE u.kind = 'a'), '{}'),
	       coalesce(array_agg(u.secs ORDER BY u.secs) FILTER (WHERE u.kind = 'c'), '{}')
	FROM (
		SELECT a.staff_id, (a.assigned_at AT TIME ZONE z.tz)::date AS day,
		       1 AS received, (a.via = 'rotation')::integer AS offered,
		       (a.via = 'rotation' AND a.accepted_at <= a.deadline)::integer AS in_time,
		       (a.outcome = 'expired')::integer AS expired, 0 AS contacted, 0 AS won,
		       CASE WHEN a.via = 'rotation' AND a.accepted_at IS NOT NULL THEN 'a' END AS kind,
		       extract(epoch FROM a.accepted_at - a.assigned_at)::double precision AS secs
		FROM landform.assignments a, z WHERE a.staff_id IS NOT NULL
		UNION ALL
		SELECT l.contacted_by, (l.first_contact_at AT TIME ZONE z.tz)::date, 0, 0, 0, 0, 1, 0, 'c',
		       extract(epoch FROM l.first_contact_at - l.contact_offer_at)::double precision
		FROM landform.leads l, z WHERE l.contacted_by IS NOT NULL
		UNION ALL
		SELECT l.won_by, (l.won_at AT TIME ZONE z.tz)::date, 0, 0, 0, 0, 0, 1, NULL, NULL
		FROM landform.leads l, z WHERE l.won_by IS NOT NULL
	) u
	GROUP BY 1, 2
$$;

-- staff_daily summed per member-day with the seconds sorted, to compare with the recount.
CREATE OR REPLACE FUNCTION landform_test.staff_daily_sums()
RETURNS SETOF landform_test.staff_day
LANGUAGE sql STABLE AS $$
	SELECT d.staff_id, d.day, sum(d.received), sum(d.offered), sum(d.accepted_in_time),
	       sum(d.expired), sum(d.contacted), sum(d.won),
	       coalesce((SELECT array_agg(x ORDER BY x) FROM landform.staff_daily e, unnest(e.accept_secs) x
	                 WHERE e.staff_id = d.staff_id AND e.day = d.day), '{}'),
	       coalesce((SELECT array_agg(x ORDER BY x) FROM landform.staff_daily e, unnest(e.contact_secs) x
	                 WHERE e.staff_id = d.staff_id AND e.day = d.day), '{}')
	FROM landform.staff_daily d
	GROUP BY 1, 2
$$;
