-- Staff portal accounts: settings, invitation links (valid once, expiring), logins with rate
-- limits per login and per address (unknown logins indistinguishable), sessions with idle and
-- absolute expiry, CSRF, logout, password changes.
GRANT USAGE ON SCHEMA t TO landform_app;
CREATE TABLE kv (k text PRIMARY KEY, v text);

-- A password hash in libsodium's format (t.tok: a token, in tests/sql/lib/fixtures.sql).
CREATE FUNCTION t.hash(p text) RETURNS text LANGUAGE sql AS $$
	SELECT '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$'
	       || rtrim(encode(sha256(convert_to(p, 'UTF8')), 'base64'), '=')
$$;
-- A login the way landformd does it: begin, check the password (p_good), finish with a fresh
-- session token. The answer of whichever call decided, plus the token on success.
CREATE FUNCTION t.login(p_login text, p_addr inet, p_good boolean, p_rehash text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v jsonb := landform.portal_login_begin(p_login, p_addr);
	v_tok text := t.tok(p_login || clock_timestamp() || random());
BEGIN
	IF v->>'status' <> 'ok' THEN
		RETURN v;
	END IF;
	v := landform.portal_login_finish(p_login, p_addr,
		CASE WHEN p_good THEN (v->>'staff_id')::bigint END, v_tok, 'csrf-' || v_tok, 'test agent', p_rehash);
	IF v->>'status' = 'ok' THEN
		v := v || jsonb_build_object('token', v_tok, 'csrf', 'csrf-' || v_tok);
	END IF;
	RETURN v;
END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;

-- --- settings ------------------------------------------------------------------------------
SELECT t.is(landform.setting('public_url'), 'http://127.0.0.1:8080', 'public_url has a default');
SELECT t.is(landform.setting('session_idle')::interval, interval '2 hours', 'session_idle defaults to 2 hours');
SELECT t.is(landform.setting('session_absolute')::interval, interval '7 days', 'session_absolute defaults to 7 days');
SELECT t.is(landform.setting('invitation_ttl')::interval, interval '72 hours', 'invitation_ttl defaults to 72 hours');
SELECT t.lives($$SELECT landform.set_setting('public_url', 'https://leads.example.com/')$$, 'set_setting accepts public_url');
SELECT t.throws_like($$SELECT landform.set_setting('public_url', 'leads.example.com')$$, '22023', 'absolute http', 'public_url must be an absolute URL');
SELECT t.throws_like($$SELECT landform.set_setting('public_url', 'https://a b')$$, '22023', 'public_url', 'public_url without spaces');
SELECT t.throws_like($$SELECT landform.set_setting('session_idle', 'soon')$$, '22023', 'positive duration', 'session_idle must be a duration');
SELECT t.throws($$SELECT landform.set_setting('session_absolute', '-1 day')$$, '22023', 'session_absolute must be positive');
SELECT t.throws($$SELECT landform.set_setting('invitation_ttl', '2 years')$$, '22023', 'invitation_ttl at most a year');
SELECT t.throws($$SELECT landform.set_setting('no_such', 'x')$$, '22023', 'unknown settings are still refused');
SELECT t.is(landform.setting('time_zone'), 'Asia/Shanghai', 'a refused value changes nothing');

-- --- invitations ---------------------------------------------------------------------------
INSERT INTO kv SELECT 'alice', landform.add_staff('alice', 'Alice');
INSERT INTO kv SELECT 'bob', landform.add_staff('bob', 'Bob');
INSERT INTO kv SELECT 'carol', landform.add_staff('carol', 'Carol');
SELECT t.ok(v ~ '^https://leads\.example\.com/staff/invite/[0-9a-f]{64}$', 'add_staff returns <public_url>/staff/invite/<64 hex>')
FROM kv WHERE k = 'alice';
UPDATE kv SET v = substring(v FROM '[0-9a-f]{64}$');
SELECT t.ok((SELECT count(DISTINCT v) FROM kv) = 3, 'every invitation has its own token');
SELECT t.ok(NOT EXISTS (SELECT 1 FROM landform.staff_invitations i JOIN kv ON kv.v = i.token_hash),
            'the table never holds a token itself');
SELECT t.ok((SELECT count(*) FROM landform.staff_invitations i JOIN kv ON t.tok(kv.v) = i.token_hash) = 3,
            'it holds sha256(token) as hex');
SELECT t.near((SELECT extract(epoch FROM expires_at - created_at) FROM landform.staff_invitations
               WHERE staff_id = landform._staff_id('alice')), 72 * 3600, 1, 'an invitation is good for invitation_ttl');
SELECT t.is(landform.portal_invitation(v), '{"status": "ok", "login": "alice", "display_name": "Alice"}'::jsonb,
            'portal_invitation: a fresh link names the member') FROM kv WHERE k = 'alice';
SELECT t.is(landform.portal_invitation(repeat('0', 64)), '{"status": "not_found"}'::jsonb, 'portal_invitation: unknown token');
SELECT t.is(landform.portal_invitation('../etc'), '{"status": "not_found"}'::jsonb, 'portal_invitation: malformed token');
SELECT t.is(landform.portal_invitation(NULL), '{"status": "not_found"}'::jsonb, 'portal_invitation: NULL');

SELECT t.is(landform.portal_accept_invitation(v, 'plaintext', t.tok('s1'), 'csrf-s1-0123456789', '192.0.2.1', 'ua')->>'field',
            'password_hash', 'accept_invitation refuses what is not an Argon2id hash') FROM kv WHERE k = 'alice';
SELECT t.is(landform.portal_accept_invitation(v, t.hash('pw'), 'short', 'csrf-s1-0123456789', '192.0.2.1', 'ua')->>'field',
            'session', 'accept_invitation refuses a malformed session token') FROM kv WHERE k = 'alice';
SELECT t.is(landform.portal_invitation(v)->>'status', 'ok', 'a refused attempt does not use the link') FROM kv WHERE k = 'alice';
SELECT t.is(landform.portal_accept_invitation(v, t.hash('alice pw'), t.tok('s1'), 'csrf-s1-0123456789', '192.0.2.1', 'ua'),
            '{"status": "ok"}'::jsonb, 'accept_invitation: password set, session opened') FROM kv WHERE k = 'alice';
SELECT t.is((SELECT password_hash FROM landform.staff WHERE login = 'alice'), t.hash('alice pw'), 'the hash is stored');
SELECT t.is((SELECT s.staff_id FROM landform.staff_sessions s WHERE s.token_hash = t.tok(t.tok('s1'))),
            landform._staff_id('alice'), 'the session belongs to alice and is stored hashed');
SELECT t.is(landform.portal_home(t.tok('s1'), '{}') #>> '{me,login}', 'alice', 'the new session works');
SELECT t.is(landform.portal_invitation(v)->>'status', 'not_found', 'a used link is not_found') FROM kv WHERE k = 'alice';
SELECT t.is(landform.portal_accept_invitation(v, t.hash('evil'), t.tok('s2'), 'csrf-s2-0123456789', '192.0.2.1', 'ua')->>'status',
            'not_found', 'a used link cannot set the password again') FROM kv WHERE k = 'alice';
SELECT t.is((SELECT password_hash FROM landform.staff WHERE login = 'alice'), t.hash('alice pw'), 'the password is unchanged');

-- invite() replaces the earlier link.
INSERT INTO kv SELECT 'bob2', substring(landform.invite('bob') FROM '[0-9a-f]{64}$');
SELECT t.is(landform.portal_invitation(v)->>'status', 'not_found', 'invite(): the earlier link stops working') FROM kv WHERE k = 'bob';
SELECT t.is(landform.portal_invitation(v)->>'status', 'ok', 'invite(): the new link works') FROM kv WHERE k = 'bob2';
SELECT t.throws_like($$SELECT landform.invite('nobody')$$, 'P0002', 'no staff member', 'invite(): an unknown login is named');

-- Expiry, and the ttl setting.
UPDATE landform.staff_invitations SET expires_at = now() - interval '1 second'
WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'bob2');
SELECT t.is(landform.portal_invitation(v)->>'status', 'not_found', 'an expired link is not_found') FROM kv WHERE k = 'bob2';
SELECT t.is(landform.portal_accept_invitation(v, t.hash('bob pw'), t.tok('s3'), 'csrf-s3-0123456789', '192.0.2.1', 'ua')->>'status',
            'not_found', 'an expired link cannot be used') FROM kv WHERE k = 'bob2';
SELECT landform.set_setting('invitation_ttl', '1 hour') \g /dev/null
INSERT INTO kv SELECT 'bob3', substring(landform.invite('bob') FROM '[0-9a-f]{64}$');
SELECT t.near((SELECT extract(epoch FROM i.expires_at - now()) FROM landform.staff_invitations i JOIN kv ON t.tok(kv.v) = i.token_hash
               WHERE kv.k = 'bob3'), 3600, 2, 'invitation_ttl changes the life of new links');

-- A deactivated member's link is dead, and they get no new one.
SELECT landform.deactivate_staff('carol') \g /dev/null
SELECT t.is(landform.portal_invitation(v)->>'status', 'not_found', 'a deactivated member''s link is not_found') FROM kv WHERE k = 'carol';
SELECT t.throws_like($$SELECT landform.invite('carol')$$, '55000', 'deactivated', 'invite(): refused for a deactivated member');

-- Two tabs using one link at once: exactly one session.
SELECT t.is((SELECT count(*) FROM (VALUES (1), (2)) x(n),
             LATERAL (SELECT landform.portal_accept_invitation((SELECT v FROM kv WHERE k = 'bob3'), t.hash('bob pw'),
                             t.tok('tab' || x.n), 'csrf-tab-0123456789', NULL, NULL) AS r) a
             WHERE a.r->>'status' = 'ok'), 1::bigint, 'a link is good exactly once');

-- --- set_password, end_sessions, staff_access ---------------------------------------------
SELECT t.throws_like($$SELECT landform.set_password('bob', 'secret')$$, '22023', 'Argon2id', 'set_password refuses a plain password');
SELECT t.throws($$SELECT landform.set_password('nobody', t.hash('x'))$$, 'P0002', 'set_password: an unknown login');
SELECT landform.add_staff('dave', 'Dave') \g /dev/null
SELECT t.ok((SELECT invitation_until IS NOT NULL AND NOT has_password FROM landform.staff_access WHERE login = 'dave'),
            'staff_access: dave has an invitation and no password yet');
SELECT landform.set_password('dave', t.hash('dave pw')) \g /dev/null
SELECT t.ok((SELECT invitation_until IS NULL AND has_password FROM landform.staff_access WHERE login = 'dave'),
            'set_password: password set, the unused invitation is burnt');

-- --- logins --------------------------------------------------------------------------------
SELECT t.is((SELECT jsonb_object_keys(landform.portal_login_begin('alice', '198.51.100.1')) ORDER BY 1 LIMIT 1),
            'password_hash', 'login_begin hands back the hash of a known login');
SELECT t.is(landform.portal_login_begin(' ALICE ', '198.51.100.1')->>'staff_id', landform._staff_id('alice')::text,
            'logins are matched trimmed and case-insensitively');
SELECT t.is(landform.portal_login_begin('nobody', '198.51.100.1'), '{"status": "ok"}'::jsonb, 'an unknown login: ok, no hash');
SELECT t.is(landform.portal_login_begin('carol', '198.51.100.1'), '{"status": "ok"}'::jsonb, 'a deactivated login: the same answer');
SELECT landform.add_staff('erin', 'Erin') \g /dev/null
SELECT t.is(landform.portal_login_begin('erin', '198.51.100.1'), '{"status": "ok"}'::jsonb, 'a login without a password yet: the same answer');
SELECT t.is((SELECT count(*) FROM landform.login_attempts WHERE login IN ('nobody', 'carol', 'erin') AND ok IS NULL), 3::bigint,
            'every attempt is recorded, known login or not');
SELECT t.is(landform.portal_login_finish('nobody', '198.51.100.1', NULL, NULL, NULL, NULL, NULL),
            '{"status": "unauthenticated"}'::jsonb, 'login_finish: a failed login');
SELECT t.is((SELECT ok FROM landform.login_attempts WHERE login = 'nobody'), false, 'and the attempt is marked failed');

INSERT INTO kv SELECT 'bob-login', t.login('bob', '198.51.100.2', true)::text;
SELECT t.is((v::jsonb)->>'status', 'ok', 'bob logs in') FROM kv WHERE k = 'bob-login';
SELECT t.ok(EXISTS (SELECT 1 FROM landform.staff_sessions s WHERE s.token_hash = t.tok((kv.v::jsonb)->>'token')
                    AND s.csrf = (kv.v::jsonb)->>'csrf' AND s.client_addr = '198.51.100.2' AND s.user_agent = 'test agent'),
            'the session is stored: token hashed, CSRF token, address, agent') FROM kv WHERE k = 'bob-login';
SELECT t.is((SELECT ok FROM landform.login_attempts WHERE login = 'bob' ORDER BY id DESC LIMIT 1), true, 'the attempt is marked ok');
INSERT INTO kv SELECT 'bob-login2', t.login('bob', '198.51.100.2', true)::text;
SELECT t.isnt((SELECT (v::jsonb)->>'token' FROM kv WHERE k = 'bob-login2'), (SELECT (v::jsonb)->>'token' FROM kv WHERE k = 'bob-login'),
              'each login is a new session');
SELECT t.is((SELECT count(*) FROM landform.staff_sessions WHERE staff_id = landform._staff_id('bob') AND user_agent = 'test agent'), 2::bigint,
            'both sessions live (two devices)');
SELECT t.is(t.login('bob', '198.51.100.2', true, 'not a hash')->>'field', 'password_hash', 'a bad rehash is refused');
SELECT t.is(t.login('bob', '198.51.100.2', true, t.hash('bob pw, stronger'))->>'status', 'ok', 'login with a rehash');
SELECT t.is((SELECT password_hash FROM landform.staff WHERE login = 'bob'), t.hash('bob pw, stronger'), 'the rehash is stored');
SELECT t.is(landform.portal_login_finish('alice', '198.51.100.3', landform._staff_id('bob'), t.tok('x1'), 'csrf-x1-0123456789', NULL, NULL),
            '{"status": "unauthenticated"}'::jsonb, 'login_finish refuses a staff id that is not the login''s');
SELECT t.is(landform.portal_login_finish('carol', '198.51.100.3', landform._staff_id('carol'), t.tok('x2'), 'csrf-x2-0123456789', NULL, NULL),
            '{"status": "unauthenticated"}'::jsonb, 'login_finish refuses a deactivated member');

-- Per login: 5 failures in 15 minutes, whether the login exists or not, from any address.
SELECT t.login(l, ('10.1.0.' || i)::inet, false) FROM unnest(ARRAY['dave', 'ghost']) l, generate_series(1, 5) i \g /dev/null
SELECT t.is(t.login('dave', '10.9.9.9', true)->>'status', 'rate_limited', 'a known login: 5 failures, then rate_limited (even with the right password)');
SELECT t.is(t.login('ghost', '10.9.9.9', true)->>'status', 'rate_limited', 'an unknown login: limited the same way');
SELECT t.is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(landform.portal_login_begin('ghost', '10.9.9.9')) k),
            (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(landform.portal_login_begin('dave', '10.9.9.9')) k),
            'the two answers have the same shape');
