-- Segments (issue 16): saved filters over leads, in the tag rules' grammar (tags all/any/none of,
-- stage, channel, page, pool, owner, first_seen, deals, ...), compiled once like a rule's
-- condition; counted, listed and exported (CSV through \copy) by admins.

-- A segment by name, or a clear error.
CREATE OR REPLACE FUNCTION landform._segment(p_name text) RETURNS landform.segments
LANGUAGE plpgsql STABLE AS $$
DECLARE
	g landform.segments;
BEGIN
	SELECT * INTO g FROM landform.segments WHERE name = p_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no segment named "%"', p_name
			USING ERRCODE = 'P0002', HINT = 'list them with: SELECT name, filter FROM landform.segments';
	END IF;
	RETURN g;
END
$$;

-- Admin: save a filter under a name (again: replace it). Returns how many leads it holds now.
CREATE OR REPLACE FUNCTION landform.add_segment(p_name text, p_filter jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	c record;
BEGIN
	PERFORM landform._check_rule_name(p_name, 'segment');
	SELECT * INTO c FROM landform._tag_compile(p_filter, 'filter');
	INSERT INTO landform.segments (name, filter, predicate) VALUES (p_name, p_filter, c.sql)
	ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, predicate = excluded.predicate;
	RETURN landform.segment_count(p_name);
END
$$;

-- Admin: forget a segment.
CREATE OR REPLACE FUNCTION landform.drop_segment(p_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM landform.segments WHERE id = (landform._segment(p_name)).id;
END
$$;

-- Admin: how many leads are in the segment now.
CREATE OR REPLACE FUNCTION landform.segment_count(p_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM landform.leads l WHERE %s', (landform._segment(p_name)).predicate)
	INTO v_n USING landform._tag_clock();
	RETURN v_n;
END
$$;

-- Admin: the segment's leads, newest first, with what a follow-up needs (full phones: admins).
CREATE OR REPLACE FUNCTION landform.segment_leads(p_name text)
RETURNS TABLE (lead_id bigint, phone text, name text, stage text, owner text, pool text, channel text,
               page text, tags text[], first_seen timestamptz, last_seen timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT l.id, l.phone, l.name, st.name, s.login, p.name, c.code, pg.slug, l.tags, l.first_seen, l.last_seen
		FROM landform.leads l
		JOIN landform.stages st ON st.id = l.stage_id
		JOIN landform.pools p ON p.id = l.pool_id
		LEFT JOIN landform.staff s ON s.id = l.owner_id
		LEFT JOIN landform.channels c ON c.id = l.channel_id
		LEFT JOIN landform.pages pg ON pg.id = l.page_id
		WHERE %s
		ORDER BY l.first_seen DESC, l.id DESC$q$, (landform._segment(p_name)).predicate)
	USING landform._tag_clock();
END
$$;

-- A cell a spreadsheet would run as a formula (starts with = + - @, a tab or a carriage return
-- and is not a plain number) made inert with a leading ', as fcgi/csv.c does for the reports:
-- \copy writes what SQL gives it, so the guard has to be here for SQL exports.
CREATE OR REPLACE FUNCTION landform._csv_inert(p_cell text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_cell ~ '^[-=+@\t\r]' AND p_cell !~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN '''' || p_cell ELSE p_cell END
$$;

-- Admin: the segment as rows ready for CSV, every text cell guarded against formulas:
--   \copy (SELECT * FROM landform.segment_export('重要挽留')) TO 'seg.csv' WITH (FORMAT csv, HEADER true)
CREATE OR REPLACE FUNCTION landform.segment_export(p_name text)
RETURNS TABLE (lead_id bigint, phone text, name text, stage text, owner text, pool text, channel text,
               page text, tags text, first_seen text, last_seen text)
LANGUAGE sql AS $$
	SELECT x.lead_id, landform._csv_inert(x.phone), landform._csv_inert(x.name), landform._csv_inert(x.stage),
	       landform._csv_inert(x.owner), landform._csv_inert(x.pool), landform._csv_inert(x.channel),
	       landform._csv_inert(x.page), landform._csv_inert(array_to_string(x.tags, ';')),
	       to_char(x.first_seen AT TIME ZONE landform.setting('time_zone'), 'YYYY-MM-DD HH24:MI'),
	       to_char(x.last_seen AT TIME ZONE landform.setting('time_zone'), 'YYYY-MM-DD HH24:MI')
	FROM landform.segment_leads(p_name) x
$$;

-- ---------------------------------------------------------------------------------------
-- The portal's side of segments (issue 16). The lead list filters by a segment among the
-- member's own leads only; admins download a segment as CSV.

-- portal_home's tags filter: {tags: [..]} and the older single {tag}, as one text[] the leads
-- must all carry ('{}' for none); NULL when malformed (not a list of 1-64 character texts, or
-- more than 20). Apart from portal_home so the list query stays as it was.
CREATE OR REPLACE FUNCTION landform._portal_filter_tags(p_tags jsonb, p_tag text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v text[] := CASE WHEN p_tag IS NULL THEN '{}' ELSE ARRAY[p_tag] END;
	e jsonb;
BEGIN
	IF p_tags IS NULL OR p_tags = 'null' THEN
		RETURN v;
	END IF;
	IF jsonb_typeof(p_tags) <> 'array' OR jsonb_array_length(p_tags) > 20 THEN
		RETURN NULL;
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(p_tags) x LOOP
		IF jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 64 THEN
			RETURN NULL;
		END IF;
		v := v || btrim(e #>> '{}');
	END LOOP;
	RETURN ARRAY(SELECT DISTINCT x FROM unnest(v) x ORDER BY x);
END
$$;

-- The ids of the calling member's own accepted leads in a segment (NULL: no such segment, or
-- no member entered). DEFINER because landform_app cannot read segments, and a predicate may
-- look at what the member's role is not granted (deal amounts, submitted fields); what leaves
-- it is only ids of leads the member owns, which row-level security shows them anyway. The
-- member is the one _portal_enter set for this transaction, never a parameter.
CREATE OR REPLACE FUNCTION landform._portal_segment_leads(p_name text) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_me bigint := nullif(current_setting('landform.staff_id', true), '')::bigint;
	v_pred text;
	v_ids bigint[];
BEGIN
	SELECT g.predicate INTO v_pred FROM landform.segments g WHERE g.name = p_name;
	IF v_pred IS NULL OR v_me IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE format('SELECT coalesce(array_agg(l.id), ''{}'') FROM landform.leads l
	                WHERE l.owner_id = $2 AND l.state = ''owned'' AND (%s)', v_pred)
	INTO v_ids USING landform._tag_clock(), v_me;
	RETURN v_ids;
END
$$;

-- The segments' names, for the lead list's filter (a member may filter by any of them).
CREATE OR REPLACE FUNCTION landform._portal_segments() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(g.name ORDER BY g.name), '[]') FROM landform.segments g
$$;

-- GET /staff/segments.csv?name=: an admin's download of segment_export (full phones, every
-- text cell made formula-inert by _csv_inert, the same rows \copy writes).
-- {status:"ok", columns:[..], rows:[[..], ..]} | forbidden | unauthenticated | not_found.
CREATE OR REPLACE FUNCTION landform.portal_segment_export(p_session text, p_name text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_ctx jsonb := landform._admin_enter(p_session, NULL, false);
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM landform.segments g WHERE g.name = p_name) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'name', p_name,
		'columns', jsonb_build_array('lead_id', 'phone', 'name', 'stage', 'owner', 'pool', 'channel',
		                             'page', 'tags', 'first_seen', 'last_seen'),
		'rows', (SELECT coalesce(jsonb_agg(jsonb_build_array(x.lead_id::text, x.phone, x.name, x.stage,
		                                                     x.owner, x.pool, x.channel, x.page, x.tags,
		                                                     x.first_seen, x.last_seen) ORDER BY x.ordinality), '[]')
		         FROM landform.segment_export(p_name) WITH ORDINALITY AS x));
END
$$;
