-- What staff do to their leads (called by the portal with the session's staff id). Each
-- returns a status word instead of raising, so a stale click is an answer, not an error.

-- Accept an offer before its deadline. 'accepted', or why not: 'expired' (deadline passed or
-- the dispatcher took it back first), 'already_accepted', 'not_yours', 'not_found', or how
-- the assignment ended ('released', 'reassigned', 'reclaimed').
CREATE OR REPLACE FUNCTION landform.accept(p_assignment bigint, p_staff bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_lead bigint;
	v_row landform.assignments;
BEGIN
	UPDATE landform.assignments
	SET accepted_at = now(), outcome = 'accepted'
	WHERE id = p_assignment AND staff_id = p_staff
	  AND closed_at IS NULL AND accepted_at IS NULL AND deadline > now()
	RETURNING lead_id INTO v_lead;
	IF v_lead IS NOT NULL THEN
		UPDATE landform.leads SET state = 'owned' WHERE id = v_lead;
		RETURN 'accepted';
	END IF;
	SELECT * INTO v_row FROM landform.assignments WHERE id = p_assignment;
	IF NOT FOUND THEN
		RETURN 'not_found';
	ELSIF v_row.staff_id IS DISTINCT FROM p_staff THEN
		RETURN 'not_yours';
	ELSIF v_row.closed_at IS NULL AND v_row.accepted_at IS NOT NULL THEN
		RETURN 'already_accepted';
	ELSIF v_row.closed_at IS NULL THEN
		RETURN 'expired';
	END IF;
	RETURN v_row.outcome;
END
$$;

-- Give a lead up: it goes to the open pool. 'released', 'not_yours', 'not_found'.
CREATE OR REPLACE FUNCTION landform.staff_release(p_lead bigint, p_staff bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
BEGIN
	UPDATE landform.assignments
	SET closed_at = now(), outcome = 'released', closed_by = landform.actor()
	WHERE lead_id = p_lead AND staff_id = p_staff AND closed_at IS NULL
	RETURNING pool_id INTO v_pool;
	IF v_pool IS NULL THEN
		IF NOT EXISTS (SELECT 1 FROM landform.leads WHERE id = p_lead) THEN
			RETURN 'not_found';
		END IF;
		RETURN 'not_yours';
	END IF;
	PERFORM landform._to_open(p_lead, v_pool, landform.actor());
	RETURN 'released';
END
$$;

-- Take a lead from the open pool of a pool one belongs to. 'claimed', or 'not_found',
-- 'inactive', 'not_member', 'over_cap', 'not_open' (not in the open pool, e.g. someone
-- claimed it first).
CREATE OR REPLACE FUNCTION landform.staff_claim(p_lead bigint, p_staff bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
	v_cap integer;
	v_open bigint;
	v_stay bigint;
BEGIN
	SELECT pool_id INTO v_pool FROM landform.leads WHERE id = p_lead;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF NOT landform._staff_active(p_staff) THEN
		RETURN 'inactive';
	END IF;
	PERFORM landform._require_read_committed();
	PERFORM landform._lock_pool(v_pool);
	SELECT cap INTO v_cap FROM landform.pool_members WHERE pool_id = v_pool AND staff_id = p_staff;
	IF NOT FOUND THEN
		RETURN 'not_member';
	END IF;
	IF v_cap IS NOT NULL THEN
		SELECT count(*) INTO v_open FROM landform.leads
		WHERE owner_id = p_staff AND pool_id = v_pool;
		IF v_open >= v_cap THEN
			RETURN 'over_cap';
		END IF;
	END IF;
	UPDATE landform.assignments
	SET closed_at = now(), outcome = 'claimed', closed_by = landform.actor()
	WHERE lead_id = p_lead AND closed_at IS NULL AND staff_id IS NULL
	RETURNING id INTO v_stay;
	IF v_stay IS NULL THEN
		RETURN 'not_open';
	END IF;
	PERFORM landform._assign(p_lead, v_pool, p_staff, 'claim', NULL, true, landform.actor());
	RETURN 'claimed';
END
$$;
