/* The rules live in SQL; this loop only decides when to run them: on a NOTIFY from a new lead,
 * and on a steady tick for deadlines. Any number of dispatchers may run: dispatch() serializes. */
#include "dispatch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "proc.h"

/* How long a NOTIFY waits for the rest of its burst before dispatch() runs: short next to
 * the one second a new lead may wait, long enough to batch a busy campaign's submissions. */
#define DISPATCH_BATCH_MS 100

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static const struct db_stmt dispatch_stmt = {
	"dispatch", "SELECT * FROM landform.dispatch()", 0
};

/* Reminders, expiry warnings and the daily summary: cheap when nothing is due. */
static const struct db_stmt tick_stmt = {
	"tick_notifications", "SELECT * FROM landform.tick_notifications()", 0
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

/* A new lead wants dispatch() now; the tick also produces due notifications. */
static void
run_once(struct db *db, struct arena *a, bool tick)
{
	run_stmt(db, a, &dispatch_stmt);
	if (tick)
		run_stmt(db, a, &tick_stmt);
}

int
dispatch_run(const struct config *c)
{
	struct db_options dbo = {
		.conninfo = c->database_url,
		.connect_timeout = (int)c->db_connect_timeout,
		.statement_timeout = (int)c->db_statement_timeout * 6,
		.prepare = c->db_prepare,
		.application_name = "landformd dispatcher",
	};
	struct db *db;
	struct arena a;
	struct db_error de;
	unsigned long listening = 0;
	long long next_tick = 0, due = 0;

	proc_child_init("dispatch", "lf-dispatch", on_term);

	/* LISTEN needs a session: this connection must go straight to PostgreSQL, not a pooler. */
	db = db_new(&dbo);
	arena_init(&a, 16384);
	log_info("dispatcher ready");
	while (!stopping) {
		struct pollfd pfd;
		long long now, wait;
		int fd, n;

		if (db_socket(db) < 0 || db_generation(db) != listening) {
			listening = 0;
			if (db_exec(db, "LISTEN landform_lead", &de))
				listening = db_generation(db);
		}
		now = clock_ms();
		if (next_tick - now <= 0) {
			run_once(db, &a, true);
			arena_reset(&a);
			next_tick = clock_ms() + c->dispatch_interval;
			due = 0; /* the tick's dispatch() took the waiting leads too */
			continue;
		}
		if (due != 0 && due - now <= 0) {
			run_once(db, &a, false);
			arena_reset(&a);
			due = 0;
			continue;
		}
		wait = next_tick - now;
		if (due != 0 && due - now < wait)
			wait = due - now;
		fd = db_socket(db);
		if (fd < 0) {
			/* No database: sleep a tick, then try again. */
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		/* A NOTIFY that came in during the last call is already in libpq's buffer and will
		 * not wake poll(): look there first. */
		n = db_drain_notifications(db) > 0;
		if (!n) {
			pfd.fd = fd;
			pfd.events = POLLIN;
			n = poll(&pfd, 1, (int)wait);
			if (n < 0 && errno != EINTR)
				break;
			n = n > 0 && db_drain_notifications(db) > 0;
		}
		/* A burst of submissions becomes one dispatch call: wait a moment for the rest of
		 * it (each call costs the same whether it assigns one lead or a hundred). */
		if (n && due == 0)
			due = clock_ms() + DISPATCH_BATCH_MS;
	}
	arena_free(&a);
	db_free(db);
	log_info("dispatcher stopped");
	return 0;
}
