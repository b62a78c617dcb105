/* Page traffic: a view counted in worker memory (with the visitor cookie that makes unique
 * visitors countable), the counters flushed and the pages registered by the worker's own calls
 * to the database, made between requests (worker.c's loop), on a visitor's time only to retry. */
#include "traffic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arena.h"
#include "clock.h"
#include "config.h"
#include "counter.h"
#include "db.h"
#include "http.h"
#include "lang.h"
#include "log.h"
#include "schema.h"
#include "site.h"
#include "visitor.h"
#include "worker.h"

/* Count a view, and a unique visitor when the visitor cookie has not been counted for this
 * page and channel today; the cookie (a random id that identifies nobody, and what it was
 * counted for today) is set whenever that changes. */
void
traffic_count_view(struct request *r, const char *slug, const char *channel, struct visitor *vis,
		   bool known)
{
	struct worker_ctx *ctx = r->ctx;
	int64_t now = (int64_t)time(NULL);
	bool unique;

	if (!known) {
		unsigned char raw[VISITOR_ID_LEN / 2];
		char id[VISITOR_ID_LEN + 1];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(id, sizeof(id), raw, sizeof(raw));
		visitor_init(vis, id);
	}
	unique = visitor_count(vis, visitor_day(now, ctx->tz_offset), slug, channel);
	if (unique || !known) {
		char value[VISITOR_VALUE_MAX];

		visitor_format(vis, value);
		http_header(r, "Set-Cookie",
			    arena_printf(r->arena, "lf_vid=%s; Max-Age=63072000; Path=/; SameSite=Lax; HttpOnly%s",
					 value, http_is_https(r) ? "; Secure" : ""));
	}
	counters_add(&ctx->counters, COUNTER_VIEW, slug, channel, unique, now);
}

static const struct db_stmt register_stmt = {
	"register_page", "SELECT landform.register_page($1, $2, $3)", 3, DB_RETRY_SAFE
};

static const struct db_stmt traffic_stmt = {
	"count_traffic", "SELECT landform.count_traffic($1::jsonb)", 1, DB_RETRY_NEVER
};

/* count_traffic answers with the site's offset from UTC now: the day visitors are counted in. */
static void
learn_tz_offset(struct worker_ctx *ctx, const struct db_rows *rows)
{
	const char *v = rows->nrows == 1 ? db_value(rows, 0, 0) : NULL;

	if (v != NULL)
		ctx->tz_offset = strtol(v, NULL, 10);
}

/* An empty count_traffic first: it answers with the time zone even when no page is new. */
void
traffic_register_pages(struct worker_ctx *ctx)
{
	struct arena a;
	struct db_error de;
	struct db_rows rows;
	const char *none[1] = { "[]" };

	if (ctx->site == NULL)
		return;
	arena_init(&a, 4096);
	if (db_call(ctx->db, &traffic_stmt, none, &a, &rows, &de))
		learn_tz_offset(ctx, &rows);
	for (size_t i = 0; i < ctx->site->count; i++) {
		const struct page *p = &ctx->site->pages[i];
		const char *params[3] = { p->slug, schema_title(p->schema, LANG_ZH_CN),
					  schema_kind_name(schema_kind(p->schema)) };

		if (!db_call(ctx->db, &register_stmt, params, &a, NULL, &de)) {
			log_warn("registering page %s: %s", p->slug, de.message);
			break;
		}
	}
	arena_free(&a);
}

/* One statement for the whole batch, so counting never costs a view a round trip; a batch
 * that fails is kept whole for the next try. */
long
traffic_flush(struct worker_ctx *ctx, bool force)
{
	long long now = clock_ms();
	long due;
	struct arena a;
	struct db_error de;
	struct db_rows rows;
	const char *params[1];
	char *json;

	if (!counters_dirty(&ctx->counters))
		return -1;
	due = (long)(ctx->last_flush_ms + ctx->config->counter_flush - now);
	if (!force && due > 0)
		return due;
	ctx->last_flush_ms = now;
	json = counters_json(&ctx->counters, (int64_t)time(NULL));
	params[0] = json;
	arena_init(&a, 1024);
	if (db_call(ctx->db, &traffic_stmt, params, &a, &rows, &de)) {
		counters_clear(&ctx->counters);
		learn_tz_offset(ctx, &rows);
	} else if (strcmp(de.sqlstate, "P0002") == 0) {
		traffic_register_pages(ctx);
	} else {
		/* Kept for the next try; the batch only grows by distinct pages and channels. */
		log_warn("traffic counters not flushed: %s", de.message);
	}
	arena_free(&a);
	free(json);
	return ctx->config->counter_flush;
}
