-- Reports (docs/admin.md "Reports"): rollup triggers, deals and channel costs, the funnel,
-- channel return, revenue factors, staff and consultation figures, as functions over a date
-- range (what /staff/reports calls) and views over all time (what admins read).
--
-- Days are calendar days in the time_zone setting. Funnel and staff figures come from rollup
-- tables kept in the same transaction as the change (page_daily, lead_daily, staff_daily), so
-- they are exact under concurrency, cheap to read and survive data deletion; revenue and
-- consultation figures are computed from rows through range indexes.

-- The calendar day of a moment in the configured zone.
CREATE OR REPLACE FUNCTION landform._day(p_at timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (p_at AT TIME ZONE landform.setting('time_zone'))::date
$$;

-- Today in the configured zone (current_date is the server's zone).
CREATE OR REPLACE FUNCTION landform.today() RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (now() AT TIME ZONE landform.setting('time_zone'))::date
$$;

-- The first moment of a day in the configured zone (infinite days stay infinite).
CREATE OR REPLACE FUNCTION landform._day_start(p_day date) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT p_day::timestamp AT TIME ZONE landform.setting('time_zone')
$$;

-- n / d rounded to 4 places; NULL when there is nothing to divide by.
CREATE OR REPLACE FUNCTION landform._rate(p_n numeric, p_d numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT round(p_n / nullif(p_d, 0), 4)
$$;

-- The first day of the day, week (Monday) or month holding p_day.
CREATE OR REPLACE FUNCTION landform._period(p_day date, p_grain text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_grain = 'day' OR NOT isfinite(p_day) THEN p_day
	            ELSE date_trunc(p_grain, p_day::timestamp)::date END
$$;

-- Refuse a grain other than day, week, month; and a range that ends before it starts.
CREATE OR REPLACE FUNCTION landform._check_range(p_from date, p_to date, p_grain text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_grain IS NULL OR p_grain NOT IN ('day', 'week', 'month') THEN
		RAISE EXCEPTION 'bad grain "%"', p_grain
			USING ERRCODE = '22023', HINT = 'day, week (from Monday) or month';
	END IF;
	IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
		RAISE EXCEPTION 'bad date range % .. %', p_from, p_to
			USING ERRCODE = '22023', HINT = 'both dates are included; use ''-infinity'' / ''infinity'' for open ends';
	END IF;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Rollup and history triggers

-- Before a lead changes: record the first acceptance, the first win and who held the lead at
-- its first contact and win; keep stage_since and the stage history; forget a dwell reminder
-- once stage or owner changed. Reads the open offer without locking it (the lead row is
-- already locked; offers are locked before leads everywhere else).
CREATE OR REPLACE FUNCTION landform._lead_steps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
		IF NEW.stage_since IS NOT DISTINCT FROM OLD.stage_since THEN
			NEW.stage_since := now();
		END IF;
		NEW.dwell_noticed := NULL;
		IF NEW.won_at IS NULL AND (SELECT s.is_won FROM landform.stages s WHERE s.id = NEW.stage_id) THEN
			NEW.won_at := NEW.stage_since;
		END IF;
		INSERT INTO landform.stage_moves (lead_id, from_stage, to_stage, staff_id, at)
		VALUES (NEW.id, OLD.stage_id, NEW.stage_id, NEW.owner_id, NEW.stage_since);
	END IF;
	IF NEW.state = 'owned' AND NEW.accepted_at IS NULL THEN
		NEW.accepted_at := now();
	END IF;
	IF OLD.first_contact_at IS NULL AND NEW.first_contact_at IS NOT NULL THEN
		SELECT a.staff_id, a.assigned_at INTO NEW.contacted_by, NEW.contact_offer_at
		FROM landform.assignments a
		WHERE a.lead_id = NEW.id AND a.closed_at IS NULL AND a.staff_id IS NOT NULL;
		IF NEW.contacted_by IS NOT NULL THEN
			INSERT INTO landform.staff_daily (staff_id, day, contacted, contact_secs)
			VALUES (NEW.contacted_by, landform._day(NEW.first_contact_at), 1,
			        ARRAY[extract(epoch FROM NEW.first_contact_at - NEW.contact_offer_at)::double precision]);
		END IF;
	END IF;
	IF OLD.won_at IS NULL AND NEW.won_at IS NOT NULL THEN
		NEW.won_by := NEW.owner_id;
		IF NEW.won_by IS NOT NULL THEN
			INSERT INTO landform.staff_daily (staff_id, day, won)
			VALUES (NEW.won_by, landform._day(NEW.won_at), 1);
		END IF;
	END IF;
	IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
		NEW.dwell_noticed := NULL;
	END IF;
	RETURN NEW;
END
$$;

-- After a lead took a funnel step for the first time: count it for its page x channel x
-- first day. Fires at most four times in a lead's life.
CREATE OR REPLACE FUNCTION landform._lead_rollup() RETURNS trigger
LANGUAGE plpgsql
-- Transition tables have no statistics: without this the planner joins old and new rows
-- with a nested loop, quadratic in the rows the statement changed.
SET enable_nestloop = off
AS $$
DECLARE
	v_tz text;
BEGIN
	-- The tag rules writing leads.tags (landform._lead_tags_sync and the like, which set this
	-- flag for their one statement) change nothing counted here: ~70 us saved per tagged lead.
	IF current_setting('landform.tags_sync', true) = 'on' THEN
		RETURN NULL;
	END IF;
	v_tz := landform.setting('time_zone');   -- once, not per row as _day() would
	-- Once per statement, one upsert per page x channel x day: a dispatch that assigns 50,000
	-- leads must not update the same counter row 50,000 times in one transaction (each update
	-- leaves a version the next must step over: quadratic).
	INSERT INTO landform.lead_daily AS d (page_id, channel_id, day, assigned, accepted, contacted, won)
	SELECT n.page_id, n.channel_id, (n.first_seen AT TIME ZONE v_tz)::date,
	       count(*) FILTER (WHERE o.handoffs = 0 AND n.handoffs > 0),
	       count(*) FILTER (WHERE o.accepted_at IS NULL AND n.accepted_at IS NOT NULL),
	       count(*) FILTER (WHERE o.first_contact_at IS NULL AND n.first_contact_at IS NOT NULL),
	       count(*) FILTER (WHERE o.won_at IS NULL AND n.won_at IS NOT NULL)
	FROM leads_new n JOIN leads_old o ON o.id = n.id
	WHERE n.page_id IS NOT NULL
	  AND ((o.handoffs = 0 AND n.handoffs > 0)
	       OR (o.accepted_at IS NULL AND n.accepted_at IS NOT NULL)
	       OR (o.first_contact_at IS NULL AND n.first_contact_at IS NOT NULL)
	       OR (o.won_at IS NULL AND n.won_at IS NOT NULL))
	GROUP BY 1, 2, 3
	ON CONFLICT ON CONSTRAINT lead_daily_key DO UPDATE
		SET assigned = d.assigned + excluded.assigned, accepted = d.accepted + excluded.accepted,
		    contacted = d.contacted + excluded.contacted, won = d.won + excluded.won;
	RETURN NULL;
END
$$;

-- Offers made and what became of them, per member and day of the offer, one staff_daily row
-- per member-day and statement (inserts only: nothing here waits for another transaction).
CREATE OR REPLACE FUNCTION landform._offers_rollup() RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off -- old and new rows joined without statistics (see _lead_rollup)
AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO landform.staff_daily (staff_id, day, received, offered, accepted_in_time, expired,
		                                  accept_secs)
		SELECT n.staff_id, (n.assigned_at AT TIME ZONE v_tz)::date, count(*),
		       count(*) FILTER (WHERE n.via = 'rotation'),
		       count(*) FILTER (WHERE n.via = 'rotation' AND n.accepted_at <= n.deadline),
		       count(*) FILTER (WHERE n.outcome = 'expired'),
		       coalesce(array_agg(extract(epoch FROM n.accepted_at - n.assigned_at)::double precision)
		                    FILTER (WHERE n.via = 'rotation' AND n.accepted_at IS NOT NULL), '{}')
		FROM offers_new n WHERE n.staff_id IS NOT NULL
		GROUP BY 1, 2;
	ELSE
		INSERT INTO landform.staff_daily (staff_id, day, accepted_in_time, expired, accept_secs)
		SELECT n.staff_id, (n.assigned_at AT TIME ZONE v_tz)::date,
		       count(*) FILTER (WHERE o.accepted_at IS NULL AND n.accepted_at IS NOT NULL
		                        AND n.via = 'rotation' AND n.accepted_at <= n.deadline),
		       count(*) FILTER (WHERE o.outcome IS DISTINCT FROM 'expired' AND n.outcome = 'expired'),
		       coalesce(array_agg(extract(epoch FROM n.accepted_at - n.assigned_at)::double precision)
		                    FILTER (WHERE o.accepted_at IS NULL AND n.accepted_at IS NOT NULL
		                            AND n.via = 'rotation'), '{}')
		FROM offers_new n JOIN offers_old o ON o.id = n.id
		WHERE n.staff_id IS NOT NULL
		  AND ((o.accepted_at IS NULL AND n.accepted_at IS NOT NULL AND n.via = 'rotation')
		       OR (o.outcome IS DISTINCT FROM 'expired' AND n.outcome = 'expired'))
		GROUP BY 1, 2;
	END IF;
	RETURN NULL;
END
$$;

-- Fold the staff_daily rows of each member-day since p_since into one (the tick calls it for
-- the last week). Rows inserted meanwhile are not seen by the DELETE and stay, so sums never
-- change; two callers at once fold each row once. Returns how many member-days were folded.
CREATE OR REPLACE FUNCTION landform.compact_staff_daily(p_since date DEFAULT '-infinity')
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer;
BEGIN
	-- MATERIALIZED: the groups are computed once. Inlined, with the stale statistics this
	-- churning table usually has, the planner re-ran the grouping for every row (quadratic).
	WITH g AS MATERIALIZED (
		SELECT d.staff_id, d.day FROM landform.staff_daily d
		WHERE d.day >= p_since GROUP BY 1, 2 HAVING count(*) > 1
	), del AS (
		DELETE FROM landform.staff_daily d USING g
		WHERE d.staff_id = g.staff_id AND d.day = g.day
		RETURNING d.*
	), k AS (
		SELECT del.staff_id, del.day, sum(del.received) AS received, sum(del.offered) AS offered,
		       sum(del.accepted_in_time) AS accepted_in_time, sum(del.expired) AS expired,
		       sum(del.contacted) AS contacted, sum(del.won) AS won
		FROM del GROUP BY 1, 2
	)
	INSERT INTO landform.staff_daily (staff_id, day, received, offered, accepted_in_time, expired,
	                                  contacted, won, accept_secs, contact_secs)
	SELECT k.staff_id, k.day, k.received, k.offered, k.accepted_in_time, k.expired, k.contacted, k.won,
	       coalesce((SELECT array_agg(x) FROM del, unnest(del.accept_secs) AS x
	                 WHERE del.staff_id = k.staff_id AND del.day = k.day), '{}'),
	       coalesce((SELECT array_agg(x) FROM del, unnest(del.contact_secs) AS x
	                 WHERE del.staff_id = k.staff_id AND del.day = k.day), '{}')
	FROM k;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Fold the page_daily rows of each page x channel x day since p_since into one (the tick
-- calls it for the last week), as compact_staff_daily does. Returns how many were folded.
CREATE OR REPLACE FUNCTION landform.compact_page_daily(p_since date DEFAULT '-infinity')
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer;
BEGIN
	-- MATERIALIZED, as in compact_staff_daily: 2,944 rows once took a second, a burst's backlog
	-- timed out every tick and stalled the dispatcher.
	WITH g AS MATERIALIZED (
		SELECT d.day, d.page_id, d.channel_id FROM landform.page_daily d
		WHERE d.day >= p_since GROUP BY 1, 2, 3 HAVING count(*) > 1
	), del AS (
		DELETE FROM landform.page_daily d USING g
		WHERE d.day = g.day AND d.page_id = g.page_id
		  AND d.channel_id IS NOT DISTINCT FROM g.channel_id
		RETURNING d.*
	)
	INSERT INTO landform.page_daily (page_id, channel_id, day, views, visitors, opens,
	                                 submissions, leads, spam)
	SELECT del.page_id, del.channel_id, del.day, sum(del.views), sum(del.visitors),
	       sum(del.opens), sum(del.submissions), sum(del.leads), sum(del.spam)
	FROM del GROUP BY 1, 2, 3;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- A consultation counts for its page x channel x the day it was asked.
CREATE OR REPLACE FUNCTION landform._consultation_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO landform.lead_daily AS d (page_id, channel_id, day, consultations)
	SELECT NEW.page_id, s.channel_id, landform._day(NEW.created_at), 1
	FROM landform.submissions s WHERE s.id = NEW.submission_id
	ON CONFLICT ON CONSTRAINT lead_daily_key DO UPDATE SET consultations = d.consultations + 1;
	RETURN NULL;
END
$$;

-- A deal is attributed to its lead's channel when written, so it keeps it after erasure.
CREATE OR REPLACE FUNCTION landform._deal_channel() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.channel_id IS NULL AND NEW.lead_id IS NOT NULL THEN
		SELECT l.channel_id INTO NEW.channel_id FROM landform.leads l WHERE l.id = NEW.lead_id;
	END IF;
	RETURN NEW;
END
$$;

-- A deal makes its lead won (once; the funnel counts it).
CREATE OR REPLACE FUNCTION landform._deal_wins() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE landform.leads SET won_at = NEW.won_at WHERE id = NEW.lead_id AND won_at IS NULL;
	RETURN NULL;
END
$$;


-- What lead_daily should hold, recounted from the rows (tests and checks; rows of erased
-- people are gone, so after an erasure the rollup is rightly higher).
CREATE OR REPLACE FUNCTION landform.lead_daily_recount()
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

-- What staff_daily sums to, recounted from offers and leads (tests and checks): one row per
-- member-day with the seconds sorted (compare with the table's sums and sorted seconds).
CREATE OR REPLACE FUNCTION landform.staff_daily_recount()
RETURNS TABLE (staff_id bigint, day date, received bigint, offered bigint, accepted_in_time bigint,
               expired bigint, contacted bigint, won bigint, accept_secs double precision[],
               contact_secs double precision[])
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
CREATE OR REPLACE FUNCTION landform.staff_daily_sums()
RETURNS TABLE (staff_id bigint, day date, received bigint, offered bigint, accepted_in_time bigint,
               expired bigint, contacted bigint, won bigint, accept_secs double precision[],
               contact_secs double precision[])
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

-- ---------------------------------------------------------------------------------------
-- Admin: deals and channel costs

-- Record a won deal for a lead (amount, when; by default now and the lead's owner). Marks the
-- lead won if it was not. Returns the deal id.
CREATE OR REPLACE FUNCTION landform.add_deal(p_lead bigint, p_amount numeric,
	p_won_at timestamptz DEFAULT now(), p_note text DEFAULT NULL, p_login text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_lead landform.leads;
	v_staff bigint;
	v_id bigint;
BEGIN
	PERFORM landform._need(p_amount, 'amount');
	PERFORM landform._need(p_won_at, 'won_at');
	IF p_amount < 0 THEN
		RAISE EXCEPTION 'a deal amount cannot be negative (%)', p_amount USING ERRCODE = '22023';
	END IF;
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no lead with id %', p_lead USING ERRCODE = 'P0002';
	END IF;
	v_staff := CASE WHEN p_login IS NOT NULL THEN landform._staff_id(p_login) ELSE v_lead.owner_id END;
	INSERT INTO landform.deals (lead_id, staff_id, amount, won_at, note)
	VALUES (p_lead, v_staff, p_amount, p_won_at, p_note)
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;

-- What a channel cost over a period (both days included), spread evenly over its days to the
-- cent (the last day takes the rounding); replaces what was set for those days. channels.cost
-- is kept as the channel's total.
CREATE OR REPLACE FUNCTION landform.set_channel_cost(p_code text, p_from date, p_to date,
	p_amount numeric)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_channel bigint;
	v_days integer;
	v_each numeric;
BEGIN
	PERFORM landform._need(p_amount, 'amount');
	IF p_amount < 0 THEN
		RAISE EXCEPTION 'a cost cannot be negative (%)', p_amount USING ERRCODE = '22023';
	END IF;
	IF p_from IS NULL OR p_to IS NULL OR p_from > p_to OR NOT isfinite(p_from) OR NOT isfinite(p_to)
	   OR p_to - p_from > 3660 THEN
		RAISE EXCEPTION 'bad period % .. %', p_from, p_to
			USING ERRCODE = '22023', HINT = 'two dates, the first not after the second, at most ten years apart';
	END IF;
	SELECT id INTO v_channel FROM landform.channels WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown channel "%"', p_code
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT code, name FROM landform.channels';
	END IF;
	v_days := p_to - p_from + 1;
	v_each := trunc(p_amount / v_days, 2);
	INSERT INTO landform.channel_spend (channel_id, day, amount)
	SELECT v_channel, d::date,
	       CASE WHEN d::date = p_to THEN p_amount - v_each * (v_days - 1) ELSE v_each END
	FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d
	ON CONFLICT (channel_id, day) DO UPDATE SET amount = excluded.amount;
	UPDATE landform.channels
	SET cost = (SELECT sum(amount) FROM landform.channel_spend WHERE channel_id = v_channel)
	WHERE id = v_channel;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Reports

-- Every funnel count per page x channel x day, from the two rollups.
DROP VIEW IF EXISTS landform.funnel_counts CASCADE;
CREATE VIEW landform.funnel_counts AS
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

-- The same reports over all time, for psql. Each is its function, so a dashboard page and
-- the view always agree.
DROP VIEW IF EXISTS landform.funnel_daily, landform.funnel_weekly, landform.funnel_monthly,
	landform.channel_monthly, landform.revenue_monthly, landform.staff_monthly,
	landform.staff_stages_monthly, landform.consultations_daily CASCADE;
CREATE VIEW landform.funnel_daily AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'day');
CREATE VIEW landform.funnel_weekly AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'week');
CREATE VIEW landform.funnel_monthly AS
SELECT * FROM landform.funnel('-infinity', 'infinity', 'month');
CREATE VIEW landform.channel_monthly AS
SELECT * FROM landform.channel_report('-infinity', 'infinity', 'month');
CREATE VIEW landform.revenue_monthly AS
SELECT * FROM landform.revenue_factors('-infinity', 'infinity');
CREATE VIEW landform.consultations_daily AS
SELECT * FROM landform.consultation_report('-infinity', 'infinity');
-- Months from the first assignment to this one.
CREATE VIEW landform.staff_monthly AS
SELECT m.month::date AS month, r.*
FROM generate_series(
	date_trunc('month', (SELECT landform._day(min(a.assigned_at)) FROM landform.assignments a)::timestamp),
	date_trunc('month', landform._day(now())::timestamp), interval '1 month') AS m(month)
CROSS JOIN LATERAL landform.staff_report(m.month::date,
	(m.month + interval '1 month' - interval '1 day')::date) AS r;
CREATE VIEW landform.staff_stages_monthly AS
SELECT m.month::date AS month, r.*
FROM generate_series(
	date_trunc('month', (SELECT landform._day(min(a.assigned_at)) FROM landform.assignments a)::timestamp),
	date_trunc('month', landform._day(now())::timestamp), interval '1 month') AS m(month)
CROSS JOIN LATERAL landform.staff_stages(m.month::date,
	(m.month + interval '1 month' - interval '1 day')::date) AS r;