SELECT t.ok((landform.portal_login_begin('dave', '10.9.9.9')->>'retry_after')::integer BETWEEN 890 AND 900,
            'retry_after: until the oldest counted failure is 15 minutes old');
SELECT t.is((SELECT count(*) FROM landform.login_attempts WHERE login = 'dave' AND client_addr = '10.9.9.9'), 0::bigint,
            'a refused attempt is not recorded (no lockout that feeds itself)');
UPDATE landform.login_attempts SET at = at - interval '14 minutes' WHERE login = 'dave';
SELECT t.ok((landform.portal_login_begin('dave', '10.9.9.9')->>'retry_after')::integer BETWEEN 50 AND 60,
            'retry_after shrinks as failures age');
UPDATE landform.login_attempts SET at = at - interval '2 minutes' WHERE login = 'dave';
SELECT t.is(t.login('dave', '10.9.9.9', true)->>'status', 'ok', 'failures older than 15 minutes no longer count');
-- A success starts the count again.
SELECT t.login('dave', ('10.2.0.' || i)::inet, false) FROM generate_series(1, 4) i \g /dev/null
SELECT t.is(t.login('dave', '10.9.9.9', true)->>'status', 'ok', '4 failures: still allowed');
SELECT t.login('dave', ('10.3.0.' || i)::inet, false) FROM generate_series(1, 4) i \g /dev/null
SELECT t.is(t.login('dave', '10.9.9.9', true)->>'status', 'ok', 'after a success, 4 more failures: still allowed');
-- Begun but not finished counts as a failure: parallel guesses cannot overtake the limit.
-- (erin has one unfinished attempt from above)
SELECT landform.portal_login_begin('erin', ('10.4.0.' || i)::inet) FROM generate_series(1, 3) i \g /dev/null
SELECT t.is(landform.portal_login_begin('erin', '10.4.1.1')->>'status', 'ok', 'the 5th unfinished attempt is let through');
SELECT t.is(landform.portal_login_begin('erin', '10.4.1.2')->>'status', 'rate_limited', 'the 6th waits: attempts in flight count');

