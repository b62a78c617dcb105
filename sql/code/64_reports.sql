-- Reports (docs/admin.md "Reports"): the funnel, channel return, revenue factors, staff and
-- consultation figures, as functions over a date range (what /staff/reports calls) and views
-- over all time (what admins read).
--
-- Days are calendar days in the time_zone setting. Funnel and staff figures come from the
-- rollup tables (62_rollups.sql); revenue and consultation figures are computed from rows
-- (deals: 63_deals.sql) through range indexes.

-- Every funnel count per page x channel x day, from the two rollups.
CREATE OR REPLACE VIEW landform.funnel_counts AS
SELECT u.day, u.page_id, u.channel_id, sum(u.scans)::bigint AS scans,
       sum(u.views)::bigint AS views, sum(u.visitors)::bigint AS visitors,
       sum(u.opens)::bigint AS opens, sum(u.submissions)::bigint AS submissions,
       sum(u.spam)::bigint AS spam, sum(u.new_leads)::bigint AS new_leads,
       sum(u.repeat_leads)::bigint AS repeat_leads, sum(u.consultations)::bigint AS consultations,
       sum(u.assigned)::bigint AS assigned, sum(u.accepted)::bigint AS accepted,
       sum(u.contacted)::bigint AS contacted, sum(u.won)::bigint AS won
FROM (
	SELECT d.day, d.page_id, d.channel_id, 0 AS scans, d.views, d.visitors, d.opens, d.submissions, d.spam,
	       d.leads AS new_leads, d.submissions - d.leads AS repeat_leads,
	       0 AS consultations, 0 AS assigned, 0 AS accepted, 0 AS contacted, 0 AS won
	FROM landform.page_daily d
	UNION ALL
	SELECT r.day, r.page_id, r.channel_id, 0, 0, 0, 0, 0, 0, 0, 0,
	       r.consultations, r.assigned, r.accepted, r.contacted, r.won
	FROM landform.lead_daily r
	UNION ALL
	-- Scans of live codes (/c/<code>, issue 17), by the page they were sent to.
	SELECT x.day, x.page_id, x.channel_id, x.scans, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	FROM landform.channel_scans x   -- one row per slot: summed by the GROUP BY
) u
GROUP BY u.day, u.page_id, u.channel_id;

