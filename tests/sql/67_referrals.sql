-- Referrals (issue 17), the rules in SQL: a chain A -> B -> C credits A once for B and B once
-- for C; a self-referral, a repeat phone, a suspect submission and an unknown (forged) token
-- credit nobody; the goal tags the referrer and notifies the holder once; referral_report
-- counts exactly; forget(referrer) kills the link, forget(referred) keeps the count.
\o /dev/null
DO $$ BEGIN
	PERFORM t.scene('alice');
END $$;
-- sub(phone, key): submit on demo, returns lead id and whether it is new.
CREATE FUNCTION pg_temp.sub(p_phone text, p_key text) RETURNS TABLE (lead bigint, is_new boolean)
LANGUAGE sql AS $$ SELECT lead_id, new_lead FROM landform.submit('demo', NULL, p_phone, 'N' || right(p_phone, 1), NULL,
	'{}', 'yes', p_key, NULL, NULL, 'zh-CN') $$;
CREATE TEMP TABLE s AS SELECT 'A' AS who, * FROM pg_temp.sub('+8613900000001', 'a');
SELECT landform.dispatch();
SELECT landform.accept(id, staff_id) FROM landform.assignments;
CREATE TEMP TABLE tok AS SELECT 'A' AS who, landform.referral_token((SELECT lead FROM s WHERE who = 'A'), 'demo') AS token;
\o

SELECT t.ok((SELECT token FROM tok) ~ '^[0-9a-f]{32}$', 'a share token is 32 random hex characters');
SELECT t.is(landform.referral_token((SELECT lead FROM s WHERE who = 'A')), (SELECT token FROM tok), 'asked again: the same token');
SELECT t.ok(position('13900000001' IN (SELECT token FROM tok)) = 0 AND (SELECT token FROM tok) <> (SELECT lead FROM s)::text,
            '... which is neither the phone nor the lead id');
SELECT t.is((SELECT status || ' ' || page FROM landform.referral_visit((SELECT token FROM tok))), 'ok demo',
            'visiting the link opens the referrer''s page');
SELECT t.is((SELECT status FROM landform.referral_visit('0123456789abcdef0123456789abcdef')), 'unknown', 'a forged token is unknown');
SELECT t.is((SELECT status FROM landform.referral_visit('//evil')), 'unknown', 'so is one that cannot be a token');

SELECT t.is((SELECT string_agg(status, ' ') FROM (SELECT (landform.referral_visit((SELECT token FROM tok))).status
             FROM generate_series(1, 29)) v WHERE status <> 'ok'), NULL, '29 more visits in the minute: all ok');
SELECT t.is((SELECT status FROM landform.referral_visit((SELECT token FROM tok))), 'rate_limited', 'the 31st in a minute is rate limited');
UPDATE landform.referral_tokens SET window_at = now() - interval '61 seconds';
SELECT t.is((SELECT status FROM landform.referral_visit((SELECT token FROM tok))), 'ok', 'a minute later the link works again');

-- A refers B; B refers C.
INSERT INTO s SELECT 'B', * FROM pg_temp.sub('+8613900000002', 'b');
SELECT t.is(landform.referral_credit((SELECT token FROM tok), (SELECT lead FROM s WHERE who = 'B'),
            (SELECT is_new FROM s WHERE who = 'B')), 'credited', 'A -> B: A is credited');
SELECT t.is((SELECT referred_by FROM landform.leads WHERE id = (SELECT lead FROM s WHERE who = 'B')), (SELECT lead FROM s WHERE who = 'A'),
            '... and B records referred_by A');
INSERT INTO tok SELECT 'B', landform.referral_token((SELECT lead FROM s WHERE who = 'B'), 'demo');
INSERT INTO s SELECT 'C', * FROM pg_temp.sub('+8613900000003', 'c');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'B'), (SELECT lead FROM s WHERE who = 'C'), true),
            'credited', 'B -> C: B is credited');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), (SELECT lead FROM s WHERE who = 'C'), true),
            'already', 'C again through A''s link: a lead is credited once');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'B'), (SELECT lead FROM s WHERE who = 'C'), true),
            'already', '... even through the same link');
