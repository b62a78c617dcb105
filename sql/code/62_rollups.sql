-- Rollups (docs/admin.md "Reports"): the triggers that keep page_daily, lead_daily and
-- staff_daily in the same transaction as the change, so funnel and staff figures are exact
-- under concurrency, cheap to read and survive data deletion; the first-step history on leads;
-- compacting the insert-only rollup rows. Days are calendar days in the time_zone setting
-- (landform._day, 10_util.sql). The reports that read them: 64_reports.sql.

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

-- The recounts of these rollups from the rows are test code (tests/sql/lib/recount.sql, in the
-- schema landform_test): gone from databases whose landform schema still has them.
DROP FUNCTION IF EXISTS landform.lead_daily_recount(), landform.staff_daily_recount(),
	landform.staff_daily_sums();
