-- Shared helpers: settings, locks, the acting user, name lookups, phone normalization.

-- A setting's value (see landform.settings).
CREATE OR REPLACE FUNCTION landform.setting(p_name text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT value FROM landform.settings WHERE name = p_name);
END
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
	ELSIF p_name IN ('public_url', 'session_idle', 'session_absolute', 'invitation_ttl') THEN
		PERFORM landform._check_portal_setting(p_name, p_value); -- sql/code/80_portal_access.sql
	ELSIF p_name IN ('suspect_retention', 'suspect_cap') THEN
		PERFORM landform._check_suspect_setting(p_name, p_value); -- sql/code/22_quarantine.sql
	ELSIF p_name IN ('channel_fallback_page', 'referral_page') THEN
		PERFORM landform._check_channel_fallback(p_value); -- sql/code/66_channels.sql
	ELSIF p_name = 'tag_rules_at' THEN
		PERFORM landform._check_tag_setting(p_name, p_value); -- sql/code/45_tags.sql
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

-- Free text people type (a note, a reason): trimmed by the caller, 1..p_max characters, no
-- control characters but tab and line breaks. The one rule; landformd does not check it again.
CREATE OR REPLACE FUNCTION landform._free_text_ok(p_text text, p_max integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(length(p_text) BETWEEN 1 AND p_max
	                AND p_text !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]', false)
$$;

-- Is this member active (not deactivated)? The one test; an unknown id is not.
CREATE OR REPLACE FUNCTION landform._staff_active(p_staff bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT active FROM landform.staff WHERE id = p_staff), false)
$$;