-- Per address: 20 failures in 15 minutes, over any logins.
SELECT t.login('user' || i, '203.0.113.9', false) FROM generate_series(1, 20) i \g /dev/null
SELECT t.is(t.login('alice', '203.0.113.9', true)->>'status', 'rate_limited', 'an address with 20 failures is rate_limited, for any login');
SELECT t.is(t.login('alice', '203.0.113.10', true)->>'status', 'ok', 'another address is not');
-- IPv6 counts by /64.
SELECT t.login('v6user' || i, ('2001:db8::' || to_hex(i))::inet, false) FROM generate_series(1, 20) i \g /dev/null
SELECT t.is(t.login('alice', '2001:db8::ffff', true)->>'status', 'rate_limited', 'IPv6: the /64 is one address');
SELECT t.is(t.login('alice', '2001:db8:0:1::1', true)->>'status', 'ok', 'IPv6: the next /64 is another');
SELECT t.is(t.login('alice', NULL, true)->>'status', 'ok', 'no address: only the per-login limit applies');

-- --- sessions ------------------------------------------------------------------------------
INSERT INTO kv SELECT 'alice-s', t.login('alice', '192.0.2.50', true)->>'token';
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'ok', 'a fresh session works') FROM kv WHERE k = 'alice-s';
SELECT t.is(landform.portal_home(NULL, '{}'), '{"status": "unauthenticated"}'::jsonb, 'no session: unauthenticated');
SELECT t.is(landform.portal_home('abc', '{}')->>'status', 'unauthenticated', 'a malformed session: unauthenticated');
SELECT t.is(landform.portal_home(repeat('f', 64), '{}')->>'status', 'unauthenticated', 'an unknown session: unauthenticated');
SELECT t.is(landform.portal_home(s.token_hash, '{}')->>'status', 'unauthenticated', 'what the table holds does not log in')
FROM landform.staff_sessions s JOIN kv ON t.tok(kv.v) = s.token_hash WHERE kv.k = 'alice-s';
UPDATE landform.staff_sessions SET last_seen = now() - interval '30 minutes' WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'alice-s');
SELECT t.is(landform.portal_pool(v)->>'status', 'ok', 'a session used 30 minutes ago works') FROM kv WHERE k = 'alice-s';
SELECT t.near((SELECT extract(epoch FROM now() - last_seen) FROM landform.staff_sessions WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'alice-s')),
              0, 5, 'and using it touched last_seen');