-- The funnel per period (day, week or month) x page x channel, both dates included. Counts
-- of the period's traffic and submissions; assigned..won are of the period's new leads (how
-- many of them got that far so far). Each rate is a step over the step before it.
CREATE OR REPLACE FUNCTION landform.funnel(p_from date, p_to date, p_grain text DEFAULT 'day')
RETURNS TABLE (period date, page text, channel text, scans bigint, views bigint, visitors bigint,
               opens bigint, submissions bigint, spam bigint, new_leads bigint,
               repeat_leads bigint, consultations bigint, assigned bigint, accepted bigint,
               contacted bigint, won bigint, open_rate numeric, submit_rate numeric,
               lead_rate numeric, assign_rate numeric, accept_rate numeric,
               contact_rate numeric, win_rate numeric, visitor_to_lead numeric,
               lead_to_won numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM landform._check_range(p_from, p_to, p_grain);
	RETURN QUERY
	SELECT s.period, s.page, s.channel, s.scans, s.views, s.visitors, s.opens, s.submissions, s.spam,
	       s.new_leads, s.repeat_leads, s.consultations, s.assigned, s.accepted, s.contacted,
	       s.won,
	       landform._rate(s.opens, s.visitors), landform._rate(s.submissions, s.opens),
	       landform._rate(s.new_leads, s.submissions), landform._rate(s.assigned, s.new_leads),
	       landform._rate(s.accepted, s.assigned), landform._rate(s.contacted, s.accepted),
	       landform._rate(s.won, s.contacted), landform._rate(s.new_leads, s.visitors),
	       landform._rate(s.won, s.new_leads)
	FROM (
		SELECT landform._period(c.day, p_grain) AS period, pg.slug AS page,
		       coalesce(ch.code, '(none)') AS channel, sum(c.scans)::bigint AS scans,
		       sum(c.views)::bigint AS views, sum(c.visitors)::bigint AS visitors,
		       sum(c.opens)::bigint AS opens, sum(c.submissions)::bigint AS submissions,
		       sum(c.spam)::bigint AS spam, sum(c.new_leads)::bigint AS new_leads,
		       sum(c.repeat_leads)::bigint AS repeat_leads,
		       sum(c.consultations)::bigint AS consultations, sum(c.assigned)::bigint AS assigned,
		       sum(c.accepted)::bigint AS accepted, sum(c.contacted)::bigint AS contacted,
		       sum(c.won)::bigint AS won
		FROM landform.funnel_counts c
		JOIN landform.pages pg ON pg.id = c.page_id
		LEFT JOIN landform.channels ch ON ch.id = c.channel_id
		WHERE c.day BETWEEN p_from AND p_to
		GROUP BY 1, 2, 3
	) s
	ORDER BY 1, 2, 3;
END
$$;

-- Per period x channel (all pages): the funnel's counts, what the channel cost, cost per new
-- lead and per won lead (of that period's leads), revenue of the deals won in the period, and
-- return on the spend (渠道投入产出比 = revenue / spend).
CREATE OR REPLACE FUNCTION landform.channel_report(p_from date, p_to date,
	p_grain text DEFAULT 'month')
RETURNS TABLE (period date, channel text, scans bigint, views bigint, visitors bigint, submissions bigint,
               new_leads bigint, consultations bigint, assigned bigint, accepted bigint,
               contacted bigint, won bigint, spend numeric, cost_per_lead numeric,
               cost_per_won numeric, orders bigint, revenue numeric, roi numeric)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
BEGIN
	PERFORM landform._check_range(p_from, p_to, p_grain);
	RETURN QUERY
	SELECT s.period, coalesce(ch.code, '(none)'), s.scans, s.views, s.visitors, s.submissions,
	       s.new_leads, s.consultations, s.assigned, s.accepted, s.contacted, s.won,
	       s.spend, round(s.spend / nullif(s.new_leads, 0), 2),
	       round(s.spend / nullif(s.won, 0), 2), s.orders, s.revenue,
	       landform._rate(s.revenue, s.spend)
	FROM (
		SELECT u.period, u.channel_id, sum(u.scans)::bigint AS scans,
		       sum(u.views)::bigint AS views, sum(u.visitors)::bigint AS visitors,
		       sum(u.submissions)::bigint AS submissions, sum(u.new_leads)::bigint AS new_leads,
		       sum(u.consultations)::bigint AS consultations, sum(u.assigned)::bigint AS assigned,
		       sum(u.accepted)::bigint AS accepted, sum(u.contacted)::bigint AS contacted,
		       sum(u.won)::bigint AS won, sum(u.spend) AS spend, sum(u.orders)::bigint AS orders,
		       sum(u.revenue) AS revenue
		FROM (
			SELECT landform._period(c.day, p_grain) AS period, c.channel_id, c.scans, c.views, c.visitors,
			       c.submissions, c.new_leads, c.consultations, c.assigned, c.accepted,
			       c.contacted, c.won, 0::numeric AS spend, 0 AS orders, 0::numeric AS revenue
			FROM landform.funnel_counts c
			WHERE c.day BETWEEN p_from AND p_to
			UNION ALL
			SELECT landform._period(x.day, p_grain), x.channel_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			       x.amount, 0, 0
			FROM landform.channel_spend x
			WHERE x.day BETWEEN p_from AND p_to
			UNION ALL
			SELECT landform._period((d.won_at AT TIME ZONE v_tz)::date, p_grain), d.channel_id,
			       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, d.amount
			FROM landform.deals d
			WHERE d.won_at >= p_from::timestamp AT TIME ZONE v_tz
			  AND d.won_at < (p_to + 1)::timestamp AT TIME ZONE v_tz
		) u
		GROUP BY 1, 2
	) s
	LEFT JOIN landform.channels ch ON ch.id = s.channel_id
	ORDER BY 1, 2;
END
$$;

-- Revenue per month x channel (and '(all)') as traffic x conversion x average order value x
-- repurchase: traffic = visitors (unique per page x channel x day, summed), conversion =
-- buyers / traffic, aov = revenue / orders, repurchase = orders / buyers; so the product is
-- revenue (to rounding). The *_change columns are each factor over the same factor in the
-- month before (1.25 = up a quarter), so one sees which factor moved.
CREATE OR REPLACE FUNCTION landform.revenue_factors(p_from date, p_to date)
RETURNS TABLE (month date, channel text, traffic bigint, buyers bigint, orders bigint,
               revenue numeric, conversion numeric, aov numeric, repurchase numeric,
               revenue_change numeric, traffic_change numeric, conversion_change numeric,
               aov_change numeric, repurchase_change numeric)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
	v_from date;
BEGIN
	PERFORM landform._check_range(p_from, p_to, 'month');
	-- One month more in front, for the first month's changes.
	v_from := CASE WHEN isfinite(p_from) THEN (landform._period(p_from, 'month') - interval '1 month')::date
	               ELSE p_from END;
	RETURN QUERY
	WITH m AS (
		SELECT u.month, u.channel_id, u.is_total, sum(u.traffic)::bigint AS traffic,
		       count(DISTINCT u.buyer) AS buyers, sum(u.orders)::bigint AS orders,
		       coalesce(sum(u.revenue), 0) AS revenue
		FROM (
			SELECT landform._period(d.day, 'month') AS month, g.channel_id, g.is_total,
			       d.visitors AS traffic, NULL::text AS buyer, 0 AS orders, NULL::numeric AS revenue
			FROM landform.page_daily d
			CROSS JOIN LATERAL (VALUES (d.channel_id, false), (NULL, true)) AS g(channel_id, is_total)
			WHERE d.day BETWEEN v_from AND p_to
			UNION ALL
			SELECT landform._period((x.won_at AT TIME ZONE v_tz)::date, 'month'), g.channel_id,
			       g.is_total, 0, coalesce(x.lead_id::text, x.anon_buyer::text, 'deal' || x.id),
			       1, x.amount
			FROM landform.deals x
			CROSS JOIN LATERAL (VALUES (x.channel_id, false), (NULL, true)) AS g(channel_id, is_total)
			WHERE x.won_at >= v_from::timestamp AT TIME ZONE v_tz
			  AND x.won_at < (p_to + 1)::timestamp AT TIME ZONE v_tz
		) u
		GROUP BY 1, 2, 3
	), f AS (
		SELECT m.*, round(m.buyers::numeric / nullif(m.traffic, 0), 6) AS conversion,
		       round(m.revenue / nullif(m.orders, 0), 2) AS aov,
		       round(m.orders::numeric / nullif(m.buyers, 0), 4) AS repurchase
		FROM m
	)
	SELECT f.month, CASE WHEN f.is_total THEN '(all)' ELSE coalesce(ch.code, '(none)') END,
	       f.traffic, f.buyers, f.orders, f.revenue, f.conversion, f.aov, f.repurchase,
	       landform._rate(f.revenue, p.revenue), landform._rate(f.traffic, p.traffic),
	       landform._rate(f.conversion, p.conversion), landform._rate(f.aov, p.aov),
	       landform._rate(f.repurchase, p.repurchase)
	FROM f
	LEFT JOIN f p ON p.is_total = f.is_total AND p.channel_id IS NOT DISTINCT FROM f.channel_id
	             AND p.month = (f.month - interval '1 month')::date
	LEFT JOIN landform.channels ch ON ch.id = f.channel_id
	WHERE f.month >= landform._period(p_from, 'month')
	ORDER BY 1, f.is_total, 2;
END
$$;

-- Per member, for the range (both days included): offers received (any way), offered by
-- rotation, accepted within the deadline, expired (taken back from them), the median time to
-- accept an offer; first contacts they made in the range and the median time from their
-- offer to that contact; leads won while they held them; and their load now. Read from the
-- staff_daily rollup (offers by the day they were made, contacts and wins by their day).
CREATE OR REPLACE FUNCTION landform.staff_report(p_from date, p_to date)
RETURNS TABLE (login text, display_name text, received bigint, offered bigint,
               accepted_in_time bigint, expired bigint, accept_rate numeric,
               median_accept interval, contacted bigint, median_first_contact interval,
               won bigint, pending_now bigint, owned_now bigint)
LANGUAGE plpgsql STABLE
SET work_mem = '64MB'
AS $$
BEGIN
	PERFORM landform._check_range(p_from, p_to, 'day');
	RETURN QUERY
	WITH d AS (
		SELECT * FROM landform.staff_daily x WHERE x.day BETWEEN p_from AND p_to
	), r AS (
		SELECT d.staff_id, sum(d.received)::bigint AS received, sum(d.offered)::bigint AS offered,
		       sum(d.accepted_in_time)::bigint AS in_time, sum(d.expired)::bigint AS expired,
		       sum(d.contacted)::bigint AS contacted, sum(d.won)::bigint AS won
		FROM d GROUP BY 1
	), ma AS (
		SELECT d.staff_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS secs
		FROM d, unnest(d.accept_secs) AS x GROUP BY 1
	), mc AS (
		SELECT d.staff_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS secs
		FROM d, unnest(d.contact_secs) AS x GROUP BY 1
	), n AS (
		SELECT l.owner_id, count(*) FILTER (WHERE l.state = 'pending') AS pending,
		       count(*) FILTER (WHERE l.state = 'owned') AS owned
		FROM landform.leads l WHERE l.owner_id IS NOT NULL GROUP BY l.owner_id
	)
	SELECT s.login, s.display_name, coalesce(r.received, 0), coalesce(r.offered, 0),
	       coalesce(r.in_time, 0), coalesce(r.expired, 0), landform._rate(r.in_time, r.offered),
	       make_interval(secs => ma.secs), coalesce(r.contacted, 0), make_interval(secs => mc.secs),
	       coalesce(r.won, 0), coalesce(n.pending, 0), coalesce(n.owned, 0)
	FROM landform.staff s
	LEFT JOIN r ON r.staff_id = s.id
	LEFT JOIN ma ON ma.staff_id = s.id
	LEFT JOIN mc ON mc.staff_id = s.id
	LEFT JOIN n ON n.owner_id = s.id
	WHERE s.active OR r.staff_id IS NOT NULL OR n.owner_id IS NOT NULL
	ORDER BY s.login;
END
$$;

-- Stage conversion per member over the range: offers they accepted (made in the range) and
-- how many leads they moved into each later stage in the range; rate = moved / accepted.
CREATE OR REPLACE FUNCTION landform.staff_stages(p_from date, p_to date)
RETURNS TABLE (login text, stage text, stage_position integer, accepted bigint, reached bigint,
               rate numeric)
LANGUAGE plpgsql STABLE
SET work_mem = '64MB'
AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
	v_from timestamptz;
	v_to timestamptz;
BEGIN
	PERFORM landform._check_range(p_from, p_to, 'day');
	v_from := p_from::timestamp AT TIME ZONE v_tz;
	v_to := (p_to + 1)::timestamp AT TIME ZONE v_tz;
	RETURN QUERY
	WITH t AS (
		SELECT x.staff_id, count(*) AS accepted
		FROM (SELECT a.staff_id, a.assigned_at FROM landform.assignments a
		      WHERE a.staff_id IS NOT NULL AND a.accepted_at IS NOT NULL
		      UNION ALL  -- offers of erased leads (landform._erase)
		      SELECT e.staff_id, e.assigned_at FROM landform.erased_accepts e) x
		WHERE x.assigned_at >= v_from AND x.assigned_at < v_to
		GROUP BY x.staff_id
	), m AS (
		-- A lead erased since is counted by its anonymous key.
		SELECT mv.staff_id, mv.to_stage,
		       count(DISTINCT coalesce(mv.lead_id::text, mv.anon_lead::text)) AS reached
		FROM landform.stage_moves mv
		WHERE mv.staff_id IS NOT NULL AND mv.at >= v_from AND mv.at < v_to
		GROUP BY 1, 2
	)
	SELECT s.login, st.name, st.position, t.accepted, coalesce(m.reached, 0),
	       landform._rate(coalesce(m.reached, 0), t.accepted)
	FROM t
	JOIN landform.staff s ON s.id = t.staff_id
	CROSS JOIN landform.stages st
	LEFT JOIN m ON m.staff_id = t.staff_id AND m.to_stage = st.id
	WHERE st.position > (SELECT min(x.position) FROM landform.stages x)
	ORDER BY s.login, st.position;
END
$$;

-- Consultations (咨询量) per day asked: how many, how many answered, the answered share and
-- the median time to answer.
CREATE OR REPLACE FUNCTION landform.consultation_report(p_from date, p_to date)
RETURNS TABLE (day date, asked bigint, answered bigint, answered_share numeric,
               median_answer interval)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
BEGIN
	PERFORM landform._check_range(p_from, p_to, 'day');
	RETURN QUERY
	SELECT (c.created_at AT TIME ZONE v_tz)::date, count(*), count(c.answered_at),
	       landform._rate(count(c.answered_at), count(*)),
	       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.answered_at - c.created_at)
	FROM landform.consultations c
	WHERE c.created_at >= p_from::timestamp AT TIME ZONE v_tz
	  AND c.created_at < (p_to + 1)::timestamp AT TIME ZONE v_tz
	GROUP BY 1
	ORDER BY 1;
END
$$;

-- The months of the monthly staff views, first and last day of each: from the month of the
-- first assignment to this one, in the configured zone.
CREATE OR REPLACE FUNCTION landform._staff_months()
RETURNS TABLE (month date, month_end date)
LANGUAGE sql STABLE AS $$
	SELECT m.month::date, (m.month + interval '1 month' - interval '1 day')::date
	FROM generate_series(
		date_trunc('month', (SELECT landform._day(min(a.assigned_at)) FROM landform.assignments a)::timestamp),
		date_trunc('month', landform._day(now())::timestamp), interval '1 month') AS m(month)
$$;

-- The same reports over all time, for psql. Each is its function, so a dashboard page and
-- the view always agree.
CREATE OR REPLACE VIEW landform.funnel_daily AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'day');
CREATE OR REPLACE VIEW landform.funnel_weekly AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'week');
CREATE OR REPLACE VIEW landform.funnel_monthly AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'month');
CREATE OR REPLACE VIEW landform.channel_monthly AS
SELECT * FROM landform.channel_report('-infinity', 'infinity', 'month');
CREATE OR REPLACE VIEW landform.revenue_monthly AS
SELECT * FROM landform.revenue_factors('-infinity', 'infinity');
CREATE OR REPLACE VIEW landform.consultations_daily AS
SELECT * FROM landform.consultation_report('-infinity', 'infinity');
CREATE OR REPLACE VIEW landform.staff_monthly AS
SELECT m.month, r.*
FROM landform._staff_months() m
CROSS JOIN LATERAL landform.staff_report(m.month, m.month_end) AS r;
CREATE OR REPLACE VIEW landform.staff_stages_monthly AS
SELECT m.month, r.*
FROM landform._staff_months() m
CROSS JOIN LATERAL landform.staff_stages(m.month, m.month_end) AS r;
