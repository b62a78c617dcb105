/* The route table, and the handlers too small to deserve a file. */
#include "handlers.h"

#include <string.h>

#include "clock.h"
#include "db.h"
#include "channels.h"
#include "segments.h"
#include "http.h"
#include "log.h"
#include "livecode.h"
#include "page.h"
#include "portal.h"
#include "portal_auth.h"
#include "portal_leads.h"
#include "reports.h"
#include "spool.h"
#include "scrape.h"
#include "worker.h"

const struct route handlers_routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/metrics", scrape_handle },
	{ "GET", "/p/*", page_handle_get },
	{ "POST", "/p/*", page_handle_post },
	{ "GET", "/p/*/thanks", page_handle_thanks },
	{ "POST", "/p/*/open", page_handle_open },
	{ "GET", "/api/v1/pages/*/stamp", page_handle_api_stamp },
	{ "POST", "/api/v1/pages/*/submissions", page_handle_api_submit },
	{ "GET", "/staff", portal_handle_root },
	{ "GET", "/staff/", portal_leads_home },
	{ "GET", "/staff/login", portal_auth_login_form },
	{ "POST", "/staff/login", portal_auth_login },
	{ "POST", "/staff/logout", portal_auth_logout },
	{ "GET", "/staff/invite/*", portal_auth_invite_form },
	{ "POST", "/staff/invite/*", portal_auth_invite },
	{ "GET", "/staff/pool", portal_leads_pool },
	{ "GET", "/staff/reports", reports_handle_page },
	{ "GET", "/staff/reports.csv", reports_handle_csv },
	{ "GET", "/staff/leads/*", portal_leads_show },
	{ "POST", "/staff/leads/*/*", portal_leads_action },
	{ "GET", "/api/v1/staff/leads", portal_leads_home },
	{ "GET", "/api/v1/staff/leads/*", portal_leads_show },
	{ "POST", "/api/v1/staff/leads/*/*", portal_leads_action },
	{ "GET", "/api/v1/staff/pool", portal_leads_pool },
	{ "GET", "/api/v1/staff/reports", reports_handle_page },
	{ "POST", "/api/v1/staff/login", portal_auth_login },
	{ "POST", "/api/v1/staff/logout", portal_auth_logout },
	{ "GET", "/c/*", livecode_handle },
	{ "GET", "/c", livecode_handle_nowhere },
	{ "GET", "/c/", livecode_handle_nowhere },
	{ "GET", "/c/*/*", livecode_handle_nowhere },
	{ "GET", "/r/", livecode_handle_nowhere },
	{ "GET", "/r/*/*", livecode_handle_nowhere },
	{ "GET", "/r/*", livecode_handle_referral },
	{ "GET", "/staff/channels", channels_handle_page },
	{ "POST", "/staff/channels/*/target", channels_handle_target },
	{ "GET", "/staff/channels/*/qr.svg", channels_handle_qr },
	{ "GET", "/staff/channels/*/qr.png", channels_handle_qr },
	{ "GET", "/api/v1/staff/channels", channels_handle_page },
	{ "POST", "/api/v1/staff/channels/*/target", channels_handle_target },
	{ "GET", "/staff/segments.csv", segments_handle_csv },
};

const size_t handlers_route_count = sizeof(handlers_routes) / sizeof(handlers_routes[0]);

static const struct db_stmt health_stmt = {
	"healthz", "SELECT max(version) FROM landform.schema_migrations", 0, DB_RETRY_SAFE
};

/* While submissions wait in this host's spool, or the database cannot take them but the spool
 * can: 200 with "degraded", so a load balancer keeps a host that still thanks visitors for
 * what it made durable. False (nothing answered) when neither is so. */
static bool
spool_degraded(struct request *r, bool db_ok)
{
	struct spool_stats *st = spool_stats_get();
	long long records, oldest, dead;

	if (st == NULL)
		return false;
	records = spool_stats_read(&st->records);
	oldest = spool_stats_read(&st->oldest_ms);
	dead = spool_stats_read(&st->dead);
	if (records == 0 && db_ok)
		return false;
	if (!db_ok && __atomic_load_n(&st->failing, __ATOMIC_RELAXED))
		return false; /* neither stored nor spooled: the 503 below */
	http_begin(r, 200, "application/json");
	buf_printf(&r->body_out, "{\"status\":\"degraded\",\"database\":\"%s\",\"spooled\":%lld,\"oldest_s\":%lld,\"spool_dead\":%lld}\n",
		   db_ok ? "ok" : "unavailable", records,
		   oldest > 0 ? (clock_wall_ms() - oldest) / 1000 : 0, dead);
	return true;
}

/* A real round trip, so a load balancer takes a worker without a database out of rotation. */
void
handle_healthz(struct request *r)
{
	struct db_rows rows;
	struct db_error de;
	const char *schema;
	const char *reason;
	bool db_ok;

	http_header(r, "Cache-Control", "no-store");
	db_ok = db_call(r->ctx->db, &health_stmt, NULL, r->arena, &rows, &de);
	/* The public gets a short reason; libpq's text names server paths and stays here. */
	reason = db_ok ? NULL
	       : de.status == DB_UNAVAILABLE ? "database unreachable"
	       : de.status == DB_TIMEOUT     ? "database timeout"
					     : "database error";
	if (!db_ok)
		log_warn("req=%s healthz: %s: %s (SQLSTATE %s)", r->id, reason, de.message, de.sqlstate);
	if (spool_degraded(r, db_ok)) {
		r->log_note = "degraded";
		return;
	}
	if (!db_ok) {
		r->log_note = "database_unavailable";
		http_begin(r, 503, "application/json");
		buf_printf(&r->body_out, "{\"status\":\"unavailable\",\"reason\":\"%s\"}\n", reason);
		return;
	}
	schema = db_value(&rows, 0, 0);
	http_begin(r, 200, "application/json");
	buf_printf(&r->body_out, "{\"status\":\"ok\",\"database\":\"ok\",\"schema\":\"%s\"",
		   schema ? schema : "none");
	/* Spooled submissions the database refused since start: someone should look. */
	if (spool_stats_get() != NULL && spool_stats_read(&spool_stats_get()->dead) > 0)
		buf_printf(&r->body_out, ",\"spool_dead\":%lld", spool_stats_read(&spool_stats_get()->dead));
	buf_adds(&r->body_out, "}\n");
}