-- A submits again through their own link: the same phone is the same lead.
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), lead, is_new), 'self', 'a self-referral credits nobody')
FROM pg_temp.sub('+8613900000001', 'a2');
-- D is already known, then comes through A's link.
INSERT INTO s SELECT 'D', * FROM pg_temp.sub('+8613900000004', 'd');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), lead, is_new), 'not_new', 'a repeat phone credits nobody')
FROM pg_temp.sub('+8613900000004', 'd2');
INSERT INTO s SELECT 'E', * FROM pg_temp.sub('+8613900000005', 'e');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), (SELECT lead FROM s WHERE who = 'E'), true, true),
            'suspect', 'a quarantined or spam submission credits nobody');
SELECT t.is(landform.referral_credit('0123456789abcdef0123456789abcdef', (SELECT lead FROM s WHERE who = 'E'), true),
            'unknown_token', 'a forged token credits nobody');
SELECT t.is((SELECT string_agg(l.name || '=' || n, ' ' ORDER BY l.name) FROM (SELECT referrer_id, count(*) AS n
             FROM landform.referral_credits GROUP BY 1) c JOIN landform.leads l ON l.id = c.referrer_id),
            'N1=1 N2=1', 'counted per referrer: A 1 (B), B 1 (C)');

-- The goal: two referrals tag A and tell A's holder, once.
SELECT landform.set_referral_goal(2, '助力达标') \g /dev/null
INSERT INTO s SELECT 'F', * FROM pg_temp.sub('+8613900000006', 'f');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), (SELECT lead FROM s WHERE who = 'F'), true),
            'credited', 'A -> F: A''s second');
SELECT t.ok((SELECT '助力达标' = ANY (tags) FROM landform.leads WHERE id = (SELECT lead FROM s WHERE who = 'A')), 'A reached the goal: tagged');
SELECT t.is((SELECT count(*)::integer FROM landform.outbox WHERE kind = 'referral_goal'
             AND lead_id = (SELECT lead FROM s WHERE who = 'A') AND staff_id = (SELECT id FROM landform.staff WHERE login = 'alice')),
            1, '... and A''s holder is notified through the outbox');
SELECT t.ok(NOT (SELECT '助力达标' = ANY (tags) FROM landform.leads WHERE id = (SELECT lead FROM s WHERE who = 'B')), 'B (one) is not');
INSERT INTO s SELECT 'G', * FROM pg_temp.sub('+8613900000007', 'g');
SELECT t.is(landform.referral_credit((SELECT token FROM tok WHERE who = 'A'), (SELECT lead FROM s WHERE who = 'G'), true),
            'credited', 'A -> G: a third');
SELECT t.is((SELECT count(*)::integer FROM landform.outbox WHERE kind = 'referral_goal'), 1, '... no second notice');
SELECT t.throws($$SELECT landform.set_referral_goal(0, 'x')$$, '22023', 'a goal of 0 is refused');

-- The report.
SELECT landform.add_deal((SELECT lead FROM s WHERE who = 'F'), 250) \g /dev/null
SELECT t.is(string_agg(concat_ws(' ', referrer, visits, new_leads, won, revenue), ' | ' ORDER BY referrer),
            'N1 32 3 1 250.00 | N2 0 1 0 0', 'referral_report: visits, new leads, won, revenue per referrer')
FROM landform.referral_report(landform.today(), landform.today());
SELECT t.is((SELECT count(*)::integer FROM landform.referral_report(landform.today() - 10, landform.today() - 1)), 0,
            'nothing credited before today');

-- forget: the referred person goes, the referrer keeps the count; the referrer goes, the link stops.
SELECT landform.forget('+8613900000002') \g /dev/null
SELECT t.is((SELECT new_leads FROM landform.referral_report(landform.today(), landform.today()) WHERE referrer = 'N1'), 3::bigint,
            'forget(B): A keeps 3 referrals');
