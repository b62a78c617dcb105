/* What a worker tells the database about its pages outside any request: the traffic counters
 * (counter.h) flushed in batches, and the loaded pages registered so submissions can name them. */
#ifndef LANDFORM_TRAFFIC_H
#define LANDFORM_TRAFFIC_H

#include <stdbool.h>

struct worker_ctx;

/* Register every loaded page in the database (best effort; retried when a submit or a flush
 * finds its page unknown). Also learns the site's offset from UTC (ctx->tz_offset). */
void traffic_register_pages(struct worker_ctx *ctx);

/* Send the traffic counters when the flush interval has passed (or always with force).
 * Returns milliseconds until the next flush is due, or -1 when nothing is waiting. */
long traffic_flush(struct worker_ctx *ctx, bool force);

#endif
