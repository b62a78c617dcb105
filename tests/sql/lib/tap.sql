-- TAP-like assertions for the SQL tests: each returns one line, 'ok - desc' or
-- 'not ok - desc: got X, want Y'; tests/run-sql counts them.
CREATE SCHEMA IF NOT EXISTS t;

-- A condition that should be true.
CREATE OR REPLACE FUNCTION t.ok(p_cond boolean, p_desc text) RETURNS text
LANGUAGE sql AS $$
	SELECT CASE WHEN p_cond THEN 'ok - ' || p_desc
	            ELSE 'not ok - ' || p_desc || ': got ' || coalesce(p_cond::text, 'NULL') || ', want true' END
$$;

-- Two values that should be equal (NULLs equal each other).
CREATE OR REPLACE FUNCTION t.is(p_got anyelement, p_want anyelement, p_desc text) RETURNS text
LANGUAGE sql AS $$
	SELECT CASE WHEN p_got IS NOT DISTINCT FROM p_want THEN 'ok - ' || p_desc
	            ELSE 'not ok - ' || p_desc || ': got ' || coalesce(p_got::text, 'NULL')
	                 || ', want ' || coalesce(p_want::text, 'NULL') END
$$;

-- Two values that should differ.
CREATE OR REPLACE FUNCTION t.isnt(p_got anyelement, p_other anyelement, p_desc text) RETURNS text
LANGUAGE sql AS $$
	SELECT CASE WHEN p_got IS DISTINCT FROM p_other THEN 'ok - ' || p_desc
	            ELSE 'not ok - ' || p_desc || ': got ' || coalesce(p_got::text, 'NULL')
	                 || ', want anything else' END
$$;

-- A number within want +/- tolerance.
CREATE OR REPLACE FUNCTION t.near(p_got numeric, p_want numeric, p_tol numeric, p_desc text) RETURNS text
LANGUAGE sql AS $$
	SELECT CASE WHEN abs(p_got - p_want) <= p_tol THEN 'ok - ' || p_desc
	            ELSE 'not ok - ' || p_desc || ': got ' || coalesce(p_got::text, 'NULL')
	                 || ', want ' || p_want || ' +/- ' || p_tol END
$$;

-- SQL that should fail with this SQLSTATE (NULL: any error). Runs in a subtransaction, so
-- whatever it did is undone.
CREATE OR REPLACE FUNCTION t.throws(p_sql text, p_state text, p_desc text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_state text;
	v_msg text;
BEGIN
	BEGIN
		EXECUTE p_sql;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
		IF p_state IS NULL OR v_state = p_state THEN
			RETURN 'ok - ' || p_desc;
		END IF;
		RETURN 'not ok - ' || p_desc || ': got ' || v_state || ' (' || v_msg || '), want ' || p_state;
	END;
	RETURN 'not ok - ' || p_desc || ': got no error, want ' || coalesce(p_state, 'an error');
END
$$;

-- SQL that should fail with a message matching a regex (and this SQLSTATE unless NULL).
CREATE OR REPLACE FUNCTION t.throws_like(p_sql text, p_state text, p_pattern text, p_desc text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_state text;
	v_msg text;
	v_hint text;
BEGIN
	BEGIN
		EXECUTE p_sql;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
		                        v_hint = PG_EXCEPTION_HINT;
		IF (p_state IS NULL OR v_state = p_state) AND v_msg ~ p_pattern THEN
			RETURN 'ok - ' || p_desc;
		END IF;
		RETURN 'not ok - ' || p_desc || ': got ' || v_state || ' (' || v_msg || '), want '
		       || coalesce(p_state, 'any') || ' matching /' || p_pattern || '/';
	END;
	RETURN 'not ok - ' || p_desc || ': got no error, want one matching /' || p_pattern || '/';
END
$$;

-- SQL that should run without error (undone afterwards only if it fails).
CREATE OR REPLACE FUNCTION t.lives(p_sql text, p_desc text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_msg text;
BEGIN
	EXECUTE p_sql;
	RETURN 'ok - ' || p_desc;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
	RETURN 'not ok - ' || p_desc || ': got error ' || v_msg;
END
$$;

-- A comment line for the output (timings, counts); not counted.
CREATE OR REPLACE FUNCTION t.diag(p_msg text) RETURNS text
LANGUAGE sql AS $$
	SELECT '# ' || p_msg
$$;
