-- Staff portal access (docs/portal-api.md): invitations, logins and sessions, the session
-- check every portal call starts with (_portal_enter; _admin_enter on admin pages), who may
-- see which lead (portal_may_see), and the admin functions for staff accounts. The pages' read functions are
-- in 81_portal_reads.sql, the actions in 82_portal_actions.sql. Every portal_* function
-- returns jsonb with a "status". Grants and policies: sql/code/90_security.sql.

-- ---------------------------------------------------------------------------------------
-- Helpers (not callable by landform_app, except _portal_enter)

-- sha256 of a token as hex: what the tables keep instead of the token.
CREATE OR REPLACE FUNCTION landform._token_hash(p_token text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;

-- Is this shaped like a token landformd hands out (session, invitation link): 64 lower-case hex
-- characters? Anything else is refused before a table is read.
CREATE OR REPLACE FUNCTION landform._token_ok(p_token text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(p_token ~ '^[0-9a-f]{64}$', false)
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
	IF NOT landform._token_ok(p_session) THEN
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

-- The session check every admin page (the channels page, the dashboard, the segment export)
-- starts with: ok context for an admin, forbidden for anyone else, or _portal_enter's answer to
-- return.
CREATE OR REPLACE FUNCTION landform._admin_enter(p_session text, p_csrf text, p_need_csrf boolean)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, p_csrf, p_need_csrf);
BEGIN
	IF v_ctx->>'status' = 'ok' AND NOT coalesce((v_ctx->'me'->>'is_admin')::boolean, false) THEN
		RETURN jsonb_build_object('status', 'forbidden');
	END IF;
	RETURN v_ctx;
END
$$;

-- The opening of an admin page over a period (the channels page, the dashboard): _admin_enter's
-- answer, and when it is ok, _report_period's (66_channels.sql) from, to and problem added to
-- it; each page refuses a problem with its own code.
CREATE OR REPLACE FUNCTION landform._admin_period_enter(p_session text, p_from date, p_to date)
RETURNS jsonb
LANGUAGE sql AS $$
	SELECT CASE WHEN e.ctx->>'status' = 'ok'
	            THEN e.ctx || jsonb_build_object('from', p.from_day, 'to', p.to_day, 'problem', p.problem)
	            ELSE e.ctx END
	FROM landform._admin_enter(p_session, NULL, false) AS e(ctx), landform._report_period(p_from, p_to) p
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
BEGIN
	RETURN landform._invite(landform._active_staff_id(p_login));
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
CREATE OR REPLACE VIEW landform.staff_access AS
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

-- The refusal of the tokens landformd made for a new session (NULL when both are good): the
-- session token as _token_ok wants it, a CSRF token of 16-200 characters.
CREATE OR REPLACE FUNCTION landform._session_tokens_invalid(p_session_token text, p_csrf text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN NOT landform._token_ok(p_session_token) THEN
			landform._invalid('session_format', 'session', 'session token must be 64 lower-case hex characters')
		WHEN p_csrf IS NULL OR length(p_csrf) NOT BETWEEN 16 AND 200 THEN
			landform._invalid('csrf_format', 'csrf', 'CSRF token must be 16-200 characters') END
$$;

-- A new session for a member just let in (by password or invitation link), keeping only the
-- hash of its token.
CREATE OR REPLACE FUNCTION landform._open_session(p_staff bigint, p_session_token text,
	p_csrf text, p_addr inet, p_user_agent text)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO landform.staff_sessions (token_hash, staff_id, csrf, client_addr, user_agent)
	VALUES (landform._token_hash(p_session_token), p_staff, p_csrf, p_addr, left(p_user_agent, 500))
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
	v_refusal jsonb;
BEGIN
	v_ok := p_staff IS NOT NULL AND EXISTS (
		SELECT 1 FROM landform.staff s
		WHERE s.id = p_staff AND s.login = v_login AND s.active AND s.password_hash IS NOT NULL);
	v_refusal := CASE WHEN v_ok THEN landform._session_tokens_invalid(p_session_token, p_csrf) END;
	IF v_refusal IS NOT NULL THEN
		RETURN v_refusal;
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
	PERFORM landform._open_session(p_staff, p_session_token, p_csrf, p_addr, p_user_agent);
	RETURN jsonb_build_object('status', 'ok');
END
$$;

-- Is this invitation link good (unknown, used, expired and deactivated all say not_found)?
CREATE OR REPLACE FUNCTION landform.portal_invitation(p_token text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v record;
BEGIN
	IF NOT landform._token_ok(p_token) THEN
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
	v_refusal jsonb;
BEGIN
	IF NOT landform._token_ok(p_token) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	IF NOT landform._password_hash_ok(p_password_hash) THEN
		RETURN landform._invalid('password_hash_format', 'password_hash', 'not an Argon2id password hash');
	END IF;
	v_refusal := landform._session_tokens_invalid(p_session_token, p_csrf);
	IF v_refusal IS NOT NULL THEN
		RETURN v_refusal;
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
	PERFORM landform._open_session(v_staff, p_session_token, p_csrf, p_addr, p_user_agent);
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
