-- Contact details hidden until a member accepts a lead (issue 13): ONE rule, here. The portal's
-- views and read functions (81_portal_reads.sql) and the notices (notify_claim, 75_notify.sql) call
-- these; landformd masks nothing itself. landform_app may call them (90_security.sql). Cases
-- shared with nothing else: tests/data/mask/cases.tsv, run by tests/sql/57_mask.sh.
-- Plain SQL functions without SET clauses, so the planner can inline them.

-- A phone as stored (E.164) before accepting: a Chinese mobile as 138****5678; other numbers
-- "+", the first three digits, four stars and the last four (+447****3456); short ones the
-- last two (+33****78). Anything that is not E.164 becomes "***": never leaks its input.
CREATE OR REPLACE FUNCTION landform.mask_phone(p_phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_phone IS NULL THEN NULL
	            WHEN NOT landform.is_e164(p_phone) THEN '***'
	            WHEN p_phone ~ '^\+86[0-9]{11}$' THEN substr(p_phone, 4, 3) || '****' || right(p_phone, 4)
	            WHEN length(p_phone) >= 12 THEN left(p_phone, 4) || '****' || right(p_phone, 4)
	            ELSE left(p_phone, 3) || '****' || right(p_phone, 2) END
$$;

-- Free text (a question, a note, a form field) before accepting: e-mail addresses keep their
-- first character and domain (a***@example.com); WeChat ids (wxid_..., or an id after 微信,
-- wechat, weixin, vx, wx, QQ, with 号, ID, a colon between) become ***; runs of 7 or more
-- digits (up to two spaces, dashes or brackets between two digits) keep the first three and
-- last four digits when they are 11 or more (139****1111, 021****5678; with a leading + as
-- mask_phone), else only the last two (****78). Dates and amounts with 7+ digits are hidden
-- too: better too much than a number.
CREATE OR REPLACE FUNCTION landform.mask_contact(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	WITH s AS (
		SELECT regexp_replace(regexp_replace(regexp_replace(p_text,
			'([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})', '\1***\2', 'g'),
			'(wxid_)[A-Za-z0-9_-]+', '\1***', 'gi'),
			'(微信号?|weixin|wechat|vx|wx|qq)((?:[[:space:]:：=]|号|是|为|id)*)([A-Za-z][A-Za-z0-9_-]{5,19}|[0-9]{5,12})',
			'\1\2***', 'gi') AS t
	), num AS (
		SELECT '\+?[0-9](?:[[:space:]()-]{0,2}[0-9]){6,}' AS re
	)
	SELECT string_agg(p.piece || coalesce((
		SELECT CASE WHEN m.hit[1] LIKE '+%' THEN landform.mask_phone('+' || d.d)
		            WHEN length(d.d) >= 11 THEN left(d.d, 3) || '****' || right(d.d, 4)
		            ELSE '****' || right(d.d, 2) END
		FROM (SELECT regexp_replace(m.hit[1], '[^0-9]', '', 'g') AS d) d), ''), '' ORDER BY p.n)
	FROM s, num,
	     regexp_split_to_table(s.t, num.re) WITH ORDINALITY AS p(piece, n)
	     LEFT JOIN LATERAL (SELECT x.hit FROM regexp_matches(s.t, num.re, 'g') WITH ORDINALITY AS x(hit, n)
	                        WHERE x.n = p.n) m ON true
$$;

-- Submitted fields (jsonb object) before accepting: string values (and strings in arrays) that
-- are E.164 phones through mask_phone, every other string through mask_contact.
CREATE OR REPLACE FUNCTION landform.mask_fields(p_fields jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN jsonb_typeof(p_fields) IS DISTINCT FROM 'object' THEN p_fields ELSE (
		SELECT coalesce(jsonb_object_agg(e.key, CASE jsonb_typeof(e.value)
			WHEN 'string' THEN to_jsonb(CASE WHEN landform.is_e164(e.value #>> '{}')
			                                 THEN landform.mask_phone(e.value #>> '{}')
			                                 ELSE landform.mask_contact(e.value #>> '{}') END)
			WHEN 'array' THEN (
				SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(v) <> 'string' THEN v
				                               WHEN landform.is_e164(v #>> '{}')
				                               THEN to_jsonb(landform.mask_phone(v #>> '{}'))
				                               ELSE to_jsonb(landform.mask_contact(v #>> '{}')) END
				                          ORDER BY i), '[]'::jsonb)
				FROM jsonb_array_elements(e.value) WITH ORDINALITY AS a(v, i))
			ELSE e.value END), '{}'::jsonb)
		FROM jsonb_each(p_fields) AS e) END
$$;
