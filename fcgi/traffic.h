/* Page traffic: views counted per request into the worker's counters (counter.h), flushed to
 * the database in batches, and the loaded pages registered so counts and submissions can name
 * them. */
#ifndef LANDFORM_TRAFFIC_H
#define LANDFORM_TRAFFIC_H

#include <stdbool.h>

struct request;
struct visitor;
struct worker_ctx;

/* Count a view of page slug (channel may be NULL), and a unique visitor when vis (the lf_vid
 * cookie, a fresh random one when known is false) was not yet counted for it today; sets the
 * cookie on r whenever it changes. */
void traffic_count_view(struct request *r, const char *slug, const char *channel,
			struct visitor *vis, bool known);

/* Register every loaded page in the database (best effort; retried when a submit or a flush
 * finds its page unknown). Also learns the site's offset from UTC (ctx->tz_offset). */
void traffic_register_pages(struct worker_ctx *ctx);

/* Send the traffic counters when the flush interval has passed (or always with force).
 * Returns milliseconds until the next flush is due, or -1 when nothing is waiting. */
long traffic_flush(struct worker_ctx *ctx, bool force);

#endif
