-- Scene-setting for the SQL tests (loaded into the template with tap.sql): the steps many
-- tests begin with, so each test's own lines are about what it checks.

-- New staff members, each named after its login (alice: Alice), joining p_pool with weight 1
-- and no cap. All are added first, then all join, in the order given (ids follow that order).
CREATE OR REPLACE FUNCTION t.members(p_pool text, VARIADIC p_logins text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_login text;
BEGIN
	FOREACH v_login IN ARRAY p_logins LOOP
		PERFORM landform.add_staff(v_login, initcap(v_login));
	END LOOP;
	FOREACH v_login IN ARRAY p_logins LOOP
		PERFORM landform.join_pool(p_pool, v_login);
	END LOOP;
END
$$;

-- The two pages most tests submit to, in this order: demo (a lead form, titled Demo) and ask
-- (a consultation form, titled Ask us).
CREATE OR REPLACE FUNCTION t.pages_demo_ask() RETURNS void
LANGUAGE sql AS $$
	SELECT landform.register_page('demo', 'Demo', 'lead');
	SELECT landform.register_page('ask', 'Ask us', 'consult');
$$;

-- The scene the report, referral and privacy tests start from: the demo and ask pages, the
-- default pool with a claim timeout of an hour (so no offer expires while a test runs), and
-- these members in it (t.members).
CREATE OR REPLACE FUNCTION t.scene(VARIADIC p_logins text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM landform.set_pool('default', p_claim_timeout => interval '1 hour');
	PERFORM t.members('default', VARIADIC p_logins);
END
$$;

-- A token as landformd makes them (64 hex) from a seed; the tables keep t.tok of it again.
CREATE OR REPLACE FUNCTION t.tok(p text) RETURNS text LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(p, 'UTF8')), 'hex')
$$;

-- A member's session token and CSRF token in the portal tests (t.sessions opens them), so a
-- test calls the portal as a member by login: landform.portal_home(t.s('alice'), '{}').
CREATE OR REPLACE FUNCTION t.s(p_login text) RETURNS text LANGUAGE sql AS $$ SELECT t.tok('session ' || p_login) $$;
CREATE OR REPLACE FUNCTION t.c(p_login text) RETURNS text LANGUAGE sql AS $$ SELECT 'csrf-' || t.tok('csrf ' || p_login) $$;

-- Existing members each get a password and a session (t.s, t.c), as the portal opens one
-- after a good password.
CREATE OR REPLACE FUNCTION t.sessions(VARIADIC p_logins text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_login text;
BEGIN
	FOREACH v_login IN ARRAY p_logins LOOP
		PERFORM landform.set_password(v_login, '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g');
		PERFORM landform.portal_login_finish(v_login, NULL, landform._staff_id(v_login), t.s(v_login),
		                                     t.c(v_login), NULL, NULL);
	END LOOP;
END
$$;
