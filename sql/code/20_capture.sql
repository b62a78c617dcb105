-- Lead capture: page registration, form submissions, traffic counters.

-- Called by landformd for each landing/<slug>/ at start: insert or refresh title and kind;
-- the page's pool is an admin's choice and is kept.
CREATE OR REPLACE FUNCTION landform.register_page(p_slug text, p_title text, p_kind text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_slug IS NULL OR p_slug !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' THEN
		RAISE EXCEPTION 'bad page slug "%"', left(p_slug, 80)
			USING ERRCODE = '22023', HINT = 'slugs are 1-64 of A-Z a-z 0-9 _ - and start with a letter or digit';
	END IF;
	IF p_kind IS NULL OR p_kind NOT IN ('lead', 'consult') THEN
		RAISE EXCEPTION 'bad page kind "%" for page "%"', p_kind, p_slug
			USING ERRCODE = '22023', HINT = 'kind is lead or consult';
	END IF;
	INSERT INTO landform.pages (slug, title, kind)
	VALUES (p_slug, coalesce(p_title, p_slug), p_kind)
	ON CONFLICT (slug) DO UPDATE
		SET title = excluded.title, kind = excluded.kind, updated_at = now()
		WHERE (pages.title, pages.kind) IS DISTINCT FROM (excluded.title, excluded.kind);
END
$$;

-- One form post, all in one transaction: lead upserted by phone, submission stored,
-- consultation for consult pages, a page_daily row added, owner told of a repeat. Same
-- idem_key again (even concurrently): the first call's row, replayed. Nothing here updates
-- a row other submissions also touch, locks a shared row or sends a NOTIFY (which serializes
-- commits): dispatchers see new leads by polling landform.lead_mark(). The page, its pool, the
-- first stage, the day and a known channel come from one statement: each helper function called
-- instead (_pool_id, first_stage, setting, _channel_id) cost a statement of its own.
-- p_received_at: when the visitor sent it, for a submission stored later from a host's spool
-- (NULL: now). The submission is counted and attributed at that time (page_daily's day,
-- first_seen, created_at), never later than now. A replayed one whose phone was forgotten
-- after it was received is not stored: one row with NULL ids says so.
-- p_referral: the share token of the referrer whose link the visitor came through (landformd
-- checked its signature); landform.referral_credit (sql/code/67_referrals.sql) decides whether
-- it counts. Only then is a shared row locked: the referrer's lead.
DO $$
BEGIN
	-- Before p_received_at and p_referral: a shorter overload would make every call ambiguous.
	DROP FUNCTION IF EXISTS landform.submit(text, text, text, text, text, jsonb, text, text, inet, text, text);
	DROP FUNCTION IF EXISTS landform.submit(text, text, text, text, text, jsonb, text, text, inet, text, text,
	                                        timestamptz);
END
$$;
CREATE OR REPLACE FUNCTION landform.submit(
	p_page text, p_channel text, p_phone text, p_name text, p_question text, p_fields jsonb,
	p_consent text, p_idem_key text, p_client_addr inet, p_user_agent text, p_lang text,
	p_received_at timestamptz DEFAULT NULL, p_referral text DEFAULT NULL)
RETURNS TABLE (submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_page bigint;
	v_kind text;
	v_slug text;
	v_pool bigint;
	v_stage bigint;
	v_day date;
	v_channel bigint;
	v_lead bigint;
	v_new boolean := false;
	v_owner bigint;
	v_sub bigint;
	v_name text := nullif(btrim(p_name), '');
	v_at timestamptz := least(coalesce(p_received_at, now()), now());
	v_rules bigint[];
	v_tags text[];
BEGIN
	IF p_received_at IS NOT NULL AND EXISTS (
		SELECT 1 FROM landform.forgotten_phones f
		WHERE f.phone_hash = sha256(convert_to(coalesce(p_phone, ''), 'UTF8'))
		  AND f.forgotten_at >= p_received_at) THEN
		submission_id := NULL; lead_id := NULL; new_lead := false; replayed := false;
		RETURN NEXT;
		RETURN;
	END IF;
	IF p_idem_key IS NOT NULL THEN
		IF length(p_idem_key) > 200 THEN
			RAISE EXCEPTION 'idempotency key longer than 200 characters'
				USING ERRCODE = '22001', HINT = 'send a short random token';
		END IF;
		-- Calls with one key take turns (a lock in memory, not a row), so a retry waits for
		-- the first call to commit and then finds its row.
		PERFORM pg_advisory_xact_lock(1818652004, hashtext(p_idem_key));
		SELECT s.id, s.lead_id, s.new_lead, true INTO submission_id, lead_id, new_lead, replayed
			FROM landform.submissions s WHERE s.idem_key = p_idem_key;
		IF FOUND THEN
			RETURN NEXT;
			RETURN;
		END IF;
	END IF;

	SELECT p.id, p.kind, p.slug,
	       coalesce(p.pool_id, (SELECT d.id FROM landform.pools d WHERE d.is_default)),
	       (SELECT g.id FROM landform.stages g ORDER BY g.position LIMIT 1),
	       (v_at AT TIME ZONE (SELECT t.value FROM landform.settings t WHERE t.name = 'time_zone'))::date,
	       (SELECT c.id FROM landform.channels c WHERE c.code = p_channel)
	INTO v_page, v_kind, v_slug, v_pool, v_stage, v_day, v_channel
	FROM landform.pages p WHERE p.slug = p_page;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown page "%"', left(p_page, 80)
			USING ERRCODE = 'P0002', HINT = 'pages are registered with landform.register_page(slug, title, kind)';
	END IF;
	IF NOT coalesce(landform.is_e164(p_phone), false) THEN
		RAISE EXCEPTION 'phone is not in E.164 form'
			USING ERRCODE = '22023', HINT = 'normalize it first (landform.normalize_phone), e.g. +8613812345678';
	END IF;
	IF length(p_name) > 200 THEN
		RAISE EXCEPTION 'name longer than 200 characters' USING ERRCODE = '22001';
	END IF;
	IF p_fields IS NOT NULL AND jsonb_typeof(p_fields) <> 'object' THEN
		RAISE EXCEPTION 'fields must be a JSON object, not %', jsonb_typeof(p_fields)
			USING ERRCODE = '22023';
	END IF;
	IF v_channel IS NULL AND p_channel <> '' THEN
		v_channel := landform._channel_id(p_channel);
	END IF;
	IF v_pool IS NULL THEN
		v_pool := landform._pool_id(NULL);
	END IF;

	-- A new lead is written once, with its rule tags (routes and tag rules, sql/code/46_routes.sql),
	-- evaluated after any rule change under way has committed (the rule lock, held to our commit,
	-- also makes the next change wait for this lead).
	PERFORM landform._tag_rules_hold();
	SELECT n.rules, n.tags INTO v_rules, v_tags
	FROM landform._rules_new_lead(v_page, v_channel, v_stage, v_pool, v_at, coalesce(p_fields, '{}'), v_slug, v_kind,
	                              CASE WHEN v_channel IS NOT NULL THEN p_channel END) n;
	INSERT INTO landform.leads AS l (phone, name, pool_id, page_id, channel_id, source,
	                                 stage_id, submissions, first_seen, last_seen, tags, rule_tags)
	VALUES (p_phone, v_name, v_pool, v_page, v_channel, 'form', v_stage, 1, v_at, v_at, coalesce(v_tags, '{}'),
	        landform._rule_tags(v_rules, v_at))
	ON CONFLICT (phone) DO NOTHING
	RETURNING l.id INTO v_lead;
	IF v_lead IS NOT NULL THEN
		v_new := true;
	ELSE
		UPDATE landform.leads AS l
		SET last_seen = greatest(l.last_seen, v_at), name = coalesce(l.name, v_name), submissions = l.submissions + 1
		WHERE l.phone = p_phone
		RETURNING l.id, l.owner_id INTO v_lead, v_owner;
		IF v_lead IS NULL THEN
			RAISE EXCEPTION 'lead for this phone vanished during the submission'
				USING ERRCODE = '40001';
		END IF;
	END IF;

	INSERT INTO landform.submissions AS s (lead_id, page_id, channel_id, name, fields,
		consent_text, consent_at, idem_key, client_addr, user_agent, lang, new_lead, created_at)
	VALUES (v_lead, v_page, v_channel, v_name, coalesce(p_fields, '{}'), p_consent,
		CASE WHEN p_consent IS NOT NULL THEN v_at END,
		p_idem_key, p_client_addr, p_user_agent, p_lang, v_new, v_at)
	RETURNING s.id INTO v_sub;

	IF v_kind = 'consult' THEN
		INSERT INTO landform.consultations (submission_id, lead_id, page_id, question, created_at)
		VALUES (v_sub, v_lead, v_page, nullif(btrim(p_question), ''), v_at);
	END IF;

	INSERT INTO landform.page_daily (page_id, channel_id, day, submissions, leads)
	VALUES (v_page, v_channel, v_day, 1, v_new::integer);

	IF NOT v_new AND v_owner IS NOT NULL THEN
		INSERT INTO landform.outbox (kind, staff_id, lead_id, submission_id, payload)
		VALUES ('repeat_submission', v_owner, v_lead, v_sub,
		        jsonb_build_object('page', v_slug, 'channel', p_channel));
	END IF;

	-- Never for a quarantined post: those go to landform.quarantine, not here.
	IF p_referral IS NOT NULL THEN
		PERFORM landform.referral_credit(p_referral, v_lead, v_new, false);
	END IF;
	-- Routes and tag rules (sql/code/46_routes.sql); a new lead written with its rule tags has
	-- nothing left for them (no holder to tell of a tag either: a new lead has none yet).
	IF NOT v_new OR v_rules IS NULL THEN
		PERFORM landform._rules_on_submit(v_lead, v_new);
	END IF;
	submission_id := v_sub; lead_id := v_lead; new_lead := v_new; replayed := false;
	RETURN NEXT;
END
$$;

-- The items of a batch, parsed from submit_batch's JSON, with what submit looks up for each: the
-- page (NULL: unknown), its kind and pool (the default pool when it names none), the first
-- stage, the channel (NULL: none or not known yet), when it counts (at, never later than now)
-- and its day in the site's time zone, and whether its phone was forgotten after it was
-- received (landform.forget: not stored). p_ords picks the items (their places in p_items).
CREATE OR REPLACE FUNCTION landform._submit_rows(p_items jsonb, p_ords bigint[])
RETURNS TABLE (ord bigint, page text, channel text, phone text, name text, question text,
	fields jsonb, consent text, idem_key text, client_addr inet, user_agent text, lang text,
	received_at timestamptz, page_id bigint, kind text, slug text, pool_id bigint, stage_id bigint,
	channel_id bigint, at timestamptz, day date, forgotten boolean)
LANGUAGE sql STABLE AS $$
	SELECT i.ord, i.page, i.channel, i.phone, i.name, i.question, i.fields,
	       i.consent, i.idem_key, i.client_addr, i.user_agent, i.lang, i.received_at, p.id, p.kind,
	       p.slug, coalesce(p.pool_id, (SELECT d.id FROM landform.pools d WHERE d.is_default)),
	       (SELECT g.id FROM landform.stages g ORDER BY g.position LIMIT 1),
	       (SELECT c.id FROM landform.channels c WHERE c.code = i.channel), a.at,
	       (a.at AT TIME ZONE (SELECT t.value FROM landform.settings t WHERE t.name = 'time_zone'))::date,
	       i.received_at IS NOT NULL AND EXISTS (
	           SELECT 1 FROM landform.forgotten_phones f
	           WHERE f.phone_hash = sha256(convert_to(coalesce(i.phone, ''), 'UTF8'))
	             AND f.forgotten_at >= i.received_at)
	FROM ROWS FROM (jsonb_to_recordset(p_items) AS (page text, channel text, phone text,
		name text, question text, fields jsonb, consent text, idem_key text,
		client_addr inet, user_agent text, lang text, received_at timestamptz))
		WITH ORDINALITY AS i(page, channel, phone, name, question, fields, consent, idem_key,
		                     client_addr, user_agent, lang, received_at, ord)
	JOIN unnest(p_ords) AS o(ord) ON o.ord = i.ord
	CROSS JOIN LATERAL (SELECT least(coalesce(i.received_at, now()), now()) AS at) a
	LEFT JOIN landform.pages p ON p.slug = i.page
$$;

-- Items of a batch with distinct phones and keys and no referral, stored as submit stores them
-- one by one, a statement per table instead of a submit call per item (replaying a spool, this
-- is what keeps up: BENCHMARKS.md, "Spool"). Answers as submit_batch does. The idempotency
-- keys are locked first, in the order submit takes them, and looked up only then (a later
-- statement, so a key another transaction stored while this one waited is seen and replayed).
-- Leads go in phone order; page_daily gets one row per page x channel x day; the rules run per
-- lead afterwards, in phone order (each item has its own lead here, so none sees another's
-- rows). A run too short to gain, or one with an item that would be refused, goes through
-- submit one item at a time instead (which raises that item's error with its code and words).
-- Its statements are planned once per session (a generic plan): the items' JSON tells the planner
-- nothing, and planning the big statement anew each call cost about a third of a 256-item call.
CREATE OR REPLACE FUNCTION landform._submit_set(p_items jsonb, p_ords bigint[])
RETURNS TABLE (ord bigint, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
	v_ok boolean := false;
	v_ord bigint[];
	v_sub bigint[];
	v_lead bigint[];
	v_new boolean[];
	v_again boolean[];
	v_done boolean[];
	v_hook_leads bigint[];
	v_hook_new boolean[];
	x record;
	-- Below this many items, a statement per table costs more than a submit call per item
	-- (measured in one backend, batches of new leads, 2026-12-07: one by one was faster at 2 and
	-- 4 items a call, slower at 6 and 8, with and without tag rules: BENCHMARKS.md).
	c_set_min constant integer := 5;
BEGIN
	IF cardinality(p_ords) >= c_set_min THEN
		SELECT bool_and(r.forgotten OR (
		           r.page_id IS NOT NULL AND r.pool_id IS NOT NULL
		           AND coalesce(landform.is_e164(r.phone), false)
		           AND coalesce(length(r.idem_key) BETWEEN 1 AND 200, true)
		           AND coalesce(length(r.name) <= 200, true)
		           AND coalesce(jsonb_typeof(r.fields) = 'object', true)))
		INTO v_ok
		FROM landform._submit_rows(p_items, p_ords) r;
	END IF;
	IF NOT v_ok THEN
		FOR x IN
			SELECT r.* FROM landform._submit_rows(p_items, p_ords) r
			ORDER BY r.phone, r.idem_key, r.ord
		LOOP
			RETURN QUERY
			SELECT x.ord, s.submission_id, s.lead_id, s.new_lead, s.replayed
			FROM landform.submit(x.page, x.channel, x.phone, x.name, x.question, x.fields,
			                     x.consent, x.idem_key, x.client_addr, x.user_agent, x.lang,
			                     x.received_at) AS s;
		END LOOP;
		RETURN;
	END IF;

	-- Channels seen for the first time (a bad code raises as in submit), and the keys' locks, in
	-- submit's order.
	PERFORM landform._channel_id(c.channel)
	FROM (SELECT DISTINCT r.channel FROM landform._submit_rows(p_items, p_ords) r
	      WHERE r.channel_id IS NULL AND r.channel <> '' AND NOT r.forgotten ORDER BY 1) c;
	PERFORM pg_advisory_xact_lock(1818652004, hashtext(k.idem_key))
	FROM (SELECT r.idem_key FROM landform._submit_rows(p_items, p_ords) r
	      WHERE r.idem_key IS NOT NULL AND NOT r.forgotten ORDER BY r.phone, r.idem_key) k;
	PERFORM landform._tag_rules_hold();   -- before the statement reading the rules (fresh, below)

	WITH r AS (
		SELECT * FROM landform._submit_rows(p_items, p_ords)
	), old AS (
		SELECT r.ord, s.id, s.lead_id, s.new_lead
		FROM r JOIN landform.submissions s ON s.idem_key = r.idem_key
		WHERE NOT r.forgotten
	), fresh AS (
		-- with what the submit rules give a lead created from it (as submit does: a new lead is
		-- written once, with its rule tags; NULLs when routes exist, sql/code/46_routes.sql)
		SELECT r.*, n.rules, n.tags FROM r
		LEFT JOIN LATERAL landform._rules_new_lead(r.page_id, r.channel_id, r.stage_id, r.pool_id, r.at,
			coalesce(r.fields, '{}'), r.slug, r.kind, CASE WHEN r.channel_id IS NOT NULL THEN r.channel END) n ON true
		WHERE NOT r.forgotten AND NOT EXISTS (SELECT 1 FROM old WHERE old.ord = r.ord)
	), ld AS (
		INSERT INTO landform.leads AS l (phone, name, pool_id, page_id, channel_id, source,
		                                 stage_id, submissions, first_seen, last_seen, tags, rule_tags)
		SELECT f.phone, nullif(btrim(f.name), ''), f.pool_id, f.page_id, f.channel_id, 'form',
		       f.stage_id, 1, f.at, f.at, coalesce(f.tags, '{}'),
		       landform._rule_tags(f.rules, f.at)
		FROM fresh f ORDER BY f.phone
		ON CONFLICT (phone) DO UPDATE
			SET last_seen = greatest(l.last_seen, excluded.last_seen),
			    name = coalesce(l.name, excluded.name), submissions = l.submissions + 1
		RETURNING l.id, l.phone, l.owner_id, l.xmax = 0 AS created
	), j AS (
		SELECT f.*, ld.id AS lead, ld.owner_id, ld.created
		FROM fresh f JOIN ld ON ld.phone = f.phone
	), sub AS (
		INSERT INTO landform.submissions AS s (lead_id, page_id, channel_id, name, fields,
			consent_text, consent_at, idem_key, client_addr, user_agent, lang, new_lead, created_at)
		SELECT j.lead, j.page_id, j.channel_id, nullif(btrim(j.name), ''), coalesce(j.fields, '{}'), j.consent,
		       CASE WHEN j.consent IS NOT NULL THEN j.at END, j.idem_key, j.client_addr,
		       j.user_agent, j.lang, j.created, j.at
		FROM j ORDER BY j.phone
		RETURNING s.id, s.lead_id
	), con AS (
		INSERT INTO landform.consultations (submission_id, lead_id, page_id, question, created_at)
		SELECT sub.id, j.lead, j.page_id, nullif(btrim(j.question), ''), j.at
		FROM j JOIN sub ON sub.lead_id = j.lead
		WHERE j.kind = 'consult'
	), daily AS (
		INSERT INTO landform.page_daily (page_id, channel_id, day, submissions, leads)
		SELECT j.page_id, j.channel_id, j.day, count(*), count(*) FILTER (WHERE j.created)
		FROM j GROUP BY 1, 2, 3
	), repeat AS (
		INSERT INTO landform.outbox (kind, staff_id, lead_id, submission_id, payload)
		SELECT 'repeat_submission', j.owner_id, j.lead, sub.id,
		       jsonb_build_object('page', j.slug, 'channel', j.channel)
		FROM j JOIN sub ON sub.lead_id = j.lead
		WHERE NOT j.created AND j.owner_id IS NOT NULL
	)
	SELECT array_agg(r.ord ORDER BY r.phone, r.idem_key, r.ord),
	       array_agg(coalesce(sub.id, old.id) ORDER BY r.phone, r.idem_key, r.ord),
	       array_agg(coalesce(j.lead, old.lead_id) ORDER BY r.phone, r.idem_key, r.ord),
	       array_agg(coalesce(j.created, old.new_lead, false) ORDER BY r.phone, r.idem_key, r.ord),
	       array_agg(old.ord IS NOT NULL ORDER BY r.phone, r.idem_key, r.ord),
	       array_agg(coalesce(j.created AND j.rules IS NOT NULL, false) ORDER BY r.phone, r.idem_key, r.ord)
	INTO v_ord, v_sub, v_lead, v_new, v_again, v_done
	FROM r LEFT JOIN old ON old.ord = r.ord
	LEFT JOIN j ON j.ord = r.ord
	LEFT JOIN sub ON sub.lead_id = j.lead;

	-- Routes, then tag rules, for the leads this call stored, set-based (sql/code/46_routes.sql),
	-- but the new ones written with their rule tags: nothing is left to evaluate for those (no
	-- holder to tell either: a new lead has none yet).
	SELECT array_agg(x.lead ORDER BY x.lead), array_agg(x.is_new ORDER BY x.lead) INTO v_hook_leads, v_hook_new
	FROM unnest(v_lead, v_new, v_sub, v_again, v_done) x(lead, is_new, sub, again, done)
	WHERE x.sub IS NOT NULL AND NOT x.again AND NOT x.done;
	IF v_hook_leads IS NOT NULL THEN
		PERFORM landform._rules_on_submit_set(v_hook_leads, v_hook_new);
	END IF;
	RETURN QUERY SELECT * FROM unnest(v_ord, v_sub, v_lead, v_new, v_again);
END
$$;

-- Form posts that arrived together, in one transaction: landformd's workers store what reached
-- them at the same moment with one call and one commit (a commit per submission cost more than
-- the submission), and the replayer (fcgi/replay.c) a spool file's records.
-- p_items: a JSON array of objects with submit's arguments as keys (page,
-- channel, phone, name, question, fields, consent, idem_key, client_addr, user_agent, lang,
-- received_at, referral; missing keys are NULL). One row per item, ord its place in p_items from 1, as submit answers
-- it: the same phone or idempotency key twice attaches or replays as two calls in a row would.
-- Items go in phone order, so two batches sharing phones lock them in the same order and never
-- deadlock. Runs of items with distinct phones and keys and no referral (nearly all) are stored
-- together by landform._submit_set; the others (and runs too short to gain) go through submit
-- one at a time, in their place. Any error rolls back the whole batch (nothing half-written):
-- the caller then stores the items one by one, so a bad one costs only itself.
CREATE OR REPLACE FUNCTION landform.submit_batch(p_items jsonb)
RETURNS TABLE (ord bigint, submission_id bigint, lead_id bigint, new_lead boolean, replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	x record;
	v_run bigint[] := '{}';
BEGIN
	IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' THEN
		RAISE EXCEPTION 'submit_batch wants a JSON array of submissions, not %',
			coalesce(jsonb_typeof(p_items), 'NULL')
			USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_items) e WHERE jsonb_typeof(e) <> 'object') THEN
		RAISE EXCEPTION 'every submission in submit_batch must be a JSON object'
			USING ERRCODE = '22023';
	END IF;
	FOR x IN
		SELECT i.*,
		       i.referral IS NOT NULL OR count(*) OVER (PARTITION BY i.phone) > 1
		       OR (i.idem_key IS NOT NULL AND count(*) OVER (PARTITION BY i.idem_key) > 1) AS alone
		FROM ROWS FROM (jsonb_to_recordset(p_items) AS (page text, channel text, phone text,
			name text, question text, fields jsonb, consent text, idem_key text,
			client_addr inet, user_agent text, lang text, received_at timestamptz, referral text))
			WITH ORDINALITY AS i(page, channel, phone, name, question, fields, consent, idem_key,
			                     client_addr, user_agent, lang, received_at, referral, ord)
		ORDER BY i.phone, i.idem_key, i.ord
	LOOP
		IF NOT x.alone THEN
			v_run := v_run || x.ord;
			CONTINUE;
		END IF;
		IF cardinality(v_run) > 0 THEN
			RETURN QUERY SELECT * FROM landform._submit_set(p_items, v_run);
			v_run := '{}';
		END IF;
		RETURN QUERY
		SELECT x.ord, s.submission_id, s.lead_id, s.new_lead, s.replayed
		FROM landform.submit(x.page, x.channel, x.phone, x.name, x.question, x.fields, x.consent,
		                     x.idem_key, x.client_addr, x.user_agent, x.lang, x.received_at,
		                     x.referral) AS s;
	END LOOP;
	IF cardinality(v_run) > 0 THEN
		RETURN QUERY SELECT * FROM landform._submit_set(p_items, v_run);
	END IF;
END
$$;

-- Batch flush of the workers' in-memory counters:
-- [{"page":"demo","channel":"wx"|null,"at":<unix s>,"views":n,"opens":n,"spam":n,"visitors":n,
--   "refused":{"stamp_forged":n,...}}]
-- added as page_daily rows (one per page x channel x day; refused goes to refusal_daily). visitors are the views by a browser
-- not yet counted for that page, channel and day (its cookie says: fcgi/visitor.h). Unknown
-- pages are skipped (a page removed since), unknown channels created, bad channel codes
-- ignored. Returns the site's offset from UTC in seconds now, the day the workers count in.
DO $$
BEGIN
	-- It returned nothing before the visitor cookie counted visitors (the type cannot change
	-- in place).
	IF (SELECT p.prorettype FROM pg_proc p
	    WHERE p.oid = to_regprocedure('landform.count_traffic(jsonb)')) = 'void'::regtype THEN
		DROP FUNCTION landform.count_traffic(jsonb);
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION landform.count_traffic(p_rows jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_tz text := landform.setting('time_zone');
BEGIN
	IF p_rows IS NULL OR jsonb_typeof(p_rows) <> 'array' THEN
		RAISE EXCEPTION 'count_traffic wants a JSON array of counter rows'
			USING ERRCODE = '22023';
	END IF;
	IF jsonb_array_length(p_rows) > 0 THEN
		INSERT INTO landform.channels (code)
		SELECT DISTINCT x.channel
		FROM jsonb_to_recordset(p_rows) AS x(channel text)
		WHERE x.channel ~ '^[A-Za-z0-9_-]{1,32}$'
		ORDER BY 1
		ON CONFLICT (code) DO NOTHING;

		INSERT INTO landform.page_daily (page_id, channel_id, day, views, visitors, opens, spam)
		SELECT p.id, c.id,
		       (to_timestamp(coalesce(x.at, extract(epoch FROM now()))) AT TIME ZONE v_tz)::date,
		       sum(greatest(coalesce(x.views, 0), 0)),
		       -- A number; an array (of visitor ids, from a worker older than the cookie) counts
		       -- its length.
		       sum(greatest(CASE jsonb_typeof(x.visitors)
		                    WHEN 'number' THEN (x.visitors #>> '{}')::numeric::bigint
		                    WHEN 'array' THEN jsonb_array_length(x.visitors) ELSE 0 END, 0)),
		       sum(greatest(coalesce(x.opens, 0), 0)), sum(greatest(coalesce(x.spam, 0), 0))
		FROM jsonb_to_recordset(p_rows)
			AS x(page text, channel text, at double precision, views bigint, opens bigint,
			     spam bigint, visitors jsonb)
		JOIN landform.pages p ON p.slug = x.page
		LEFT JOIN landform.channels c ON c.code = x.channel
		GROUP BY 1, 2, 3;

		-- Posts refused for their stamp, apart from spam (sql/code/22_quarantine.sql). In key
		-- order, so two workers flushing at once update the rows in the same order.
		INSERT INTO landform.refusal_daily AS r (day, page_id, reason, n)
		SELECT (to_timestamp(coalesce(x.at, extract(epoch FROM now()))) AT TIME ZONE v_tz)::date,
		       p.id, k.key, sum(greatest(k.value::bigint, 0))
		FROM jsonb_to_recordset(p_rows) AS x(page text, at double precision, refused jsonb)
		JOIN landform.pages p ON p.slug = x.page
		CROSS JOIN LATERAL jsonb_each_text(CASE jsonb_typeof(x.refused) WHEN 'object'
		                                   THEN x.refused ELSE '{}' END) AS k
		WHERE k.key ~ '^stamp_[a-z_]{1,30}$' AND k.value ~ '^[0-9]{1,12}$'
		GROUP BY 1, 2, 3
		ORDER BY 1, 2, 3
		ON CONFLICT (day, page_id, reason) DO UPDATE SET n = r.n + excluded.n;
	END IF;
	RETURN landform._tz_offset();
END
$$;

-- The replayer (fcgi/replay.c) records a spooled submission the database refused for what it
-- holds: which dead-letter file keeps it, and why; no personal data.
CREATE OR REPLACE FUNCTION landform.spool_dead_add(p_host text, p_file text, p_idem_key text,
	p_page text, p_received_at timestamptz, p_sqlstate text, p_message text)
RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO landform.spool_dead (host, file, idem_key, page, received_at, sqlstate, message)
	VALUES (p_host, p_file, left(p_idem_key, 200), left(p_page, 80), p_received_at,
	        left(p_sqlstate, 5), left(p_message, 500))
	RETURNING id;
$$;