-- Staff id of an active member by login; the one "deactivated" refusal (SQLSTATE 55000) for
-- whatever gives work to a member. Unlocked: a caller that must keep the member active until it
-- commits locks the staff row first and calls this after (a new statement sees the lock holder's view).
CREATE OR REPLACE FUNCTION landform._active_staff_id(p_login text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id bigint := landform._staff_id(p_login);
BEGIN
	IF NOT landform._staff_active(v_id) THEN
		RAISE EXCEPTION 'staff "%" is deactivated', p_login
			USING ERRCODE = '55000', HINT = 'SELECT landform.activate_staff(''' || p_login || ''') first';
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
-- PL/pgSQL, not SQL: a SQL function's body is planned again on every call, and these are
-- called on every submission and every dispatch.
CREATE OR REPLACE FUNCTION landform.first_stage() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT id FROM landform.stages ORDER BY position LIMIT 1);
END
$$;

-- A phone as landform stores it (E.164: +, then 8 to 15 digits, the first not 0): the one
-- test of that form in sql/code (the tables' row checks, in migrations, say the same).
-- Plain SQL, so the planner inlines it; NULL for NULL.
CREATE OR REPLACE FUNCTION landform.is_e164(p_phone text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_phone ~ '^\+[1-9][0-9]{7,14}$'
$$;

-- Phone normalization, the same rules as fcgi/phone.c (and the same cases,
-- tests/data/phone/cases.tsv): full-width digits and punctuation from Chinese IMEs, spaces,
-- tabs, dashes, dots, parentheses are accepted; one + before the digits. Chinese mobiles
-- (1[3-9] + 9 digits) with or without +86 / 0086 / a bare 86 -> +86XXXXXXXXXXX; other
-- countries only after + or 00, 8..15 digits. One row: e164, or an error code (empty,
-- bad_char, too_short, too_long, not_mobile, need_country). Plain SQL so the planner inlines
-- it into set-based imports; OFFSET 0 keeps each step computed once instead of the planner
-- copying (and re-running) the regexp into every CASE arm that uses it.
CREATE OR REPLACE FUNCTION landform.phone_normalize(p_raw text)
RETURNS TABLE (e164 text, error text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN d.err IS NULL THEN d.out END, d.err
	FROM (
		-- A Chinese number without its country code: only mobiles are leads.
		SELECT CASE
			WHEN c.err IS NOT NULL THEN c.err
			WHEN NOT c.cn THEN NULL
			WHEN c.rest = '' THEN 'too_short'
			WHEN c.rest !~ '^1' OR c.rest ~ '^1[0-2]' THEN 'not_mobile'
			WHEN length(c.rest) < 11 THEN 'too_short'
			WHEN length(c.rest) > 11 THEN 'too_long'
			END AS err,
			CASE WHEN c.cn THEN '+86' || c.rest ELSE '+' || c.rest END AS out
		FROM (
			-- After an explicit + or 00: 86 is China, anything else any plausible E.164.
			SELECT CASE
				WHEN b.err IS NOT NULL OR NOT b.intl THEN b.err
				WHEN b.rest = '' THEN 'too_short'
				WHEN b.rest LIKE '0%' THEN 'need_country'
				WHEN b.rest LIKE '86%' THEN NULL
				WHEN length(b.rest) < 8 THEN 'too_short'
				WHEN length(b.rest) > 15 THEN 'too_long'
				END AS err,
				(b.cn OR (b.intl AND b.rest LIKE '86%')) AS cn,
				CASE WHEN b.intl AND b.rest LIKE '86%' THEN substr(b.rest, 3) ELSE b.rest END AS rest
			FROM (
				-- Which prefix: + and 00 are unambiguous, a bare 86 only before 1 and 11+
				-- digits, a leading 1 is a Chinese mobile, anything else is refused.
				SELECT CASE
					WHEN a.d !~ '^\+?[0-9]*$' THEN 'bad_char'
					WHEN a.n = 0 THEN 'empty'
					WHEN a.n > 24 THEN 'too_long'
					WHEN a.plus OR a.g LIKE '00%' OR a.g LIKE '1%' THEN NULL
					WHEN a.n >= 12 AND a.g LIKE '861%' THEN NULL
					WHEN a.g LIKE '0%' THEN CASE WHEN a.n < 8 THEN 'too_short' ELSE 'not_mobile' END
					WHEN a.n = 10 AND (a.g LIKE '400%' OR a.g LIKE '800%') THEN 'not_mobile'
					ELSE 'need_country'
					END AS err,
					(a.plus OR a.g LIKE '00%') AS intl,
					(NOT a.plus AND a.g NOT LIKE '00%') AS cn,
					CASE WHEN a.plus THEN a.g
					     WHEN a.g LIKE '00%' OR (a.n >= 12 AND a.g LIKE '861%') THEN substr(a.g, 3)
					     ELSE a.g END AS rest
				FROM (
					SELECT z.d, z.d LIKE '+%' AS plus, ltrim(z.d, '+') AS g,
					       length(ltrim(z.d, '+')) AS n
					FROM (
						SELECT regexp_replace(
							translate(coalesce(p_raw, ''), '０１２３４５６７８９＋', '0123456789+'),
							E'[ \t.()\u00A0\u3000（）－．-]', '', 'g') AS d
						OFFSET 0
					) AS z
					OFFSET 0
				) AS a
				OFFSET 0
			) AS b
			OFFSET 0
		) AS c
	) AS d
$$;

-- Convenience: the E.164 form or NULL.
CREATE OR REPLACE FUNCTION landform.normalize_phone(p_raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT e164 FROM landform.phone_normalize(p_raw)
$$;

-- Days and ranges for the reports and the dashboard: calendar days in the time_zone setting.

-- The calendar day of a moment in the configured zone.
CREATE OR REPLACE FUNCTION landform._day(p_at timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (p_at AT TIME ZONE landform.setting('time_zone'))::date
$$;

-- Today in the configured zone (current_date is the server's zone).
CREATE OR REPLACE FUNCTION landform.today() RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (now() AT TIME ZONE landform.setting('time_zone'))::date
$$;

-- The first moment of a day in the configured zone (infinite days stay infinite).
CREATE OR REPLACE FUNCTION landform._day_start(p_day date) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT p_day::timestamp AT TIME ZONE landform.setting('time_zone')
$$;

-- n / d rounded to 4 places; NULL when there is nothing to divide by.
CREATE OR REPLACE FUNCTION landform._rate(p_n numeric, p_d numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT round(p_n / nullif(p_d, 0), 4)
$$;

-- The first day of the day, week (Monday) or month holding p_day.
CREATE OR REPLACE FUNCTION landform._period(p_day date, p_grain text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_grain = 'day' OR NOT isfinite(p_day) THEN p_day
	            ELSE date_trunc(p_grain, p_day::timestamp)::date END
$$;

-- Refuse a grain other than day, week, month; and a range that ends before it starts.
CREATE OR REPLACE FUNCTION landform._check_range(p_from date, p_to date, p_grain text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_grain IS NULL OR p_grain NOT IN ('day', 'week', 'month') THEN
		RAISE EXCEPTION 'bad grain "%"', p_grain
			USING ERRCODE = '22023', HINT = 'day, week (from Monday) or month';
	END IF;
	IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
		RAISE EXCEPTION 'bad date range % .. %', p_from, p_to
			USING ERRCODE = '22023', HINT = 'both dates are included; use ''-infinity'' / ''infinity'' for open ends';
	END IF;
END
$$;

-- A day as typed, YYYY-MM-DD, or NULL when it is not one (2024-02-31 and 2024-1-5 are not).
CREATE OR REPLACE FUNCTION landform._parse_day(p_text text) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_text IS NULL OR p_text !~ '^\d{4}-\d{2}-\d{2}$' THEN
		RETURN NULL;
	END IF;
	RETURN p_text::date;
EXCEPTION WHEN others THEN
	RETURN NULL;
END
$$;

-- A whole number as typed in a filter (stage, limit, offset): NULL when absent or empty, -1
-- when it is not 1..p_digits decimal digits, so the caller refuses it with its own code.
CREATE OR REPLACE FUNCTION landform._filter_number(p_text text, p_digits integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN nullif(p_text, '') IS NULL THEN NULL
	            WHEN p_text ~ ('^[0-9]{1,' || p_digits || '}$') THEN p_text::bigint
	            ELSE -1 END
$$;

-- For code files: CREATE OR REPLACE cannot turn a function returning one row into one returning a
-- set, so the old one goes first (p_signature as to_regprocedure reads it; nothing if absent).
CREATE OR REPLACE FUNCTION landform._drop_unless_set(p_signature text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT (SELECT p.proretset FROM pg_proc p WHERE p.oid = to_regprocedure(p_signature)) THEN
		EXECUTE format('DROP FUNCTION %s', to_regprocedure(p_signature));   -- regprocedure's output is quoted
	END IF;
END
$$;