UPDATE landform.staff_sessions SET last_seen = now() - interval '2 hours 1 minute' WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'alice-s');
SELECT t.is(landform.portal_lead(v, 1)->>'status', 'unauthenticated', 'idle for more than session_idle: unauthenticated') FROM kv WHERE k = 'alice-s';
SELECT landform.set_setting('session_idle', '3 hours') \g /dev/null
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'ok', 'session_idle is read when the session is used') FROM kv WHERE k = 'alice-s';
SELECT landform.set_setting('session_idle', '2 hours') \g /dev/null
UPDATE landform.staff_sessions SET created_at = now() - interval '7 days 1 minute', last_seen = now()
WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'alice-s');
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'older than session_absolute: unauthenticated, however busy') FROM kv WHERE k = 'alice-s';
SELECT t.is(landform.portal_action(v, 'csrf-' || v, 'note', 1, '{}')->>'status', 'unauthenticated', 'actions check the session too') FROM kv WHERE k = 'alice-s';
SELECT t.lives($$SELECT t.login('alice', '192.0.2.51', true)$$, 'a login prunes dead sessions');
SELECT t.ok(NOT EXISTS (SELECT 1 FROM landform.staff_sessions WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'alice-s')),
            'the expired session row is gone');

-- CSRF and logout.
INSERT INTO kv SELECT 'bob-s', t.login('bob', '192.0.2.60', true)->>'token';
SELECT t.is(landform.portal_logout(v, 'csrf-wrong'), '{"status": "csrf"}'::jsonb, 'logout with a wrong CSRF token: csrf') FROM kv WHERE k = 'bob-s';
SELECT t.is(landform.portal_logout(v, NULL), '{"status": "csrf"}'::jsonb, 'logout without a CSRF token: csrf') FROM kv WHERE k = 'bob-s';
SELECT t.is(landform.portal_action(v, 'csrf-wrong', 'claim', 1, '{}'), '{"status": "csrf"}'::jsonb, 'an action with a wrong CSRF token: csrf') FROM kv WHERE k = 'bob-s';
SELECT t.is(landform.portal_home(v, '{}')->>'csrf', 'csrf-' || v, 'portal_home hands out the session''s CSRF token') FROM kv WHERE k = 'bob-s';
SELECT t.is(landform.portal_logout(v, 'csrf-' || v), '{"status": "ok"}'::jsonb, 'logout') FROM kv WHERE k = 'bob-s';
SELECT t.ok(NOT EXISTS (SELECT 1 FROM landform.staff_sessions WHERE token_hash = (SELECT t.tok(v) FROM kv WHERE k = 'bob-s')),
            'logout deletes the session row');
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'the token no longer works') FROM kv WHERE k = 'bob-s';
SELECT t.is(landform.portal_logout(v, 'csrf-' || v)->>'status', 'unauthenticated', 'logging out twice: unauthenticated') FROM kv WHERE k = 'bob-s';

