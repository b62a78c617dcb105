-- Live channel codes (渠道活码, issue 17): a channel gets a target (a landing page and an optional
-- extra query) that /c/<code> redirects to, changeable without reprinting the poster; scans are
-- counted per page x channel x day beside page_daily; funnel() and channel_report() gain a
-- scans column, so their old shapes are dropped here and 62_reports.sql creates the new ones.

-- Why an extra query is refused, as a stable code (NULL: acceptable). The only rule for it:
-- the CHECK below and set_channel_target both ask this function. Keys and values are limited
-- to URL-unreserved characters, so the query landformd builds from them needs no escaping,
-- cannot carry a scheme, a host, a path or a line break, and "ch" stays the channel's own.
CREATE FUNCTION landform.channel_query_problem(p_query text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_pair text;
	v_keys text[] := '{}';
	v_key text;
BEGIN
	IF p_query IS NULL THEN
		RETURN NULL;
	END IF;
	IF p_query = '' OR length(p_query) > 512 THEN
		RETURN 'query_length';
	END IF;
	IF array_length(string_to_array(p_query, '&'), 1) > 16 THEN
		RETURN 'query_too_many';
	END IF;
	FOREACH v_pair IN ARRAY string_to_array(p_query, '&') LOOP
		IF v_pair !~ '^[A-Za-z][A-Za-z0-9_.-]{0,31}=[A-Za-z0-9_.~-]{0,128}$' THEN
			RETURN 'query_pair';
		END IF;
		v_key := split_part(v_pair, '=', 1);
		IF lower(v_key) IN ('ch', 'lang', 'ref') THEN
			RETURN 'query_reserved';
		END IF;
		IF v_key = ANY (v_keys) THEN
			RETURN 'query_repeated';
		END IF;
		v_keys := v_keys || v_key;
	END LOOP;
	RETURN NULL;
END
$$;

ALTER TABLE landform.channels
	ADD COLUMN target_page_id bigint REFERENCES landform.pages ON DELETE SET NULL,
	ADD COLUMN target_query text CONSTRAINT channels_target_query
		CHECK (landform.channel_query_problem(target_query) IS NULL),
	ADD COLUMN disabled_at timestamptz,
	ADD COLUMN target_changed_at timestamptz;

-- Scans of /c/<code> that were redirected, by the page they went to (anonymous counts). A
-- poster's code is one hot row per day: each database session counts in its own slot of 16
-- (backend pid mod 16), so workers do not queue on one row lock; reports sum the slots.
CREATE TABLE landform.channel_scans (
	page_id bigint NOT NULL REFERENCES landform.pages ON DELETE CASCADE,
	channel_id bigint NOT NULL REFERENCES landform.channels ON DELETE CASCADE,
	day date NOT NULL,
	slot smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15),
	scans bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (channel_id, page_id, day, slot)
) WITH (fillfactor = 50);
CREATE INDEX channel_scans_day ON landform.channel_scans (day);

-- The page an unknown or disabled code links to ('' = none), set with set_setting.
INSERT INTO landform.settings (name, value, note) VALUES
	('channel_fallback_page', '',
	 'slug of the landing page an unknown or disabled /c/<code> links to (empty: none)');

-- The reports change shape (a scans column before views); their views go with them.
DROP FUNCTION IF EXISTS landform.funnel(date, date, text) CASCADE;
DROP FUNCTION IF EXISTS landform.channel_report(date, date, text) CASCADE;

-- Referrals (老带新, issue 17): each lead may get one personal share token (random, never the
-- phone or the lead id); a new lead who came through it is credited to the referrer once.
-- Credits outlive the referred person (forget keeps others' counts), not the referrer.
CREATE TABLE landform.referral_tokens (
	token text PRIMARY KEY CHECK (token ~ '^[0-9a-f]{32}$'),
	lead_id bigint NOT NULL UNIQUE REFERENCES landform.leads ON DELETE CASCADE,
	page_id bigint REFERENCES landform.pages ON DELETE SET NULL,
	visits bigint NOT NULL DEFAULT 0,
	-- Rate limit (referral_visit): visits in the minute that started at window_at.
	window_at timestamptz NOT NULL DEFAULT now(),
	window_visits integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE landform.referral_credits (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	referrer_id bigint NOT NULL REFERENCES landform.leads ON DELETE CASCADE,
	referred_id bigint UNIQUE REFERENCES landform.leads ON DELETE SET NULL,
	credited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_credits_referrer ON landform.referral_credits (referrer_id, credited_at);
ALTER TABLE landform.leads ADD COLUMN referred_by bigint REFERENCES landform.leads ON DELETE SET NULL;
CREATE INDEX leads_referred_by ON landform.leads (referred_by) WHERE referred_by IS NOT NULL;
-- The goal (set_referral_goal): one row or none.
CREATE TABLE landform.referral_goal (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	n integer NOT NULL CHECK (n BETWEEN 1 AND 100000),
	tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 32)
);
-- Who reached it, so the tag and the notice come once.
CREATE TABLE landform.referral_goal_reached (
	lead_id bigint PRIMARY KEY REFERENCES landform.leads ON DELETE CASCADE,
	reached_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO landform.settings (name, value, note) VALUES
	('referral_page', '',
	 'slug of the page a referral link opens when the referrer''s own page is gone (empty: none)');