SELECT t.is((SELECT status FROM landform.referral_visit((SELECT token FROM tok WHERE who = 'B'))), 'unknown',
            '... and B''s link stops working');
SELECT t.is((SELECT count(*)::integer FROM landform.referral_tokens WHERE token = (SELECT token FROM tok WHERE who = 'B')), 0,
            '... its token is gone');

-- Through submit itself (p_referral) and submit_batch (key "referral", what a spool record
-- holds): the rules are referral_credit's, applied inside the one call.
CREATE TEMP TABLE h AS SELECT lead_id FROM landform.submit('demo', NULL, '+8613900000011', 'H', NULL, '{}', 'yes', 'h',
                                                           NULL, NULL, 'zh-CN', NULL, (SELECT token FROM tok WHERE who = 'A'));
SELECT t.is((SELECT referred_by FROM landform.leads WHERE id = (SELECT lead_id FROM h)), (SELECT lead FROM s WHERE who = 'A'),
            'submit with p_referral: the new lead records referred_by A');
SELECT t.is((SELECT count(*)::integer FROM landform.referral_credits WHERE referred_id =
             (SELECT id FROM landform.leads WHERE phone = '+8613900000011')), 1, '... and A is credited for it');
CREATE TEMP TABLE n0 AS SELECT count(*)::integer AS n FROM landform.referral_credits;
SELECT t.is(string_agg(new_lead::text, ' ' ORDER BY ord), 'true true false',
            'submit_batch with referrals: two new phones, one repeat')
FROM landform.submit_batch(jsonb_build_array(
	jsonb_build_object('page', 'demo', 'phone', '+8613900000012', 'idem_key', 'i1', 'referral', (SELECT token FROM tok WHERE who = 'A')),
	jsonb_build_object('page', 'demo', 'phone', '+8613900000013', 'idem_key', 'i2', 'referral', '0123456789abcdef0123456789abcdef'),
	jsonb_build_object('page', 'demo', 'phone', '+8613900000012', 'idem_key', 'i3', 'referral', (SELECT token FROM tok WHERE who = 'A'))));
SELECT t.is((SELECT string_agg(right(l.phone, 2) || '<-' || coalesce(right(r.phone, 2), '-'), ' ' ORDER BY l.phone)
             FROM landform.leads l LEFT JOIN landform.leads r ON r.id = l.referred_by
             WHERE l.phone IN ('+8613900000012', '+8613900000013')), '12<-01 13<--',
            '... the one through A''s link is A''s, the one with an unknown token nobody''s');
SELECT t.is((SELECT count(*)::integer FROM landform.referral_credits), (SELECT n + 1 FROM n0), '... one credit more, not two');
SELECT t.is((SELECT replayed FROM landform.submit('demo', NULL, '+8613900000014', 'J', NULL, '{}', 'yes', 'h', NULL, NULL,
                                                  'zh-CN', NULL, (SELECT token FROM tok WHERE who = 'A'))), true,
            'a replayed key (h again, another phone) answers the first call''s row');
SELECT t.is((SELECT count(*)::integer FROM landform.referral_credits), (SELECT n + 1 FROM n0), '... and credits nobody again');

-- The thank-you page's share link: the token of the lead the submission with that key made.
SELECT t.is(landform.referral_share('a', 'demo'), (SELECT token FROM tok WHERE who = 'A'),
            'referral_share(A''s key): A''s token');
SELECT t.ok(landform.referral_share('h', 'demo') ~ '^[0-9a-f]{32}$'
            AND landform.referral_share('h', 'demo') = landform.referral_share('h', 'demo'),
            '... created on first ask for a lead that had none, the same after');
SELECT t.is(landform.referral_share('h', 'ask'), NULL, '... none for the key on another page');
SELECT t.is(landform.referral_share('never-sent', 'demo'), NULL, '... none for a key not (yet) stored');
