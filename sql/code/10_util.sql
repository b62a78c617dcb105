-- Shared helpers: settings, locks, the acting user, name lookups, phone normalization.

-- A setting's value (see landform.settings).
CREATE OR REPLACE FUNCTION landform.setting(p_name text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT value FROM landform.settings WHERE name = p_name
$$;

-- Refuse a time zone PostgreSQL does not know by its full name (abbreviations are ambiguous).
CREATE OR REPLACE FUNCTION landform._check_time_zone(p_tz text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_tz IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_tz) THEN
		RAISE EXCEPTION 'unknown time zone "%"', p_tz
			USING ERRCODE = '22023',
			      HINT = 'use a full zone name such as Asia/Shanghai (SELECT name FROM pg_timezone_names)';
	END IF;
END
$$;

-- Change a setting; only known names, values checked.
CREATE OR REPLACE FUNCTION landform.set_setting(p_name text, p_value text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_name = 'time_zone' THEN
		PERFORM landform._check_time_zone(p_value);
	ELSE
		RAISE EXCEPTION 'unknown setting "%"', p_name
			USING ERRCODE = '22023', HINT = 'known settings: SELECT name FROM landform.settings';
	END IF;
	UPDATE landform.settings SET value = p_value WHERE name = p_name;
END
$$;

-- Who is acting, for the history: the landform.actor setting (set_config(..., true) by the
-- portal, e.g. 'staff:alice') or else the database user running the admin SQL.
CREATE OR REPLACE FUNCTION landform.actor() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('landform.actor', true), ''), 'sql:' || session_user)
$$;

-- Serialize everything that moves a pool's rotation counters. Transaction-scoped, so it
-- works through pgbouncer in transaction mode. Callers take several pools in ascending id.
CREATE OR REPLACE FUNCTION landform._lock_pool(p_pool bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- 1279676496 = 'LFPP': the class of pool locks, the pool id is the object.
	PERFORM pg_advisory_xact_lock(1279676496, p_pool::integer);
END
$$;

-- Several pools at once, always in ascending order so lockers cannot deadlock.
CREATE OR REPLACE FUNCTION landform._lock_pools(p_pools bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_pool bigint;
BEGIN
	FOR v_pool IN SELECT DISTINCT x FROM unnest(p_pools) AS x WHERE x IS NOT NULL ORDER BY x LOOP
		PERFORM landform._lock_pool(v_pool);
	END LOOP;
END
$$;

-- The rotation rules assume each statement sees what the previous lock holder committed.
CREATE OR REPLACE FUNCTION landform._require_read_committed() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'landform rotation needs READ COMMITTED, not %',
			current_setting('transaction_isolation')
			USING ERRCODE = '25001', HINT = 'call it outside a REPEATABLE READ/SERIALIZABLE transaction';
	END IF;
END
$$;

-- Staff id by login, or a clear error.
CREATE OR REPLACE FUNCTION landform._staff_id(p_login text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id bigint;
BEGIN
	SELECT id INTO v_id FROM landform.staff WHERE login = p_login;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no staff member with login "%"', p_login
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT login, display_name FROM landform.staff';
	END IF;
	RETURN v_id;
END
$$;

-- Pool id by name (NULL means the default pool), or a clear error.
CREATE OR REPLACE FUNCTION landform._pool_id(p_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_name IS NULL THEN
		SELECT id INTO v_id FROM landform.pools WHERE is_default;
	ELSE
		SELECT id INTO v_id FROM landform.pools WHERE name = p_name;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no pool named "%"', coalesce(p_name, '(default)')
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT name FROM landform.pools';
	END IF;
	RETURN v_id;
END
$$;

-- Channel id for a code, creating the channel on first sight; NULL/empty code means none.
CREATE OR REPLACE FUNCTION landform._channel_id(p_code text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_code IS NULL OR p_code = '' THEN
		RETURN NULL;
	END IF;
	IF p_code !~ '^[A-Za-z0-9_-]{1,32}$' THEN
		RAISE EXCEPTION 'bad channel code "%"', left(p_code, 40)
			USING ERRCODE = '22023', HINT = 'channel codes are 1-32 of A-Z a-z 0-9 _ -';
	END IF;
	SELECT id INTO v_id FROM landform.channels WHERE code = p_code;
	IF FOUND THEN
		RETURN v_id;
	END IF;
	INSERT INTO landform.channels (code) VALUES (p_code)
		ON CONFLICT (code) DO NOTHING RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		SELECT id INTO v_id FROM landform.channels WHERE code = p_code;
	END IF;
	RETURN v_id;
END
$$;

-- The first stage in order (新客户 unless an admin changed it): where new leads start.
CREATE OR REPLACE FUNCTION landform.first_stage() RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT id FROM landform.stages ORDER BY position LIMIT 1
$$;

-- Phone normalization, the same rules as fcgi/phone.c: Chinese mobiles with or without
-- +86/0086, spaces, dashes, dots, parentheses -> +86XXXXXXXXXXX; other countries only with a
-- leading + (or 00) and 8..15 digits. One row: e164 or an error code
-- (empty, bad_char, too_short, too_long, not_mobile, need_country).
-- Plain SQL so the planner inlines it into set-based imports.
CREATE OR REPLACE FUNCTION landform.phone_normalize(p_raw text)
RETURNS TABLE (e164 text, error text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN c.err IS NULL THEN c.out END, c.err
	FROM (
		SELECT CASE
			WHEN b.s = '' THEN 'empty'
			WHEN b.s !~ '^\+?[0-9 ().-]+$' THEN 'bad_char'
			WHEN b.num = '' THEN 'too_short'
			WHEN b.cn AND length(b.nat) < 11 THEN 'too_short'
			WHEN b.cn AND length(b.nat) > 11 THEN 'too_long'
			WHEN b.cn AND b.nat !~ '^1[3-9]' THEN 'not_mobile'
			WHEN b.cn THEN NULL
			WHEN NOT b.intl OR b.num LIKE '0%' THEN 'need_country'
			WHEN length(b.num) < 8 THEN 'too_short'
			WHEN length(b.num) > 15 THEN 'too_long'
			END AS err,
			CASE WHEN b.cn THEN '+86' || b.nat ELSE '+' || b.num END AS out
		FROM (
			SELECT a.s, a.intl, a.num,
				CASE WHEN a.intl THEN a.num LIKE '86%' ELSE a.num LIKE '1%' END AS cn,
				CASE WHEN a.intl THEN substr(a.num, 3) ELSE a.num END AS nat
			FROM (
				SELECT z.s,
					(z.d LIKE '+%' OR z.d LIKE '00%') AS intl,
					CASE WHEN z.d LIKE '+%' THEN substr(z.d, 2)
					     WHEN z.d LIKE '00%' THEN substr(z.d, 3)
					     ELSE z.d END AS num
				FROM (
					SELECT y.s, regexp_replace(y.s, '[ ().-]', '', 'g') AS d
					FROM (SELECT btrim(coalesce(p_raw, ''), E' \t\r\n') AS s) AS y
				) AS z
			) AS a
		) AS b
	) AS c
$$;

-- Convenience: the E.164 form or NULL.
CREATE OR REPLACE FUNCTION landform.normalize_phone(p_raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT e164 FROM landform.phone_normalize(p_raw)
$$;
