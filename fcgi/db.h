/* The only door to PostgreSQL: one connection per process, statements by name, results copied
 * into an arena so no libpq type ever leaves this module. */
#ifndef LANDFORM_DB_H
#define LANDFORM_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct db;

/* Whether a statement may reach the server twice: a read, or a write SQL makes idempotent (an
 * idempotency key). The rest are sent once; when their answer is lost the caller answers 503. */
enum db_retry {
	DB_RETRY_NEVER = 0,
	DB_RETRY_SAFE
};

/* A statement a module runs; declare it static const beside its caller. */
struct db_stmt {
	const char *name; /* unique, used as the prepared statement name */
	const char *sql;  /* normally "SELECT ... FROM landform.fn($1, ...)" */
	int nparams;
	enum db_retry retry; /* DB_RETRY_NEVER unless said */
};

/* Rows copied out of a result: values[row * ncols + col], NULL for SQL NULL. */
struct db_rows {
	int nrows;
	int ncols;
	const char **values;
	const char **names;
};

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* no connection, or it broke: answer 503 */
	DB_TIMEOUT,     /* statement_timeout or lock timeout: answer 503 */
	DB_CONFLICT,    /* deadlock or serialization failure, rolled back: answer 503 */
	DB_REJECTED,    /* the function raised a user error (P0001, P0002, 22xxx, 23xxx): answer 4xx */
	DB_ERROR        /* anything else: a bug, answer 500 */
};

struct db_error {
	enum db_status status;
	char sqlstate[6];
	char message[256];   /* primary message; never contains parameter values we sent */
};

struct db_options {
	const char *conninfo;
	int connect_timeout;   /* seconds */
	int statement_timeout; /* milliseconds, 0 = server default */
	bool prepare;          /* PQprepare once per connection; else unnamed statements */
	const char *application_name;
	bool standby; /* reads only, may be a hot standby: a refused write (25006) keeps the connection */
};

/* Create a handle; nothing connects until the first call. The caller frees with db_free. */
struct db *db_new(const struct db_options *o);
void db_free(struct db *db);

/* Connect if needed, or reconnect a broken connection.
 * Reconnect attempts are spaced so an outage costs each request one refused connect, not a hang. */
bool db_ready(struct db *db, struct db_error *err) __attribute__((warn_unused_result));

/* After each request: ROLLBACK a transaction a request left open, so it never leaks into
 * the next one; drop a connection in an unknown state. */
void db_end_request(struct db *db);

/* True when the request may simply be tried again later (503 with Retry-After): the database is
 * unreachable, too slow, or rolled the statement back in a deadlock or serialization failure. */
bool db_error_busy(const struct db_error *err);

/* Run a statement with text parameters (NULL = SQL NULL); rows go to the arena (out may be NULL).
 * Outside db_begin, a statement marked DB_RETRY_SAFE is sent again once when its connection
 * broke or it lost a deadlock; any other statement is sent once and its failure returned. */
bool db_call(struct db *db, const struct db_stmt *s, const char *const *params,
	     struct arena *a, struct db_rows *out, struct db_error *err)
	__attribute__((warn_unused_result));

/* Run SQL text without parameters (may hold several statements). Nothing from a request may
 * ever reach it: requests go through db_call, where every value is a parameter. db_exec takes
 * a string literal only (BEGIN, COMMIT, LISTEN channel): anything else does not compile.
 * db_exec_script is for migration files from the operator's sql_dir, and migrate.c alone. */
#define db_exec(db, literal, err) db_exec_script((db), "" literal "", (err))
bool db_exec_script(struct db *db, const char *sql, struct db_error *err)
	__attribute__((warn_unused_result));

/* A transaction pinned to one connection, for work that must be all or nothing (migrate).
 * While pinned nothing reconnects or re-sends: a lost connection fails every call until
 * db_rollback, which ends the pin whatever happened (and rolls back when it still can). */
bool db_begin(struct db *db, struct db_error *err) __attribute__((warn_unused_result));
bool db_commit(struct db *db, struct db_error *err) __attribute__((warn_unused_result));
void db_rollback(struct db *db);

/* LISTEN support for the dispatcher: the socket to poll, and drain pending notifications.
 * Returns the number of notifications consumed, or -1 when the connection broke. */
int db_socket(struct db *db);
/* Bumped on every new connection: session state such as LISTEN must be set again. */
unsigned long db_generation(const struct db *db);
int db_drain_notifications(struct db *db);

/* Value at row, col or NULL. */
const char *db_value(const struct db_rows *r, int row, int col);

#endif
