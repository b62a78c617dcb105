-- Deals and channel costs (docs/admin.md "Reports"): what revenue and channel return are
-- computed from (64_reports.sql). Run as the owner, from psql.

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
