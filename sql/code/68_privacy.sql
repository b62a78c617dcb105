-- Privacy (docs/admin.md "Privacy"; China PIPL, GDPR): consent per lead, erasure of one
-- person (landform.forget) and of old unconverted leads (landform.purge_unconverted).
-- Erasure deletes the person's rows; what stays is anonymous: the rollup counters
-- (page_daily, lead_daily, staff_daily), deals detached from the person (amount, day,
-- channel), and for staff_stages the stage moves (detached) and accepted offers (member, time).

-- Consent as given with each submission (text shown and time), newest first per lead.
CREATE OR REPLACE VIEW landform.consent_log AS
SELECT l.id AS lead_id, l.phone, s.id AS submission_id, s.created_at AS submitted_at,
       pg.slug AS page, c.code AS channel, s.consent_text, s.consent_at, s.lang, s.client_addr
FROM landform.submissions s
JOIN landform.leads l ON l.id = s.lead_id
JOIN landform.pages pg ON pg.id = s.page_id
LEFT JOIN landform.channels c ON c.id = s.channel_id;

-- One row per lead: when consent was first and last given, with the latest text, and how
-- many of the lead's submissions came without it.
CREATE OR REPLACE VIEW landform.lead_consent AS
SELECT l.id AS lead_id, l.phone, l.source,
       min(s.consent_at) AS first_consent_at, max(s.consent_at) AS last_consent_at,
       (array_agg(s.consent_text ORDER BY s.consent_at DESC NULLS LAST, s.id DESC)
           FILTER (WHERE s.consent_at IS NOT NULL))[1] AS last_consent_text,
       count(s.id) AS submissions, count(s.id) FILTER (WHERE s.consent_at IS NULL) AS without_consent
FROM landform.leads l
LEFT JOIN landform.submissions s ON s.lead_id = l.id
GROUP BY l.id;

-- Delete everything about these leads (the caller holds nothing; pools are locked here, in
-- the order every rotation function uses, then the lead rows). Deals stay, detached, with
-- one random buyer id per person. Logs one row in landform.erasures and returns it.
CREATE OR REPLACE FUNCTION landform._erase(p_leads bigint[], p_reason text)
RETURNS landform.erasures
LANGUAGE plpgsql AS $$
DECLARE
	v_pools bigint[];
	v_log landform.erasures;
	v_ids bigint[];
BEGIN
	PERFORM landform._require_read_committed();
	SELECT array_agg(DISTINCT pool_id) INTO v_pools FROM landform.leads WHERE id = ANY (p_leads);
	PERFORM landform._lock_pools(v_pools);
	SELECT array_agg(id ORDER BY id) INTO v_ids FROM (
		SELECT id FROM landform.leads WHERE id = ANY (p_leads) ORDER BY id FOR UPDATE) x;
	v_ids := coalesce(v_ids, '{}');

	v_log.at := now();
	v_log.actor := landform.actor();
	v_log.reason := p_reason;
	v_log.leads := cardinality(v_ids);
	SELECT count(*) INTO v_log.submissions FROM landform.submissions WHERE lead_id = ANY (v_ids);
	SELECT count(*) INTO v_log.consultations FROM landform.consultations WHERE lead_id = ANY (v_ids);
	SELECT count(*) INTO v_log.notes FROM landform.notes WHERE lead_id = ANY (v_ids);
	WITH d AS (
		DELETE FROM landform.outbox o
		WHERE o.lead_id = ANY (v_ids)
		   OR o.submission_id IN (SELECT s.id FROM landform.submissions s WHERE s.lead_id = ANY (v_ids))
		RETURNING 1)
	SELECT count(*) INTO v_log.notifications FROM d;
	WITH b AS (
		SELECT x AS lead_id, gen_random_uuid() AS buyer FROM unnest(v_ids) AS x
	), u AS (
		UPDATE landform.deals d SET lead_id = NULL, note = NULL, anon_buyer = b.buyer
		FROM b WHERE d.lead_id = b.lead_id
		RETURNING 1)
	SELECT count(*) INTO v_log.deals_kept FROM u;
	-- The staff stage figures (staff_stages) must not move: the lead's stage moves stay,
	-- detached under one random key per lead, and its accepted offers as (member, time).
	INSERT INTO landform.erased_accepts (staff_id, assigned_at)
	SELECT a.staff_id, a.assigned_at FROM landform.assignments a
	WHERE a.lead_id = ANY (v_ids) AND a.staff_id IS NOT NULL AND a.accepted_at IS NOT NULL;
	WITH k AS (
		SELECT x AS lead_id, gen_random_uuid() AS anon FROM unnest(v_ids) AS x
	)
	UPDATE landform.stage_moves mv SET lead_id = NULL, anon_lead = k.anon
	FROM k WHERE mv.lead_id = k.lead_id;
	-- Cascades to submissions (and their consultations), assignments, notes.
	DELETE FROM landform.leads WHERE id = ANY (v_ids);

	INSERT INTO landform.erasures (at, actor, reason, leads, submissions, consultations, notes,
	                               notifications, deals_kept)
	VALUES (v_log.at, v_log.actor, v_log.reason, v_log.leads, v_log.submissions,
	        v_log.consultations, v_log.notes, v_log.notifications, v_log.deals_kept)
	RETURNING * INTO v_log;
	RETURN v_log;
