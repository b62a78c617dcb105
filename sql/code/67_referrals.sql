-- Referrals (老带新 / 裂变, issue 17): share tokens, the crediting rules, the goal and the
-- report. landformd carries a token signed (like the form stamp) from GET /r/<token> to the
-- form; these functions decide everything else.

-- The referrer's share token: one per lead, created on first ask, random (never the phone
-- or the lead id). p_page is the page they submitted on, where their link will lead.
CREATE OR REPLACE FUNCTION landform.referral_token(p_lead bigint, p_page text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_token text;
BEGIN
	SELECT token INTO v_token FROM landform.referral_tokens WHERE lead_id = p_lead;
	IF FOUND THEN
		RETURN v_token;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM landform.leads WHERE id = p_lead) THEN
		RAISE EXCEPTION 'unknown lead %', p_lead USING ERRCODE = 'P0002';
	END IF;
	INSERT INTO landform.referral_tokens (token, lead_id, page_id)
	VALUES (left(landform._new_token(), 32), p_lead, (SELECT id FROM landform.pages WHERE slug = p_page))
	ON CONFLICT (lead_id) DO NOTHING;
	RETURN (SELECT token FROM landform.referral_tokens WHERE lead_id = p_lead);
END
$$;

-- The thank-you page's call: the share token of the lead that the submission with
-- idempotency key p_idem_key on page p_page made or found, created on first ask; NULL when
-- there is no such submission (not yet replayed from a spool, quarantined, or forgotten).
-- landformd only asks with a key it signed for this visitor's thank-you page.
CREATE OR REPLACE FUNCTION landform.referral_share(p_idem_key text, p_page text)
RETURNS text
LANGUAGE sql AS $$
	SELECT landform.referral_token(s.lead_id, p_page)
	FROM landform.submissions s
	JOIN landform.pages pg ON pg.id = s.page_id AND pg.slug = p_page
	WHERE s.idem_key = p_idem_key AND s.lead_id IS NOT NULL;
$$;

