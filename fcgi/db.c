/* libpq lives here and nowhere else: connection health, prepared statements, error mapping. */
#include "db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "tally.h"

#define MAX_PREPARED 64
#define RETRY_GAP_MS 250

struct db {
	PGconn *conn;
	struct db_options opt;
	char *conninfo;
	char options[64];
	const struct db_stmt *prepared[MAX_PREPARED];
	int nprepared;
	long long last_failed_ms; /* when the last connect attempt failed */
	unsigned long generation; /* successful connects so far */
	bool pinned;              /* in db_begin's transaction: never reconnect or re-send */
	char last_error[256];
};

static void
set_error(struct db_error *err, enum db_status st, const char *state, const char *msg)
{
	size_t n;

	tally_db_error((int)st); /* every failed call, whoever asked and whether it logs */
	if (err == NULL)
		return;
	err->status = st;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state ? state : "");
	snprintf(err->message, sizeof(err->message), "%s", msg ? msg : "");
	/* libpq messages end in a newline; our log lines must not. */
	n = strlen(err->message);
	while (n > 0 && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
		err->message[--n] = '\0';
}

struct db *
db_new(const struct db_options *o)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		abort();
	db->opt = *o;
	db->conninfo = strdup(o->conninfo);
	if (db->conninfo == NULL)
		abort();
	db->opt.conninfo = db->conninfo;
	if (o->statement_timeout > 0)
		snprintf(db->options, sizeof(db->options), "-c statement_timeout=%d",
			 o->statement_timeout);
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

/* Server notices (a WARNING as PostgreSQL shuts down, a RAISE in SQL) would go to stderr, which
 * nobody reads once landformd runs as a service: send them to the log instead. */
static void
notice_to_log(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	bool loud = sev != NULL && (strcmp(sev, "WARNING") == 0 || strcmp(sev, "ERROR") == 0 ||
				    strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0);

	(void)arg;
	if (msg == NULL)
		msg = PQresultErrorMessage(res);
	if (loud)
		log_warn("database %s: %s", sev, msg);
	else
		log_debug("database %s: %s", sev ? sev : "notice", msg);
}

static bool
connect_now(struct db *db, struct db_error *err)
{
	char timeout[16];
	/* The caller's conninfo is expanded first; our keywords after it win. */
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "options",
			       "keepalives", "keepalives_idle", "keepalives_interval",
			       "keepalives_count", "tcp_user_timeout", NULL };
	const char *vals[] = { db->conninfo, timeout, db->opt.application_name, db->options,
			       "1", "10", "5", "3", "10000", NULL };

	snprintf(timeout, sizeof(timeout), "%d", db->opt.connect_timeout);
	if (db->options[0] == '\0')
		keys[3] = NULL;
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->nprepared = 0;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		set_error(err, DB_UNAVAILABLE, "08006",
			  db->conn ? PQerrorMessage(db->conn) : "out of memory");
		if (db->conn != NULL) {
			PQfinish(db->conn);
			db->conn = NULL;
		}
		db->last_failed_ms = clock_ms();
		if (err != NULL)
			snprintf(db->last_error, sizeof(db->last_error), "%s", err->message);
		log_warn("database connect failed: %s", err ? err->message : "");
		return false;
	}
	PQsetNoticeReceiver(db->conn, notice_to_log, NULL);
	db->last_failed_ms = 0;
	if (db->generation > 0)
		tally_db_reconnect();
	db->generation++;
	log_info("database connected (server %d)", PQserverVersion(db->conn));
	return true;
}

bool
db_ready(struct db *db, struct db_error *err)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return true;
	/* A fresh connection would run the rest of the transaction's work in autocommit. */
	if (db->pinned) {
		set_error(err, DB_UNAVAILABLE, "08006", "the connection of a transaction was lost");
		return false;
	}
	/* Refuse fast while the database is down rather than retrying on every request. */
	if (db->conn == NULL && db->last_failed_ms != 0 &&
	    clock_ms() - db->last_failed_ms < RETRY_GAP_MS) {
		set_error(err, DB_UNAVAILABLE, "08006", db->last_error);
		return false;
	}
	return connect_now(db, err);
}