END
$$;

-- Erase one person by phone (any form landform.normalize_phone accepts): the lead, every
-- submission and consultation, notes, history, notifications, and the phone in import
-- rejects and staging. Anonymous counts stay. Returns what was deleted (all 0 when the phone
-- is unknown; the request is logged either way, without the phone).
CREATE OR REPLACE FUNCTION landform.forget(p_phone text)
RETURNS TABLE (leads bigint, submissions bigint, consultations bigint, notes bigint,
               notifications bigint, deals_kept bigint, import_rows bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_phone text;
	v_log landform.erasures;
	v_n bigint;
	v_m bigint;
BEGIN
	v_phone := CASE WHEN landform.is_e164(p_phone) THEN p_phone
	                ELSE landform.normalize_phone(p_phone) END;
	IF v_phone IS NULL THEN
		RAISE EXCEPTION 'not a phone number landform can normalize'
			USING ERRCODE = '22023', HINT = 'give it as stored, e.g. +8613812345678, or as typed, e.g. 138 1234 5678';
	END IF;
	v_log := landform._erase(ARRAY(SELECT l.id FROM landform.leads l WHERE l.phone = v_phone), 'forget');
	-- A submission of theirs may still wait in a host's spool: the replay checks this list.
	INSERT INTO landform.forgotten_phones (phone_hash) VALUES (sha256(convert_to(v_phone, 'UTF8')))
	ON CONFLICT (phone_hash) DO UPDATE SET forgotten_at = now();
	-- Import files may hold the number in any typed form.
	DELETE FROM landform.import_rejects r WHERE landform.normalize_phone(r.phone) = v_phone;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	DELETE FROM landform.import_staging s WHERE landform.normalize_phone(s.phone) = v_phone;
	GET DIAGNOSTICS v_m = ROW_COUNT;
	-- Quarantined posts (sql/code/22_quarantine.sql) hold the number too.
	DELETE FROM landform.suspects q WHERE q.phone = v_phone;
	RETURN QUERY SELECT v_log.leads, v_log.submissions, v_log.consultations, v_log.notes,
	                    v_log.notifications, v_log.deals_kept, v_n + v_m;
END
$$;

-- Retention: erase every lead never won (no deal, never in a won stage) with no activity
-- (submission, stage change, contact, assignment, note) for p_older_than, and import
-- rejects of imports that old. At least one day. Returns what was deleted.
CREATE OR REPLACE FUNCTION landform.purge_unconverted(p_older_than interval)
RETURNS TABLE (leads bigint, submissions bigint, consultations bigint, notes bigint,
               notifications bigint, import_rows bigint)
LANGUAGE plpgsql
SET work_mem = '64MB'
AS $$
#variable_conflict use_column
DECLARE
	v_cut timestamptz;
	v_log landform.erasures;
	v_n bigint;
BEGIN
	IF p_older_than IS NULL OR p_older_than < interval '1 day' THEN
		RAISE EXCEPTION 'retention period must be at least 1 day, not %', coalesce(p_older_than::text, 'NULL')
			USING ERRCODE = '22023', HINT = 'e.g. landform.purge_unconverted(interval ''2 years'')';
	END IF;
	v_cut := now() - p_older_than;
	v_log := landform._erase(ARRAY(
		SELECT l.id FROM landform.leads l
		WHERE l.won_at IS NULL AND l.last_seen < v_cut AND l.stage_since < v_cut
		  AND (l.first_contact_at IS NULL OR l.first_contact_at < v_cut)
		  AND NOT EXISTS (SELECT 1 FROM landform.deals d WHERE d.lead_id = l.id)
		  AND NOT EXISTS (SELECT 1 FROM landform.assignments a WHERE a.lead_id = l.id
		                  AND (a.assigned_at >= v_cut OR a.closed_at >= v_cut))
		  AND NOT EXISTS (SELECT 1 FROM landform.notes n WHERE n.lead_id = l.id AND n.created_at >= v_cut)
		ORDER BY l.id), 'retention');
	DELETE FROM landform.import_rejects r
	USING landform.imports i WHERE i.id = r.import_id AND i.started_at < v_cut;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN QUERY SELECT v_log.leads, v_log.submissions, v_log.consultations, v_log.notes,
	                    v_log.notifications, v_n;
END
$$;
