/* The notifier loop: claim due deliveries (landform.notify_claim), POST them side by side
 * (webhook.c), record every result in one call (landform.notify_finish). The database holds
 * all state, so any number of notifiers may run and a dead one loses nothing. */
#include "notify.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "proc.h"
#include "notice.h"
#include "webhook.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* Spare time on a delivery's lease beyond the transfer's own timeout. */
#define LEASE_SLACK_MS 10000

static const struct db_stmt claim_stmt = {
    "notify_claim", "SELECT * FROM landform.notify_claim($1, $2, $3, $4, $5, $6)", 6, DB_RETRY_NEVER };
static const struct db_stmt finish_stmt = {"notify_finish",
                                           "SELECT landform.notify_finish($1, $2, $3)", 3, DB_RETRY_NEVER };

enum slot_state { SLOT_FREE, SLOT_SENDING, SLOT_DONE };

/* One delivery this notifier holds, from claim until its result is recorded. */
struct slot {
	enum slot_state state;
	long long outbox, target;
	char target_name[72];
	enum notice_target kind;
	int attempt;
	bool ok, release;
	long status, ms;
	char error[240];
};

struct notifier {
	const struct config *c;
	struct db *db;
	struct webhook *wh;
	struct slot *slots;
	int nslots;
	char worker[128];
	struct arena a;
	unsigned long listening;
	long long lease_ms;
	long long warned_ms;
};

static int
count(const struct notifier *n, enum slot_state st)
{
	int k = 0;

	for (int i = 0; i < n->nslots; i++)
		if (n->slots[i].state == st)
			k++;
	return k;
}

/* {"<target id>": deliveries held}, so a claim leaves a busy target's share to the others. */
static char *
busy_json(struct notifier *n)
{
	struct buf b;
	bool first = true;

	buf_init(&b, &n->a, 64);
	buf_addc(&b, '{');
	for (int i = 0; i < n->nslots; i++) {
		int k = 0;
		bool seen = false;

		if (n->slots[i].state == SLOT_FREE)
			continue;
		for (int j = 0; j < i; j++)
			if (n->slots[j].state != SLOT_FREE &&
			    n->slots[j].target == n->slots[i].target)
				seen = true;
		if (seen)
			continue;
		for (int j = i; j < n->nslots; j++)
			if (n->slots[j].state != SLOT_FREE &&
			    n->slots[j].target == n->slots[i].target)
				k++;
		buf_printf(&b, "%s\"%lld\":%d", first ? "" : ",", n->slots[i].target, k);
		first = false;
	}
	buf_addc(&b, '}');
	return b.data;
}

static void
fail(struct slot *s, const char *why)
{
	s->state = SLOT_DONE;
	s->ok = false;
	s->status = 0;
	s->ms = 0;
	snprintf(s->error, sizeof(s->error), "%s", why);
}

/* Build and start one POST for a claimed row; a row that cannot be sent fails at once. */
static void
start(struct notifier *n, struct slot *s, const char *url, const char *secret, const char *notice)
{
	char key[48], attempt[48], stamp[64], sig[NOTICE_SIGNATURE_MAX + 32], err[200];
	const char *headers[7];
	struct webhook_request r;
	long long ts = (long long)time(NULL);
	char *body;
	int h = 0;

	snprintf(key, sizeof(key), "%lld.%lld", s->outbox, s->target);
	body = notice_body(&n->a, s->kind, notice, strlen(notice), key, ts, n->c->public_url);
	if (body == NULL) {
		fail(s, "the notice could not be rendered");
		return;
	}
	headers[h++] = "Content-Type: application/json; charset=utf-8";
	headers[h++] = arena_printf(&n->a, "X-Landform-Delivery: %s", key);
	snprintf(attempt, sizeof(attempt), "X-Landform-Attempt: %d", s->attempt);
	headers[h++] = attempt;
	snprintf(stamp, sizeof(stamp), "X-Landform-Timestamp: %lld", ts);
	headers[h++] = stamp;
	if (s->kind == NOTICE_WEBHOOK) {
		char mac[NOTICE_SIGNATURE_MAX];

		if (secret == NULL || *secret == '\0') {
			fail(s, "webhook target without a secret");
			return;
		}
		notice_sign(secret, body, strlen(body), mac);
		snprintf(sig, sizeof(sig), "X-Landform-Signature: %s", mac);
		headers[h++] = sig;
	}
	headers[h] = NULL;
	r.url = url;
	r.body = body;
	r.len = strlen(body);
	r.headers = headers;
	r.tag = (unsigned long)(s - n->slots);
	if (!webhook_add(n->wh, &r, err, sizeof(err))) {
		fail(s, err);
		return;
	}
	s->state = SLOT_SENDING;
	log_debug("delivery %s to %s started (attempt %d)", key, s->target_name, s->attempt);
}