/* Map a failed result to our status; classes from the PostgreSQL errcodes appendix. */
static enum db_status
classify(const char *state)
{
	if (state == NULL)
		return DB_UNAVAILABLE;
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0)
		return DB_TIMEOUT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_CONFLICT;
	/* 25006: this node takes no writes (a standby, or a primary being demoted during a
	 * failover); the connection is dropped and the next one looks for the primary. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strncmp(state, "53", 2) == 0 || strcmp(state, "25006") == 0)
		return DB_UNAVAILABLE;
	if (strncmp(state, "P0", 2) == 0 || strncmp(state, "22", 2) == 0 ||
	    strncmp(state, "23", 2) == 0)
		return DB_REJECTED;
	return DB_ERROR;
}

static bool
result_error(struct db *db, PGresult *res, struct db_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	enum db_status st = classify(state);
	bool read_only = state != NULL && strcmp(state, "25006") == 0; /* state dies with res */

	if (PQstatus(db->conn) != CONNECTION_OK) {
		st = DB_UNAVAILABLE;
		if (msg == NULL)
			msg = PQerrorMessage(db->conn);
	}
	set_error(err, st, state, msg ? msg : PQerrorMessage(db->conn));
	PQclear(res);
	/* A standby refusing a write is the caller's to handle (reports fall back to the primary). */
	if (st == DB_UNAVAILABLE && db->opt.standby && read_only && PQstatus(db->conn) == CONNECTION_OK)
		st = DB_ERROR;
	if (st == DB_UNAVAILABLE) {
		/* Drop it now; the next db_ready connects afresh (to the primary, whichever it is
		 * now, when database_url lists several hosts with target_session_attrs). */
		if (read_only)
			log_warn("database is read-only (a standby or a failover): reconnecting");
		PQfinish(db->conn);
		db->conn = NULL;
		db->nprepared = 0;
	}
	return false;
}

static bool
is_prepared(const struct db *db, const struct db_stmt *s)
{
	for (int i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == s)
			return true;
	return false;
}

static void
copy_rows(PGresult *res, struct arena *a, struct db_rows *out)
{
	int nr = PQntuples(res), nc = PQnfields(res);

	out->nrows = nr;
	out->ncols = nc;
	out->values = arena_alloc(a, sizeof(char *) * (size_t)(nr * nc + 1));
	out->names = arena_alloc(a, sizeof(char *) * (size_t)(nc + 1));
	for (int c = 0; c < nc; c++)
		out->names[c] = arena_strdup(a, PQfname(res, c));
	for (int r = 0; r < nr; r++)
		for (int c = 0; c < nc; c++)
			out->values[r * nc + c] =
				PQgetisnull(res, r, c)
					? NULL
					: arena_strndup(a, PQgetvalue(res, r, c),
							(size_t)PQgetlength(res, r, c));
}

static bool
call_once(struct db *db, const struct db_stmt *s, const char *const *params, struct arena *a,
	  struct db_rows *out, struct db_error *err)
{
	PGresult *res;

