-- landform.metrics_snapshot(): the gauges GET /metrics shows beside landformd's own counters.
-- One cheap call per scrape (every count uses a partial index); landformd runs it with a
-- statement timeout of one second. Rows: (metric, target, value); target is NULL except for
-- the per-target delivery gauges. C renders only the metric names it knows (fcgi/metrics.c).
-- Runs as the owner: landform_app may not read the outbox or the deliveries. After
-- 90_security.sql, which revokes every function from landform_app first.
CREATE OR REPLACE FUNCTION landform.metrics_snapshot()
RETURNS TABLE (metric text, target text, value double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
	WITH waiting AS (
		-- A lead waits since it came, or since its last assignment closed.
		SELECT count(*) AS n,
		       min(coalesce((SELECT max(a.closed_at) FROM landform.assignments a
		                     WHERE a.lead_id = l.id), l.first_seen)) AS oldest
		FROM landform.leads l WHERE l.state = 'waiting'
	), backlog AS (
		SELECT sum(n) AS n, min(oldest) AS oldest FROM (
			SELECT count(*) AS n, min(o.created_at) AS oldest FROM landform.outbox o
			WHERE o.fanned_at IS NULL AND o.sent_at IS NULL
			UNION ALL
			SELECT count(*), min(d.created_at) FROM landform.deliveries d WHERE d.state = 'pending'
		) s
	)
	SELECT 'leads_waiting', NULL, n::float8 FROM waiting
	UNION ALL
	SELECT 'dispatch_lag_seconds', NULL,
	       coalesce(extract(epoch FROM now() - oldest), 0)::float8 FROM waiting
	UNION ALL
	SELECT 'leads_offered', NULL, count(*)::float8 FROM landform.leads WHERE state = 'pending'
	UNION ALL
	SELECT 'leads_open', NULL, count(*)::float8 FROM landform.leads WHERE state = 'open'
	UNION ALL
	SELECT 'leads_overdue', NULL, count(*)::float8 FROM landform.assignments
	WHERE closed_at IS NULL AND accepted_at IS NULL AND deadline < now()
	UNION ALL
	SELECT 'outbox_backlog', NULL, coalesce(n, 0)::float8 FROM backlog
	UNION ALL
	SELECT 'outbox_oldest_seconds', NULL,
	       coalesce(extract(epoch FROM now() - oldest), 0)::float8 FROM backlog
	UNION ALL
	SELECT 'deliveries_failing', t.name, count(d.*)::float8
	FROM landform.notify_targets t
	LEFT JOIN landform.deliveries d ON d.target_id = t.id AND d.state = 'pending' AND d.attempts > 0
	GROUP BY t.name
	UNION ALL
	SELECT 'deliveries_dead', t.name, count(d.*)::float8
	FROM landform.notify_targets t
	LEFT JOIN landform.deliveries d ON d.target_id = t.id AND d.state = 'dead'
	GROUP BY t.name
$$;

REVOKE ALL ON FUNCTION landform.metrics_snapshot() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION landform.metrics_snapshot() TO landform_app;
