/* A FastCGI worker process: the accept loop and the state it keeps between requests. */
#ifndef LANDFORM_WORKER_H
#define LANDFORM_WORKER_H

#include <stdbool.h>

#include "counter.h"
#include "secret.h"

struct config;
struct db;
struct portal;
struct request;
struct site;
struct spool;

/* What a worker owns for its whole life; freed at exit so valgrind stays clean. */
struct worker_ctx {
	const struct config *config;
	struct db *db;
	struct db *report_db;     /* report_database_url's (a standby), or NULL: reports use db */
	struct site *site;        /* loaded landing pages (NULL until loaded) */
	struct portal *portal;    /* staff portal templates and text (NULL when broken) */
	unsigned char key[SECRET_BYTES]; /* signs form stamps */
	struct counters counters; /* page traffic not yet flushed */
	struct spool *spool;      /* where submissions wait while the database cannot take them */
	long long last_flush_ms;
	long tz_offset;           /* the site's time zone, seconds east of UTC (count_traffic says) */
	unsigned long long served;
};

/* Serve requests on listen_fd until SIGTERM (or max_requests when > 0, for leak checks).
 * Returns the process exit status. */
int worker_run(const struct config *c, int listen_fd, unsigned long max_requests);

/* Route one request that the glue has filled in; also used by tests. */
void worker_handle(struct worker_ctx *ctx, struct request *r);

#endif
