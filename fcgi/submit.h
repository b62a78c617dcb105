/* Storing form submissions: landform.submit for one, landform.submit_batch for several that
 * reached a worker together (one transaction, one commit for all of them). */
#ifndef LANDFORM_SUBMIT_H
#define LANDFORM_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "db.h"

struct spool;

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
	SUBMIT_REFERRAL,    /* the referrer's share token from a checked signature, or NULL */
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

/* Call landform.submit_batch with a JSON array as submit_batch_json makes (the replayer sends
 * spool records so): rows ord, submission_id, lead_id, new_lead, replayed. */
bool submit_batch_call(struct db *db, struct arena *a, const char *json, struct db_rows *rows,
		       struct db_error *err) __attribute__((warn_unused_result));

/* Fill the items from submit_batch's rows (ord, submission_id, lead_id, new_lead, replayed).
 * False when the rows do not answer each item exactly once; items left unanswered then carry
 * a DB_ERROR. */
bool submit_batch_results(struct submit_item *const *items, size_t n, const struct db_rows *rows)
	__attribute__((warn_unused_result));

/* After submit_store: append the items the database could not take (unreachable, read-only,
 * outcome unknown) to this worker's spool with the time they were received, one fdatasync for
 * all, and mark them spooled; when that fails they stay unstored (the visitor gets 503). When
 * the database took them, the worker's spool file is released to the replayer. */
void submit_spool(struct spool *sp, struct arena *a, struct submit_item *const *items, size_t n);

#endif
