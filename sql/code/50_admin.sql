-- Admin SQL API (docs/admin.md): staff, pools, duty, working hours, manual moves.
-- Each function checks its input first and raises with a message naming the problem and a
-- HINT; an error rolls the whole call back, so nothing is ever half-written.

-- Refuse NULL for a required argument.
CREATE OR REPLACE FUNCTION landform._need(p_value anyelement, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_value IS NULL THEN
		RAISE EXCEPTION '% is required', p_what USING ERRCODE = '22004';
	END IF;
END
$$;

-- Pool id by a name the admin must give: NULL is refused ("pool name is required"), where
-- _pool_id would take it for the default pool.
CREATE OR REPLACE FUNCTION landform._named_pool_id(p_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM landform._need(p_name, 'pool name');
	RETURN landform._pool_id(p_name);
END
$$;

-- Raise a member's rotation counter to the pool's current minimum load (among other on-duty
-- members), so someone joining or coming back does not get a burst of leads.
CREATE OR REPLACE FUNCTION landform._catch_up(p_pool bigint, p_staff bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_min numeric;
BEGIN
	SELECT min(m.received::numeric / m.weight) INTO v_min
	FROM landform.pool_members m
	JOIN landform.staff s ON s.id = m.staff_id AND s.active AND s.on_duty
	WHERE m.pool_id = p_pool AND m.staff_id <> p_staff;
	IF v_min IS NOT NULL THEN
		UPDATE landform.pool_members
		SET received = greatest(received, ceil(round(v_min * weight, 6))::bigint)
		WHERE pool_id = p_pool AND staff_id = p_staff;
	END IF;
END
$$;

-- New staff member (on duty, in no pool yet). Returns the id. landform.add_staff (in
-- sql/code/80_portal_access.sql) calls it and returns the member's invitation link.
CREATE OR REPLACE FUNCTION landform._add_staff(p_login text, p_display_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_login IS NULL OR p_login !~ '^[a-z0-9][a-z0-9._-]{0,63}$' THEN
		RAISE EXCEPTION 'bad login "%"', p_login
			USING ERRCODE = '22023',
			      HINT = 'logins are 1-64 of lower-case a-z, 0-9, . _ - and start with a letter or digit';
	END IF;
	IF p_display_name IS NULL OR length(btrim(p_display_name)) NOT BETWEEN 1 AND 100 THEN
		RAISE EXCEPTION 'display name for "%" must be 1-100 characters', p_login
			USING ERRCODE = '22023';
	END IF;
	INSERT INTO landform.staff (login, display_name) VALUES (p_login, btrim(p_display_name))
	ON CONFLICT (login) DO NOTHING RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'staff login "%" already exists', p_login
			USING ERRCODE = '23505', HINT = 'pick another login, or activate_staff() a former one';
	END IF;
	RETURN v_id;
END
$$;

-- Close every open assignment of one member matching p_all (true: owned ones too) and put the
-- leads back in rotation, then rotate each touched pool at once. Returns how many.
CREATE OR REPLACE FUNCTION landform._hand_back(p_staff bigint, p_all boolean, p_note text,
	p_pool bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_pools bigint[];
	v_pool bigint;
	v_n integer;
BEGIN
	PERFORM landform._require_read_committed();
	SELECT array_agg(DISTINCT x) INTO v_pools FROM (
		SELECT pool_id AS x FROM landform.pool_members WHERE staff_id = p_staff
		UNION
		SELECT pool_id FROM landform.assignments WHERE staff_id = p_staff AND closed_at IS NULL
	) s
	WHERE p_pool IS NULL OR x = p_pool;
	PERFORM landform._lock_pools(v_pools);
	WITH c AS (
		UPDATE landform.assignments a
		SET closed_at = now(), outcome = 'reclaimed', closed_by = landform.actor(), note = p_note
		WHERE a.staff_id = p_staff AND a.closed_at IS NULL
		  AND (p_all OR a.accepted_at IS NULL)
		  AND (p_pool IS NULL OR a.pool_id = p_pool)
		RETURNING a.lead_id
	), u AS (
		UPDATE landform.leads l SET state = 'waiting', owner_id = NULL
		FROM c WHERE l.id = c.lead_id
		RETURNING l.id
	)
	SELECT count(*) INTO v_n FROM u;
	FOREACH v_pool IN ARRAY coalesce(v_pools, '{}') LOOP
		PERFORM landform._dispatch_pool(v_pool);
	END LOOP;
	RETURN v_n;
END
$$;

-- On or off duty. Off: unaccepted leads are taken back and rotated at once (returns how
-- many). On: the member starts at each pool's current minimum.
CREATE OR REPLACE FUNCTION landform.set_on_duty(p_login text, p_on boolean) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._staff_id(p_login);
	v_pools bigint[];
	v_pool bigint;
	v_was boolean;
BEGIN
	PERFORM landform._need(p_on, 'on (true or false)');
	PERFORM landform._require_read_committed();
	SELECT array_agg(pool_id ORDER BY pool_id) INTO v_pools
	FROM landform.pool_members WHERE staff_id = v_staff;
	PERFORM landform._lock_pools(v_pools);
	SELECT on_duty INTO v_was FROM landform.staff WHERE id = v_staff FOR UPDATE;
	-- Checked under the row lock, so a deactivation cannot slip in before the update.
	IF p_on THEN
		PERFORM landform._active_staff_id(p_login);
	END IF;
	UPDATE landform.staff SET on_duty = p_on WHERE id = v_staff;
	IF p_on THEN
		IF NOT v_was THEN
			FOREACH v_pool IN ARRAY coalesce(v_pools, '{}') LOOP
				PERFORM landform._catch_up(v_pool, v_staff);
			END LOOP;
		END IF;
		FOREACH v_pool IN ARRAY coalesce(v_pools, '{}') LOOP
			PERFORM landform._dispatch_pool(v_pool);
		END LOOP;
		RETURN 0;
	END IF;
	RETURN landform._hand_back(v_staff, false, 'off duty');
END
$$;

-- Deactivate: off duty, and every open lead (accepted ones too) goes back to rotation at once.
-- Returns how many leads were handed back. History and memberships are kept.
CREATE OR REPLACE FUNCTION landform.deactivate_staff(p_login text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._staff_id(p_login);
	v_pools bigint[];
BEGIN
	PERFORM landform._require_read_committed();
	-- Pools before the staff row, the same order as set_on_duty.
	SELECT array_agg(pool_id) INTO v_pools FROM (
		SELECT pool_id FROM landform.pool_members WHERE staff_id = v_staff
		UNION
		SELECT pool_id FROM landform.assignments WHERE staff_id = v_staff AND closed_at IS NULL
	) s;
	PERFORM landform._lock_pools(v_pools);
	UPDATE landform.staff SET active = false, on_duty = false, deactivated_at = now()
	WHERE id = v_staff;
	RETURN landform._hand_back(v_staff, true, 'deactivated');
END
$$;

-- Undo deactivate_staff (the member stays off duty until set_on_duty).
CREATE OR REPLACE FUNCTION landform.activate_staff(p_login text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE landform.staff SET active = true, deactivated_at = NULL
	WHERE id = landform._staff_id(p_login);
END
$$;

-- Check the pool options shared by add_pool and set_pool.
CREATE OR REPLACE FUNCTION landform._check_pool_options(p_claim_timeout interval,
	p_max_attempts integer, p_on_expiry text, p_time_zone text)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_claim_timeout IS NOT NULL AND p_claim_timeout <= interval '0' THEN
		RAISE EXCEPTION 'claim timeout must be positive, not %', p_claim_timeout
			USING ERRCODE = '22023', HINT = 'e.g. interval ''30 minutes''';
	END IF;
	IF p_max_attempts IS NOT NULL AND p_max_attempts NOT BETWEEN 1 AND 100 THEN
		RAISE EXCEPTION 'max attempts must be 1-100, not %', p_max_attempts USING ERRCODE = '22023';
	END IF;
	IF p_on_expiry IS NOT NULL AND p_on_expiry NOT IN ('rotate', 'open_pool') THEN
		RAISE EXCEPTION 'on_expiry must be rotate or open_pool, not "%"', p_on_expiry
			USING ERRCODE = '22023',
			      HINT = 'rotate: next member who has not held it; open_pool: straight to the open pool';
	END IF;
	IF p_time_zone IS NOT NULL THEN
		PERFORM landform._check_time_zone(p_time_zone);
	END IF;
END
$$;

-- New pool. Returns its id.
CREATE OR REPLACE FUNCTION landform.add_pool(p_name text,
	p_claim_timeout interval DEFAULT '30 minutes', p_max_attempts integer DEFAULT 3,
	p_on_expiry text DEFAULT 'rotate', p_time_zone text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_name IS NULL OR p_name !~ '^\S(.{0,62}\S)?$' THEN
		RAISE EXCEPTION 'bad pool name "%"', p_name
			USING ERRCODE = '22023', HINT = '1-64 characters, no leading or trailing spaces';
	END IF;
	PERFORM landform._need(p_claim_timeout, 'claim timeout');
	PERFORM landform._need(p_max_attempts, 'max attempts');
	PERFORM landform._need(p_on_expiry, 'on_expiry');
	PERFORM landform._check_pool_options(p_claim_timeout, p_max_attempts, p_on_expiry, p_time_zone);
	INSERT INTO landform.pools (name, claim_timeout, max_attempts, on_expiry, time_zone)
	VALUES (p_name, p_claim_timeout, p_max_attempts, p_on_expiry, p_time_zone)
	ON CONFLICT (name) DO NOTHING RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'pool "%" already exists', p_name
			USING ERRCODE = '23505', HINT = 'change it with landform.set_pool()';
	END IF;
	RETURN v_id;
END
$$;

-- Change a pool's options; NULL leaves an option as it is.
CREATE OR REPLACE FUNCTION landform.set_pool(p_name text,
	p_claim_timeout interval DEFAULT NULL, p_max_attempts integer DEFAULT NULL,
	p_on_expiry text DEFAULT NULL, p_time_zone text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint := landform._named_pool_id(p_name);
BEGIN
	PERFORM landform._check_pool_options(p_claim_timeout, p_max_attempts, p_on_expiry, p_time_zone);
	UPDATE landform.pools
	SET claim_timeout = coalesce(p_claim_timeout, claim_timeout),
	    max_attempts = coalesce(p_max_attempts, max_attempts),
	    on_expiry = coalesce(p_on_expiry, on_expiry),
	    time_zone = coalesce(p_time_zone, time_zone)
	WHERE id = v_pool;
END
$$;

-- Which pool gets leads from pages without their own.
CREATE OR REPLACE FUNCTION landform.set_default_pool(p_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint := landform._named_pool_id(p_name);
BEGIN
	UPDATE landform.pools SET is_default = false WHERE is_default AND id <> v_pool;
	UPDATE landform.pools SET is_default = true WHERE id = v_pool;
END
$$;

-- Send a page's new leads to a pool (NULL: the default pool). Existing leads stay where they are.
CREATE OR REPLACE FUNCTION landform.set_page_pool(p_slug text, p_pool text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
BEGIN
	IF p_pool IS NOT NULL THEN
		v_pool := landform._pool_id(p_pool);
	END IF;
	UPDATE landform.pages SET pool_id = v_pool, updated_at = now() WHERE slug = p_slug;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown page "%"', p_slug
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT slug, title FROM landform.pages';
	END IF;
END
$$;

-- Add a member to a pool, or change weight and cap (cap NULL = no cap). A new member starts
-- at the pool's current minimum; a new weight keeps the member's current load.
CREATE OR REPLACE FUNCTION landform.join_pool(p_pool text, p_login text,
	p_weight integer DEFAULT 1, p_cap integer DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
	v_staff bigint;
	v_old landform.pool_members;
BEGIN
	v_pool := landform._named_pool_id(p_pool);
	v_staff := landform._staff_id(p_login);
	IF p_weight IS NULL OR p_weight NOT BETWEEN 1 AND 1000 THEN
		RAISE EXCEPTION 'weight must be 1-1000, not %', p_weight
			USING ERRCODE = '22023', HINT = 'a member with weight 2 gets twice the leads of weight 1';
	END IF;
	IF p_cap IS NOT NULL AND p_cap < 0 THEN
		RAISE EXCEPTION 'cap must be 0 or more (NULL for none), not %', p_cap USING ERRCODE = '22023';
	END IF;
	PERFORM landform._require_read_committed();
	PERFORM landform._lock_pool(v_pool);
	SELECT * INTO v_old FROM landform.pool_members WHERE pool_id = v_pool AND staff_id = v_staff;
	IF NOT FOUND THEN
		INSERT INTO landform.pool_members (pool_id, staff_id, weight, cap)
		VALUES (v_pool, v_staff, p_weight, p_cap);
		PERFORM landform._catch_up(v_pool, v_staff);
	ELSE
		UPDATE landform.pool_members
		SET weight = p_weight, cap = p_cap,
		    received = ceil(round(received::numeric * p_weight / weight, 6))::bigint
		WHERE pool_id = v_pool AND staff_id = v_staff;
	END IF;
	PERFORM landform._dispatch_pool(v_pool);
END
$$;

-- Change only the cap of a membership (NULL = no cap).
CREATE OR REPLACE FUNCTION landform.set_cap(p_pool text, p_login text, p_cap integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_weight integer;
BEGIN
	SELECT weight INTO v_weight FROM landform.pool_members
	WHERE pool_id = landform._pool_id(p_pool) AND staff_id = landform._staff_id(p_login);
	IF NOT FOUND THEN
		RAISE EXCEPTION '"%" is not a member of pool "%"', p_login, p_pool
			USING ERRCODE = 'P0002', HINT = 'add them with landform.join_pool(pool, login, weight, cap)';
	END IF;
	PERFORM landform.join_pool(p_pool, p_login, v_weight, p_cap);
END
$$;

-- Remove a member from a pool; their unaccepted leads there go back to rotation at once.
CREATE OR REPLACE FUNCTION landform.leave_pool(p_pool text, p_login text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
	v_staff bigint := landform._staff_id(p_login);
	v_n integer;
BEGIN
	v_pool := landform._named_pool_id(p_pool);
	PERFORM landform._require_read_committed();
	PERFORM landform._lock_pool(v_pool);
	DELETE FROM landform.pool_members WHERE pool_id = v_pool AND staff_id = v_staff;
	IF NOT FOUND THEN
		RAISE EXCEPTION '"%" is not a member of pool "%"', p_login, p_pool USING ERRCODE = 'P0002';
	END IF;
	v_n := landform._hand_back(v_staff, false, 'left pool', v_pool);
	PERFORM landform._dispatch_pool(v_pool);
	RETURN v_n;
END
$$;

-- Working hours of a pool: offers are due after claim_timeout of working time. p_days are ISO
-- weekdays (1 = Monday .. 7 = Sunday). NULL start and end: no hours, wall-clock deadlines.
CREATE OR REPLACE FUNCTION landform.set_working_hours(p_pool text, p_start time, p_end time,
	p_days integer[] DEFAULT '{1,2,3,4,5}', p_time_zone text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint := landform._named_pool_id(p_pool);
BEGIN
	IF (p_start IS NULL) <> (p_end IS NULL) THEN
		RAISE EXCEPTION 'give both start and end, or neither to remove working hours'
			USING ERRCODE = '22023';
	END IF;
	IF p_start >= p_end THEN
		RAISE EXCEPTION 'working hours must start before they end (% - %)', p_start, p_end
			USING ERRCODE = '22023', HINT = 'hours across midnight are not supported; 24:00 is a valid end';
	END IF;
	IF p_start IS NOT NULL AND (p_days IS NULL OR cardinality(p_days) = 0
	                            OR NOT p_days <@ '{1,2,3,4,5,6,7}'::integer[]) THEN
		RAISE EXCEPTION 'working days must be a non-empty list of 1 (Monday) .. 7 (Sunday), not %', p_days
			USING ERRCODE = '22023', HINT = 'e.g. ARRAY[1,2,3,4,5]';
	END IF;
	IF p_time_zone IS NOT NULL THEN
		PERFORM landform._check_time_zone(p_time_zone);
	END IF;
	UPDATE landform.pools
	SET work_start = p_start, work_end = p_end,
	    work_days = coalesce(p_days::smallint[], work_days),
	    time_zone = coalesce(p_time_zone, time_zone)
	WHERE id = v_pool;
END
$$;

-- A holiday (working false) or a make-up working day (true) for a pool's calendar.
CREATE OR REPLACE FUNCTION landform.set_day(p_pool text, p_day date, p_working boolean,
	p_note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint := landform._named_pool_id(p_pool);
BEGIN
	PERFORM landform._need(p_day, 'day');
	PERFORM landform._need(p_working, 'working (true or false)');
	INSERT INTO landform.pool_calendar (pool_id, day, working, note)
	VALUES (v_pool, p_day, p_working, p_note)
	ON CONFLICT (pool_id, day) DO UPDATE SET working = excluded.working, note = excluded.note;
END
$$;

-- Forget a calendar override: the day follows the weekly pattern again.
CREATE OR REPLACE FUNCTION landform.clear_day(p_pool text, p_day date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM landform.pool_calendar WHERE pool_id = landform._pool_id(p_pool) AND day = p_day;
END
$$;

-- Lock a lead's pool and return the lead, or a clear error.
CREATE OR REPLACE FUNCTION landform._lead_locked(p_lead bigint) RETURNS landform.leads
LANGUAGE plpgsql AS $$
DECLARE
	v_lead landform.leads;
BEGIN
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no lead with id %', p_lead
			USING ERRCODE = 'P0002',
			      HINT = 'find one by phone: SELECT id FROM landform.leads WHERE phone = landform.normalize_phone(''138 1234 5678'')';
	END IF;
	PERFORM landform._require_read_committed();
	PERFORM landform._lock_pool(v_lead.pool_id);
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead;
	RETURN v_lead;
END
$$;

-- Manual assignment: the lead becomes this member's (accepted, no deadline), whoever had it.
-- Returns the new assignment id.
CREATE OR REPLACE FUNCTION landform.assign(p_lead bigint, p_login text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._active_staff_id(p_login);
	v_lead landform.leads;
	v_prev landform.assignments;
BEGIN
	v_lead := landform._lead_locked(p_lead);
	IF v_lead.state = 'owned' AND v_lead.owner_id = v_staff THEN
		RAISE EXCEPTION 'lead % already belongs to "%"', p_lead, p_login
			USING ERRCODE = '55000', HINT = 'see SELECT * FROM landform.lead_history WHERE lead_id = ' || p_lead;
	END IF;
	v_prev := landform._close_open(p_lead, 'reassigned', landform.actor(), 'assigned to ' || p_login);
	RETURN landform._assign(p_lead, v_lead.pool_id, v_staff, 'manual', NULL, true, landform.actor());
END
$$;

-- Take a lead from whoever has it (or from rotation) and put it in the open pool.
-- Returns the id of the open-pool stay.
CREATE OR REPLACE FUNCTION landform.release(p_lead bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_lead landform.leads := landform._lead_locked(p_lead);
BEGIN
	IF v_lead.state = 'open' THEN
		RAISE EXCEPTION 'lead % is already in the open pool', p_lead
			USING ERRCODE = '55000', HINT = 'give it to someone with landform.assign(lead, login)';
	END IF;
	PERFORM landform._close_open(p_lead, 'released', landform.actor());
	RETURN landform._to_open(p_lead, v_lead.pool_id, landform.actor());
END
$$;

-- Claim an open-pool lead on a member's behalf (same rules as the portal's claim).
-- Returns the new assignment id.
CREATE OR REPLACE FUNCTION landform.claim(p_lead bigint, p_login text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._active_staff_id(p_login);
	v_status text;
	v_id bigint;
BEGIN
	v_status := landform.staff_claim(p_lead, v_staff);
	IF v_status <> 'claimed' THEN
		RAISE EXCEPTION 'cannot claim lead % for "%": %', p_lead, p_login, v_status
			USING ERRCODE = CASE v_status WHEN 'not_found' THEN 'P0002' ELSE '55000' END,
			      HINT = CASE v_status
				WHEN 'not_open' THEN 'only leads in the open pool can be claimed (SELECT * FROM landform.open_pool); landform.assign() moves any lead'
				WHEN 'not_member' THEN 'claims are for members of the lead''s pool; landform.assign() gives it to anyone'
				WHEN 'over_cap' THEN 'the member is at their cap; raise it with landform.set_cap()'
				ELSE 'check the lead id' END;
	END IF;
	SELECT id INTO v_id FROM landform.assignments WHERE lead_id = p_lead AND closed_at IS NULL;
	RETURN v_id;
END
$$;