-- Password changes, end_sessions, deactivation end sessions.
INSERT INTO kv SELECT 'dave-s', t.login('dave', '192.0.2.70', true)->>'token';
SELECT landform.set_password('dave', t.hash('dave new')) \g /dev/null
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'set_password ends the member''s sessions') FROM kv WHERE k = 'dave-s';
INSERT INTO kv SELECT 'dave-s2', t.login('dave', '192.0.2.70', true)->>'token';
SELECT t.is(landform.end_sessions('dave'), 1, 'end_sessions: how many ended');
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'end_sessions logs the member out') FROM kv WHERE k = 'dave-s2';
INSERT INTO kv SELECT 'dave-s3', t.login('dave', '192.0.2.70', true)->>'token';
SELECT landform.deactivate_staff('dave') \g /dev/null
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'a deactivated member''s sessions stop working') FROM kv WHERE k = 'dave-s3';
SELECT landform.activate_staff('dave') \g /dev/null
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'deactivation ended them: reactivating does not bring them back') FROM kv WHERE k = 'dave-s3';
INSERT INTO kv SELECT 'dave-s4', t.login('dave', '192.0.2.70', true)->>'token';
INSERT INTO kv SELECT 'dave-link', substring(landform.invite('dave') FROM '[0-9a-f]{64}$');
SELECT t.is(landform.portal_accept_invitation(v, t.hash('dave 3'), t.tok('dave-inv'), 'csrf-dave-inv-0123', NULL, NULL)->>'status', 'ok',
            'a new invitation resets the password') FROM kv WHERE k = 'dave-link';