/* One claim for up to the free slots; returns how many rows came back (-1: no database). */
static int
claim(struct notifier *n, int want)
{
	char limit[16], per[16], lease[24], max[16];
	const char *params[6];
	struct db_rows rows;
	struct db_error de;
	int next = 0;

	snprintf(limit, sizeof(limit), "%d", want);
	snprintf(per, sizeof(per), "%ld", n->c->notify_per_target);
	snprintf(lease, sizeof(lease), "%lld", n->lease_ms);
	snprintf(max, sizeof(max), "%ld", n->c->notify_max_attempts);
	params[0] = n->worker;
	params[1] = limit;
	params[2] = per;
	params[3] = busy_json(n);
	params[4] = lease;
	params[5] = max;
	if (!db_call(n->db, &claim_stmt, params, &n->a, &rows, &de)) {
		if (de.status == DB_UNAVAILABLE)
			log_debug("notify claim skipped: %s", de.message);
		else
			log_error("notify claim failed: %s (SQLSTATE %s)", de.message, de.sqlstate);
		return -1;
	}
	for (int r = 0; r < rows.nrows; r++) {
		const char *name = db_value(&rows, r, 2), *kind = db_value(&rows, r, 3);
		const char *notice = db_value(&rows, r, 7);
		struct slot *s = NULL;

		while (next < n->nslots && n->slots[next].state != SLOT_FREE)
			next++;
		if (next == n->nslots)
			abort(); /* claimed more than asked: a bug */
		s = &n->slots[next];
		memset(s, 0, sizeof(*s));
		s->outbox = atoll(db_value(&rows, r, 0));
		s->target = atoll(db_value(&rows, r, 1));
		snprintf(s->target_name, sizeof(s->target_name), "%s", name ? name : "?");
		s->attempt = atoi(db_value(&rows, r, 6));
		if (!notice_target_parse(kind, &s->kind))
			fail(s, "unknown target kind");
		else
			start(n, s, db_value(&rows, r, 4), db_value(&rows, r, 5),
			      notice ? notice : "");
	}
	return rows.nrows;
}

/* Results of finished transfers into their slots. */
static void
collect(struct notifier *n)
{
	struct webhook_result res;

	while (webhook_next(n->wh, &res)) {
		struct slot *s = &n->slots[res.tag];
		char why[200] = "";

		s->state = SLOT_DONE;
		s->status = res.answered ? res.status : 0;
		s->ms = res.ms;
		s->ok = res.answered &&
		        notice_accepted(s->kind, res.status, res.body, res.len, why, sizeof(why));
		if (!res.answered)
			snprintf(s->error, sizeof(s->error), "%s", res.error);
		else if (!s->ok)
			snprintf(s->error, sizeof(s->error), "%s", why);
		if (s->ok)
			log_debug("delivery %lld.%lld to %s: sent in %ld ms (attempt %d)",
			          s->outbox, s->target, s->target_name, s->ms, s->attempt);
		else
			/* A target that is down fails every retry: say so at its first and last. */
			log_at(s->attempt == 1 || s->attempt >= n->c->notify_max_attempts
			           ? LOG_INFO
			           : LOG_DEBUG,
			       "delivery %lld.%lld to %s failed (attempt %d of %ld, %ld ms): %s",
			       s->outbox, s->target, s->target_name, s->attempt,
			       n->c->notify_max_attempts, s->ms, s->error);
	}
}

/* Record every finished slot in one call; they stay DONE (and are sent again later) when
 * the database cannot take them now. */
static void
flush(struct notifier *n)
{
	char max[16], *text;
	const char *params[3];
	struct db_error de;
	struct db_rows rows;
	cJSON *arr;
	int done = 0;

	if (count(n, SLOT_DONE) == 0)
		return;
	arr = cJSON_CreateArray();
	for (int i = 0; i < n->nslots; i++) {
		struct slot *s = &n->slots[i];
		cJSON *o;

		if (s->state != SLOT_DONE)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "outbox", (double)s->outbox);
		cJSON_AddNumberToObject(o, "target", (double)s->target);
		if (s->release) {
			cJSON_AddTrueToObject(o, "release");
		} else {
			cJSON_AddBoolToObject(o, "ok", s->ok);
			if (s->status > 0)
				cJSON_AddNumberToObject(o, "status", (double)s->status);
			cJSON_AddNumberToObject(o, "ms", (double)s->ms);
			if (!s->ok) {
				cJSON_AddStringToObject(o, "error", s->error);
				cJSON_AddNumberToObject(
				    o, "retry_ms",
				    (double)notice_backoff_ms(s->attempt, n->c->notify_backoff,
				                              n->c->notify_backoff_max,
				                              randombytes_random()));
			}
		}
		cJSON_AddItemToArray(arr, o);
		done++;
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (text == NULL)
		abort();
	snprintf(max, sizeof(max), "%ld", n->c->notify_max_attempts);
	params[0] = n->worker;
	params[1] = text;
	params[2] = max;
	if (db_call(n->db, &finish_stmt, params, &n->a, &rows, &de)) {
		for (int i = 0; i < n->nslots; i++)
			if (n->slots[i].state == SLOT_DONE)
				n->slots[i].state = SLOT_FREE;
		log_debug("recorded %d delivery results", done);
	} else if (clock_ms() - n->warned_ms > 10000) {
		/* Kept and tried again every round; said at most every ten seconds. */
		log_warn("could not record %d delivery results yet: %s", done, de.message);
		n->warned_ms = clock_ms();
	}
	cJSON_free(text);
}

