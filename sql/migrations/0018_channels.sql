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

-- Scans of /c/<code> that were redirected, by the page they went to (anonymous counts).
CREATE TABLE landform.channel_scans (
	page_id bigint NOT NULL REFERENCES landform.pages ON DELETE CASCADE,
	channel_id bigint NOT NULL REFERENCES landform.channels ON DELETE CASCADE,
	day date NOT NULL,
	scans bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (channel_id, page_id, day)
) WITH (fillfactor = 50);
CREATE INDEX channel_scans_day ON landform.channel_scans (day);

-- The page an unknown or disabled code links to ('' = none), set with set_setting.
INSERT INTO landform.settings (name, value, note) VALUES
	('channel_fallback_page', '',
	 'slug of the landing page an unknown or disabled /c/<code> links to (empty: none)');

-- The reports change shape (a scans column before views); their views go with them.
DROP FUNCTION IF EXISTS landform.funnel(date, date, text) CASCADE;
DROP FUNCTION IF EXISTS landform.channel_report(date, date, text) CASCADE;
