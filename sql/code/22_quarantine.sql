-- The quarantine: posts that filled the honeypot are kept, never rotated, until an admin releases
-- them or suspect_retention passes; and the counters of posts refused for their stamp.

-- A post that filled the honeypot, with submit's arguments (already validated by landformd) and
-- the reason. Returns 'quarantined' (kept), 'replayed' (this idem_key is already kept) or
-- 'over_cap' (the client address has had suspect_cap posts kept in the last 24 hours: not kept,
-- counted as suspect_over_cap in refusal_daily). Calls from one address take turns (a
-- transaction-scoped advisory lock), so the cap holds under concurrency. Raises P0002 for an
-- unknown page (landformd registers its pages and tries again) and 23514 for a phone not in
-- E.164 form.
CREATE OR REPLACE FUNCTION landform.quarantine(
	p_page text, p_channel text, p_phone text, p_name text, p_question text, p_fields jsonb,
	p_consent text, p_idem_key text, p_client_addr inet, p_user_agent text, p_lang text,
	p_reason text DEFAULT 'honeypot')
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_page bigint;
	v_cap integer := coalesce(nullif(landform.setting('suspect_cap'), '')::integer, 50);
BEGIN
	-- The phone's form is checked by the table (23514), as submit checks it on release.
	SELECT p.id INTO v_page FROM landform.pages p WHERE p.slug = p_page;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown page "%"', left(p_page, 80) USING ERRCODE = 'P0002';
	END IF;
	-- 1279677265 = 'LFSQ': the class of quarantine locks, the address is the object.
	PERFORM pg_advisory_xact_lock(1279677265, hashtext(coalesce(host(p_client_addr), '')));
	IF p_idem_key IS NOT NULL
	   AND EXISTS (SELECT 1 FROM landform.suspects s WHERE s.idem_key = p_idem_key) THEN
		RETURN 'replayed';
	END IF;
	IF (SELECT count(*) FROM landform.suspects s
	    WHERE s.client_addr IS NOT DISTINCT FROM p_client_addr
	      AND s.received_at > now() - interval '1 day') >= v_cap THEN
		PERFORM landform._count_refusal(v_page, 'suspect_over_cap', 1);
		RETURN 'over_cap';
	END IF;
	INSERT INTO landform.suspects (reason, page_id, channel, phone, name, question, fields, consent,
	                               idem_key, client_addr, user_agent, lang)
	VALUES (coalesce(p_reason, 'honeypot'), v_page, nullif(p_channel, ''), p_phone,
	        nullif(btrim(p_name), ''), p_question, coalesce(p_fields, '{}'), p_consent, p_idem_key,
	        p_client_addr, p_user_agent, p_lang);
	RETURN 'quarantined';
END
$$;

-- Add n to a page's refusal counter for today (site time zone).
CREATE OR REPLACE FUNCTION landform._count_refusal(p_page bigint, p_reason text, p_n bigint)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO landform.refusal_daily AS r (day, page_id, reason, n)
	VALUES ((now() AT TIME ZONE landform.setting('time_zone'))::date, p_page, p_reason, p_n)
	ON CONFLICT (day, page_id, reason) DO UPDATE SET n = r.n + excluded.n
$$;

-- Admin: a quarantined post becomes a normal submission, through landform.submit (so dedup by
-- phone, the repeat notice to an owner and rotation apply as to any post, received now), and
-- leaves the quarantine. Returns what submit returns. Raises P0002 when there is no such
-- suspect (released already, purged, or never).
CREATE OR REPLACE FUNCTION landform.release_suspect(p_id bigint)
RETURNS TABLE (submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	x record;
BEGIN
	SELECT s.*, p.slug INTO x
	FROM landform.suspects s JOIN landform.pages p ON p.id = s.page_id
	WHERE s.id = p_id FOR UPDATE OF s;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no quarantined post %', p_id
			USING ERRCODE = 'P0002', HINT = 'see SELECT id FROM landform.suspect_submissions';
	END IF;
	RETURN QUERY
	SELECT r.submission_id, r.lead_id, r.new_lead, r.replayed
	FROM landform.submit(x.slug, x.channel, x.phone, x.name, x.question, x.fields, x.consent,
	                     x.idem_key, x.client_addr, x.user_agent, x.lang) AS r;
	DELETE FROM landform.suspects s WHERE s.id = p_id;
END
$$;

-- Delete quarantined posts older than suspect_retention (the dispatcher's tick calls it through
-- tick_notifications; an admin may too). Returns how many went.
CREATE OR REPLACE FUNCTION landform.purge_suspects()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_keep interval := coalesce(nullif(landform.setting('suspect_retention'), '')::interval, '14 days');
	v_n integer;
BEGIN
	DELETE FROM landform.suspects s WHERE s.received_at < now() - v_keep;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Check a quarantine setting before landform.set_setting stores it.
CREATE OR REPLACE FUNCTION landform._check_suspect_setting(p_name text, p_value text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_name = 'suspect_retention' THEN
		IF p_value IS NULL OR p_value !~ '^[0-9a-z :.-]+$' OR p_value::interval < interval '1 hour' THEN
			RAISE EXCEPTION 'suspect_retention must be an interval of at least 1 hour, not "%"', p_value
				USING ERRCODE = '22023', HINT = 'e.g. 14 days';
		END IF;
	ELSIF p_value IS NULL OR p_value !~ '^[0-9]{1,7}$' THEN
		RAISE EXCEPTION 'suspect_cap must be a whole number (0 keeps none), not "%"', p_value
			USING ERRCODE = '22023', HINT = 'e.g. 50';
	END IF;
END
$$;

-- Admin: what the quarantine holds, newest first by id, and when each will be purged.
CREATE OR REPLACE VIEW landform.suspect_submissions AS
SELECT s.id, s.received_at, s.reason, p.slug AS page, s.channel, s.phone, s.name, s.question,
       s.fields, s.consent, s.client_addr, s.user_agent, s.lang,
       s.received_at + coalesce(nullif(landform.setting('suspect_retention'), '')::interval,
                                '14 days') AS purge_at
FROM landform.suspects s JOIN landform.pages p ON p.id = s.page_id;

-- Admin: posts refused for their stamp or dropped past the quarantine cap, per day, page and
-- reason (stamp_forged on every post means this host signs with another secret).
CREATE OR REPLACE VIEW landform.refusals AS
SELECT r.day, p.slug AS page, r.reason, r.n
FROM landform.refusal_daily r JOIN landform.pages p ON p.id = r.page_id;
