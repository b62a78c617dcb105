/* The counters behind /metrics, in memory the master maps before it forks: every worker, the
 * dispatcher and the notifier add to the same block, so a worker that dies takes none of its
 * counts with it. Without tally_init (unit tests, migrate) every call does nothing. */
#ifndef LANDFORM_TALLY_H
#define LANDFORM_TALLY_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"

/* Map the shared block (MAP_SHARED|MAP_ANONYMOUS); the master calls it once, before forking.
 * False when the memory cannot be had: landformd then serves without metrics. */
bool tally_init(void) __attribute__((warn_unused_result));

/* In a child, before anything is counted: which process this is and which slot (the master's
 * child index) holds its gauges. */
void tally_child(enum metrics_role role, size_t slot);

/* A request answered: route index (nroutes for none), status, duration. */
void tally_request(size_t route, const char *method, const char *pattern, int status, long us);
/* Submissions stored in one transaction. */
void tally_batch(size_t n);
/* A database call failed, with db.h's status (DB_UNAVAILABLE..DB_ERROR as 1..5). */
void tally_db_error(int db_status);
void tally_db_reconnect(void);
void tally_dispatch_round(void);
/* This worker holds page-view counts not yet written (dirty) or none; now_ms is monotonic. */
void tally_flush_state(bool dirty, long long now_ms);

/* The master: a child died unexpectedly and is restarted; how many of each kind run now;
 * a slot's gauges are void once its process is gone. */
void tally_restart(enum metrics_role role);
void tally_alive(enum metrics_role role, size_t n);
void tally_slot_gone(size_t slot);

/* Hook for the spool (another module): records waiting and when the oldest was received, Unix
 * ms (0: none). Rendered as landform_spool_records and landform_spool_oldest_seconds once
 * called; until then the spool's series are absent. */
void tally_spool(size_t records, long long oldest_wall_ms);

/* A consistent-enough copy for rendering (each value read atomically); false without a block. */
bool tally_snapshot(struct metrics_counters *out);

#endif