/* LISTEN again after every new connection (session state dies with the connection). */
static void
listen_again(struct notifier *n)
{
	struct db_error de;

	if (db_socket(n->db) >= 0 && db_generation(n->db) == n->listening)
		return;
	n->listening = 0;
	if (db_exec(n->db, "LISTEN landform_outbox", &de))
		n->listening = db_generation(n->db);
}

/* SIGTERM: let what is in flight finish for a while, then hand the rest back. */
static void
wind_down(struct notifier *n)
{
	long long grace = n->c->notify_timeout;
	long long budget = n->c->shutdown_timeout * 1000 - 1500;
	long long end;
	bool ready;

	if (budget < 500)
		budget = 500;
	end = clock_ms() + (grace < budget ? grace : budget);
	while (webhook_running(n->wh) > 0 && clock_ms() < end) {
		long long left = end - clock_ms();

		webhook_wait(n->wh, -1, (int)(left < 200 ? left : 200), &ready);
		collect(n);
	}
	collect(n);
	if (webhook_running(n->wh) > 0) {
		log_info("handing back %d deliveries still in flight", webhook_running(n->wh));
		webhook_abandon(n->wh);
		collect(n);
		for (int i = 0; i < n->nslots; i++)
			if (n->slots[i].state == SLOT_DONE &&
			    strcmp(n->slots[i].error, "abandoned") == 0)
				n->slots[i].release = true;
	}
	flush(n);
	if (count(n, SLOT_DONE) > 0)
		log_warn(
		    "%d delivery results unrecorded at exit: they are sent again after their lease",
		    count(n, SLOT_DONE));
}

int
notify_run(const struct config *c)
{
	struct db_options dbo = proc_db_options(c, "landformd notifier");
	struct webhook_options wo = {
	    .connect_timeout_ms = c->notify_connect_timeout,
	    .timeout_ms = c->notify_timeout,
	    .user_agent = "landform-notify/" PACKAGE_VERSION,
	};
	struct notifier n = {.c = c};
	char host[64] = "", err[200];
	long long next_tick = 0;
	bool want = true;

	proc_child_init("notify", "lf-notify", NULL);
	if (sodium_init() < 0) {
		log_error("notifier: libsodium did not initialise");
		return 1;
	}
	n.wh = webhook_new(&wo, err, sizeof(err));
	if (n.wh == NULL) {
		log_error("notifier: %s", err);
		return 1;
	}
	gethostname(host, sizeof(host) - 1);
	snprintf(n.worker, sizeof(n.worker), "%s:%d:%08x", host, (int)getpid(),
	         (unsigned)randombytes_random());
	n.nslots = (int)c->notify_concurrency;
	n.slots = calloc((size_t)n.nslots, sizeof(*n.slots));
	if (n.slots == NULL)
		abort();
	n.lease_ms = c->notify_timeout + LEASE_SLACK_MS;
	/* LISTEN needs a session: this connection must go straight to PostgreSQL, not a pooler. */
	n.db = db_new(&dbo);
	arena_init(&n.a, 16384);
	log_info("notifier ready: %d at a time, %ld per target, as %s", n.nslots,
	         c->notify_per_target, n.worker);

	while (!proc_stopping()) {
		long long now = clock_ms(), wait;
		int free_slots, got;
		bool ready;

		if (now >= next_tick) {
			listen_again(&n);
			next_tick = now + c->notify_interval;
			want = true;
		}
		flush(&n);
		free_slots = count(&n, SLOT_FREE);
		if (want && free_slots > 0) {
			got = claim(&n, free_slots);
			/* A full batch means more may be due: claim again as slots free up. */
			want = got == free_slots;
		}
		/* A NOTIFY that came in during a call waits in libpq, not on the socket. */
		if (db_socket(n.db) >= 0 && db_drain_notifications(n.db) > 0)
			want = true;
		wait = want && count(&n, SLOT_FREE) > 0 ? 0 : next_tick - clock_ms();
		if (count(&n, SLOT_DONE) > 0 && wait > 200)
			wait = 200;
		webhook_wait(n.wh, db_socket(n.db), wait > 0 ? (int)wait : 0, &ready);
		if (ready && db_drain_notifications(n.db) > 0)
			want = true;
		collect(&n);
		arena_reset(&n.a);
	}
	wind_down(&n);
	arena_free(&n.a);
	webhook_free(n.wh);
	db_free(n.db);
	free(n.slots);
	log_info("notifier stopped");
	return 0;
}
