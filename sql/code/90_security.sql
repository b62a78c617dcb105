-- Who may do what. landform_app (what landformd's workers and dispatcher log in as) is neither
-- the owner nor a superuser: it may call the capture functions, dispatch() and the portal's,
-- read the portal's columns under row-level security, and nothing else. Runs last on every
-- migrate, so functions just re-created by CREATE OR REPLACE get their attributes back.

-- PostgreSQL lets PUBLIC execute every new function: start from nothing.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA landform FROM PUBLIC, landform_app;
REVOKE ALL ON ALL TABLES IN SCHEMA landform FROM PUBLIC, landform_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA landform FROM PUBLIC, landform_app;
REVOKE ALL ON SCHEMA landform FROM PUBLIC;
GRANT USAGE ON SCHEMA landform TO landform_app;

-- What landform_app may call, by name (every overload), so a changed signature is followed.
-- Entry points that write run as the owner (SECURITY DEFINER) with a fixed search_path; the
-- portal's read functions are SECURITY INVOKER on purpose (row-level security applies), and
-- _portal_enter is the session check they need (_parse_day and _filter_number read their
-- filters). A missing required function stops migrate.
DO $$
DECLARE
	v_name text;
	v_fn regprocedure;
	v_n integer;
	v_definer text[] := ARRAY['submit', 'submit_batch', 'count_traffic', 'register_page', 'dispatch',
		'lead_mark', 'tick_notifications', 'quarantine', 'spool_dead_add',
		'channel_visit', 'portal_channels', 'portal_set_channel_target', 'portal_channel_qr', 'referral_visit',
		'referral_share', 'portal_segment_export', '_portal_segment_leads', '_portal_segments'];
	v_portal text[] := ARRAY['portal_login_begin', 'portal_login_finish', 'portal_invitation',
		'portal_accept_invitation', 'portal_logout', 'portal_home', 'portal_lead', 'portal_pool',
		'portal_action', '_portal_enter', 'portal_reports',
		'_portal_lead_tags', '_portal_filter_tags', '_parse_day', '_filter_number'];
	-- The notifier's two calls (issue 6), when that code is installed; it marks them DEFINER.
	v_optional text[] := ARRAY['notify_claim', 'notify_finish'];
	-- Helpers the portal's policy and views call as landform_app (the masking rule and who
	-- sees which lead, and portal_home's refusals): plain SQL, left without SET clauses (jit)
	-- so the planner inlines them.
	v_helpers text[] := ARRAY['mask_phone', 'mask_contact', 'mask_fields', 'is_e164', 'portal_may_see', '_invalid'];
BEGIN
	FOREACH v_name IN ARRAY v_definer || v_portal || v_optional || v_helpers LOOP
		v_n := 0;
		FOR v_fn IN
			SELECT p.oid::regprocedure FROM pg_proc p
			WHERE p.pronamespace = 'landform'::regnamespace AND p.proname = v_name
		LOOP
			IF v_name = ANY (v_definer) THEN
				EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, pg_temp', v_fn);
			END IF;
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO landform_app', v_fn);
			v_n := v_n + 1;
		END LOOP;
		IF v_n = 0 AND NOT v_name = ANY (v_optional) THEN
			RAISE EXCEPTION 'function landform.%() is missing: landform_app needs it', v_name;
		END IF;
	END LOOP;

	-- No JIT where requests and the dispatcher run short statements (and in the rotation that
	-- admin functions call): once a big table's estimates pass jit_above_cost, compiling takes
	-- tens of milliseconds on every call and never pays back (dispatch went 1 -> 60 ms a round
	-- at 600,000 leads).
	FOR v_fn IN
		SELECT p.oid::regprocedure FROM pg_proc p
		WHERE p.pronamespace = 'landform'::regnamespace
		  AND p.proname = ANY (v_definer || v_portal || v_optional || ARRAY['_dispatch_pool'])
	LOOP
		EXECUTE format('ALTER FUNCTION %s SET jit = off', v_fn);
	END LOOP;
END
$$;

-- What landform_app may read, column by column: never phones, submitted fields, client
-- addresses, password hashes or costs (portal_phones and portal_submission_fields show phones
-- and fields to the member, masked until accepted). Writes only through the functions above.
GRANT SELECT (version) ON landform.schema_migrations TO landform_app;   -- GET /healthz
GRANT SELECT (id, name, pool_id, page_id, channel_id, source, state, owner_id, stage_id,
              stage_since, tags, rule_tags, first_seen, last_seen, first_contact_at, submissions,
              handoffs, misses)
	ON landform.leads TO landform_app;
GRANT SELECT (id, lead_id, pool_id, staff_id, via, assigned_at, assigned_by, deadline, accepted_at,
              closed_at, outcome, closed_by, note)
	ON landform.assignments TO landform_app;
GRANT SELECT (id, lead_id, page_id, channel_id, name, lang, new_lead, created_at)
	ON landform.submissions TO landform_app;
GRANT SELECT (id, submission_id, lead_id, page_id, question, created_at, answered_at, answered_by)
	ON landform.consultations TO landform_app;
GRANT SELECT (id, lead_id, staff_id, body, created_at) ON landform.notes TO landform_app;
GRANT SELECT (id, login, display_name) ON landform.staff TO landform_app;
GRANT SELECT (id, code, name) ON landform.channels TO landform_app;
GRANT SELECT (id, slug, title, kind, published) ON landform.pages TO landform_app;
GRANT SELECT (lead_id, tag, source, rule_name, staff_id, since) ON landform.lead_tag TO landform_app;
GRANT SELECT (id, name, tag) ON landform.tag_rules TO landform_app;
GRANT SELECT ON landform.stages, landform.portal_phones, landform.portal_submission_fields
	TO landform_app;

-- Row-level security, forced (it applies to the owner too, so a definer function or view that
-- forgets a check shows nothing rather than everything). Tables holding people's data:
-- their owner sees every row (policy owner_all, named after the owner found in the catalog);
-- landform_app sees only what the member in landform.staff_id (set per transaction by
-- _portal_enter, with landform.pools) may: leads they hold (offered or accepted) and the open
-- pool of their own pools (landform.portal_may_see), and the rows of those leads. Anyone else sees nothing. A policy is replaced only when its text changed
-- (its comment holds the md5 of the text), so a routine migrate takes no table locks here.
DO $$
DECLARE
	v_table text;
	v_owner text;
	v_force boolean;
	v_p record;
	v_sql text;
BEGIN
	FOR v_p IN
		SELECT t AS tbl, 'owner_all' AS name, NULL::text AS cmd, NULL::text AS qual
		FROM unnest(ARRAY['leads', 'assignments', 'submissions', 'consultations', 'notes', 'deals',
		                  'outbox', 'staff_sessions', 'staff_invitations', 'login_attempts',
		                  'import_staging', 'import_rejects', 'lead_tag']) AS t
		UNION ALL
		SELECT 'leads', 'staff_read', 'SELECT', 'landform.portal_may_see(owner_id, state, pool_id)'
		UNION ALL
		SELECT t, 'staff_read', 'SELECT', 'EXISTS (SELECT 1 FROM landform.leads l WHERE l.id = lead_id)'
		FROM unnest(ARRAY['assignments', 'submissions', 'consultations', 'notes', 'lead_tag']) AS t
	LOOP
		SELECT pg_get_userbyid(c.relowner), c.relrowsecurity AND c.relforcerowsecurity
		INTO v_owner, v_force
		FROM pg_class c WHERE c.oid = format('landform.%I', v_p.tbl)::regclass;
		IF NOT v_force THEN
			EXECUTE format('ALTER TABLE landform.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY',
			               v_p.tbl);
		END IF;
		IF v_p.name = 'owner_all' THEN
			v_sql := format('CREATE POLICY owner_all ON landform.%I TO %I USING (true) WITH CHECK (true)',
			                v_p.tbl, v_owner);
		ELSE
			v_sql := format('CREATE POLICY %I ON landform.%I FOR %s TO landform_app USING (%s)',
			                v_p.name, v_p.tbl, v_p.cmd, v_p.qual);
		END IF;
		IF EXISTS (SELECT 1 FROM pg_policy p
		           WHERE p.polrelid = format('landform.%I', v_p.tbl)::regclass
		             AND p.polname = v_p.name
		             AND obj_description(p.oid, 'pg_policy') = md5(v_sql)) THEN
			CONTINUE;
		END IF;
		EXECUTE format('DROP POLICY IF EXISTS %I ON landform.%I', v_p.name, v_p.tbl);
		EXECUTE v_sql;
		EXECUTE format('COMMENT ON POLICY %I ON landform.%I IS %L', v_p.name, v_p.tbl, md5(v_sql));
	END LOOP;
END
$$;
