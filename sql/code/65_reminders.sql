-- Reminders and notifications (docs/admin.md "Reminders and notifications"): the outbox
-- producers that are not part of another change (expiring offers, long stage stays, daily
-- summaries) run in landform.tick_notifications(); expired offers are written by a trigger
-- in the expiring transaction. Delivery (targets, retries, the notifications and
-- delivery_status views) is sql/code/75_notify.sql.
--
-- Kinds: assigned, import_assigned (sql/code/30, 60), repeat_submission (20), expiring,
-- expired, stage_dwell, daily_summary (here). Every row has a stable idem_key (migration
-- 0006): producers insert with ON CONFLICT (idem_key) DO NOTHING, so running twice is harmless.

-- Who hears about a pool's expiring and expired offers besides the member; NULL for nobody.
CREATE OR REPLACE FUNCTION landform.set_pool_manager(p_pool text, p_login text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint := landform._named_pool_id(p_pool);
BEGIN
	UPDATE landform.pools
	SET manager_id = CASE WHEN p_login IS NOT NULL THEN landform._staff_id(p_login) END
	WHERE id = v_pool;
END
$$;

-- Notification options; NULL leaves one as it is. p_expiry_warning 0 turns the warning off,
-- p_daily_summary_at NULL with p_no_summary true turns the summary off.
CREATE OR REPLACE FUNCTION landform.set_notifications(p_expiry_warning interval DEFAULT NULL,
	p_daily_summary_at time DEFAULT NULL, p_no_summary boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_expiry_warning IS NOT NULL THEN
		IF p_expiry_warning < interval '0' OR p_expiry_warning > interval '1 day' THEN
			RAISE EXCEPTION 'expiry warning must be 0 .. 1 day, not %', p_expiry_warning
				USING ERRCODE = '22023';
		END IF;
		UPDATE landform.settings SET value = p_expiry_warning::text WHERE name = 'expiry_warning';
	END IF;
	IF p_daily_summary_at IS NOT NULL OR p_no_summary THEN
		UPDATE landform.settings SET value = coalesce(p_daily_summary_at::text, '')
		WHERE name = 'daily_summary_at';
	END IF;
END
$$;

-- An offer expired: tell the member and the pool's manager (if active), in the expiring
-- transaction.
CREATE OR REPLACE FUNCTION landform._expired_notice() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO landform.outbox (kind, staff_id, lead_id, assignment_id, payload)
	SELECT 'expired', r.staff_id, NEW.lead_id, NEW.id,
	       jsonb_build_object('deadline', NEW.deadline, 'member', NEW.staff_id,
	                          'to', CASE WHEN r.staff_id = NEW.staff_id THEN 'member' ELSE 'manager' END)
	FROM (SELECT NEW.staff_id
	      UNION
	      SELECT p.manager_id FROM landform.pools p
	      JOIN landform.staff m ON m.id = p.manager_id AND m.active
	      WHERE p.id = NEW.pool_id) AS r(staff_id)
	WHERE r.staff_id IS NOT NULL
	ON CONFLICT (idem_key) DO NOTHING;
	RETURN NULL;
END
$$;


-- Leads that stayed in their stage longer than its dwell time, with their owner: what the
-- portal shows as reminders.
CREATE OR REPLACE VIEW landform.stage_reminders AS
SELECT l.id AS lead_id, l.owner_id AS staff_id, s.login, l.name, st.name AS stage,
       l.stage_since, l.stage_since + st.dwell AS due_at, now() - (l.stage_since + st.dwell) AS overdue_by,
       l.dwell_noticed IS NOT NULL AS notified
FROM landform.leads l
JOIN landform.stages st ON st.id = l.stage_id AND st.dwell IS NOT NULL
JOIN landform.staff s ON s.id = l.owner_id
WHERE l.state = 'owned' AND l.stage_since + st.dwell <= now();

-- One member's reminders, most overdue first (for the portal's home page).
CREATE OR REPLACE FUNCTION landform.staff_reminders(p_staff bigint)
RETURNS TABLE (lead_id bigint, name text, stage text, stage_since timestamptz,
               due_at timestamptz, overdue_by interval)
LANGUAGE sql STABLE AS $$
	SELECT r.lead_id, r.name, r.stage, r.stage_since, r.due_at, r.overdue_by
	FROM landform.stage_reminders r WHERE r.staff_id = p_staff
	ORDER BY r.due_at, r.lead_id
$$;

-- The notification tick: the dispatcher calls it after dispatch(), every second or so; any
-- number of callers at once write each notice once. Writes
--   expiring       offers due within the expiry_warning setting, to the member and manager;
--   stage_dwell    owned leads past their stage's dwell time, to the owner (once per stay;
--                  at most 500 per stage a tick);
--   daily_summary  yesterday's figures to every active member, once a day after
--                  daily_summary_at (local time).
-- and folds the last week of landform.staff_daily into one row per member and day, and purges
-- quarantined posts past suspect_retention.
CREATE OR REPLACE FUNCTION landform.tick_notifications()
RETURNS TABLE (expiring integer, stage_dwell integer, daily_summary integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_warn interval := coalesce(nullif(landform.setting('expiry_warning'), '')::interval, '0');
	v_at text := landform.setting('daily_summary_at');
	v_tz text := landform.setting('time_zone');
	v_today date := (now() AT TIME ZONE v_tz)::date;
BEGIN
	expiring := 0;
	stage_dwell := 0;
	daily_summary := 0;

	IF v_warn > interval '0' THEN
		INSERT INTO landform.outbox (kind, staff_id, lead_id, assignment_id, payload)
		SELECT 'expiring', r.staff_id, a.lead_id, a.id,
		       jsonb_build_object('deadline', a.deadline, 'member', a.staff_id,
		                          'to', CASE WHEN r.staff_id = a.staff_id THEN 'member' ELSE 'manager' END)
		FROM landform.assignments a
		JOIN landform.pools p ON p.id = a.pool_id
		LEFT JOIN landform.staff m ON m.id = p.manager_id AND m.active
		CROSS JOIN LATERAL (VALUES (a.staff_id), (nullif(m.id, a.staff_id))) AS r(staff_id)
		WHERE a.closed_at IS NULL AND a.accepted_at IS NULL AND a.staff_id IS NOT NULL
		  AND a.deadline > now() AND a.deadline <= now() + v_warn
		  AND r.staff_id IS NOT NULL
		ORDER BY a.id, r.staff_id
		ON CONFLICT (idem_key) DO NOTHING;
		GET DIAGNOSTICS expiring = ROW_COUNT;
	END IF;

	-- At most 500 leads per stage a tick, so a backlog (a new dwell time on a busy stage) is worked off
	-- over a few ticks instead of one long one. Rows another tick is marking are skipped.
	-- Oldest first per stage, along the leads_dwell index.
	WITH due AS (
		SELECT l.id, st.name AS stage, st.dwell
		FROM landform.stages st
		CROSS JOIN LATERAL (
			SELECT x.id FROM landform.leads x
			WHERE x.stage_id = st.id AND x.state = 'owned' AND x.dwell_noticed IS NULL
			  AND x.stage_since <= now() - st.dwell
			ORDER BY x.stage_since
			LIMIT 500
			FOR UPDATE SKIP LOCKED) l
		WHERE st.dwell IS NOT NULL
	), marked AS (
		UPDATE landform.leads l SET dwell_noticed = l.stage_since
		FROM due WHERE l.id = due.id
		RETURNING l.id, l.owner_id, l.stage_since, due.stage, due.dwell
	)
	INSERT INTO landform.outbox (kind, staff_id, lead_id, ref, payload)
	SELECT 'stage_dwell', marked.owner_id, marked.id,
	       'l' || marked.id || '@' || extract(epoch FROM marked.stage_since),
	       jsonb_build_object('stage', marked.stage, 'since', marked.stage_since, 'dwell', marked.dwell)
	FROM marked ORDER BY marked.id
	ON CONFLICT (idem_key) DO NOTHING;
	GET DIAGNOSTICS stage_dwell = ROW_COUNT;

	IF coalesce(v_at, '') <> '' AND (now() AT TIME ZONE v_tz)::time >= v_at::time THEN
		-- One caller wins the day; the others wait on the row and then find it done.
		UPDATE landform.tick_state SET day = v_today WHERE name = 'daily_summary' AND day < v_today;
		IF FOUND THEN
			INSERT INTO landform.outbox (kind, staff_id, ref, payload)
			SELECT 'daily_summary', s.id, 'd' || v_today,
			       jsonb_build_object('day', v_today - 1, 'received', r.received,
			                          'accepted_in_time', r.accepted_in_time, 'expired', r.expired,
			                          'contacted', r.contacted, 'won', r.won,
			                          'pending_now', r.pending_now, 'owned_now', r.owned_now,
			                          'reminders_now', coalesce(x.n, 0))
			FROM landform.staff_report(v_today - 1, v_today - 1) r
			JOIN landform.staff s ON s.login = r.login AND s.active
			LEFT JOIN (SELECT y.staff_id, count(*) AS n FROM landform.stage_reminders y
			           GROUP BY y.staff_id) x ON x.staff_id = s.id
			ORDER BY s.id
			ON CONFLICT (idem_key) DO NOTHING;
			GET DIAGNOSTICS daily_summary = ROW_COUNT;
		END IF;
	END IF;
	PERFORM landform.tick_tags(); -- once a day: time-based tag rules (sql/code/45_tags.sql)
	-- Keep the rollups at one row per member (page x channel) and day for the last week.
	PERFORM landform.compact_staff_daily(v_today - 7);
	PERFORM landform.compact_page_daily(v_today - 7);
	-- The quarantine keeps posts for suspect_retention only (sql/code/22_quarantine.sql).
	PERFORM landform.purge_suspects();
	RETURN NEXT;
END
$$;
