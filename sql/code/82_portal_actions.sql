-- Staff portal actions (docs/portal-api.md): what a member does to a lead. portal_action
-- (SECURITY DEFINER) checks the session (_portal_enter, 80_portal_access.sql) and hands each
-- action to its _portal_act_* function, which runs as the owner too and checks that the lead
-- is the member's (or open, for a claim). Grants: sql/code/90_security.sql (landform_app may
-- call portal_action, not the _portal_act_* functions).

-- Why a member can no longer act on a lead that is not theirs (or open) now: lost_race when
-- they held it (or, for a claim, it was in the open pool), with what happened; otherwise
-- not_found, exactly as for a lead they never saw.
CREATE OR REPLACE FUNCTION landform._portal_gone(p_lead bigint, p_staff bigint, p_claim boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_outcome text;
BEGIN
	-- A claim lost to someone else's: the lead was in the open pool after one's own last turn.
	IF p_claim THEN
		SELECT 'claimed' INTO v_outcome FROM landform.assignments a
		WHERE a.lead_id = p_lead AND a.staff_id IS NULL
		  AND a.id > coalesce((SELECT max(b.id) FROM landform.assignments b
		                       WHERE b.lead_id = p_lead AND b.staff_id = p_staff), 0)
		LIMIT 1;
	END IF;
	IF v_outcome IS NULL THEN
		SELECT CASE WHEN a.closed_at IS NULL AND a.accepted_at IS NULL AND a.deadline <= now()
		            THEN 'expired' ELSE coalesce(a.outcome, 'taken') END
		INTO v_outcome FROM landform.assignments a
		WHERE a.lead_id = p_lead AND a.staff_id = p_staff
		ORDER BY a.id DESC LIMIT 1;
	END IF;
	IF v_outcome IS NULL THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	RETURN jsonb_build_object('status', 'lost_race', 'reason', v_outcome,
		'message', CASE v_outcome
			WHEN 'expired' THEN 'The time to accept this lead ran out; it went to someone else.'
			WHEN 'reassigned' THEN 'An admin gave this lead to someone else.'
			WHEN 'reclaimed' THEN 'This lead was taken back (off duty or left the pool).'
			WHEN 'released' THEN 'This lead was released to the open pool.'
			WHEN 'claimed' THEN 'Someone else claimed this lead first.'
			ELSE 'This lead is no longer yours.' END);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Actions, one function each, called by portal_action (at the end of this file)

-- Accept an offer of the lead (args.assignment, or the member's open offer of it).
CREATE OR REPLACE FUNCTION landform._portal_act_accept(p_lead bigint, p_me bigint, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_asg landform.assignments;
	v_r text;
BEGIN
	IF nullif(p_args->>'assignment', '') IS NOT NULL THEN
		IF p_args->>'assignment' !~ '^[0-9]{1,18}$' THEN
			RETURN landform._invalid('assignment_id', 'assignment', 'assignment is an assignment id');
		END IF;
		SELECT * INTO v_asg FROM landform.assignments WHERE id = (p_args->>'assignment')::bigint;
	ELSE
		SELECT * INTO v_asg FROM landform.assignments
		WHERE lead_id = p_lead AND staff_id = p_me AND closed_at IS NULL;
	END IF;
	IF v_asg.id IS NULL OR v_asg.lead_id <> p_lead OR v_asg.staff_id IS DISTINCT FROM p_me THEN
		IF (SELECT owner_id FROM landform.leads WHERE id = p_lead) = p_me THEN
			RETURN landform._invalid('assignment_not_offer', 'assignment', 'not an offer of this lead');
		END IF;
		RETURN landform._portal_gone(p_lead, p_me, false);
	END IF;
	v_r := landform.accept(v_asg.id, p_me);
	IF v_r = 'accepted' THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'accepted');
	ELSIF v_r = 'already_accepted' THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'already accepted');
	END IF;
	RETURN landform._portal_gone(p_lead, p_me, false);
END
$$;

-- Release the lead to the open pool, saying why (args.reason, kept on the closed offer).
CREATE OR REPLACE FUNCTION landform._portal_act_release(p_lead bigint, p_me bigint, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_text text := btrim(p_args->>'reason');
BEGIN
	IF NOT landform._free_text_ok(v_text, 500) THEN
		RETURN landform._invalid('reason_text', 'reason', 'say why you release this lead (1-500 characters)');
	END IF;
	IF landform.staff_release(p_lead, p_me) <> 'released' THEN
		RETURN landform._portal_gone(p_lead, p_me, false);
	END IF;
	UPDATE landform.assignments SET note = v_text
	WHERE id = (SELECT max(a.id) FROM landform.assignments a
	            WHERE a.lead_id = p_lead AND a.staff_id = p_me AND a.outcome = 'released');
	RETURN jsonb_build_object('status', 'ok', 'message', 'released to the open pool');
END
$$;

-- Claim the lead from the open pool of one of the member's pools (p_pools: their pool ids).
CREATE OR REPLACE FUNCTION landform._portal_act_claim(p_lead bigint, p_me bigint, p_pools jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_lead landform.leads;
	v_r text;
BEGIN
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead;
	-- A lead of a pool the member is not in does not exist for them, open or not.
	IF v_lead.owner_id IS DISTINCT FROM p_me AND NOT p_pools @> to_jsonb(v_lead.pool_id) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;
	IF v_lead.owner_id = p_me THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'already yours');
	ELSIF v_lead.state <> 'open' THEN
		RETURN landform._portal_gone(p_lead, p_me, true);
	END IF;
	v_r := landform.staff_claim(p_lead, p_me);
	IF v_r = 'claimed' THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'claimed');
	ELSIF v_r = 'not_member' THEN
		RETURN landform._invalid('claim_not_member', 'lead', 'this lead is in a pool you are not a member of');
	ELSIF v_r = 'over_cap' THEN
		RETURN landform._invalid('claim_over_cap', 'lead', 'you hold as many leads as your cap allows');
	ELSIF v_r = 'inactive' THEN
		RETURN jsonb_build_object('status', 'unauthenticated');
	ELSIF v_r = 'not_open' AND (SELECT owner_id FROM landform.leads WHERE id = p_lead) = p_me THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'already yours');
	END IF;
	RETURN landform._portal_gone(p_lead, p_me, true);
