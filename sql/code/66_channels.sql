-- Live channel codes (渠道活码, issue 17): where /c/<code> sends a visitor, the admin calls that
-- change it, the redirect's one call (which counts the scan) and the portal's channel pages.
-- The rules for a target are here alone: landformd maps the refusal codes and escapes.

-- Why a target is refused, as a stable code, or NULL. Codes: code_invalid, page_unknown, and
-- those of channel_query_problem (sql/migrations/0018_channels.sql).
CREATE OR REPLACE FUNCTION landform.channel_target_problem(p_code text, p_page_slug text,
	p_extra_query text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9_-]{1,32}$' THEN
		RETURN 'code_invalid';
	END IF;
	IF p_page_slug IS NULL OR NOT EXISTS (SELECT 1 FROM landform.pages WHERE slug = p_page_slug) THEN
		RETURN 'page_unknown';
	END IF;
	RETURN landform.channel_query_problem(p_extra_query);
END
$$;

-- Point a channel's live code at a page (and an optional extra query, "utm_campaign=spring&x=1"),
-- creating the channel if it is new, and enable it again if it was disabled. Takes effect on
-- the next scan. Refusals: 22023 with the refusal code first in the message.
CREATE OR REPLACE FUNCTION landform.set_channel_target(p_code text, p_page_slug text,
	p_extra_query text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_problem text := landform.channel_target_problem(p_code, p_page_slug, nullif(p_extra_query, ''));
BEGIN
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION '%: the target of channel "%" is refused', v_problem, left(p_code, 40)
			USING ERRCODE = '22023',
			      HINT = 'a code is 1-32 of A-Z a-z 0-9 _ -; the page is a slug from landform.pages; '
			             'the query is key=value pairs joined by &, keys a letter then A-Z a-z 0-9 _ . -, '
			             'values A-Z a-z 0-9 _ . ~ -, not ch, lang or ref';
	END IF;
	INSERT INTO landform.channels (code, target_page_id, target_query, target_changed_at)
	SELECT p_code, pg.id, nullif(p_extra_query, ''), now()
	FROM landform.pages pg WHERE pg.slug = p_page_slug
	ON CONFLICT (code) DO UPDATE
	SET target_page_id = excluded.target_page_id, target_query = excluded.target_query,
	    target_changed_at = now(), disabled_at = NULL;
END
$$;

-- Stop a live code: its scans get the friendly page (with the fallback link) until
-- set_channel_target points it somewhere again. P0002 for an unknown channel.
CREATE OR REPLACE FUNCTION landform.disable_channel(p_code text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE landform.channels SET disabled_at = coalesce(disabled_at, now()) WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown channel "%"', left(p_code, 40)
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT code, target_page_id FROM landform.channels';
	END IF;
END
$$;

-- set_setting's check for channel_fallback_page: empty, or a page that exists.
CREATE OR REPLACE FUNCTION landform._check_channel_fallback(p_value text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_value IS NULL OR (p_value <> '' AND NOT EXISTS (SELECT 1 FROM landform.pages WHERE slug = p_value)) THEN
		RAISE EXCEPTION 'page_unknown: no landing page "%"', left(p_value, 64)
			USING ERRCODE = '22023', HINT = 'SELECT slug FROM landform.pages, or '''' for none';
	END IF;
END
$$;

-- GET /c/<code>'s one call. status: ok (page, query: where to send the visitor; the scan is
-- counted), unknown, disabled or no_target (fallback: the page to offer instead, or NULL).
CREATE OR REPLACE FUNCTION landform.channel_visit(p_code text)
RETURNS TABLE (status text, page text, query text, fallback text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v record;
	v_fallback text := nullif(landform.setting('channel_fallback_page'), '');
BEGIN
	IF v_fallback IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM landform.pages WHERE slug = v_fallback AND published) THEN
		v_fallback := NULL;
	END IF;
	IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9_-]{1,32}$' THEN
		RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::text, v_fallback;
		RETURN;
	END IF;
	SELECT c.id, c.disabled_at, c.target_query, pg.id AS page_id, pg.slug, pg.published
	INTO v
	FROM landform.channels c LEFT JOIN landform.pages pg ON pg.id = c.target_page_id
	WHERE c.code = p_code;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::text, v_fallback;
	ELSIF v.disabled_at IS NOT NULL THEN
		RETURN QUERY SELECT 'disabled'::text, NULL::text, NULL::text, v_fallback;
	ELSIF v.page_id IS NULL OR NOT v.published THEN
		RETURN QUERY SELECT 'no_target'::text, NULL::text, NULL::text, v_fallback;
	ELSE
		-- A scan is a count, not a lead: losing the last few to a crash is acceptable, waiting
		-- for the WAL flush on every redirect is not (the transaction is this one statement).
		PERFORM set_config('synchronous_commit', 'off', true);
		INSERT INTO landform.channel_scans AS s (page_id, channel_id, day, slot, scans)
		VALUES (v.page_id, v.id, landform.today(), pg_backend_pid() % 16, 1)
		ON CONFLICT (channel_id, page_id, day, slot) DO UPDATE SET scans = s.scans + 1;
		RETURN QUERY SELECT 'ok'::text, v.slug, v.target_query, NULL::text;
	END IF;
END
$$;

-- Its name until the dashboard shared it.
DROP FUNCTION IF EXISTS landform._channels_enter(text, text, boolean);

-- The period an admin page shows (the channels page, the dashboard), the one rule for both: a
-- NULL end is today, a NULL start 29 days before the end (30 days in all); problem is NULL, or
-- period_order (it ends before it starts, or an end is not a finite date) or period_span (over
-- 731 days: two years).
CREATE OR REPLACE FUNCTION landform._report_period(p_from date, p_to date,
	OUT from_day date, OUT to_day date, OUT problem text)
LANGUAGE sql STABLE AS $$
	SELECT f, t, CASE WHEN NOT isfinite(f) OR NOT isfinite(t) OR f > t THEN 'period_order'
	                  WHEN t - f > 731 THEN 'period_span' END
	FROM (SELECT coalesce(p_from, x.t - 29) AS f, x.t
	      FROM (SELECT coalesce(p_to, landform.today()) AS t) x) y
$$;

-- GET /staff/channels (and its JSON): admins only. Every channel with its live code's target
-- and, over the period (default the last 30 days), scans, visitors, new leads, won and spend
-- from channel_report; the pages a target may name.
CREATE OR REPLACE FUNCTION landform.portal_channels(p_session text, p_from date, p_to date)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._admin_period_enter(p_session, p_from, p_to);
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	ELSIF v_ctx->>'problem' IS NOT NULL THEN
		-- One code for either problem on this page.
		RETURN landform._invalid('period_range', 'from', 'The period must start on or before its last day, within two years.');
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf',
		'from', v_ctx->'from', 'to', v_ctx->'to',
		'channels', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'code', c.code, 'name', c.name, 'page', pg.slug, 'query', c.target_query,
				'disabled', c.disabled_at IS NOT NULL,
				'scans', coalesce(r.scans, 0), 'visitors', coalesce(r.visitors, 0),
				'leads', coalesce(r.new_leads, 0), 'won', coalesce(r.won, 0),
				'spend', coalesce(r.spend, 0)) ORDER BY c.code), '[]')
			FROM landform.channels c
			LEFT JOIN landform.pages pg ON pg.id = c.target_page_id
			LEFT JOIN (SELECT x.channel, sum(x.scans) AS scans, sum(x.visitors) AS visitors,
			                  sum(x.new_leads) AS new_leads, sum(x.won) AS won, sum(x.spend) AS spend
			           FROM landform.channel_report((v_ctx->>'from')::date, (v_ctx->>'to')::date, 'day') x
			           GROUP BY x.channel) r
			  ON r.channel = c.code),
		'pages', (SELECT coalesce(jsonb_agg(pg.slug ORDER BY pg.slug), '[]')
			FROM landform.pages pg WHERE pg.published));
END
$$;

-- POST /staff/channels/<code>/target: an admin points a channel somewhere (set_channel_target's
-- rules). invalid answers carry the refusal code and the field it is about.
CREATE OR REPLACE FUNCTION landform.portal_set_channel_target(p_session text, p_csrf text,
	p_code text, p_page_slug text, p_extra_query text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._admin_enter(p_session, p_csrf, true);
	v_problem text;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_problem := landform.channel_target_problem(p_code, p_page_slug, nullif(p_extra_query, ''));
	IF v_problem IS NOT NULL THEN
		RETURN jsonb_build_object('status', 'invalid', 'code', v_problem,
			'field', CASE WHEN v_problem LIKE 'query%' THEN 'query'
			              WHEN v_problem = 'page_unknown' THEN 'page' ELSE 'code' END,
			'message', v_problem);
	END IF;
	PERFORM landform.set_channel_target(p_code, p_page_slug, p_extra_query);
	RETURN jsonb_build_object('status', 'ok', 'code', p_code, 'page', p_page_slug,
		'query', nullif(p_extra_query, ''));
END
$$;

-- GET /staff/channels/<code>/qr.*: an admin asks for an existing channel's code.
CREATE OR REPLACE FUNCTION landform.portal_channel_qr(p_session text, p_code text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._admin_enter(p_session, NULL, false);
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM landform.channels WHERE code = p_code) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'code', p_code);
END
$$;
