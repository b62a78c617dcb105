-- Staff portal reads (docs/portal-api.md): the two views that show phones and submitted
-- fields to the member the portal acts for, and the read functions behind each page
-- (portal_home, portal_lead, portal_pool). They are SECURITY INVOKER: they run as landform_app
-- under row-level security, with landform.staff_id set for the transaction by _portal_enter
-- (80_portal_access.sql). Grants and policies: sql/code/90_security.sql.

-- ---------------------------------------------------------------------------------------
-- What landform_app reads. Phones and submitted fields are not granted on the tables: these
-- two views (run as their owner, security barriers) show them to the member the portal acts
-- for, in full only for leads they have accepted, masked (sql/code/15_mask.sql: 138****5678,
-- a***@example.com, 微信 ***) for offers and the open pool of their pools. Read them one lead
-- (submission) at a time, as a scalar subquery (SELECT phone ... WHERE lead_id = l.id): that
-- reaches the primary key through the barrier; a join (LATERAL too, which the planner
-- flattens) reads every visible lead, or rescans them for each row.

CREATE OR REPLACE VIEW landform.portal_phones WITH (security_barrier) AS
SELECT l.id AS lead_id,
       CASE WHEN l.state = 'owned' THEN l.phone ELSE landform.mask_phone(l.phone) END AS phone,
       l.state = 'owned' AS full_phone
FROM landform.leads l
WHERE landform.portal_may_see(l.owner_id, l.state, l.pool_id);

CREATE OR REPLACE VIEW landform.portal_submission_fields WITH (security_barrier) AS
SELECT s.id AS submission_id, s.lead_id,
       CASE WHEN l.state = 'owned' THEN s.fields ELSE landform.mask_fields(s.fields) END AS fields
FROM landform.submissions s
JOIN landform.leads l ON l.id = s.lead_id
WHERE landform.portal_may_see(l.owner_id, l.state, l.pool_id);

-- ---------------------------------------------------------------------------------------
-- Pages (SECURITY INVOKER: row-level security decides what they see)

