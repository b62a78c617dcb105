/* Page traffic counted in worker memory and flushed in batches, so counting never slows a
 * page view. A crash loses at most one flush interval of views; submissions are never
 * counted here (landform.submit counts them in the same transaction that stores them). */
#ifndef LANDFORM_COUNTER_H
#define LANDFORM_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/* Most distinct page x channel pairs held between flushes; beyond it, channels fold into none
 * (a flood of random ?ch= values must not grow memory). */
#define COUNTER_MAX_KEYS 512

struct counter_entry;

struct counters {
	struct counter_entry *entries; /* malloc'd, owned */
	int count;
	int64_t since; /* unix seconds of the first event in this batch */
};

/* The COUNTER_STAMP_* events are posts refused for their form stamp, counted apart from spam
 * (landform.refusals): a host signing with another secret shows there at once. */
enum counter_event {
	COUNTER_VIEW,
	COUNTER_OPEN,
	COUNTER_SPAM,
	COUNTER_STAMP_MISSING,
	COUNTER_STAMP_MALFORMED,
	COUNTER_STAMP_FORGED,
	COUNTER_STAMP_TOO_FAST
};

void counters_init(struct counters *c);

/* Count one event; channel may be NULL. unique: a view by a visitor not yet counted for this
 * page x channel today (the visitor cookie says so: visitor.h). */
void counters_add(struct counters *c, enum counter_event ev, const char *slug, const char *channel,
		  bool unique, int64_t now);

bool counters_dirty(const struct counters *c);

/* The batch as the JSON landform.count_traffic takes; malloc'd, the caller frees. */
char *counters_json(const struct counters *c, int64_t now);

/* Forget the batch (after a successful flush). */
void counters_clear(struct counters *c);
void counters_free(struct counters *c);

#endif
