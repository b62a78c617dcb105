/* Drives fcgi/db.c's retry rules against a real PostgreSQL, usually through tests/pgcut.py,
 * for tests/integration/86_saferetry.sh: each argument is a step, each step prints one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"

/* A write that may run once, as the portal's are. */
static const struct db_stmt once_stmt = {
	"cut_once", "INSERT INTO lf_cut (v) VALUES ($1)", 1, DB_RETRY_NEVER
};
/* A read, safe to repeat; lf_cut_flaky loses a serialization failure on its first call. */
static const struct db_stmt flaky_read_stmt = {
	"cut_flaky_read", "SELECT lf_cut_flaky($1)", 1, DB_RETRY_SAFE
};
static const struct db_stmt flaky_write_stmt = {
	"cut_flaky_write", "SELECT lf_cut_flaky($1)", 1, DB_RETRY_NEVER
};
/* As fcgi/submit.c sends it: safe, the idempotency key makes a second run a replay. */
static const struct db_stmt submit_stmt = {
	"cut_submit",
	"SELECT submission_id, replayed FROM landform.submit('demo', 'cutch', $1, 'Cut', 'Q?', "
	"'{}', NULL, $2, NULL, NULL, NULL)",
	2, DB_RETRY_SAFE
};

static const char *const status_names[] = { "ok", "unavailable", "timeout", "conflict",
					      "rejected", "error" };

/* Run one step ("once:V", "flaky-read:V", "flaky-write:V", "submit:PHONE:KEY"); one line out. */
static void
step(struct db *db, struct arena *a, const char *arg)
{
	char buf[256];
	const char *params[2] = { NULL, NULL };
	const struct db_stmt *s;
	struct db_rows rows;
	struct db_error de = { 0 };
	char *colon;

	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strchr(buf, ':');
	if (colon == NULL) {
		fprintf(stderr, "dbcut: bad step %s\n", arg);
		exit(2);
	}
	*colon = '\0';
	params[0] = colon + 1;
	if (strcmp(buf, "once") == 0) {
		s = &once_stmt;
	} else if (strcmp(buf, "flaky-read") == 0) {
		s = &flaky_read_stmt;
	} else if (strcmp(buf, "flaky-write") == 0) {
		s = &flaky_write_stmt;
	} else if (strcmp(buf, "submit") == 0) {
		s = &submit_stmt;
		colon = strchr(colon + 1, ':');
		if (colon == NULL)
			exit(2);
		*colon = '\0';
		params[1] = colon + 1;
	} else {
		fprintf(stderr, "dbcut: bad step %s\n", arg);
		exit(2);
	}
	if (db_call(db, s, params, a, &rows, &de))
		printf("%s ok\n", buf);
	else
		printf("%s %s %s\n", buf, status_names[de.status], de.sqlstate);
	fflush(stdout);
	db_end_request(db);
}

int
main(int argc, char **argv)
{
	struct db_options o = { .connect_timeout = 5, .prepare = true, .application_name = "dbcut" };
	struct arena a;
	struct db *db;
	char line[16];

	if (argc < 3) {
		fprintf(stderr, "usage: dbcut CONNINFO STEP|wait...\n");
		return 2;
	}
	o.conninfo = argv[1];
	log_set_role("dbcut");
	db = db_new(&o);
	arena_init(&a, 4096);
	for (int i = 2; i < argc; i++) {
		/* "wait": the test does something to the connection meanwhile, then says go. */
		if (strcmp(argv[i], "wait") == 0) {
			printf("waiting\n");
			fflush(stdout);
			if (fgets(line, sizeof(line), stdin) == NULL)
				break;
			continue;
		}
		step(db, &a, argv[i]);
	}
	arena_free(&a);
	db_free(db);
	return 0;
}
