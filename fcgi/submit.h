/* Storing form submissions: landform.submit for one, landform.submit_batch for several that
 * reached a worker together (one transaction, one commit for all of them). */
#ifndef LANDFORM_SUBMIT_H
#define LANDFORM_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "db.h"

/* landform.submit's arguments, in its order. */
enum submit_param {
	SUBMIT_PAGE,
	SUBMIT_CHANNEL,
	SUBMIT_PHONE,
	SUBMIT_NAME,
	SUBMIT_QUESTION,
	SUBMIT_FIELDS, /* a JSON object, as text */
	SUBMIT_CONSENT,
	SUBMIT_IDEM_KEY,
	SUBMIT_CLIENT_ADDR,
	SUBMIT_USER_AGENT,
	SUBMIT_LANG,
	SUBMIT_RECEIVED_AT, /* NULL (now), or when a spooled submission was received */
	SUBMIT_NPARAMS
};

/* One submission: the caller fills params (NULL = SQL NULL), submit_store the rest. Every
 * string lives in the caller's arena. */
struct submit_item {
	const char *params[SUBMIT_NPARAMS];
	bool stored;                /* committed (or replayed: stored before with this key) */
	bool spooled;               /* not committed, but durable in this host's spool */
	bool replayed;
	bool new_lead;
	const char *submission_id;  /* when stored */
	const char *lead_id;
	struct db_error err;        /* when not stored */
};

/* Store every item. Several go in one landform.submit_batch call; when that fails as a whole
 * (one item the database refuses, a deadlock), each is stored on its own, so one bad item costs
 * only itself; once one of those finds the database gone or too slow, the rest are not tried
 * and carry that error. Rows and messages go to the arena. */
void submit_store(struct db *db, struct arena *a, struct submit_item *const *items, size_t n);

/* One item as submit_batch takes it: a JSON object (what a spool record holds). */
void submit_item_json(const struct submit_item *it, struct buf *out);

/* The JSON array landform.submit_batch takes: one object per item, keyed by submit's argument
 * names, null for NULL, fields inserted as the JSON it already is. */
void submit_batch_json(struct submit_item *const *items, size_t n, struct buf *out);

/* Fill the items from submit_batch's rows (ord, submission_id, lead_id, new_lead, replayed).
 * False when the rows do not answer each item exactly once; items left unanswered then carry
 * a DB_ERROR. */
bool submit_batch_results(struct submit_item *const *items, size_t n, const struct db_rows *rows)
	__attribute__((warn_unused_result));

#endif
