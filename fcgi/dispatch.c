/* The rules live in SQL; this loop only decides when to run them: when landform.lead_mark()
 * shows a new lead, and on a steady tick for deadlines. Any number of dispatchers may run:
 * dispatch() serializes. */
#include "dispatch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "proc.h"
#include "tally.h"

/* How often lead_mark() is read: a new lead waits at most this long before dispatch() runs,
 * short next to the one second it may wait, long enough to batch a busy campaign's leads. */
#define DISPATCH_POLL_MS 100

static const struct db_stmt dispatch_stmt = {
	"dispatch", "SELECT * FROM landform.dispatch()", 0, DB_RETRY_SAFE
};

static const struct db_stmt mark_stmt = {
	"lead_mark", "SELECT landform.lead_mark()", 0, DB_RETRY_SAFE
};

/* Reminders, expiry warnings and the daily summary: cheap when nothing is due. */
static const struct db_stmt tick_stmt = {
	"tick_notifications", "SELECT * FROM landform.tick_notifications()", 0, DB_RETRY_SAFE
};

/* Run one rule function; logs what it did when it did anything. */
static void
run_stmt(struct db *db, struct arena *a, const struct db_stmt *st)
{
	struct db_rows rows;
	struct db_error de;
	bool any = false;

	if (!db_call(db, st, NULL, a, &rows, &de)) {
		if (de.status == DB_UNAVAILABLE)
			log_debug("%s skipped: %s", st->name, de.message);
		else
			log_error("%s failed: %s (SQLSTATE %s)", st->name, de.message, de.sqlstate);
		return;
	}
	for (int r = 0; r < rows.nrows; r++)
		for (int c = 0; c < rows.ncols; c++) {
			const char *v = db_value(&rows, r, c);

			if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "{}") != 0)
				any = true;
		}
	if (any) {
		struct buf line;

		buf_init(&line, a, 128);
		for (int c = 0; c < rows.ncols && rows.nrows > 0; c++)
			buf_printf(&line, "%s%s=%s", c ? " " : "", rows.names[c],
				   db_value(&rows, 0, c) ? db_value(&rows, 0, c) : "null");
		log_info("%s: %s", st->name, line.data);
	}
}

/* The last lead id handed out, or -1 when the database cannot say. */
static long long
lead_mark(struct db *db, struct arena *a)
{
	struct db_rows rows;
	struct db_error de;
	const char *v;

	if (!db_call(db, &mark_stmt, NULL, a, &rows, &de)) {
		if (de.status != DB_UNAVAILABLE)
			log_error("lead_mark failed: %s (SQLSTATE %s)", de.message, de.sqlstate);
		return -1;
	}
	v = rows.nrows == 1 ? db_value(&rows, 0, 0) : NULL;
	return v != NULL ? strtoll(v, NULL, 10) : -1;
}

/* A new lead wants dispatch() now; the tick also produces due notifications. */
static void
run_once(struct db *db, struct arena *a, bool tick)
{
	run_stmt(db, a, &dispatch_stmt);
	tally_dispatch_round();
	if (tick)
		run_stmt(db, a, &tick_stmt);
}

int
dispatch_run(const struct config *c)
{
	struct db_options dbo = proc_db_options(c, "landformd dispatcher");
	struct db *db;
	struct arena a;
	long long next_tick = 0, seen = -1;

	proc_child_init("dispatch", "lf-dispatch", NULL);

	db = db_new(&dbo);
	arena_init(&a, 16384);
	log_info("dispatcher ready");
	while (!proc_stopping()) {
		long long mark = lead_mark(db, &a), wait;
		bool tick = next_tick - clock_ms() <= 0;

		/* Read before dispatch(): a lead arriving during the call moves it again. */
		if (tick || (mark >= 0 && mark != seen)) {
			run_once(db, &a, tick);
			if (tick)
				next_tick = clock_ms() + c->dispatch_interval;
			if (mark >= 0)
				seen = mark;
		}
		arena_reset(&a);
		wait = next_tick - clock_ms();
		if (wait > DISPATCH_POLL_MS)
			wait = DISPATCH_POLL_MS;
		if (wait > 0) {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	arena_free(&a);
	db_free(db);
	log_info("dispatcher stopped");
	return 0;
}