END
$$;

-- The actions below get the member's accepted lead, locked by portal_action.

-- Record the first contact (once).
CREATE OR REPLACE FUNCTION landform._portal_act_contacted(p_lead landform.leads)
RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE landform.leads SET first_contact_at = coalesce(first_contact_at, now())
	WHERE id = p_lead.id;
	RETURN jsonb_build_object('status', 'ok', 'message',
		CASE WHEN p_lead.first_contact_at IS NULL THEN 'first contact recorded'
		     ELSE 'first contact was already recorded' END);
END
$$;

-- Move the lead to another stage (args.stage, a stage id).
CREATE OR REPLACE FUNCTION landform._portal_act_stage(p_lead landform.leads, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_args->>'stage' IS NULL OR p_args->>'stage' !~ '^[0-9]{1,18}$'
	   OR NOT EXISTS (SELECT 1 FROM landform.stages WHERE id = (p_args->>'stage')::bigint) THEN
		RETURN landform._invalid('stage_unknown', 'stage', 'no such stage');
	END IF;
	v_id := (p_args->>'stage')::bigint;
	IF v_id <> p_lead.stage_id THEN
		UPDATE landform.leads SET stage_id = v_id, stage_since = now() WHERE id = p_lead.id;
	END IF;
	RETURN jsonb_build_object('status', 'ok', 'message', 'stage changed');
END
$$;

-- Add a note (args.body).
CREATE OR REPLACE FUNCTION landform._portal_act_note(p_lead landform.leads, p_me bigint, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_text text := btrim(p_args->>'body');
BEGIN
	IF NOT landform._free_text_ok(v_text, 2000) THEN
		RETURN landform._invalid('note_text', 'body', 'a note is 1-2000 characters of text');
	END IF;
	INSERT INTO landform.notes (lead_id, staff_id, body) VALUES (p_lead.id, p_me, v_text);
	RETURN jsonb_build_object('status', 'ok', 'message', 'note added');
END
$$;

-- Add and remove tags (args.add, args.remove: lists of tags).
CREATE OR REPLACE FUNCTION landform._portal_act_tag(p_lead landform.leads, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_key text;
	v_add text[];
	v_remove text[];
	v_tags text[];
BEGIN
	FOR v_key IN SELECT k FROM unnest(ARRAY['add', 'remove']) AS k LOOP
		IF p_args ? v_key AND jsonb_typeof(p_args->v_key) NOT IN ('array', 'null') THEN
			RETURN landform._invalid('tags_list', v_key, v_key || ' is a list of tags');
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(nullif(p_args->v_key, 'null'), '[]')) e
		           WHERE jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 32
		              OR e #>> '{}' ~ '[[:cntrl:],，]') THEN
			RETURN landform._invalid('tag_text', v_key, 'a tag is 1-32 characters, without commas');
		END IF;
	END LOOP;
	IF jsonb_array_length(coalesce(nullif(p_args->'add', 'null'), '[]'))
	   + jsonb_array_length(coalesce(nullif(p_args->'remove', 'null'), '[]')) = 0 THEN
		RETURN landform._invalid('tags_empty', 'add', 'name a tag to add or remove');
	END IF;
	v_add := ARRAY(SELECT btrim(e) FROM jsonb_array_elements_text(coalesce(nullif(p_args->'add', 'null'), '[]')) e);
	v_remove := ARRAY(SELECT btrim(e) FROM jsonb_array_elements_text(coalesce(nullif(p_args->'remove', 'null'), '[]')) e);
	v_tags := ARRAY(SELECT DISTINCT t FROM unnest(p_lead.tags || v_add) AS t
	                WHERE t <> ALL (v_remove) ORDER BY t);
	IF cardinality(v_tags) > 30 THEN
		RETURN landform._invalid('tag_count', 'add', 'a lead has at most 30 tags');
	END IF;
	UPDATE landform.leads SET tags = v_tags WHERE id = p_lead.id AND tags IS DISTINCT FROM v_tags;
	RETURN jsonb_build_object('status', 'ok', 'message', 'tags saved', 'tags', to_jsonb(v_tags));
END
$$;

-- Mark a consultation of the lead answered (args.consultation, its id).
CREATE OR REPLACE FUNCTION landform._portal_act_answer(p_lead landform.leads, p_me bigint, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_args->>'consultation' IS NULL OR p_args->>'consultation' !~ '^[0-9]{1,18}$' THEN
		RETURN landform._invalid('consultation_id', 'consultation', 'consultation is a consultation id');
	END IF;
	v_id := (p_args->>'consultation')::bigint;
	UPDATE landform.consultations SET answered_at = now(), answered_by = p_me
	WHERE id = v_id AND lead_id = p_lead.id AND answered_at IS NULL;
	IF FOUND THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'marked answered');
	ELSIF EXISTS (SELECT 1 FROM landform.consultations WHERE id = v_id AND lead_id = p_lead.id) THEN
		RETURN jsonb_build_object('status', 'ok', 'message', 'already answered');
	END IF;
	RETURN landform._invalid('consultation_unknown', 'consultation', 'no such consultation on this lead');
END
$$;

-- One staff action on one lead, one transaction: accept {assignment?}, contacted, stage
-- {stage}, note {body}, tag {add:[...], remove:[...]}, answer {consultation}, release
-- {reason}, claim. {status:"ok", message?} or unauthenticated, csrf, not_found (also for
-- another member's lead), lost_race (with reason: expired, reassigned, reclaimed, released,
-- claimed), invalid {field, message}. Checks the session and what every action needs, then
-- hands over to the action's function (_portal_act_*), which runs as the owner like this one.
CREATE OR REPLACE FUNCTION landform.portal_action(p_session text, p_csrf text, p_action text,
	p_lead bigint, p_args jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._portal_enter(p_session, p_csrf, true);
	v_args jsonb := coalesce(p_args, '{}');
	v_me bigint;
	v_lead landform.leads;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	END IF;
	v_me := (v_ctx #>> '{me,id}')::bigint;
	IF jsonb_typeof(v_args) <> 'object' THEN
		RETURN landform._invalid('args_object', 'args', 'arguments must be a JSON object');
	END IF;
	IF p_action IS NULL OR p_action NOT IN ('accept', 'contacted', 'stage', 'note', 'tag', 'answer',
	                                        'release', 'claim') THEN
		RETURN landform._invalid('action_unknown', 'action', 'unknown action');
	END IF;
	IF p_lead IS NULL OR NOT EXISTS (SELECT 1 FROM landform.leads WHERE id = p_lead) THEN
		RETURN jsonb_build_object('status', 'not_found');
	END IF;

	IF p_action = 'accept' THEN
		RETURN landform._portal_act_accept(p_lead, v_me, v_args);
	ELSIF p_action = 'release' THEN
		RETURN landform._portal_act_release(p_lead, v_me, v_args);
	ELSIF p_action = 'claim' THEN
		RETURN landform._portal_act_claim(p_lead, v_me, v_ctx->'pools');
	END IF;

	-- The rest work on an accepted lead of the member's. The row lock keeps an admin's
	-- reassignment from slipping in between the check and the change; one that committed
	-- first makes this find nothing (lost_race).
	SELECT * INTO v_lead FROM landform.leads WHERE id = p_lead AND owner_id = v_me FOR UPDATE;
	IF NOT FOUND THEN
		RETURN landform._portal_gone(p_lead, v_me, false);
	END IF;
	IF v_lead.state <> 'owned' THEN
		RETURN landform._invalid('lead_not_accepted', 'lead', 'accept the lead first');
	END IF;
	IF p_action = 'contacted' THEN
		RETURN landform._portal_act_contacted(v_lead);
	ELSIF p_action = 'stage' THEN
		RETURN landform._portal_act_stage(v_lead, v_args);
	ELSIF p_action = 'note' THEN
		RETURN landform._portal_act_note(v_lead, v_me, v_args);
	ELSIF p_action = 'tag' THEN
		RETURN landform._portal_act_tag(v_lead, v_args);
	ELSIF p_action = 'answer' THEN
		RETURN landform._portal_act_answer(v_lead, v_me, v_args);
	END IF;
	RETURN landform._invalid('action_unknown', 'action', 'unknown action');
END
$$;
