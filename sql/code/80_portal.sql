-- Staff portal (docs/portal-api.md): invitations, logins and sessions, the read functions
-- behind each page, and the actions. Every portal_* function returns jsonb with a "status".
-- Read functions (portal_home, portal_lead, portal_pool) are SECURITY INVOKER: they run as
-- landform_app under row-level security, with landform.staff_id set for the transaction by
-- _portal_enter. Everything that writes is SECURITY DEFINER and checks ownership itself.
-- Grants and policies: sql/code/90_security.sql.

-- ---------------------------------------------------------------------------------------
-- Helpers (not callable by landform_app, except _portal_enter)

-- sha256 of a token as hex: what the tables keep instead of the token.
CREATE OR REPLACE FUNCTION landform._token_hash(p_token text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;

-- 64 random hex characters (two v4 UUIDs from the server's strong random source, hashed), for
-- invitation links made in SQL; landformd makes its own tokens with libsodium.
CREATE OR REPLACE FUNCTION landform._new_token() RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT encode(sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())), 'hex')
$$;

-- An interval setting, or the default when it is missing.
CREATE OR REPLACE FUNCTION landform._setting_interval(p_name text, p_default interval)
RETURNS interval
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT value::interval FROM landform.settings WHERE name = p_name), p_default)
$$;

-- Values for the portal's settings (called by set_setting): an absolute http(s) base URL, and
-- positive durations of at most a year.
CREATE OR REPLACE FUNCTION landform._check_portal_setting(p_name text, p_value text)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_iv interval;
BEGIN
	IF p_name = 'public_url' THEN
		IF p_value IS NULL OR length(p_value) > 500
		   OR p_value !~ '^https?://[^/?#[:space:]]+(/[^?#[:space:]]*)?$' THEN
			RAISE EXCEPTION 'public_url must be an absolute http(s) URL, not "%"', left(p_value, 80)
				USING ERRCODE = '22023', HINT = 'e.g. https://leads.example.com (the portal is under /staff/)';
		END IF;
		RETURN;
	END IF;
	BEGIN
		v_iv := p_value::interval;
	EXCEPTION WHEN others THEN
		v_iv := NULL;
	END;
	IF v_iv IS NULL OR v_iv <= interval '0' OR v_iv > interval '366 days' THEN
		RAISE EXCEPTION '% must be a positive duration of at most a year, not "%"', p_name, left(p_value, 40)
			USING ERRCODE = '22023', HINT = 'e.g. ''2 hours'', ''7 days''';
	END IF;
END
$$;

