-- Fair rotation: deadlines in working hours, picking the next member, dispatch and reclaim.
--
-- Locking order, kept by every function here: pool advisory locks (ascending id), then the
-- lead's open assignment row, then the lead row. Accept and expiry both go through the
-- assignment row, which is the fence: whoever changes it first wins, the other's WHERE no
-- longer matches.

-- When an offer made at p_from with p_dur to accept is due, counting only the pool's working
-- time (hours in the pool's zone, weekly days, calendar overrides); wall time if it has none.
CREATE OR REPLACE FUNCTION landform.deadline_after(p_pool bigint, p_from timestamptz, p_dur interval)
RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_pool landform.pools;
	v_tz text;
	v_cur timestamp;
	v_day date;
	v_start timestamp;
	v_end timestamp;
	v_left double precision := extract(epoch FROM p_dur);
	v_avail double precision;
	v_working boolean;
	v_i integer := 0;
BEGIN
	SELECT * INTO v_pool FROM landform.pools WHERE id = p_pool;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no pool with id %', p_pool USING ERRCODE = 'P0002';
	END IF;
	IF v_pool.work_start IS NULL THEN
		RETURN p_from + p_dur;
	END IF;
	v_tz := coalesce(v_pool.time_zone, landform.setting('time_zone'));
	v_cur := p_from AT TIME ZONE v_tz;
	v_day := v_cur::date;
	LOOP
		SELECT c.working INTO v_working FROM landform.pool_calendar c
		WHERE c.pool_id = p_pool AND c.day = v_day;
		IF NOT FOUND THEN
			v_working := extract(isodow FROM v_day)::smallint = ANY (v_pool.work_days);
		END IF;
		IF v_working THEN
			v_start := v_day + v_pool.work_start;
			v_end := v_day + v_pool.work_end;
			IF v_cur < v_start THEN
				v_cur := v_start;
			END IF;
			IF v_cur < v_end THEN
				v_avail := extract(epoch FROM v_end - v_cur);
				IF v_left <= v_avail THEN
					RETURN (v_cur + make_interval(secs => v_left)) AT TIME ZONE v_tz;
				END IF;
				v_left := v_left - v_avail;
			END IF;
		END IF;
		v_day := v_day + 1;
		v_cur := v_day;
		v_i := v_i + 1;
		IF v_i > 3700 THEN
			RAISE EXCEPTION 'pool "%" has no working time in the next ten years', v_pool.name
				USING ERRCODE = '22023', HINT = 'check its work_days and pool_calendar';
		END IF;
	END LOOP;
END
$$;

-- Members who may take a rotation lead now: on duty, active, and room under their cap
-- (room NULL = no cap). The cap counts the member's open leads in this pool.
CREATE OR REPLACE FUNCTION landform._eligible(p_pool bigint)
RETURNS TABLE (staff_id bigint, weight integer, received bigint, last_turn bigint, room bigint)
LANGUAGE sql STABLE AS $$
	SELECT m.staff_id, m.weight, m.received, m.last_turn,
	       CASE WHEN m.cap IS NOT NULL THEN greatest(m.cap - (
			SELECT count(*) FROM landform.leads l
			WHERE l.owner_id = m.staff_id AND l.pool_id = m.pool_id), 0) END
	FROM landform.pool_members m
	JOIN landform.staff s ON s.id = m.staff_id AND s.active AND s.on_duty
	WHERE m.pool_id = p_pool
$$;

-- The next member in rotation, skipping p_exclude: lowest received/weight, then oldest
-- last turn, then id. Caller holds the pool lock.
CREATE OR REPLACE FUNCTION landform._pick(p_pool bigint, p_exclude bigint[])
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT e.staff_id FROM landform._eligible(p_pool) e
	WHERE (e.room IS NULL OR e.room > 0) AND e.staff_id <> ALL (coalesce(p_exclude, '{}'))
	ORDER BY e.received::numeric / e.weight, e.last_turn, e.staff_id
	LIMIT 1
$$;

-- Hand one lead to one member and record it. The caller has closed the lead's previous
-- assignment (or the lead was waiting) and holds the pool lock. Returns the assignment id.
CREATE OR REPLACE FUNCTION landform._assign(p_lead bigint, p_pool bigint, p_staff bigint,
	p_via text, p_deadline timestamptz, p_accepted boolean, p_by text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
	v_turn bigint;
BEGIN
	INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, deadline,
	                                  accepted_at, outcome)
	VALUES (p_lead, p_pool, p_staff, p_via, p_by, p_deadline,
	        CASE WHEN p_accepted THEN now() END, CASE WHEN p_accepted THEN 'accepted' END)
	RETURNING id INTO v_id;
	UPDATE landform.leads
	SET state = CASE WHEN p_accepted THEN 'owned' ELSE 'pending' END,
	    owner_id = p_staff, handoffs = handoffs + 1
	WHERE id = p_lead;
	IF p_via = 'rotation' THEN
		UPDATE landform.pools SET turn = turn + 1 WHERE id = p_pool RETURNING turn INTO v_turn;
		UPDATE landform.pool_members
		SET received = received + 1, last_turn = v_turn, last_assigned_at = now()
		WHERE pool_id = p_pool AND staff_id = p_staff;
	END IF;
	INSERT INTO landform.outbox (kind, staff_id, lead_id, assignment_id, payload)
	VALUES ('assigned', p_staff, p_lead, v_id,
	        jsonb_build_object('via', p_via, 'deadline', p_deadline));
	RETURN v_id;
END
$$;

-- Put a lead in the pool's open pool (公海): a staff-less stay in the history.
CREATE OR REPLACE FUNCTION landform._to_open(p_lead bigint, p_pool bigint, p_by text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	UPDATE landform.leads SET state = 'open', owner_id = NULL WHERE id = p_lead;
	INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by)
	VALUES (p_lead, p_pool, NULL, 'open_pool', p_by)
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;

-- Close a lead's open assignment (the fence) and return its row; NULL row if none was open.
CREATE OR REPLACE FUNCTION landform._close_open(p_lead bigint, p_outcome text, p_by text,
	p_note text DEFAULT NULL)
RETURNS landform.assignments
LANGUAGE plpgsql AS $$
DECLARE
	v_row landform.assignments;
BEGIN
	UPDATE landform.assignments
	SET closed_at = now(), outcome = p_outcome, closed_by = p_by, note = coalesce(p_note, note)
	WHERE lead_id = p_lead AND closed_at IS NULL
	RETURNING * INTO v_row;
	RETURN v_row;
END
$$;

-- Who gets the next p_n rotation leads of a pool, in order (seq 1..), without changing
-- anything; fewer rows when caps run out. Set-based: member m's k-th pick (k from 0) has load
-- (received_m + k) / weight_m; one-by-one greedy takes the lowest load, ties to the member
-- whose previous pick is oldest. Unrolled, "whose previous pick is oldest" compares the chains
-- of earlier loads (L - 1/w, L - 2/w, ...) down to the last pick before the batch, which is
-- older than any in it; at equal load that is decided by the previous load (none, k = 0,
-- first), then fewer picks in this batch, then the turn order before it. So sorting all slots
-- by (load, previous load, k, old turn rank) is exactly the one-by-one order.
-- PL/pgSQL so the plan is kept: as a SQL function called with a subquery argument it was
-- planned again on every dispatch() (2.4M of 8.3M instructions a call, bench/callgrind).
CREATE OR REPLACE FUNCTION landform._rotation_slots(p_pool bigint, p_n bigint)
RETURNS TABLE (seq bigint, staff_id bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH mem AS (
		SELECT e.*, row_number() OVER (ORDER BY e.last_turn, e.staff_id) AS rank0
		FROM landform._eligible(p_pool) e
		WHERE e.room IS NULL OR e.room > 0
	), bound AS (
		-- No pick can have a load above (n + R) / W, R and W summed over the members the cap
		-- cannot stop in this batch: they alone have n slots at or below it. Two slots of
		-- slack per member cover numeric rounding. No row when every member is capped.
		SELECT (p_n + sum(m.received)) / sum(m.weight)::numeric AS top
		FROM mem m WHERE m.room IS NULL OR m.room >= p_n
		HAVING count(*) > 0
	), slot AS (
		SELECT m.staff_id, m.rank0, j,
		       (m.received + j)::numeric / m.weight AS load,
		       CASE WHEN j > 0 THEN (m.received + j - 1)::numeric / m.weight END AS prev_load
		FROM mem m LEFT JOIN bound ON true,
		     generate_series(0, least(coalesce(m.room, p_n), p_n,
		                              coalesce(floor(bound.top * m.weight - m.received)::bigint + 2, p_n)) - 1) AS j
	)
	SELECT o.seq, o.staff_id FROM (
		SELECT s.staff_id,
		       row_number() OVER (ORDER BY s.load, s.prev_load NULLS FIRST, s.j, s.rank0) AS seq
		FROM slot s
	) o
	WHERE o.seq <= p_n;
END
$$;

-- Record that the members got the picks in p_picks (staff_id, seq) as rotation turns:
-- received and last turn, and the pool's turn clock. Caller holds the pool lock.
CREATE OR REPLACE FUNCTION landform._count_turns(p_pool bigint, p_staff bigint[], p_seq bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_turn bigint;
	v_last bigint;
BEGIN
	SELECT turn INTO v_turn FROM landform.pools WHERE id = p_pool;
	UPDATE landform.pool_members m
	SET received = m.received + c.n, last_turn = v_turn + c.last_seq, last_assigned_at = now()
	FROM (SELECT x.staff_id, count(*) AS n, max(x.seq) AS last_seq
	      FROM unnest(p_staff, p_seq) AS x(staff_id, seq) GROUP BY x.staff_id) c
	WHERE m.pool_id = p_pool AND m.staff_id = c.staff_id;
	SELECT max(x) INTO v_last FROM unnest(p_seq) AS x;
	IF v_last IS NOT NULL THEN
		UPDATE landform.pools SET turn = turn + v_last WHERE id = p_pool;
	END IF;
END
$$;

-- Rotate up to p_limit waiting leads that were never assigned, oldest first, in one
-- statement. Caller holds the pool lock. Returns how many were assigned.
CREATE OR REPLACE FUNCTION landform._assign_batch(p_pool bigint, p_deadline timestamptz,
	p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SET work_mem = '64MB'
AS $$
DECLARE
	v_staff bigint[];
	v_seq bigint[];
	v_quiet boolean := landform._nobody_takes('assigned');   -- settle the notices now
BEGIN
	WITH lead AS (
		SELECT w.id, row_number() OVER (ORDER BY w.id) AS seq
		FROM (SELECT l.id FROM landform.leads l
		      WHERE l.pool_id = p_pool AND l.state = 'waiting' AND l.handoffs = 0
		      ORDER BY l.id LIMIT p_limit) AS w
	), pair AS (
		SELECT lead.id AS lead_id, r.staff_id, r.seq
		FROM lead JOIN landform._rotation_slots(p_pool, (SELECT count(*) FROM lead)) r USING (seq)
	), upd AS (
		UPDATE landform.leads l
		SET state = 'pending', owner_id = pair.staff_id, handoffs = l.handoffs + 1
		FROM pair
		WHERE l.id = pair.lead_id AND l.state = 'waiting'
		RETURNING l.id, pair.staff_id, pair.seq
	), ins AS (
		INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, deadline)
		SELECT upd.id, p_pool, upd.staff_id, 'rotation', 'dispatch', p_deadline
		FROM upd ORDER BY upd.seq
		RETURNING id, lead_id, staff_id
	), box AS (
		INSERT INTO landform.outbox (kind, staff_id, lead_id, assignment_id, payload, fanned_at,
		                             targets)
		SELECT 'assigned', ins.staff_id, ins.lead_id, ins.id,
		       jsonb_build_object('via', 'rotation', 'deadline', p_deadline),
		       CASE WHEN v_quiet THEN now() END, CASE WHEN v_quiet THEN 0 END
		FROM ins
	)
	SELECT array_agg(upd.staff_id), array_agg(upd.seq) INTO v_staff, v_seq FROM upd;
	PERFORM landform._count_turns(p_pool, v_staff, v_seq);
	RETURN coalesce(cardinality(v_staff), 0);
END
$$;

-- Everything dispatch does for one pool, under its lock: expire overdue offers, send
-- reclaimed leads to the next member who has not held them (or to the open pool), then rotate
-- new leads. Also called by admin functions that free leads "at once".
CREATE OR REPLACE FUNCTION landform._dispatch_pool(p_pool bigint,
	OUT assigned integer, OUT expired integer, OUT to_open_pool integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_pool landform.pools;
	v_lead record;
	v_holders bigint[];
	v_last text;
	v_pick bigint;
	v_deadline timestamptz;
	v_members integer;
	v_chunk integer;
	v_n integer;
BEGIN
	assigned := 0;
	expired := 0;
	to_open_pool := 0;
	PERFORM landform._require_read_committed();
	PERFORM landform._lock_pool(p_pool);
	SELECT * INTO v_pool FROM landform.pools WHERE id = p_pool;
	IF NOT FOUND THEN
		RETURN;
	END IF;

	-- Expiry: the assignment row first (the fence against accept), then the lead.
	WITH e AS (
		UPDATE landform.assignments a
		SET closed_at = now(), outcome = 'expired', closed_by = 'dispatch'
		WHERE a.pool_id = p_pool AND a.closed_at IS NULL AND a.accepted_at IS NULL
		  AND a.staff_id IS NOT NULL AND a.deadline <= now()
		RETURNING a.lead_id
	), u AS (
		UPDATE landform.leads l
		SET state = 'waiting', owner_id = NULL, misses = l.misses + 1
		FROM e WHERE l.id = e.lead_id
		RETURNING l.id
	)
	SELECT count(*) INTO expired FROM u;

	v_deadline := landform.deadline_after(p_pool, now(), v_pool.claim_timeout);

	-- Leads back in rotation: never to someone who held them before.
	FOR v_lead IN
		SELECT l.id, l.misses FROM landform.leads l
		WHERE l.pool_id = p_pool AND l.state = 'waiting' AND l.handoffs > 0
		ORDER BY l.id
	LOOP
		SELECT a.outcome INTO v_last FROM landform.assignments a
		WHERE a.lead_id = v_lead.id ORDER BY a.id DESC LIMIT 1;
		IF v_lead.misses >= v_pool.max_attempts
		   OR (v_pool.on_expiry = 'open_pool' AND v_last = 'expired') THEN
			PERFORM landform._to_open(v_lead.id, p_pool, 'dispatch');
			to_open_pool := to_open_pool + 1;
			CONTINUE;
		END IF;
		SELECT array_agg(DISTINCT a.staff_id) INTO v_holders FROM landform.assignments a
		WHERE a.lead_id = v_lead.id AND a.staff_id IS NOT NULL;
		v_pick := landform._pick(p_pool, v_holders);
		IF v_pick IS NOT NULL THEN
			PERFORM landform._assign(v_lead.id, p_pool, v_pick, 'rotation', v_deadline, false,
			                         'dispatch');
			assigned := assigned + 1;
		ELSIF NOT EXISTS (
			SELECT 1 FROM landform.pool_members m
			JOIN landform.staff s ON s.id = m.staff_id AND s.active
			WHERE m.pool_id = p_pool AND m.staff_id <> ALL (coalesce(v_holders, '{}'))
		) THEN
			-- Everyone in the pool has had it: nobody left to try.
			PERFORM landform._to_open(v_lead.id, p_pool, 'dispatch');
			to_open_pool := to_open_pool + 1;
		END IF;
		-- else: untried members exist but are off duty or full; it waits for them.
	END LOOP;

	-- New leads, in chunks that keep the slot table small. Nobody on duty with room (a pool
	-- at night): leave them waiting without reading them, or every tick and every NOTIFY
	-- would scan the whole backlog.
	IF NOT EXISTS (SELECT 1 FROM landform._eligible(p_pool) e WHERE e.room IS NULL OR e.room > 0) THEN
		RETURN;
	END IF;
	SELECT count(*) INTO v_members FROM landform.pool_members WHERE pool_id = p_pool;
	v_chunk := greatest(1000, 300000 / greatest(v_members, 1));
	LOOP
		v_n := landform._assign_batch(p_pool, v_deadline, v_chunk);
		assigned := assigned + v_n;
		EXIT WHEN v_n < v_chunk;
	END LOOP;
END
$$;

-- The dispatcher's tick (and what it runs when lead_mark() moves): for every pool, expire
-- overdue offers, reassign or send to the open pool, assign waiting leads in rotation. One
-- transaction; concurrent callers queue on the pool locks, so two at once do what one does.
CREATE OR REPLACE FUNCTION landform.dispatch()
RETURNS TABLE (assigned integer, expired integer, to_open_pool integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_pool bigint;
	v_r record;
BEGIN
	assigned := 0;
	expired := 0;
	to_open_pool := 0;
	-- Only pools with work. Reading without the lock is safe: work another dispatcher is
	-- doing still looks undone (we then wait on its lock and find nothing), and work committed
	-- after this snapshot is the next call's.
	FOR v_pool IN
		SELECT p.id FROM landform.pools p
		WHERE EXISTS (SELECT 1 FROM landform.leads l
		              WHERE l.pool_id = p.id AND l.state = 'waiting' AND l.handoffs = 0)
		   OR EXISTS (SELECT 1 FROM landform.leads l
		              WHERE l.pool_id = p.id AND l.state = 'waiting' AND l.handoffs > 0)
		   OR EXISTS (SELECT 1 FROM landform.assignments a
		              WHERE a.pool_id = p.id AND a.closed_at IS NULL AND a.accepted_at IS NULL
		                AND a.staff_id IS NOT NULL AND a.deadline <= now())
		ORDER BY p.id
	LOOP
		v_r := landform._dispatch_pool(v_pool);
		assigned := assigned + v_r.assigned;
		expired := expired + v_r.expired;
		to_open_pool := to_open_pool + v_r.to_open_pool;
	END LOOP;
	RETURN NEXT;
END
$$;

-- The last lead id handed out (0 before the first): dispatchers poll it every 100 ms and call
-- dispatch() when it moves, so a new lead needs no NOTIFY (whose commit-time lock would make
-- every submission wait for the one before it) and leads from psql or imports wake them too.
CREATE OR REPLACE FUNCTION landform.lead_mark() RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM landform.leads_id_seq s
$$;