	if (db->opt.prepare) {
		if (!is_prepared(db, s)) {
			if (db->nprepared == MAX_PREPARED)
				abort(); /* more statements than any build has: a bug */
			res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				return result_error(db, res, err);
			PQclear(res);
			db->prepared[db->nprepared++] = s;
		}
		res = PQexecPrepared(db->conn, s->name, s->nparams, params, NULL, NULL, 0);
	} else {
		res = PQexecParams(db->conn, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		return result_error(db, res, err);
	if (out != NULL)
		copy_rows(res, a, out);
	PQclear(res);
	return true;
}

/* An idle connection the server closed (a restart, pg_terminate_backend) has its goodbye
 * waiting unread: notice it before sending, so even a statement that may run only once gets a
 * fresh connection instead of a 503. The second read finds the end of the stream. */
static void
drop_if_closed(struct db *db)
{
	if (db->conn == NULL || db->pinned || PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		return;
	if (PQconsumeInput(db->conn) && !PQisBusy(db->conn) && PQconsumeInput(db->conn) &&
	    PQstatus(db->conn) == CONNECTION_OK)
		return;
	/* A lost connection all the same, though no caller sees it fail. */
	set_error(NULL, DB_UNAVAILABLE, "08006", "the database closed the idle connection");
	log_info("database closed the idle connection: reconnecting");
	PQfinish(db->conn);
	db->conn = NULL;
	db->nprepared = 0;
}

bool
db_call(struct db *db, const struct db_stmt *s, const char *const *params, struct arena *a,
	struct db_rows *out, struct db_error *err)
{
	struct db_error mine;
	bool idle;

	if (err == NULL)
		err = &mine;
	drop_if_closed(db);
	if (!db_ready(db, err))
		return false;
	/* Inside a transaction a re-send would run without the work before it. */
	idle = !db->pinned && PQtransactionStatus(db->conn) == PQTRANS_IDLE;
	if (call_once(db, s, params, a, out, err))
		return true;
	/* The server may have run it and the answer got lost, or it lost a deadlock and rolled
	 * back: only a statement that may run twice is sent again, once. A node that refused it
	 * as read-only (a failover) did not run it: any statement goes to the new primary. */
	if (!idle || (s->retry != DB_RETRY_SAFE && strcmp(err->sqlstate, "25006") != 0) ||
	    (err->status != DB_UNAVAILABLE && err->status != DB_CONFLICT))
		return false;
	log_info("%s: %s (SQLSTATE %s); sending it again", s->name, err->message, err->sqlstate);
	if (!db_ready(db, err))
		return false;
	return call_once(db, s, params, a, out, err);
}

bool
db_error_busy(const struct db_error *err)
{
	return err->status == DB_UNAVAILABLE || err->status == DB_TIMEOUT ||
	       err->status == DB_CONFLICT;
}

bool
db_begin(struct db *db, struct db_error *err)
{
	if (db->pinned)
		abort(); /* transactions do not nest here: a bug */
	drop_if_closed(db);
	if (!db_exec(db, "BEGIN", err))
		return false;
	db->pinned = true;
	return true;
}

bool
db_commit(struct db *db, struct db_error *err)
{
	PGresult *res;
	bool ok;

	if (!db->pinned)
		abort(); /* no db_begin: a bug */
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db->pinned = false;
		set_error(err, DB_UNAVAILABLE, "08006", "the connection of a transaction was lost");
		return false;
	}
	res = PQexec(db->conn, "COMMIT");
	/* COMMIT of a transaction already in error answers ROLLBACK, not an error. */
	ok = PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0;
	db->pinned = false;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return result_error(db, res, err);
	PQclear(res);
	if (!ok)
		set_error(err, DB_ERROR, "25P02", "the transaction was rolled back");
	return ok;
}

void
db_rollback(struct db *db)
{
	db->pinned = false;
	if (db->conn == NULL)
		return;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		PQfinish(db->conn);
		db->conn = NULL;
		db->nprepared = 0;
		return;
	}
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

bool
db_exec_script(struct db *db, const char *sql, struct db_error *err)
{
	PGresult *res;

	if (!db_ready(db, err))
		return false;
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_EMPTY_QUERY)
		return result_error(db, res, err);
	PQclear(res);
	return true;
}

void
db_end_request(struct db *db)
{
	PGTransactionStatusType ts;

	db->pinned = false;
	if (db->conn == NULL)
		return;
	ts = PQtransactionStatus(db->conn);
	if (ts == PQTRANS_INERROR || ts == PQTRANS_INTRANS) {
		PGresult *res = PQexec(db->conn, "ROLLBACK");

		log_warn("a request left a transaction open; rolled back");
		PQclear(res);
	} else if (ts != PQTRANS_IDLE) {
		/* Busy or unknown: the connection is in no state to serve the next request. */
		PQfinish(db->conn);
		db->conn = NULL;
		db->nprepared = 0;
	}
}

unsigned long
db_generation(const struct db *db)
{
	return db->generation;
}

int
db_socket(struct db *db)
{
	return db->conn ? PQsocket(db->conn) : -1;
}

int
db_drain_notifications(struct db *db)
{
	PGnotify *n;
	int count = 0;

	if (db->conn == NULL || !PQconsumeInput(db->conn)) {
		if (db->conn != NULL) {
			PQfinish(db->conn);
			db->conn = NULL;
		}
		return -1;
	}
	while ((n = PQnotifies(db->conn)) != NULL) {
		count++;
		PQfreemem(n);
	}
	return count;
}

const char *
db_value(const struct db_rows *r, int row, int col)
{
	if (row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->values[row * r->ncols + col];
}
