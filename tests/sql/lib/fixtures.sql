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