-- "My leads": offers waiting for accept (most urgent first), owned leads by stage with
-- filters {stage, tag, tags, segment, channel, page, from, to, q, limit, offset} (tag and
-- tags: the leads carry every one of them; segment: a saved segment's name, of my own leads
-- only; q: digits = phone tail, else a name substring; from/to: days of first contact in the
-- time_zone setting; limit default 50, at most 500; the answer says which: limit, offset), the
-- filter choices (segments among them), and reminders (stage dwell passed, unanswered
-- consultations). Also mine_total: owned leads matching the filters.
CREATE OR REPLACE FUNCTION landform.portal_home(p_session text, p_filters jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_f jsonb := coalesce(p_filters, '{}');
	v_me bigint;
	v_tz text;
	v_stage bigint;
	v_tag text;
	v_tags text[];
	v_segment text;
	v_seg_ids bigint[];
	v_channel text;
	v_page text;
	v_from timestamptz;
	v_to timestamptz;
	v_q text;
	v_like text;
	v_digits text;
	v_limit integer;
	v_offset integer;
	v_waiting jsonb;
	v_mine jsonb;
	v_total bigint;
	v_choices jsonb;
	v_reminders jsonb;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;
	v_tz := v_ctx->>'time_zone';

	IF jsonb_typeof(v_f) <> 'object' THEN
		RETURN landform._invalid('filters_object', 'filters', 'filters must be a JSON object');
	END IF;
	v_stage := landform._filter_number(v_f->>'stage', 18);
	IF v_stage < 0 THEN
		RETURN landform._invalid('stage_id', 'stage', 'stage is a stage id');
	END IF;
	v_tag := nullif(btrim(v_f->>'tag'), '');
	v_tags := landform._portal_filter_tags(v_f->'tags', v_tag);
	IF v_tags IS NULL THEN
		RETURN landform._invalid('tags_filter', 'tags', 'tags is a list of at most 20 tags of 1-64 characters');
	END IF;
	v_segment := nullif(btrim(v_f->>'segment'), '');
	IF v_segment IS NOT NULL THEN
		v_seg_ids := landform._portal_segment_leads(v_segment);
		IF v_seg_ids IS NULL THEN
			RETURN landform._invalid('segment_unknown', 'segment', 'no such segment');
		END IF;
	END IF;
	v_channel := nullif(btrim(v_f->>'channel'), '');
	v_page := nullif(btrim(v_f->>'page'), '');
	IF nullif(v_f->>'from', '') IS NOT NULL THEN
		v_from := landform._parse_day(v_f->>'from')::timestamp AT TIME ZONE v_tz;
		IF v_from IS NULL THEN
			RETURN landform._invalid('date', 'from', 'from is a date, YYYY-MM-DD');
		END IF;
	END IF;
	IF nullif(v_f->>'to', '') IS NOT NULL THEN
		v_to := (landform._parse_day(v_f->>'to') + 1)::timestamp AT TIME ZONE v_tz;
		IF v_to IS NULL THEN
			RETURN landform._invalid('date', 'to', 'to is a date, YYYY-MM-DD');
		END IF;
	END IF;
	v_q := nullif(btrim(left(v_f->>'q', 100)), '');
	IF v_q IS NOT NULL THEN
		v_like := '%' || replace(replace(replace(v_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
		IF regexp_replace(v_q, '[\s-]', '', 'g') ~ '^[0-9]{3,15}$' THEN
			v_digits := regexp_replace(v_q, '[\s-]', '', 'g');
		END IF;
	END IF;
	v_limit := coalesce(landform._filter_number(v_f->>'limit', 4), 50);
	IF v_limit NOT BETWEEN 1 AND 500 THEN
		RETURN landform._invalid('limit_range', 'limit', 'limit is 1-500');
	END IF;
	v_offset := coalesce(landform._filter_number(v_f->>'offset', 9), 0);
	IF v_offset < 0 THEN
		RETURN landform._invalid('offset_range', 'offset', 'offset is a number');
	END IF;

	-- Offers, most urgent first (past their deadline they are the dispatcher's again).
	SELECT coalesce(jsonb_agg(w ORDER BY w.deadline, w.assignment_id), '[]') INTO v_waiting
	FROM (
		SELECT a.lead_id, a.id AS assignment_id, l.name,
		       (SELECT ph.phone FROM landform.portal_phones ph WHERE ph.lead_id = l.id) AS phone_masked, a.deadline,
		       floor(extract(epoch FROM a.deadline - now()))::bigint AS seconds_left,
		       pg.slug AS page, pg.title AS page_title, c.code AS channel, l.first_seen,
		       a.assigned_at
		FROM landform.assignments a
		JOIN landform.leads l ON l.id = a.lead_id
		LEFT JOIN landform.pages pg ON pg.id = l.page_id
		LEFT JOIN landform.channels c ON c.id = l.channel_id
		WHERE a.staff_id = v_me AND a.closed_at IS NULL AND a.accepted_at IS NULL
		  AND a.deadline > now() AND l.state = 'pending'
	) w;

	-- Accepted leads, by stage, then most recently active.
	SELECT coalesce(jsonb_agg(to_jsonb(m) - 'pos' - 'total'
	                          ORDER BY m.pos, m.last_seen DESC, m.lead_id), '[]'),
	       coalesce(max(m.total), 0)
	INTO v_mine, v_total
	FROM (
		SELECT l.id AS lead_id, l.name,
		       (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id) AS phone,
		       l.stage_id, st.name AS stage, st.position AS pos,
		       l.stage_since, l.tags, c.code AS channel, pg.slug AS page, pg.title AS page_title,
		       l.first_seen, l.last_seen, l.first_contact_at, count(*) OVER () AS total
		FROM landform.leads l
		JOIN landform.stages st ON st.id = l.stage_id
		LEFT JOIN landform.pages pg ON pg.id = l.page_id
		LEFT JOIN landform.channels c ON c.id = l.channel_id
		WHERE l.owner_id = v_me AND l.state = 'owned'
		  AND (v_stage IS NULL OR l.stage_id = v_stage)
		  AND (cardinality(v_tags) = 0 OR l.tags @> v_tags)
		  AND (v_segment IS NULL OR l.id = ANY (v_seg_ids))
		  AND (v_channel IS NULL OR c.code = v_channel)
		  AND (v_page IS NULL OR pg.slug = v_page)
		  AND (v_from IS NULL OR l.first_seen >= v_from)
		  AND (v_to IS NULL OR l.first_seen < v_to)
		  AND (v_q IS NULL OR l.name ILIKE v_like
		       OR (v_digits IS NOT NULL AND (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id)
		                                    LIKE '%' || v_digits))
		ORDER BY st.position, l.last_seen DESC, l.id
		LIMIT v_limit OFFSET v_offset
	) m;

	-- What the filters can choose from: stages, and the tags, channels, pages of my leads.
	SELECT jsonb_build_object(
		'stages', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name,
		                                                        'is_final', st.is_final)
		                                     ORDER BY st.position), '[]')
		           FROM landform.stages st),
		'tags', (SELECT coalesce(jsonb_agg(DISTINCT t.tag ORDER BY t.tag), '[]')
		         FROM landform.leads l, unnest(l.tags) AS t(tag)
		         WHERE l.owner_id = v_me AND l.state = 'owned'),
		'channels', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name)
		                                       ORDER BY c.code), '[]')
		             FROM landform.channels c
		             WHERE c.id IN (SELECT l.channel_id FROM landform.leads l
		                            WHERE l.owner_id = v_me AND l.state = 'owned')),
		'pages', (SELECT coalesce(jsonb_agg(jsonb_build_object('slug', pg.slug, 'title', pg.title)
		                                    ORDER BY pg.slug), '[]')
		          FROM landform.pages pg
		          WHERE pg.id IN (SELECT l.page_id FROM landform.leads l
		                          WHERE l.owner_id = v_me AND l.state = 'owned')))
	INTO v_choices;

	SELECT coalesce(jsonb_agg(r ORDER BY r.due, r.lead_id), '[]') INTO v_reminders
	FROM (
		SELECT * FROM (
			SELECT 'stage' AS kind, l.id AS lead_id, l.name, st.name AS stage,
			       l.stage_since + st.dwell AS due, NULL::bigint AS consultation_id
			FROM landform.leads l JOIN landform.stages st ON st.id = l.stage_id
			WHERE l.owner_id = v_me AND l.state = 'owned' AND st.dwell IS NOT NULL
			  AND l.stage_since + st.dwell <= now()
			UNION ALL
			SELECT 'consultation', l.id, l.name, NULL, q.created_at, q.id
			FROM landform.consultations q JOIN landform.leads l ON l.id = q.lead_id
			WHERE l.owner_id = v_me AND l.state = 'owned' AND q.answered_at IS NULL
		) x
		ORDER BY x.due, x.lead_id
		LIMIT 200
	) r;

	IF v_total = 0 AND v_offset > 0 THEN
		SELECT count(*) INTO v_total FROM landform.leads l WHERE l.owner_id = v_me AND l.state = 'owned';
	END IF;

	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf',
		'now', now(), 'waiting', v_waiting, 'mine', v_mine, 'mine_total', v_total,
		'limit', v_limit, 'offset', v_offset,
		'reminders', v_reminders) || v_choices || jsonb_build_object('segments', landform._portal_segments());
