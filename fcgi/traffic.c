/* Traffic counters and page registration: the worker's own calls to the database, made
 * between requests (worker.c's loop) and never on a visitor's time but for a retry. */
#include "traffic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "clock.h"
#include "config.h"
#include "counter.h"
#include "db.h"
#include "lang.h"
#include "log.h"
#include "schema.h"
#include "site.h"
#include "worker.h"

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