SELECT t.is(landform.portal_home(v, '{}')->>'status', 'unauthenticated', 'and ends the member''s other sessions') FROM kv WHERE k = 'dave-s4';
SELECT t.is(landform.portal_home(t.tok('dave-inv'), '{}')->>'status', 'ok', 'but not the one it opened');

-- The same checks as landform_app, the role landformd uses.
SET ROLE landform_app;
SELECT t.is(t.login('erin2', '192.0.2.80', false)->>'status', 'unauthenticated', 'landform_app can run a login');
SELECT t.is(landform.portal_invitation((SELECT t.tok('nothing')))->>'status', 'not_found', 'landform_app can check invitations');
SELECT t.throws($$SELECT * FROM landform.staff_sessions$$, '42501', 'landform_app cannot read sessions');
SELECT t.throws($$SELECT * FROM landform.staff_invitations$$, '42501', 'landform_app cannot read invitations');
SELECT t.throws($$SELECT * FROM landform.login_attempts$$, '42501', 'landform_app cannot read login attempts');
SELECT t.throws($$SELECT password_hash FROM landform.staff$$, '42501', 'landform_app cannot read password hashes');
SELECT t.throws($$SELECT landform.add_staff('mallory', 'M')$$, '42501', 'landform_app cannot add staff');
SELECT t.throws($$SELECT landform.invite('alice')$$, '42501', 'landform_app cannot issue invitations');
SELECT t.throws($$SELECT landform.set_password('alice', t.hash('x'))$$, '42501', 'landform_app cannot set passwords');
SELECT t.throws($$SELECT landform.set_setting('session_idle', '1 year')$$, '42501', 'landform_app cannot change settings');
RESET ROLE;