END
$$;

-- One lead as the member may see it (not_found otherwise, whatever the id): contact details
-- (in full only once accepted: phone, fields, questions, notes masked before), every submission and consultation, the assignment
-- history, notes, and the stages to choose from.
CREATE OR REPLACE FUNCTION landform.portal_lead(p_session text, p_lead bigint)
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_me bigint;
	v_lead jsonb;
	v_pool bigint;
	v_full boolean;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;

	SELECT jsonb_build_object(
		'id', l.id, 'name', l.name,
		'phone', (SELECT p.phone FROM landform.portal_phones p WHERE p.lead_id = l.id),
		'full_phone', (SELECT p.full_phone FROM landform.portal_phones p WHERE p.lead_id = l.id),
		'state', l.state, 'mine', l.owner_id IS NOT DISTINCT FROM v_me,
		'stage_id', l.stage_id, 'stage', st.name, 'stage_since', l.stage_since, 'tags', l.tags,
		'tag_sources', landform._portal_lead_tags(l.id), -- sql/code/45_tags.sql
		'first_seen', l.first_seen, 'last_seen', l.last_seen,
		'first_contact_at', l.first_contact_at,
		'page', pg.slug, 'page_title', pg.title, 'channel', c.code,
		'assignment_id', a.id, 'deadline', CASE WHEN a.accepted_at IS NULL THEN a.deadline END,
		'seconds_left', CASE WHEN a.accepted_at IS NULL AND a.deadline IS NOT NULL
		                     THEN floor(extract(epoch FROM a.deadline - now()))::bigint END,
		'accepted_at', a.accepted_at,
		'open_since', CASE WHEN l.state = 'open' THEN o.assigned_at END,
		'can_claim', l.state = 'open' AND v_ctx->'pools' @> to_jsonb(l.pool_id)),
	       l.pool_id, l.state = 'owned' AND l.owner_id = v_me
	INTO v_lead, v_pool, v_full
	FROM landform.leads l
	JOIN landform.stages st ON st.id = l.stage_id
	LEFT JOIN landform.pages pg ON pg.id = l.page_id
	LEFT JOIN landform.channels c ON c.id = l.channel_id
	LEFT JOIN landform.assignments a ON a.lead_id = l.id AND a.closed_at IS NULL AND a.staff_id = v_me
	LEFT JOIN landform.assignments o ON o.lead_id = l.id AND o.closed_at IS NULL AND o.staff_id IS NULL
	-- Row-level security already limits this for landform_app; said again so that a
	-- connection where it does not bind (the owner, a superuser) cannot show another's lead.
	WHERE l.id = p_lead AND landform.portal_may_see(l.owner_id, l.state, l.pool_id);
	IF v_lead IS NULL THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;

	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf', 'now', now(),
		'lead', v_lead,
		'submissions', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'at', s.created_at,
				'page', pg.slug, 'page_title', pg.title, 'channel', c.code, 'name', s.name,
				'fields', (SELECT f.fields FROM landform.portal_submission_fields f WHERE f.submission_id = s.id))
				ORDER BY s.created_at DESC, s.id DESC), '[]')
			FROM landform.submissions s
			LEFT JOIN landform.pages pg ON pg.id = s.page_id
			LEFT JOIN landform.channels c ON c.id = s.channel_id
			WHERE s.lead_id = p_lead),
		'consultations', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', q.id, 'at', q.created_at,
				'question', CASE WHEN v_full THEN q.question ELSE landform.mask_contact(q.question) END,
				'page', pg.slug, 'submission_id', q.submission_id,
				'answered_at', q.answered_at, 'answered_by', st.display_name)
				ORDER BY q.created_at DESC, q.id DESC), '[]')
			FROM landform.consultations q
			LEFT JOIN landform.pages pg ON pg.id = q.page_id
			LEFT JOIN landform.staff st ON st.id = q.answered_by
			WHERE q.lead_id = p_lead),
		'history', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'at', a.assigned_at,
				'staff', st.display_name, 'mine', a.staff_id IS NOT DISTINCT FROM v_me,
				'via', a.via, 'deadline', a.deadline, 'accepted_at', a.accepted_at,
				'outcome', a.outcome, 'closed_at', a.closed_at, 'by', a.closed_by,
				'note', CASE WHEN v_full THEN a.note ELSE landform.mask_contact(a.note) END)
				ORDER BY a.id), '[]')
			FROM landform.assignments a
			LEFT JOIN landform.staff st ON st.id = a.staff_id
			WHERE a.lead_id = p_lead),
		'notes', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', n.id, 'at', n.created_at,
				'staff', st.display_name, 'mine', n.staff_id IS NOT DISTINCT FROM v_me,
				'body', CASE WHEN v_full THEN n.body ELSE landform.mask_contact(n.body) END)
				ORDER BY n.created_at DESC, n.id DESC), '[]')
			FROM landform.notes n
			LEFT JOIN landform.staff st ON st.id = n.staff_id
			WHERE n.lead_id = p_lead),
		'stages', (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name,
			                                             'is_final', st.is_final) ORDER BY st.position), '[]')
			FROM landform.stages st));
