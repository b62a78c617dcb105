/* Submissions into PostgreSQL. Under load the commit, not the rows, was most of what a
 * submission cost, so the submissions a worker holds at one moment share one. */
#include "submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "spool.h"

static const struct db_stmt submit_stmt = {
	"submit",
	"SELECT submission_id, lead_id, new_lead, replayed FROM landform.submit("
	"$1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::inet, $10, $11, $12::timestamptz, $13)",
	SUBMIT_NPARAMS, DB_RETRY_SAFE
};

static const struct db_stmt batch_stmt = {
	"submit_batch",
	"SELECT ord, submission_id, lead_id, new_lead, replayed FROM landform.submit_batch($1::jsonb)",
	1, DB_RETRY_SAFE
};

/* submit_batch's keys: landform.submit's argument names, in enum submit_param order. */
static const char *const keys[SUBMIT_NPARAMS] = {
	"page", "channel", "phone", "name", "question", "fields", "consent", "idem_key",
	"client_addr", "user_agent", "lang", "received_at", "referral",
};

static bool
is_true(const char *v)
{
	return v != NULL && strcmp(v, "t") == 0;
}

/* One answer row, from column col on: submission_id, lead_id, new_lead, replayed. */
static void
take_row(struct submit_item *it, const struct db_rows *rows, int row, int col)
{
	it->stored = true;
	it->submission_id = db_value(rows, row, col);
	it->lead_id = db_value(rows, row, col + 1);
	it->new_lead = is_true(db_value(rows, row, col + 2));
	it->replayed = is_true(db_value(rows, row, col + 3));
}

static void
fail(struct submit_item *it, const struct db_error *err)
{
	it->stored = false;
	it->err = *err;
}

void
submit_item_json(const struct submit_item *it, struct buf *out)
{
	buf_addc(out, '{');
	for (int k = 0; k < SUBMIT_NPARAMS; k++) {
		const char *v = it->params[k];

		if (k > 0)
			buf_addc(out, ',');
		buf_json_string(out, keys[k]);
		buf_addc(out, ':');
		if (v == NULL)
			buf_adds(out, "null");
		else if (k == SUBMIT_FIELDS)
			buf_adds(out, v);
		else
			buf_json_string(out, v);
	}
	buf_addc(out, '}');
}

void
submit_batch_json(struct submit_item *const *items, size_t n, struct buf *out)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ',');
		submit_item_json(items[i], out);
	}
	buf_addc(out, ']');
}

bool
submit_batch_results(struct submit_item *const *items, size_t n, const struct db_rows *rows)
{
	const struct db_error missing = { .status = DB_ERROR,
					  .message = "submit_batch gave no answer for this submission" };
	bool ok = rows->ncols == 5 && (size_t)rows->nrows == n;

	for (size_t i = 0; i < n; i++)
		items[i]->stored = false;
	for (int r = 0; rows->ncols == 5 && r < rows->nrows; r++) {
		const char *v = db_value(rows, r, 0);
		char *end;
		unsigned long ord = v ? strtoul(v, &end, 10) : 0;

		if (v == NULL || *end != '\0' || ord < 1 || ord > n || items[ord - 1]->stored)
			ok = false;
		else
			take_row(items[ord - 1], rows, r, 1);
	}
	for (size_t i = 0; i < n; i++)
		if (!items[i]->stored) {
			fail(items[i], &missing);
			ok = false;
		}
	return ok;
}

bool
submit_batch_call(struct db *db, struct arena *a, const char *json, struct db_rows *rows,
		  struct db_error *err)
{
	const char *param[1] = { json };

	return db_call(db, &batch_stmt, param, a, rows, err);
}

static bool
store_one(struct db *db, struct arena *a, struct submit_item *it)
{
	struct db_rows rows;

	if (!db_call(db, &submit_stmt, it->params, a, &rows, &it->err)) {
		it->stored = false;
		return false;
	}
	if (rows.nrows != 1) {
		const struct db_error e = { .status = DB_ERROR, .message = "submit gave no row" };

		fail(it, &e);
		return false;
	}
	take_row(it, &rows, 0, 0);
	return true;
}

void
submit_store(struct db *db, struct arena *a, struct submit_item *const *items, size_t n)
{
	struct db_error err;
	struct db_rows rows;
	struct buf json;
	size_t i = 0;

	if (n == 0)
		return;
	if (n > 1) {
		buf_init(&json, a, 1024 * n);
		submit_batch_json(items, n, &json);
		if (submit_batch_call(db, a, json.data, &rows, &err)) {
			if (!submit_batch_results(items, n, &rows))
				log_error("submit_batch answered %d rows for %zu submissions", rows.nrows, n);
			return;
		}
		if (err.status == DB_UNAVAILABLE) {
			for (; i < n; i++)
				fail(items[i], &err);
			return;
		}
		log_warn("a batch of %zu submissions was not stored (SQLSTATE %s: %s); storing them one by one",
			 n, err.sqlstate, err.message);
	}
	for (; i < n; i++) {
		if (store_one(db, a, items[i]))
			continue;
		if (items[i]->err.status == DB_UNAVAILABLE || items[i]->err.status == DB_TIMEOUT)
			break;
	}
	/* The database is gone or too slow: the rest would each wait out the same timeout. */
	for (size_t j = i + 1; j < n; j++)
		fail(items[j], &items[i]->err);
}

/* Not stored because the database is unreachable, read-only (a failover under way) or its
 * answer never came: the submission may be spooled. Its content was not the problem. */
static bool
spoolable(const struct db_error *e)
{
	return e->status == DB_UNAVAILABLE || e->status == DB_TIMEOUT ||
	       strcmp(e->sqlstate, "25006") == 0;
}

/* The time a submission was received, as timestamptz text (UTC, milliseconds). */
static const char *
received_at(struct arena *a, long long ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char text[96];

	gmtime_r(&secs, &tm);
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return arena_strdup(a, text);
}

void
submit_spool(struct spool *sp, struct arena *a, struct submit_item *const *items, size_t n)
{
	const char **payloads = arena_alloc(a, sizeof(*payloads) * (n ? n : 1));
	size_t *lens = arena_alloc(a, sizeof(*lens) * (n ? n : 1));
	const char *at = received_at(a, clock_wall_ms());
	const struct db_error *why = NULL;
	size_t k = 0;
	bool any_stored = false;
	char err[256];

	for (size_t i = 0; i < n; i++) {
		struct buf b;

		any_stored |= items[i]->stored;
		if (items[i]->stored || !spoolable(&items[i]->err))
			continue;
		items[i]->params[SUBMIT_RECEIVED_AT] = at;
		buf_init(&b, a, 512);
		submit_item_json(items[i], &b);
		payloads[k] = b.data;
		lens[k++] = b.len;
		why = &items[i]->err;
	}
	if (k == 0) {
		/* The database takes submissions again: the file this worker spooled to is the
		 * replayer's now. */
		if (any_stored)
			spool_release(sp);
		return;
	}
	if (!spool_append(sp, payloads, lens, k, why->sqlstate[0] ? why->sqlstate : why->message,
			  err, sizeof(err))) {
		log_error("%zu submissions neither stored nor spooled: %s", k, err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!items[i]->stored && spoolable(&items[i]->err))
			items[i]->spooled = true;
}