-- GET /r/<token>'s call: status ok with the page to open (the referrer's page while it is
-- published, else setting referral_page), counting the visit; unknown (also for a forgotten
-- referrer), no_page, or rate_limited (more than 30 visits of one link in a minute: a link
-- being farmed, not shared).
CREATE OR REPLACE FUNCTION landform.referral_visit(p_token text)
RETURNS TABLE (status text, page text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_page text;
	v_n integer;
BEGIN
	IF p_token IS NULL OR p_token !~ '^[0-9a-f]{32}$' THEN
		RETURN QUERY SELECT 'unknown'::text, NULL::text;
		RETURN;
	END IF;
	-- A visit is a count, as a scan is (channel_visit): a crash may lose the last few; no
	-- redirect waits for the WAL flush.
	PERFORM set_config('synchronous_commit', 'off', true);
	UPDATE landform.referral_tokens t
	SET visits = t.visits + 1,
	    window_at = CASE WHEN t.window_at > now() - interval '1 minute' THEN t.window_at ELSE now() END,
	    window_visits = CASE WHEN t.window_at > now() - interval '1 minute' THEN t.window_visits + 1 ELSE 1 END
	WHERE t.token = p_token
	RETURNING (SELECT pg.slug FROM landform.pages pg WHERE pg.id = t.page_id AND pg.published), t.window_visits
	INTO v_page, v_n;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'unknown'::text, NULL::text;
		RETURN;
	ELSIF v_n > 30 THEN
		RETURN QUERY SELECT 'rate_limited'::text, NULL::text;
		RETURN;
	END IF;
	v_page := coalesce(v_page, (SELECT pg.slug FROM landform.pages pg
	                            WHERE pg.slug = landform.setting('referral_page') AND pg.published));
	RETURN QUERY SELECT CASE WHEN v_page IS NULL THEN 'no_page' ELSE 'ok' END, v_page;
END
$$;

-- Credit the referrer of token p_token for lead p_lead, which a submission just created
-- (p_new_lead) or found, and which spam checks did (p_suspect) or did not quarantine. The
-- rules, with the code returned: a token that does not exist credits nobody (unknown_token);
-- a referrer cannot refer themselves (self: the same phone is the same lead); only a new
-- phone counts (not_new); a quarantined or spam submission never counts (suspect); a lead is
-- credited once (already). Otherwise 'credited', and when the referrer reaches the goal
-- (set_referral_goal) for the first time, their lead is tagged and its holder notified
-- through the outbox (kind referral_goal). Serialized per referrer (row lock on their lead).
CREATE OR REPLACE FUNCTION landform.referral_credit(p_token text, p_lead bigint, p_new_lead boolean,
	p_suspect boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_referrer bigint;
	v_owner bigint;
	v_n bigint;
	v_goal landform.referral_goal;
BEGIN
	SELECT lead_id INTO v_referrer FROM landform.referral_tokens WHERE token = p_token;
	IF NOT FOUND THEN
		RETURN 'unknown_token';
	ELSIF v_referrer = p_lead THEN
		RETURN 'self';
	ELSIF NOT coalesce(p_new_lead, false) THEN
		RETURN 'not_new';
	ELSIF coalesce(p_suspect, true) THEN
		RETURN 'suspect';
	END IF;
	SELECT owner_id INTO v_owner FROM landform.leads WHERE id = v_referrer FOR UPDATE;
	INSERT INTO landform.referral_credits (referrer_id, referred_id) VALUES (v_referrer, p_lead)
	ON CONFLICT (referred_id) DO NOTHING;
	IF NOT FOUND THEN
		RETURN 'already';
	END IF;
	UPDATE landform.leads SET referred_by = v_referrer WHERE id = p_lead;
	SELECT * INTO v_goal FROM landform.referral_goal;
	IF FOUND THEN
		SELECT count(*) INTO v_n FROM landform.referral_credits WHERE referrer_id = v_referrer;
		IF v_n >= v_goal.n THEN
			INSERT INTO landform.referral_goal_reached (lead_id) VALUES (v_referrer)
			ON CONFLICT (lead_id) DO NOTHING;
			IF FOUND THEN
				UPDATE landform.leads SET tags = tags || v_goal.tag
				WHERE id = v_referrer AND NOT v_goal.tag = ANY (tags);
				INSERT INTO landform.outbox (kind, staff_id, lead_id, payload)
				VALUES ('referral_goal', v_owner, v_referrer,
				        jsonb_build_object('referrals', v_n, 'goal', v_goal.n, 'tag', v_goal.tag));
			END IF;
		END IF;
	END IF;
	RETURN 'credited';
END
$$;

-- The goal: a referrer with at least p_n credited referrals gets tag p_tag (e.g. 助力达标) and
-- their holder a notice, once. p_n NULL removes the goal. Referrers already past a new goal
-- reach it with their next credit.
CREATE OR REPLACE FUNCTION landform.set_referral_goal(p_n integer, p_tag text DEFAULT '助力达标')
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_n IS NULL THEN
		DELETE FROM landform.referral_goal;
		RETURN;
	END IF;
	IF p_n < 1 OR p_tag IS NULL OR length(btrim(p_tag)) NOT BETWEEN 1 AND 32 THEN
		RAISE EXCEPTION 'a referral goal is at least 1 referral and a tag of 1-32 characters'
			USING ERRCODE = '22023';
	END IF;
	INSERT INTO landform.referral_goal (n, tag) VALUES (p_n, btrim(p_tag))
	ON CONFLICT (one) DO UPDATE SET n = excluded.n, tag = excluded.tag;
END
$$;

-- Top referrers over a period (both days included, in the time_zone setting's calendar):
-- link visits (all time), new leads credited in the period, how many of those were won,
-- and the revenue of those leads' deals.
CREATE OR REPLACE FUNCTION landform.referral_report(p_from date, p_to date)
RETURNS TABLE (referrer_id bigint, referrer text, visits bigint, new_leads bigint, won bigint,
               revenue numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM landform._check_range(p_from, p_to, 'day');
	RETURN QUERY
	SELECT c.referrer_id, l.name, coalesce(t.visits, 0), count(*),
	       count(*) FILTER (WHERE r.won_at IS NOT NULL),
	       coalesce(sum((SELECT sum(d.amount) FROM landform.deals d WHERE d.lead_id = c.referred_id)), 0)
	FROM landform.referral_credits c
	JOIN landform.leads l ON l.id = c.referrer_id
	LEFT JOIN landform.leads r ON r.id = c.referred_id
	LEFT JOIN landform.referral_tokens t ON t.lead_id = c.referrer_id
	WHERE c.credited_at >= landform._day_start(p_from) AND c.credited_at < landform._day_start(p_to + 1)
	GROUP BY c.referrer_id, l.name, t.visits
	ORDER BY count(*) DESC, c.referrer_id;
END
$$;