END
$$;

-- The open pool (公海) of the member's pools, longest waiting first (at most 500).
CREATE OR REPLACE FUNCTION landform.portal_pool(p_session text) RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, NULL, false);
	v_pools bigint[];
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_pools := ARRAY(SELECT jsonb_array_elements_text(v_ctx->'pools')::bigint);
	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf', 'now', now(),
		'leads', (
			SELECT coalesce(jsonb_agg(p ORDER BY p.waiting_since, p.lead_id), '[]') FROM (
				SELECT l.id AS lead_id, l.name,
				       (SELECT ph.phone FROM landform.portal_phones ph WHERE ph.lead_id = l.id) AS phone_masked,
				       a.assigned_at AS waiting_since,
				       floor(extract(epoch FROM now() - a.assigned_at))::bigint AS seconds_waiting,
				       pg.slug AS page, pg.title AS page_title, c.code AS channel, l.tags,
				       l.first_seen, l.last_seen
				-- The oldest 500 of each pool straight from the index, then the oldest 500 of those.
				FROM unnest(v_pools) AS mp(pool_id)
				CROSS JOIN LATERAL (
					SELECT a.lead_id, a.assigned_at FROM landform.assignments a
					WHERE a.pool_id = mp.pool_id AND a.closed_at IS NULL AND a.staff_id IS NULL
					ORDER BY a.assigned_at, a.lead_id
					LIMIT 500) a
				JOIN landform.leads l ON l.id = a.lead_id
				LEFT JOIN landform.pages pg ON pg.id = l.page_id
				LEFT JOIN landform.channels c ON c.id = l.channel_id
				WHERE l.state = 'open'
				ORDER BY a.assigned_at, a.lead_id
				LIMIT 500
			) p));
END
$$;