-- Is this a password hash landformd writes (libsodium's Argon2id string)?
CREATE OR REPLACE FUNCTION landform._password_hash_ok(p_hash text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(p_hash ~ '^\$argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$'
	                AND length(p_hash) < 128, false)
$$;

-- The key a login attempt is counted under: what was typed, trimmed and lower-cased.
CREATE OR REPLACE FUNCTION landform._login_key(p_login text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT left(lower(btrim(coalesce(p_login, ''))), 100)
$$;

-- The address an attempt is counted under: IPv4 as is, IPv6 by its /64 (one subscriber).
CREATE OR REPLACE FUNCTION landform._addr_key(p_addr inet) RETURNS inet
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN family(p_addr) = 6 THEN network(set_masklen(p_addr, 64))::inet
	            ELSE host(p_addr)::inet END
$$;

-- {"status":"invalid","code":...,"field":...,"message":...}: every refusal of a value carries a
-- stable code that landformd maps to the reader's language (landing/_staff/text.json "err_<code>",
-- checked by tests/refusal-codes); message is for people reading SQL, not shown by the portal.
DROP FUNCTION IF EXISTS landform._invalid(text, text);
CREATE OR REPLACE FUNCTION landform._invalid(p_code text, p_field text, p_message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('status', 'invalid', 'code', p_code, 'field', p_field, 'message', p_message)
$$;

-- A new invitation for a member: earlier unused ones stop working. Returns the link.
CREATE OR REPLACE FUNCTION landform._invite(p_staff bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_token text := landform._new_token();
BEGIN
	UPDATE landform.staff_invitations SET expires_at = now()
	WHERE staff_id = p_staff AND used_at IS NULL AND expires_at > now();
	INSERT INTO landform.staff_invitations (token_hash, staff_id, created_by, expires_at)
	VALUES (landform._token_hash(v_token), p_staff, landform.actor(),
	        now() + landform._setting_interval('invitation_ttl', '72 hours'));
	RETURN rtrim(coalesce(landform.setting('public_url'), ''), '/') || '/staff/invite/' || v_token;
END
$$;

-- A member's sessions end and unused invitations stop working (password changed, or asked).
CREATE OR REPLACE FUNCTION landform._end_access(p_staff bigint, p_keep_session bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer;
BEGIN
	UPDATE landform.staff_invitations SET expires_at = now()
	WHERE staff_id = p_staff AND used_at IS NULL AND expires_at > now();
	DELETE FROM landform.staff_sessions
	WHERE staff_id = p_staff AND id IS DISTINCT FROM p_keep_session;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Deactivating a member (landform.deactivate_staff) ends their sessions and invitations, so
-- reactivating them later brings nothing old back.
CREATE OR REPLACE FUNCTION landform._staff_deactivated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM landform._end_access(NEW.id);
	RETURN NULL;
END
$$;

-- May the member the portal acts for see this lead? The leads they hold (offered or accepted)
-- and the open pool of the pools they are members of, nothing else. landform.staff_id and
-- landform.pools are set for the transaction by _portal_enter. The one rule: the row-level
-- security policy on leads (90_security.sql), the portal views and read functions all use it.
-- Plain SQL without SET clauses, so the planner inlines it; NULL (not seen) when nothing is set;
-- written so that, inlined, the owner index and the open-pool partial index serve it (a
-- coalesce around either side made a seq scan of leads under every assignment read).
CREATE OR REPLACE FUNCTION landform.portal_may_see(p_owner bigint, p_state text, p_pool bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_owner = nullif(current_setting('landform.staff_id', true), '')::bigint
	    OR (p_state = 'open' AND p_pool = ANY (nullif(current_setting('landform.pools', true), '')::bigint[]))
$$;

-- Is a session still valid: used within the idle timeout and younger than the absolute one.
-- The one rule for the portal's entry, the staff_access view and the housekeeping delete.
-- Plain SQL, so it inlines into their scans.
CREATE OR REPLACE FUNCTION landform._session_live(p_last_seen timestamptz, p_created_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_last_seen > now() - landform._setting_interval('session_idle', '2 hours')
	   AND p_created_at > now() - landform._setting_interval('session_absolute', '7 days')
$$;

-- Check a session (and its CSRF token when p_need_csrf), touch it for idle expiry, and set
-- landform.staff_id, landform.pools and landform.actor for the rest of the transaction. Returns
-- {status:"ok", me, csrf, pools, time_zone} or {status:"unauthenticated"|"csrf"}.
-- SECURITY DEFINER: the read functions call it as landform_app, which cannot read sessions.
CREATE OR REPLACE FUNCTION landform._portal_enter(p_session text, p_csrf text DEFAULT NULL,
	p_need_csrf boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v record;
BEGIN
	IF p_session IS NULL OR p_session !~ '^[0-9a-f]{64}$' THEN
		RETURN jsonb_build_object('status', 'unauthenticated');
	END IF;
	SELECT ss.id AS session_id, ss.csrf, ss.last_seen, s.id, s.login, s.display_name, s.is_admin
	INTO v
	FROM landform.staff_sessions ss
	JOIN landform.staff s ON s.id = ss.staff_id AND s.active
	WHERE ss.token_hash = landform._token_hash(p_session)
	  AND landform._session_live(ss.last_seen, ss.created_at);
	IF NOT FOUND THEN
		RETURN jsonb_build_object('status', 'unauthenticated');
	END IF;
	IF p_need_csrf AND p_csrf IS DISTINCT FROM v.csrf THEN
		RETURN jsonb_build_object('status', 'csrf');
	END IF;
	-- A minute's precision is plenty for an idle timeout of hours, and spares a write per page.
	IF v.last_seen < now() - interval '1 minute' THEN
		UPDATE landform.staff_sessions SET last_seen = now() WHERE id = v.session_id;
	END IF;
	PERFORM set_config('landform.staff_id', v.id::text, true);
	PERFORM set_config('landform.pools', coalesce((SELECT array_agg(m.pool_id ORDER BY m.pool_id)
	                                               FROM landform.pool_members m WHERE m.staff_id = v.id),
	                                              '{}')::text, true);
	PERFORM set_config('landform.actor', 'staff:' || v.login, true);
	-- Times the portal shows are in the business's zone, not the server's.
	PERFORM set_config('TimeZone', landform.setting('time_zone'), true);
	RETURN jsonb_build_object(
		'status', 'ok',
		'me', jsonb_build_object('id', v.id, 'login', v.login, 'display_name', v.display_name,
		                         'is_admin', v.is_admin),
		'csrf', v.csrf,
		'pools', (SELECT coalesce(jsonb_agg(m.pool_id ORDER BY m.pool_id), '[]')
		          FROM landform.pool_members m WHERE m.staff_id = v.id),
		'time_zone', landform.setting('time_zone'));
END
$$;

-- Why a member can no longer act on a lead that is not theirs (or open) now: lost_race when
-- they held it (or, for a claim, it was in the open pool), with what happened; otherwise
-- not_found, exactly as for a lead they never saw.
CREATE OR REPLACE FUNCTION landform._portal_gone(p_lead bigint, p_staff bigint, p_claim boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_outcome text;
BEGIN
	-- A claim lost to someone else's: the lead was in the open pool after one's own last turn.
	IF p_claim THEN
		SELECT 'claimed' INTO v_outcome FROM landform.assignments a
		WHERE a.lead_id = p_lead AND a.staff_id IS NULL
		  AND a.id > coalesce((SELECT max(b.id) FROM landform.assignments b
		                       WHERE b.lead_id = p_lead AND b.staff_id = p_staff), 0)
		LIMIT 1;
	END IF;
	IF v_outcome IS NULL THEN
		SELECT CASE WHEN a.closed_at IS NULL AND a.accepted_at IS NULL AND a.deadline <= now()
		            THEN 'expired' ELSE coalesce(a.outcome, 'taken') END
		INTO v_outcome FROM landform.assignments a
		WHERE a.lead_id = p_lead AND a.staff_id = p_staff
		ORDER BY a.id DESC LIMIT 1;
	END IF;
	IF v_outcome IS NULL THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	RETURN jsonb_build_object('status', 'lost_race', 'reason', v_outcome,
		'message', CASE v_outcome
			WHEN 'expired' THEN 'The time to accept this lead ran out; it went to someone else.'
			WHEN 'reassigned' THEN 'An admin gave this lead to someone else.'
			WHEN 'reclaimed' THEN 'This lead was taken back (off duty or left the pool).'
			WHEN 'released' THEN 'This lead was released to the open pool.'
			WHEN 'claimed' THEN 'Someone else claimed this lead first.'
			ELSE 'This lead is no longer yours.' END);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Admin SQL: staff accounts and access

-- New staff member (on duty, in no pool yet). Returns the one-time invitation link where they
-- set their password: <public_url>/staff/invite/<token>, valid for setting invitation_ttl.
CREATE OR REPLACE FUNCTION landform.add_staff(p_login text, p_display_name text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN landform._invite(landform._add_staff(p_login, p_display_name));
END
$$;

-- A new invitation link for a member (lost link, expired, forgotten password). Earlier links
-- stop working; the password and sessions stay until the new link is used.
CREATE OR REPLACE FUNCTION landform.invite(p_login text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._staff_id(p_login);
BEGIN
	IF NOT (SELECT active FROM landform.staff WHERE id = v_staff) THEN
		RAISE EXCEPTION 'staff "%" is deactivated', p_login
			USING ERRCODE = '55000', HINT = 'SELECT landform.activate_staff(''' || p_login || ''') first';
	END IF;
	RETURN landform._invite(v_staff);
END
$$;

-- Set a member's password hash (what `landformd passwd LOGIN` calls). Their sessions end and
-- unused invitations stop working.
CREATE OR REPLACE FUNCTION landform.set_password(p_login text, p_hash text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_staff bigint := landform._staff_id(p_login);
BEGIN
	IF NOT landform._password_hash_ok(p_hash) THEN
		RAISE EXCEPTION 'not an Argon2id password hash'
			USING ERRCODE = '22023', HINT = 'use landformd passwd ' || p_login || ', which hashes the password';
	END IF;
	UPDATE landform.staff SET password_hash = p_hash WHERE id = v_staff;
	PERFORM landform._end_access(v_staff);
END
$$;

-- Log a member out everywhere. Returns how many sessions ended.
CREATE OR REPLACE FUNCTION landform.end_sessions(p_login text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer;
BEGIN
	DELETE FROM landform.staff_sessions WHERE staff_id = landform._staff_id(p_login);
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Give or take the portal's admin flag (shown as me.is_admin).
CREATE OR REPLACE FUNCTION landform.set_admin(p_login text, p_admin boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM landform._need(p_admin, 'admin (true or false)');
	UPDATE landform.staff SET is_admin = p_admin WHERE id = landform._staff_id(p_login);
END
$$;

-- Who can log in: password set, live sessions, pending invitation.
DROP VIEW IF EXISTS landform.staff_access;
CREATE VIEW landform.staff_access AS
SELECT s.login, s.display_name, s.active, s.is_admin, s.password_hash IS NOT NULL AS has_password,
       (SELECT count(*) FROM landform.staff_sessions ss
        WHERE ss.staff_id = s.id AND landform._session_live(ss.last_seen, ss.created_at))
           AS sessions,
       (SELECT max(ss.last_seen) FROM landform.staff_sessions ss WHERE ss.staff_id = s.id) AS last_seen,
       (SELECT max(i.expires_at) FROM landform.staff_invitations i
        WHERE i.staff_id = s.id AND i.used_at IS NULL AND i.expires_at > now()) AS invitation_until
FROM landform.staff s;

-- ---------------------------------------------------------------------------------------
-- Login, invitations, logout (SECURITY DEFINER: landform_app has no access to these tables)

-- Seconds until one more login attempt is allowed (0: now). Per login: 5 failures in 15
-- minutes since the last success; per address: 20 failures in 15 minutes. Attempts still
-- being checked count as failures.
CREATE OR REPLACE FUNCTION landform._login_retry_after(p_login text, p_addr inet) RETURNS integer
LANGUAGE sql STABLE AS $$
	WITH win AS (
		SELECT now() - interval '15 minutes' AS since
	), last_ok AS (
		SELECT greatest(win.since, (SELECT max(a.at) FROM landform.login_attempts a
		                            WHERE a.login = p_login AND a.ok AND a.at > win.since)) AS since
		FROM win
	), by_login AS (
		SELECT a.at FROM landform.login_attempts a, last_ok
		WHERE a.login = p_login AND a.at > last_ok.since AND a.ok IS NOT TRUE
		ORDER BY a.at DESC OFFSET 4 LIMIT 1
	), by_addr AS (
		SELECT a.at FROM landform.login_attempts a, win
		WHERE p_addr IS NOT NULL AND a.client_addr = p_addr AND a.at > win.since AND a.ok IS NOT TRUE
		ORDER BY a.at DESC OFFSET 19 LIMIT 1
	)
	SELECT greatest(0,
		(SELECT ceil(extract(epoch FROM at + interval '15 minutes' - now()))::integer FROM by_login),
		(SELECT ceil(extract(epoch FROM at + interval '15 minutes' - now()))::integer FROM by_addr),
		0)
$$;

-- First half of a login: refuse when rate-limited, record the attempt, and hand back the
-- member's hash for landformd to verify. An unknown, deactivated or password-less login gets
-- {status:"ok"} without a hash (landformd then checks a dummy hash), so neither the answer nor
-- the limits tell whether it exists.
CREATE OR REPLACE FUNCTION landform.portal_login_begin(p_login text, p_addr inet)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_login text := landform._login_key(p_login);
	v_addr inet := landform._addr_key(p_addr);
	v_retry integer;
	v_staff record;
BEGIN
	-- 'LFLL' / 'LFLA': one check at a time per login and per address, so parallel guesses
	-- queue behind each other's recorded attempts. Always login first, then address.
	PERFORM pg_advisory_xact_lock(1279675468, hashtext(v_login));
	IF v_addr IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(1279675457, hashtext(v_addr::text));
	END IF;
	v_retry := landform._login_retry_after(v_login, v_addr);
	IF v_retry > 0 THEN
		RETURN jsonb_build_object('status', 'rate_limited', 'retry_after', v_retry);
	END IF;
	INSERT INTO landform.login_attempts (login, client_addr) VALUES (v_login, v_addr);
	SELECT s.id, s.password_hash INTO v_staff FROM landform.staff s
	WHERE s.login = v_login AND s.active AND s.password_hash IS NOT NULL;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('status', 'ok');
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'staff_id', v_staff.id,
	                          'password_hash', v_staff.password_hash);
END
$$;

-- Second half: p_staff is the member whose hash matched, NULL when the password was wrong.
-- Records the outcome; on success stores a rehash if given and opens the session (a new token
-- every login). {status:"ok"}, or "unauthenticated" for a failed login, "invalid" for bad tokens.
CREATE OR REPLACE FUNCTION landform.portal_login_finish(p_login text, p_addr inet, p_staff bigint,
	p_session_token text, p_csrf text, p_user_agent text, p_new_hash text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_login text := landform._login_key(p_login);
	v_addr inet := landform._addr_key(p_addr);
	v_ok boolean;
	v_attempt bigint;
BEGIN
	v_ok := p_staff IS NOT NULL AND EXISTS (
		SELECT 1 FROM landform.staff s
		WHERE s.id = p_staff AND s.login = v_login AND s.active AND s.password_hash IS NOT NULL);
	IF v_ok AND (p_session_token IS NULL OR p_session_token !~ '^[0-9a-f]{64}$') THEN
		RETURN landform._invalid('session_format', 'session', 'session token must be 64 lower-case hex characters');
	END IF;
	IF v_ok AND (p_csrf IS NULL OR length(p_csrf) NOT BETWEEN 16 AND 200) THEN
		RETURN landform._invalid('csrf_format', 'csrf', 'CSRF token must be 16-200 characters');
	END IF;
	IF v_ok AND p_new_hash IS NOT NULL AND NOT landform._password_hash_ok(p_new_hash) THEN
		RETURN landform._invalid('password_hash_format', 'password_hash', 'not an Argon2id password hash');
	END IF;

	SELECT a.id INTO v_attempt FROM landform.login_attempts a
	WHERE a.login = v_login AND a.client_addr IS NOT DISTINCT FROM v_addr AND a.ok IS NULL
	  AND a.at > now() - interval '15 minutes'
	ORDER BY a.id DESC LIMIT 1
	FOR UPDATE;
	IF FOUND THEN
		UPDATE landform.login_attempts SET ok = v_ok WHERE id = v_attempt;
	ELSE
		INSERT INTO landform.login_attempts (login, client_addr, ok) VALUES (v_login, v_addr, v_ok);
	END IF;
	-- Housekeeping while we are here: old attempts and dead sessions.
	DELETE FROM landform.login_attempts WHERE at < now() - interval '1 day';
	DELETE FROM landform.staff_sessions WHERE NOT landform._session_live(last_seen, created_at);
	IF NOT v_ok THEN
		RETURN jsonb_build_object('status', 'unauthenticated');
	END IF;

	IF p_new_hash IS NOT NULL THEN
		UPDATE landform.staff SET password_hash = p_new_hash WHERE id = p_staff;
	END IF;
	INSERT INTO landform.staff_sessions (token_hash, staff_id, csrf, client_addr, user_agent)
	VALUES (landform._token_hash(p_session_token), p_staff, p_csrf, p_addr, left(p_user_agent, 500));
	RETURN jsonb_build_object('status', 'ok');
END
$$;

-- Is this invitation link good (unknown, used, expired and deactivated all say not_found)?
CREATE OR REPLACE FUNCTION landform.portal_invitation(p_token text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v record;
BEGIN
	IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	SELECT s.login, s.display_name INTO v
	FROM landform.staff_invitations i JOIN landform.staff s ON s.id = i.staff_id AND s.active
	WHERE i.token_hash = landform._token_hash(p_token) AND i.used_at IS NULL AND i.expires_at > now();
	IF NOT FOUND THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'login', v.login, 'display_name', v.display_name);
END
$$;

-- Use an invitation: set the password, burn the link, end other sessions, open this one.
-- Two tabs racing with the same link: one wins, the other gets not_found.
CREATE OR REPLACE FUNCTION landform.portal_accept_invitation(p_token text, p_password_hash text,
	p_session_token text, p_csrf text, p_addr inet, p_user_agent text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_staff bigint;
BEGIN
	IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	IF NOT landform._password_hash_ok(p_password_hash) THEN
		RETURN landform._invalid('password_hash_format', 'password_hash', 'not an Argon2id password hash');
	END IF;
	IF p_session_token IS NULL OR p_session_token !~ '^[0-9a-f]{64}$' THEN
		RETURN landform._invalid('session_format', 'session', 'session token must be 64 lower-case hex characters');
	END IF;
	IF p_csrf IS NULL OR length(p_csrf) NOT BETWEEN 16 AND 200 THEN
		RETURN landform._invalid('csrf_format', 'csrf', 'CSRF token must be 16-200 characters');
	END IF;
	UPDATE landform.staff_invitations i SET used_at = now()
	WHERE i.token_hash = landform._token_hash(p_token) AND i.used_at IS NULL AND i.expires_at > now()
	  AND EXISTS (SELECT 1 FROM landform.staff s WHERE s.id = i.staff_id AND s.active)
	RETURNING i.staff_id INTO v_staff;
	IF v_staff IS NULL THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	UPDATE landform.staff SET password_hash = p_password_hash WHERE id = v_staff;
	PERFORM landform._end_access(v_staff);
	INSERT INTO landform.staff_sessions (token_hash, staff_id, csrf, client_addr, user_agent)
	VALUES (landform._token_hash(p_session_token), v_staff, p_csrf, p_addr, left(p_user_agent, 500));
	RETURN jsonb_build_object('status', 'ok');
END
$$;

-- Real logout: the session row goes (a CSRF token is needed, so no one logs you out from
-- another site).
CREATE OR REPLACE FUNCTION landform.portal_logout(p_session text, p_csrf text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, p_csrf, true);
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	DELETE FROM landform.staff_sessions WHERE token_hash = landform._token_hash(p_session);
	RETURN jsonb_build_object('status', 'ok');
END
$$;

-- ---------------------------------------------------------------------------------------
-- What landform_app reads. Phones and submitted fields are not granted on the tables: these
-- two views (run as their owner, security barriers) show them to the member the portal acts
-- for, in full only for leads they have accepted, masked (sql/code/15_mask.sql: 138****5678,
-- a***@example.com, 微信 ***) for offers and the open pool of their pools. Read them one lead
-- (submission) at a time, as a scalar subquery (SELECT phone ... WHERE lead_id = l.id): that
-- reaches the primary key through the barrier; a join (LATERAL too, which the planner
-- flattens) reads every visible lead, or rescans them for each row.

DROP VIEW IF EXISTS landform.portal_phones, landform.portal_submission_fields;

CREATE VIEW landform.portal_phones WITH (security_barrier) AS
SELECT l.id AS lead_id,
       CASE WHEN l.state = 'owned' THEN l.phone ELSE landform.mask_phone(l.phone) END AS phone,
       l.state = 'owned' AS full_phone
FROM landform.leads l
WHERE landform.portal_may_see(l.owner_id, l.state, l.pool_id);

CREATE VIEW landform.portal_submission_fields WITH (security_barrier) AS
SELECT s.id AS submission_id, s.lead_id,
       CASE WHEN l.state = 'owned' THEN s.fields ELSE landform.mask_fields(s.fields) END AS fields
FROM landform.submissions s
JOIN landform.leads l ON l.id = s.lead_id
WHERE landform.portal_may_see(l.owner_id, l.state, l.pool_id);

-- ---------------------------------------------------------------------------------------
-- Pages (SECURITY INVOKER: row-level security decides what they see)

-- "My leads": offers waiting for accept (most urgent first), owned leads by stage with
-- filters {stage, tag, tags, segment, channel, page, from, to, q, limit, offset} (tag and
-- tags: the leads carry every one of them; segment: a saved segment's name, of my own leads
-- only; q: digits = phone tail, else a name substring; from/to: days of first contact in the
-- time_zone setting; limit default 50, at most 500; the answer says which: limit, offset), the
-- filter choices (segments among them), and reminders (stage dwell passed, unanswered
-- consultations). Also mine_total: owned leads matching the filters.
CREATE OR REPLACE FUNCTION landform.portal_home(p_session text, p_filters jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_f jsonb := coalesce(p_filters, '{}');
	v_me bigint;
	v_tz text;
	v_stage bigint;
	v_tag text;
	v_tags text[];
	v_segment text;
	v_seg_ids bigint[];
	v_channel text;
	v_page text;
	v_from timestamptz;
	v_to timestamptz;
	v_q text;
	v_like text;
	v_digits text;
	v_limit integer := 50;
	v_offset integer := 0;
	v_waiting jsonb;
	v_mine jsonb;
	v_total bigint;
	v_choices jsonb;
	v_reminders jsonb;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;
	v_tz := v_ctx->>'time_zone';

	IF jsonb_typeof(v_f) <> 'object' THEN
		RETURN landform._invalid('filters_object', 'filters', 'filters must be a JSON object');
	END IF;
	IF nullif(v_f->>'stage', '') IS NOT NULL THEN
		IF v_f->>'stage' !~ '^[0-9]{1,18}$' THEN
			RETURN landform._invalid('stage_id', 'stage', 'stage is a stage id');
		END IF;
		v_stage := (v_f->>'stage')::bigint;
	END IF;
	v_tag := nullif(btrim(v_f->>'tag'), '');
	v_tags := landform._portal_filter_tags(v_f->'tags', v_tag);
	IF v_tags IS NULL THEN
		RETURN landform._invalid('tags_filter', 'tags', 'tags is a list of at most 20 tags of 1-64 characters');
	END IF;
	v_segment := nullif(btrim(v_f->>'segment'), '');
	IF v_segment IS NOT NULL THEN
		v_seg_ids := landform._portal_segment_leads(v_segment);
		IF v_seg_ids IS NULL THEN
			RETURN landform._invalid('segment_unknown', 'segment', 'no such segment');
		END IF;
	END IF;
	v_channel := nullif(btrim(v_f->>'channel'), '');
	v_page := nullif(btrim(v_f->>'page'), '');
	IF nullif(v_f->>'from', '') IS NOT NULL THEN
		BEGIN
			v_from := (v_f->>'from')::date::timestamp AT TIME ZONE v_tz;
		EXCEPTION WHEN others THEN
			v_from := NULL;
		END;
		IF v_from IS NULL OR v_f->>'from' !~ '^\d{4}-\d{2}-\d{2}$' THEN
			RETURN landform._invalid('date', 'from', 'from is a date, YYYY-MM-DD');
		END IF;
	END IF;
	IF nullif(v_f->>'to', '') IS NOT NULL THEN
		BEGIN
			v_to := ((v_f->>'to')::date + 1)::timestamp AT TIME ZONE v_tz;
		EXCEPTION WHEN others THEN
			v_to := NULL;
		END;
		IF v_to IS NULL OR v_f->>'to' !~ '^\d{4}-\d{2}-\d{2}$' THEN
			RETURN landform._invalid('date', 'to', 'to is a date, YYYY-MM-DD');
		END IF;
	END IF;
	v_q := nullif(btrim(left(v_f->>'q', 100)), '');
	IF v_q IS NOT NULL THEN
		v_like := '%' || replace(replace(replace(v_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
		IF regexp_replace(v_q, '[\s-]', '', 'g') ~ '^[0-9]{3,15}$' THEN
			v_digits := regexp_replace(v_q, '[\s-]', '', 'g');
		END IF;
	END IF;
	IF nullif(v_f->>'limit', '') IS NOT NULL THEN
		IF v_f->>'limit' !~ '^[0-9]{1,4}$' OR (v_f->>'limit')::integer NOT BETWEEN 1 AND 500 THEN
			RETURN landform._invalid('limit_range', 'limit', 'limit is 1-500');
		END IF;
		v_limit := (v_f->>'limit')::integer;
	END IF;
	IF nullif(v_f->>'offset', '') IS NOT NULL THEN
		IF v_f->>'offset' !~ '^[0-9]{1,9}$' THEN
			RETURN landform._invalid('offset_range', 'offset', 'offset is a number');
		END IF;
		v_offset := (v_f->>'offset')::integer;
	END IF;

	-- Offers, most urgent first (past their deadline they are the dispatcher's again).
	SELECT coalesce(jsonb_agg(w ORDER BY w.deadline, w.assignment_id), '[]') INTO v_waiting
	FROM (
		SELECT a.lead_id, a.id AS assignment_id, l.name,
		       (SELECT ph.phone FROM landform.portal_phones ph WHERE ph.lead_id = l.id) AS phone_masked, a.deadline,
		       floor(extract(epoch FROM a.deadline - now()))::bigint AS seconds_left,
		       pg.slug AS page, pg.title AS page_title, c.code AS channel, l.first_seen,
		       a.assigned_at
		FROM landform.assignments a
		JOIN landform.leads l ON l.id = a.lead_id
		LEFT JOIN landform.pages pg ON pg.id = l.page_id
		LEFT JOIN landform.channels c ON c.id = l.channel_id
		WHERE a.staff_id = v_me AND a.closed_at IS NULL AND a.accepted_at IS NULL
		  AND a.deadline > now() AND l.state = 'pending'
	) w;

	-- Accepted leads, by stage, then most recently active.
	SELECT coalesce(jsonb_agg(to_jsonb(m) - 'pos' - 'total'
	                          ORDER BY m.pos, m.last_seen DESC, m.lead_id), '[]'),
	       coalesce(max(m.total), 0)
	INTO v_mine, v_total
	FROM (
		SELECT l.id AS lead_id, l.name,
		       (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id) AS phone,
		       l.stage_id, st.name AS stage, st.position AS pos,
		       l.stage_since, l.tags, c.code AS channel, pg.slug AS page, pg.title AS page_title,
		       l.first_seen, l.last_seen, l.first_contact_at, count(*) OVER () AS total
		FROM landform.leads l
		JOIN landform.stages st ON st.id = l.stage_id
		LEFT JOIN landform.pages pg ON pg.id = l.page_id
		LEFT JOIN landform.channels c ON c.id = l.channel_id
		WHERE l.owner_id = v_me AND l.state = 'owned'
		  AND (v_stage IS NULL OR l.stage_id = v_stage)
		  AND (cardinality(v_tags) = 0 OR l.tags @> v_tags)
		  AND (v_segment IS NULL OR l.id = ANY (v_seg_ids))
		  AND (v_channel IS NULL OR c.code = v_channel)
		  AND (v_page IS NULL OR pg.slug = v_page)
		  AND (v_from IS NULL OR l.first_seen >= v_from)
		  AND (v_to IS NULL OR l.first_seen < v_to)
		  AND (v_q IS NULL OR l.name ILIKE v_like
		       OR (v_digits IS NOT NULL AND (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id)
		                                    LIKE '%' || v_digits))
		ORDER BY st.position, l.last_seen DESC, l.id
		LIMIT v_limit OFFSET v_offset
	) m;

	-- What the filters can choose from: stages, and the tags, channels, pages of my leads.
	SELECT jsonb_build_object(
		'stages', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name,
		                                                        'is_final', st.is_final)
		                                     ORDER BY st.position), '[]')
		           FROM landform.stages st),
		'tags', (SELECT coalesce(jsonb_agg(DISTINCT t.tag ORDER BY t.tag), '[]')
		         FROM landform.leads l, unnest(l.tags) AS t(tag)
		         WHERE l.owner_id = v_me AND l.state = 'owned'),
		'channels', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name)
		                                       ORDER BY c.code), '[]')
		             FROM landform.channels c
		             WHERE c.id IN (SELECT l.channel_id FROM landform.leads l
		                            WHERE l.owner_id = v_me AND l.state = 'owned')),
		'pages', (SELECT coalesce(jsonb_agg(jsonb_build_object('slug', pg.slug, 'title', pg.title)
		                                    ORDER BY pg.slug), '[]')
		          FROM landform.pages pg
		          WHERE pg.id IN (SELECT l.page_id FROM landform.leads l
		                          WHERE l.owner_id = v_me AND l.state = 'owned')))
	INTO v_choices;

	SELECT coalesce(jsonb_agg(r ORDER BY r.due, r.lead_id), '[]') INTO v_reminders
	FROM (
		SELECT * FROM (
			SELECT 'stage' AS kind, l.id AS lead_id, l.name, st.name AS stage,
			       l.stage_since + st.dwell AS due, NULL::bigint AS consultation_id
			FROM landform.leads l JOIN landform.stages st ON st.id = l.stage_id
			WHERE l.owner_id = v_me AND l.state = 'owned' AND st.dwell IS NOT NULL
			  AND l.stage_since + st.dwell <= now()
			UNION ALL
			SELECT 'consultation', l.id, l.name, NULL, q.created_at, q.id
			FROM landform.consultations q JOIN landform.leads l ON l.id = q.lead_id
			WHERE l.owner_id = v_me AND l.state = 'owned' AND q.answered_at IS NULL
		) x
		ORDER BY x.due, x.lead_id
		LIMIT 200
	) r;

	IF v_total = 0 AND v_offset > 0 THEN
		SELECT count(*) INTO v_total FROM landform.leads l WHERE l.owner_id = v_me AND l.state = 'owned';
	END IF;

	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf',
		'now', now(), 'waiting', v_waiting, 'mine', v_mine, 'mine_total', v_total,
		'limit', v_limit, 'offset', v_offset,
		'reminders', v_reminders) || v_choices || jsonb_build_object('segments', landform._portal_segments());
END
$$;

-- One lead as the member may see it (not_found otherwise, whatever the id): contact details
-- (in full only once accepted: phone, fields, questions, notes masked before), every submission and consultation, the assignment
-- history, notes, and the stages to choose from.
CREATE OR REPLACE FUNCTION landform.portal_lead(p_session text, p_lead bigint)
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_me bigint;
	v_lead jsonb;
	v_pool bigint;
	v_full boolean;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;

	SELECT jsonb_build_object(
		'id', l.id, 'name', l.name,
		'phone', (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id),
		'full_phone', (SELECT p.full_phone FROM landform.portal_phones p WHERE p.lead_id = l.id),
		'state', l.state, 'mine', l.owner_id IS NOT DISTINCT FROM v_me,
		'stage_id', l.stage_id, 'stage', st.name, 'stage_since', l.stage_since, 'tags', l.tags,
		'tag_sources', landform._portal_lead_tags(l.id), -- sql/code/45_tags.sql
		'first_seen', l.first_seen, 'last_seen', l.last_seen,
		'first_contact_at', l.first_contact_at,
		'page', pg.slug, 'page_title', pg.title, 'channel', c.code,
		'assignment_id', a.id, 'deadline', CASE WHEN a.accepted_at IS NULL THEN a.deadline END,
		'seconds_left', CASE WHEN a.accepted_at IS NULL AND a.deadline IS NOT NULL
		                     THEN floor(extract(epoch FROM a.deadline - now()))::bigint END,
		'accepted_at', a.accepted_at,
		'open_since', CASE WHEN l.state = 'open' THEN o.assigned_at END,
		'can_claim', l.state = 'open' AND v_ctx->'pools' @> to_jsonb(l.pool_id)),
	       l.pool_id, l.state = 'owned' AND l.owner_id = v_me
	INTO v_lead, v_pool, v_full
	FROM landform.leads l
	JOIN landform.stages st ON st.id = l.stage_id
	LEFT JOIN landform.pages pg ON pg.id = l.page_id
	LEFT JOIN landform.channels c ON c.id = l.channel_id
	LEFT JOIN landform.assignments a ON a.lead_id = l.id AND a.closed_at IS NULL AND a.staff_id = v_me
	LEFT JOIN landform.assignments o ON o.lead_id = l.id AND o.closed_at IS NULL AND o.staff_id IS NULL
	-- Row-level security already limits this for landform_app; said again so that a
	-- connection where it does not bind (the owner, a superuser) cannot show another's lead.
	WHERE l.id = p_lead AND landform.portal_may_see(l.owner_id, l.state, l.pool_id);
	IF v_lead IS NULL THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;

	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf', 'now', now(),
		'lead', v_lead,
		'submissions', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'at', s.created_at,
				'page', pg.slug, 'page_title', pg.title, 'channel', c.code, 'name', s.name,
				'fields', (SELECT f.fields FROM landform.portal_submission_fields f WHERE f.submission_id = s.id))
				ORDER BY s.created_at DESC, s.id DESC), '[]')
			FROM landform.submissions s
			LEFT JOIN landform.pages pg ON pg.id = s.page_id
			LEFT JOIN landform.channels c ON c.id = s.channel_id
			WHERE s.lead_id = p_lead),
		'consultations', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', q.id, 'at', q.created_at,
				'question', CASE WHEN v_full THEN q.question ELSE landform.mask_contact(q.question) END,
				'page', pg.slug, 'submission_id', q.submission_id,
				'answered_at', q.answered_at, 'answered_by', st.display_name)
				ORDER BY q.created_at DESC, q.id DESC), '[]')
			FROM landform.consultations q
			LEFT JOIN landform.pages pg ON pg.id = q.page_id
			LEFT JOIN landform.staff st ON st.id = q.answered_by
			WHERE q.lead_id = p_lead),
		'history', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'at', a.assigned_at,
				'staff', st.display_name, 'mine', a.staff_id IS NOT DISTINCT FROM v_me,
				'via', a.via, 'deadline', a.deadline, 'accepted_at', a.accepted_at,
				'outcome', a.outcome, 'closed_at', a.closed_at, 'by', a.closed_by,
				'note', CASE WHEN v_full THEN a.note ELSE landform.mask_contact(a.note) END)
				ORDER BY a.id), '[]')
			FROM landform.assignments a
			LEFT JOIN landform.staff st ON st.id = a.staff_id
			WHERE a.lead_id = p_lead),
		'notes', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', n.id, 'at', n.created_at,
				'staff', st.display_name, 'mine', n.staff_id IS NOT DISTINCT FROM v_me,
				'body', CASE WHEN v_full THEN n.body ELSE landform.mask_contact(n.body) END)
				ORDER BY n.created_at DESC, n.id DESC), '[]')
			FROM landform.notes n
			LEFT JOIN landform.staff st ON st.id = n.staff_id
			WHERE n.lead_id = p_lead),
		'stages', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name,
			                                             'is_final', st.is_final) ORDER BY st.position), '[]')
			FROM landform.stages st));
END
$$;

-- The open pool (公海) of the member's pools, longest waiting first (at most 500).
CREATE OR REPLACE FUNCTION landform.portal_pool(p_session text) RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_pools bigint[];
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_pools := ARRAY(SELECT jsonb_array_elements_text(v_ctx->'pools')::bigint);
	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf', 'now', now(),
		'leads', (
			SELECT coalesce(jsonb_agg(p ORDER BY p.waiting_since, p.lead_id), '[]') FROM (
				SELECT l.id AS lead_id, l.name,
				       (SELECT ph.phone FROM landform.portal_phones ph WHERE ph.lead_id = l.id) AS phone_masked,
				       a.assigned_at AS waiting_since,
				       floor(extract(epoch FROM now() - a.assigned_at))::bigint AS seconds_waiting,
				       pg.slug AS page, pg.title AS page_title, c.code AS channel, l.tags,
				       l.first_seen, l.last_seen
				-- The oldest 500 of each pool straight from the index, then the oldest 500 of those.
				FROM unnest(v_pools) AS mp(pool_id)
				CROSS JOIN LATERAL (
					SELECT a.lead_id, a.assigned_at FROM landform.assignments a
					WHERE a.pool_id = mp.pool_id AND a.closed_at IS NULL AND a.staff_id IS NULL
					ORDER BY a.assigned_at, a.lead_id
					LIMIT 500) a
				JOIN landform.leads l ON l.id = a.lead_id
				LEFT JOIN landform.pages pg ON pg.id = l.page_id
				LEFT JOIN landform.channels c ON c.id = l.channel_id
				WHERE l.state = 'open'
				ORDER BY a.assigned_at, a.lead_id
				LIMIT 500
			) p));
END
$$;

-- ---------------------------------------------------------------------------------------
-- Actions (SECURITY DEFINER: each checks that the lead is the member's, or open for a claim)

-- One staff action on one lead, one transaction: accept {assignment?}, contacted, stage
-- {stage}, note {body}, tag {add:[...], remove:[...]}, answer {consultation}, release
-- {reason}, claim. {status:"ok", message?} or unauthenticated, csrf, not_found (also for
-- another member's lead), lost_race (with reason: expired, reassigned, reclaimed, released,
-- claimed), invalid {field, message}.
CREATE OR REPLACE FUNCTION landform.portal_action(p_session text, p_csrf text, p_action text,
	p_lead bigint, p_args jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, p_csrf, true);
	v_args jsonb := coalesce(p_args, '{}');
	v_me bigint;
	v_lead landform.leads;
	v_asg landform.assignments;
	v_id bigint;
	v_r text;
	v_text text;
	v_add text[];
	v_remove text[];
	v_tags text[];
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;
	IF jsonb_typeof(v_args) <> 'object' THEN
		RETURN landform._invalid('args_object', 'args', 'arguments must be a JSON object');
	END IF;
	IF p_action IS NULL OR p_action NOT IN ('accept', 'contacted', 'stage', 'note', 'tag', 'answer',
	                                        'release', 'claim') THEN
		RETURN landform._invalid('action_unknown', 'action', 'unknown action');
	END IF;
	IF p_lead IS NULL OR NOT EXISTS (SELECT 1 FROM landform.leads WHERE id = p_lead) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;

	IF p_action = 'accept' THEN
		IF nullif(v_args->>'assignment', '') IS NOT NULL THEN
			IF v_args->>'assignment' !~ '^[0-9]{1,18}$' THEN
				RETURN landform._invalid('assignment_id', 'assignment', 'assignment is an assignment id');
			END IF;
			SELECT * INTO v_asg FROM landform.assignments WHERE id = (v_args->>'assignment')::bigint;
		ELSE
			SELECT * INTO v_asg FROM landform.assignments
			WHERE lead_id = p_lead AND staff_id = v_me AND closed_at IS NULL;
		END IF;
		IF v_asg.id IS NULL OR v_asg.lead_id <> p_lead OR v_asg.staff_id IS DISTINCT FROM v_me THEN
			IF (SELECT owner_id FROM landform.leads WHERE id = p_lead) = v_me THEN
				RETURN landform._invalid('assignment_not_offer', 'assignment', 'not an offer of this lead');
			END IF;
			RETURN landform._portal_gone(p_lead, v_me, false);
		END IF;
		v_r := landform.accept(v_asg.id, v_me);
		IF v_r = 'accepted' THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'accepted');
		ELSIF v_r = 'already_accepted' THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'already accepted');
		END IF;
		RETURN landform._portal_gone(p_lead, v_me, false);
	END IF;

	IF p_action = 'release' THEN
		v_text := btrim(v_args->>'reason');
		IF NOT landform._free_text_ok(v_text, 500) THEN
			RETURN landform._invalid('reason_text', 'reason', 'say why you release this lead (1-500 characters)');
		END IF;
		v_r := landform.staff_release(p_lead, v_me);
		IF v_r <> 'released' THEN
			RETURN landform._portal_gone(p_lead, v_me, false);
		END IF;
		UPDATE landform.assignments SET note = v_text
		WHERE id = (SELECT max(a.id) FROM landform.assignments a
		            WHERE a.lead_id = p_lead AND a.staff_id = v_me AND a.outcome = 'released');
		RETURN jsonb_build_object('status', 'ok', 'message', 'released to the open pool');
	END IF;

	IF p_action = 'claim' THEN
		SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead;
		-- A lead of a pool the member is not in does not exist for them, open or not.
		IF v_lead.owner_id IS DISTINCT FROM v_me
		   AND NOT v_ctx->'pools' @> to_jsonb(v_lead.pool_id) THEN
			RETURN jsonb_build_object('status', 'not_found');
		END IF;
		IF v_lead.owner_id = v_me THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'already yours');
		ELSIF v_lead.state <> 'open' THEN
			RETURN landform._portal_gone(p_lead, v_me, true);
		END IF;
		v_r := landform.staff_claim(p_lead, v_me);
		IF v_r = 'claimed' THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'claimed');
		ELSIF v_r = 'not_member' THEN
			RETURN landform._invalid('claim_not_member', 'lead', 'this lead is in a pool you are not a member of');
		ELSIF v_r = 'over_cap' THEN
			RETURN landform._invalid('claim_over_cap', 'lead', 'you hold as many leads as your cap allows');
		ELSIF v_r = 'inactive' THEN
			RETURN jsonb_build_object('status', 'unauthenticated');
		ELSIF v_r = 'not_open' AND (SELECT owner_id FROM landform.leads WHERE id = p_lead) = v_me THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'already yours');
		END IF;
		RETURN landform._portal_gone(p_lead, v_me, true);
	END IF;

	-- The rest work on an accepted lead of the member's. The row lock keeps an admin's
	-- reassignment from slipping in between the check and the change; one that committed
	-- first makes this find nothing (lost_race).
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead AND owner_id = v_me FOR UPDATE;
	IF NOT FOUND THEN
		RETURN landform._portal_gone(p_lead, v_me, false);
	END IF;
	IF v_lead.state <> 'owned' THEN
		RETURN landform._invalid('lead_not_accepted', 'lead', 'accept the lead first');
	END IF;

	IF p_action = 'contacted' THEN
		UPDATE landform.leads SET first_contact_at = coalesce(first_contact_at, now())
		WHERE id = p_lead;
		RETURN jsonb_build_object('status', 'ok', 'message',
			CASE WHEN v_lead.first_contact_at IS NULL THEN 'first contact recorded'
			     ELSE 'first contact was already recorded' END);

	ELSIF p_action = 'stage' THEN
		IF v_args->>'stage' IS NULL OR v_args->>'stage' !~ '^[0-9]{1,18}$'
		   OR NOT EXISTS (SELECT 1 FROM landform.stages WHERE id = (v_args->>'stage')::bigint) THEN
			RETURN landform._invalid('stage_unknown', 'stage', 'no such stage');
		END IF;
		v_id := (v_args->>'stage')::bigint;
		IF v_id <> v_lead.stage_id THEN
			UPDATE landform.leads SET stage_id = v_id, stage_since = now() WHERE id = p_lead;
		END IF;
		RETURN jsonb_build_object('status', 'ok', 'message', 'stage changed');

	ELSIF p_action = 'note' THEN
		v_text := btrim(v_args->>'body');
		IF NOT landform._free_text_ok(v_text, 2000) THEN
			RETURN landform._invalid('note_text', 'body', 'a note is 1-2000 characters of text');
		END IF;
		INSERT INTO landform.notes (lead_id, staff_id, body) VALUES (p_lead, v_me, v_text);
		RETURN jsonb_build_object('status', 'ok', 'message', 'note added');

	ELSIF p_action = 'tag' THEN
		FOR v_text IN SELECT k FROM unnest(ARRAY['add', 'remove']) AS k LOOP
			IF v_args ? v_text AND jsonb_typeof(v_args->v_text) NOT IN ('array', 'null') THEN
				RETURN landform._invalid('tags_list', v_text, v_text || ' is a list of tags');
			END IF;
			IF EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(nullif(v_args->v_text, 'null'), '[]')) e
			           WHERE jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 32
			              OR e #>> '{}' ~ '[[:cntrl:],，]') THEN
				RETURN landform._invalid('tag_text', v_text, 'a tag is 1-32 characters, without commas');
			END IF;
		END LOOP;
		IF jsonb_array_length(coalesce(nullif(v_args->'add', 'null'), '[]'))
		   + jsonb_array_length(coalesce(nullif(v_args->'remove', 'null'), '[]')) = 0 THEN
			RETURN landform._invalid('tags_empty', 'add', 'name a tag to add or remove');
		END IF;
		v_add := ARRAY(SELECT btrim(e) FROM jsonb_array_elements_text(coalesce(nullif(v_args->'add', 'null'), '[]')) e);
		v_remove := ARRAY(SELECT btrim(e) FROM jsonb_array_elements_text(coalesce(nullif(v_args->'remove', 'null'), '[]')) e);
		v_tags := ARRAY(SELECT DISTINCT t FROM unnest(v_lead.tags || v_add) AS t
		                WHERE t <> ALL (v_remove) ORDER BY t);
		IF cardinality(v_tags) > 30 THEN
			RETURN landform._invalid('tag_count', 'add', 'a lead has at most 30 tags');
		END IF;
		UPDATE landform.leads SET tags = v_tags WHERE id = p_lead AND tags IS DISTINCT FROM v_tags;
		RETURN jsonb_build_object('status', 'ok', 'message', 'tags saved', 'tags', to_jsonb(v_tags));

	ELSIF p_action = 'answer' THEN
		IF v_args->>'consultation' IS NULL OR v_args->>'consultation' !~ '^[0-9]{1,18}$' THEN
			RETURN landform._invalid('consultation_id', 'consultation', 'consultation is a consultation id');
		END IF;
		v_id := (v_args->>'consultation')::bigint;
		UPDATE landform.consultations SET answered_at = now(), answered_by = v_me
		WHERE id = v_id AND lead_id = p_lead AND answered_at IS NULL;
		IF FOUND THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'marked answered');
		ELSIF EXISTS (SELECT 1 FROM landform.consultations WHERE id = v_id AND lead_id = p_lead) THEN
			RETURN jsonb_build_object('status', 'ok', 'message', 'already answered');
		END IF;
		RETURN landform._invalid('consultation_unknown', 'consultation', 'no such consultation on this lead');
	END IF;
	RETURN landform._invalid('action_unknown', 'action', 'unknown action');
END
$$;
