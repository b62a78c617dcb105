/* Prometheus text exposition (version 0.0.4) of landformd's counters: pure, counters in, text out.
 *
 * Contract:
 * - struct metrics_counters is the block every process adds to (fcgi/tally.c keeps it in
 *   shared memory); here it is only read. Buckets are stored per bucket (not cumulative), so
 *   concurrent adds never make a rendered series go backwards.
 * - metrics_render writes the exposition into out (an arena buf: the arena frees it). Route
 *   labels come from the caller (the route table); SQL gauges come as rows (name, target,
 *   value) and only names this module knows are rendered, every label value escaped.
 * - metrics_addr_allowed decides who may read /metrics from a list of addresses and CIDR
 *   prefixes ("127.0.0.1/8, ::1"); it is a parser of operator input and has a fuzz target. */
#ifndef LANDFORM_METRICS_H
#define LANDFORM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_MAX_ROUTES 48   /* the route table's rows, plus one for "no route" */
#define METRICS_STATUS_MIN 100
#define METRICS_STATUS_MAX 599
#define METRICS_DURATION_BUCKETS 13 /* + the +Inf one */
#define METRICS_BATCH_BUCKETS 9
#define METRICS_MAX_SLOTS 260  /* one per child of the master (server.c's MAX_CHILDREN) */

/* Request kinds with their own duration histogram. */
enum metrics_kind { METRICS_PAGE_GET, METRICS_POST, METRICS_PORTAL, METRICS_API, METRICS_OTHER,
		    METRICS_KIND_COUNT };

/* The database errors by kind: db.h's enum db_status without DB_OK, in its order. */
enum metrics_db_kind { METRICS_DB_UNAVAILABLE, METRICS_DB_TIMEOUT, METRICS_DB_CONFLICT,
		       METRICS_DB_REJECTED, METRICS_DB_ERROR, METRICS_DB_KIND_COUNT };

/* The master's children. */
enum metrics_role { METRICS_WORKER, METRICS_DISPATCHER, METRICS_NOTIFIER, METRICS_REPLAYER, METRICS_ROLE_COUNT };

/* Upper bounds of the buckets, in seconds and in submissions. */
extern const double metrics_duration_bounds[METRICS_DURATION_BUCKETS];
extern const unsigned metrics_batch_bounds[METRICS_BATCH_BUCKETS];

struct metrics_histogram_duration {
	uint64_t bucket[METRICS_DURATION_BUCKETS + 1]; /* last: above every bound */
	uint64_t sum_us;
};

/* Everything the processes count. Counters only grow; gauges are marked. */
struct metrics_counters {
	uint64_t requests[METRICS_MAX_ROUTES][METRICS_STATUS_MAX - METRICS_STATUS_MIN + 1];
	struct metrics_histogram_duration duration[METRICS_KIND_COUNT];
	uint64_t batch_bucket[METRICS_BATCH_BUCKETS + 1];
	uint64_t batch_sum;
	uint64_t db_errors[METRICS_ROLE_COUNT][METRICS_DB_KIND_COUNT];
	uint64_t db_reconnects[METRICS_ROLE_COUNT];
	uint64_t restarts[METRICS_ROLE_COUNT];
	uint64_t alive[METRICS_ROLE_COUNT];            /* gauge, set by the master */
	uint64_t dispatch_rounds;
	int64_t flush_dirty_since_ms[METRICS_MAX_SLOTS]; /* gauge per worker: 0 = all flushed */
	/* The spool's hook (metrics_spool in tally.h): gauges, rendered once reported. */
	uint64_t spool_reported;
	uint64_t spool_records;
	int64_t spool_oldest_ms;                       /* Unix ms when the oldest record came; 0 = none */
};

/* One row of landform.metrics_snapshot(): a gauge by name, per target when target != NULL. */
struct metrics_sql_row {
	const char *name;
	const char *target;
	const char *value;
};

/* What /metrics shows beside the counters. */
struct metrics_view {
	const char *const *route_methods; /* per route, and [nroutes] for requests without one */
	const char *const *route_patterns;
	size_t nroutes;                   /* without that last row */
	long long now_ms;                /* monotonic, for the flush lag */
	long long now_wall_ms;           /* Unix ms, for the spool's age (its records outlive a boot) */
	bool sql_ok;                     /* landform.metrics_snapshot() answered */
	const struct metrics_sql_row *rows;
	size_t nrows;
};

/* Which histogram a request belongs to, from its route pattern and method. */
enum metrics_kind metrics_kind_of(const char *method, const char *pattern);

/* Bucket index of a duration (microseconds) and of a batch size. */
size_t metrics_duration_bucket(long us);
size_t metrics_batch_bucket(size_t n);

/* The whole exposition into out. */
void metrics_render(const struct metrics_counters *c, const struct metrics_view *v, struct buf *out);

/* True when addr (a numeric IPv4 or IPv6 address, as REMOTE_ADDR gives it) falls within one
 * entry of list (comma or space separated addresses, each with an optional /prefix). A list
 * entry that does not parse matches nothing; "unix:" (no address, a local socket peer) is
 * allowed only when the list holds "unix". */
bool metrics_addr_allowed(const char *list, const char *addr);

/* False, with a message, when list holds an entry metrics_addr_allowed cannot read. */
bool metrics_allow_check(const char *list, char *err, size_t errsz) __attribute__((warn_unused_result));

#endif
