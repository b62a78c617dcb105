/* GET /metrics: the shared counters and the database's gauges, for Prometheus, only to the
 * addresses metrics_allow names. */
#include "scrape.h"

#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "clock.h"
#include "spool.h"
#include "tally.h"
#include "worker.h"

/* Cheap counts the app role may not read itself (the function runs as the owner). */
static const struct db_stmt snapshot_stmt = {
	"metrics_snapshot", "SELECT metric, target, value FROM landform.metrics_snapshot()", 0,
	DB_RETRY_SAFE /* a read */
};

/* The gauges from SQL, under a short statement timeout of their own: a slow database must not
 * make the scrape (and this worker) wait as long as a request may. False when unavailable. */
static bool
sql_gauges(struct request *r, struct metrics_view *v)
{
	struct db *db = r->ctx->db;
	struct db_rows rows;
	struct db_error de;
	struct metrics_sql_row *out;

	if (!db_exec(db, "BEGIN; SET LOCAL statement_timeout = 1000", &de) ||
	    !db_call(db, &snapshot_stmt, NULL, r->arena, &rows, &de)) {
		log_warn("req=%s metrics: no database gauges: %s (SQLSTATE %s)", r->id, de.message,
			 de.sqlstate);
		return false;
	}
	if (!db_exec(db, "COMMIT", &de))
		return false;
	out = arena_alloc(r->arena, sizeof(*out) * (size_t)(rows.nrows > 0 ? rows.nrows : 1));
	for (int i = 0; i < rows.nrows; i++) {
		out[i].name = db_value(&rows, i, 0);
		out[i].target = db_value(&rows, i, 1);
		out[i].value = db_value(&rows, i, 2);
	}
	v->rows = out;
	v->nrows = (size_t)rows.nrows;
	return true;
}

void
scrape_handle(struct request *r)
{
	struct metrics_counters *c = arena_alloc(r->arena, sizeof(*c));
	struct metrics_view v = { .nroutes = handlers_route_count };
	const char **methods, **patterns;

	http_header(r, "Cache-Control", "no-store");
	if (!metrics_addr_allowed(r->ctx->config->metrics_allow, http_param(r, "REMOTE_ADDR"))) {
		r->log_note = "metrics_refused";
		http_error(r, 403, "forbidden", "This address may not read the metrics.");
		return;
	}
	/* The spool keeps its own shared stats (what /healthz reads): hand them over as they are now. */
	if (spool_stats_get() != NULL)
		tally_spool((size_t)spool_stats_read(&spool_stats_get()->records),
			    spool_stats_read(&spool_stats_get()->oldest_ms));
	if (!tally_snapshot(c)) {
		http_error(r, 503, "no_metrics", "This landformd keeps no counters.");
		return;
	}
	methods = arena_alloc(r->arena, sizeof(*methods) * (handlers_route_count + 1));
	patterns = arena_alloc(r->arena, sizeof(*patterns) * (handlers_route_count + 1));
	for (size_t i = 0; i < handlers_route_count; i++) {
		methods[i] = handlers_routes[i].method;
		patterns[i] = handlers_routes[i].pattern;
	}
	methods[handlers_route_count] = "any"; /* requests no route took, whatever their method */
	patterns[handlers_route_count] = "none";
	v.route_methods = methods;
	v.route_patterns = patterns;
	v.sql_ok = sql_gauges(r, &v);
	v.now_ms = clock_ms();
	v.now_wall_ms = clock_wall_ms();
	http_begin(r, 200, "text/plain; version=0.0.4; charset=utf-8");
	metrics_render(c, &v, &r->body_out);
}
