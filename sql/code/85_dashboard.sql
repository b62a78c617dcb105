-- The admin dashboard (/staff/reports, issue 6): one call answers a page with the funnel of a
-- period, the channel table and the staff table, read from the report functions of
-- 64_reports.sql, so the page, its CSV files and the views (funnel_daily, channel_monthly,
-- staff_monthly) cannot disagree. Granted to landform_app in 90_security.sql.

-- {status, me, csrf, from, to, today, funnel:[{step, count, rate}], presets:[{key, from, to}],
-- funnel_rows, channels, staff} for
-- an admin's session; the three tables are {columns:[...], rows:[[text|null, ...]]} with each
-- value as PostgreSQL writes it (what psql shows), so CSV and page equal SQL to the digit.
-- Statuses: unauthenticated, forbidden (not an admin), invalid {code, field, message} for a
-- range that ends before it starts or spans more than 731 days (_admin_period_enter, in
-- 80_portal_access.sql: the admin check and _report_period's rule). NULL dates: the last 30
-- days.
-- SECURITY DEFINER: the reports read tables landform_app may not (costs, deals, staff_daily);
-- the admin check (_admin_period_enter) is here, after the session check.
CREATE OR REPLACE FUNCTION landform.portal_reports(p_session text, p_from date, p_to date)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ctx jsonb := landform._admin_period_enter(p_session, p_from, p_to);
	v_from date := v_ctx->>'from';
	v_to date := v_ctx->>'to';
	v_steps jsonb;
BEGIN
	IF v_ctx->>'status' <> 'ok' THEN
		RETURN v_ctx;
	ELSIF v_ctx->>'problem' = 'period_order' THEN
		RETURN landform._invalid('period_order', 'from', 'The period must start on or before its last day.');
	ELSIF v_ctx->>'problem' = 'period_span' THEN
		RETURN landform._invalid('period_span', 'from', 'The period may span at most two years.');
	END IF;

	-- The whole period's funnel: sums of the day rows, each step over the one before it
	-- (the same rates as funnel(): opens / visitors, submissions / opens, ...).
	WITH s AS (
		SELECT coalesce(sum(f.views), 0) AS views, coalesce(sum(f.visitors), 0) AS visitors,
		       coalesce(sum(f.opens), 0) AS opens, coalesce(sum(f.submissions), 0) AS submissions,
		       coalesce(sum(f.new_leads), 0) AS new_leads, coalesce(sum(f.assigned), 0) AS assigned,
		       coalesce(sum(f.accepted), 0) AS accepted, coalesce(sum(f.contacted), 0) AS contacted,
		       coalesce(sum(f.won), 0) AS won
		FROM landform.funnel(v_from, v_to, 'day') f
	)
	SELECT jsonb_agg(jsonb_build_object('step', x.step, 'count', x.n, 'rate', x.rate) ORDER BY x.ord)
	INTO v_steps
	FROM s, LATERAL (VALUES
		(1, 'views', s.views, NULL::numeric),
		(2, 'visitors', s.visitors, NULL),
		(3, 'opens', s.opens, landform._rate(s.opens, s.visitors)),
		(4, 'submissions', s.submissions, landform._rate(s.submissions, s.opens)),
		(5, 'new_leads', s.new_leads, landform._rate(s.new_leads, s.submissions)),
		(6, 'assigned', s.assigned, landform._rate(s.assigned, s.new_leads)),
		(7, 'accepted', s.accepted, landform._rate(s.accepted, s.assigned)),
		(8, 'contacted', s.contacted, landform._rate(s.contacted, s.accepted)),
		(9, 'won', s.won, landform._rate(s.won, s.contacted))) AS x(ord, step, n, rate);

	RETURN jsonb_build_object('status', 'ok', 'me', v_ctx->'me', 'csrf', v_ctx->'csrf',
		'from', v_from, 'to', v_to, 'today', landform.today(), 'funnel', v_steps,
		-- The period picker's presets, in the configured zone's calendar.
		'presets', jsonb_build_array(
			jsonb_build_object('key', 'last7', 'from', landform.today() - 6, 'to', landform.today()),
			jsonb_build_object('key', 'last30', 'from', landform.today() - 29, 'to', landform.today()),
			jsonb_build_object('key', 'month', 'from', date_trunc('month', landform.today())::date,
			                   'to', landform.today())),
		'funnel_rows', jsonb_build_object(
			'columns', to_jsonb(ARRAY['period', 'page', 'channel', 'scans', 'views', 'visitors', 'opens',
				'submissions', 'spam', 'new_leads', 'repeat_leads', 'consultations', 'assigned',
				'accepted', 'contacted', 'won', 'open_rate', 'submit_rate', 'lead_rate',
				'assign_rate', 'accept_rate', 'contact_rate', 'win_rate', 'visitor_to_lead',
				'lead_to_won']),
			'rows', (SELECT coalesce(jsonb_agg(to_jsonb(ARRAY[f.period::text, f.page, f.channel,
					f.scans::text, f.views::text, f.visitors::text, f.opens::text, f.submissions::text,
					f.spam::text, f.new_leads::text, f.repeat_leads::text, f.consultations::text,
					f.assigned::text, f.accepted::text, f.contacted::text, f.won::text,
					f.open_rate::text, f.submit_rate::text, f.lead_rate::text,
					f.assign_rate::text, f.accept_rate::text, f.contact_rate::text,
					f.win_rate::text, f.visitor_to_lead::text, f.lead_to_won::text])
					ORDER BY f.period, f.page, f.channel), '[]')
				FROM landform.funnel(v_from, v_to, 'day') f)),
		'channels', jsonb_build_object(
			'columns', to_jsonb(ARRAY['period', 'channel', 'scans', 'views', 'visitors', 'submissions',
				'new_leads', 'consultations', 'assigned', 'accepted', 'contacted', 'won', 'spend',
				'cost_per_lead', 'cost_per_won', 'orders', 'revenue', 'roi']),
			'rows', (SELECT coalesce(jsonb_agg(to_jsonb(ARRAY[c.period::text, c.channel,
					c.scans::text, c.views::text, c.visitors::text, c.submissions::text, c.new_leads::text,
					c.consultations::text, c.assigned::text, c.accepted::text, c.contacted::text,
					c.won::text, c.spend::text, c.cost_per_lead::text, c.cost_per_won::text,
					c.orders::text, c.revenue::text, c.roi::text])
					ORDER BY c.period, c.channel), '[]')
				FROM landform.channel_report(v_from, v_to, 'month') c)),
		'staff', jsonb_build_object(
			'columns', to_jsonb(ARRAY['login', 'display_name', 'received', 'offered',
				'accepted_in_time', 'expired', 'accept_rate', 'median_accept', 'contacted',
				'median_first_contact', 'won', 'pending_now', 'owned_now']),
			'rows', (SELECT coalesce(jsonb_agg(to_jsonb(ARRAY[r.login, r.display_name,
					r.received::text, r.offered::text, r.accepted_in_time::text, r.expired::text,
					r.accept_rate::text, r.median_accept::text, r.contacted::text,
					r.median_first_contact::text, r.won::text, r.pending_now::text,
					r.owned_now::text]) ORDER BY r.login), '[]')
				FROM landform.staff_report(v_from, v_to) r)));
END
$$;
