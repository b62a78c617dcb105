/* The FastCGI glue: the only file that sees fcgiapp.h. Takes the requests waiting, routes each,
 * stores the submissions among them together, writes the responses, logs a line for each,
 * resets each request's arena. */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "proc.h"
#include "reqpath.h"
#include "portal.h"
#include "site.h"
#include "spool.h"
#include "tally.h"
#include "traffic.h"

/* submit_batch's ceiling: the requests one round may hold. */
#define MAX_ROUND 256

static const char *
glue_param(void *glue, const char *name)
{
	FCGX_Request *fr = glue;

	return FCGX_GetParam(name, fr->envp);
}

static long
elapsed_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

void
worker_handle(struct worker_ctx *ctx, struct request *r)
{
	const struct route *route;
	char *segbuf = arena_alloc(r->arena, strlen(r->path) + 1);
	struct buf allow;

	buf_init(&allow, r->arena, 64);
	r->ctx = ctx;
	switch (route_match(handlers_routes, handlers_route_count, r->method, r->path, segbuf,
			    r->params, HTTP_MAX_ROUTE_PARAMS, &route, &allow)) {
	case ROUTE_FOUND:
		r->route = route;
		route->handler(r);
		break;
	case ROUTE_BAD_METHOD:
		http_header(r, "Allow", allow.data);
		http_error(r, 405, "method_not_allowed", "This method is not allowed here.");
		break;
	case ROUTE_NOT_FOUND:
		http_error(r, 404, "not_found", "There is no page at this address.");
		break;
	}
}

/* Monotonic milliseconds: body deadlines must not move with the wall clock. */
static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reading a request's stdin against a deadline: a streamed body from a slow client must not
 * hold the worker. */
struct stdin_reader {
	FCGX_Request *fr;
	long long deadline; /* monotonic milliseconds */
	long long timeout;  /* SO_RCVTIMEO set on the connection, ms; 0 = none yet */
};

/* Up to want bytes of the request's stdin: > 0 bytes read, 0 at its end, -1 once the deadline
 * passed or the stream broke. Bytes libfcgi holds are taken without waiting; otherwise one
 * byte is asked for, so libfcgi reads the socket once, bounded by SO_RCVTIMEO. That is set
 * once a request (a system call), and again only when the time left is a second shorter, so
 * a body may overrun its deadline by a second at most. */
static int
read_some(struct stdin_reader *sr, char *dst, int want)
{
	FCGX_Stream *in = sr->fr->in;
	int held = (int)(in->stop - in->rdNext);
	long long left;

	if (held > 0)
		return FCGX_GetStr(dst, held < want ? held : want, in);
	if (FCGX_GetError(in) != 0)
		return -1;
	if (in->isClosed)
		return 0;
	left = sr->deadline - now_ms();
	if (left <= 0)
		return -1;
	if (sr->timeout == 0 || left < sr->timeout - 1000) {
		struct timeval tv = { .tv_sec = (time_t)(left / 1000),
				      .tv_usec = (suseconds_t)(left % 1000) * 1000 };

		if (setsockopt(sr->fr->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
			return -1;
		sr->timeout = left;
	}
	if (FCGX_GetStr(dst, 1, in) == 1)
		return 1;
	return FCGX_GetError(in) != 0 ? -1 : 0;
}

/* The request body, whether its length is declared (nginx, lighttpd) or not (Apache httpd
 * sends no CONTENT_LENGTH for a chunked body, Caddy sends -1): read to the end of the FastCGI
 * stdin stream, at most max_body bytes, within body_timeout. False, with the answer set,
 * when it is too large, too slow or cut short: nothing in it is ever taken as a submission. */
static bool
read_body(FCGX_Request *fr, struct request *r, const struct config *c)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	struct stdin_reader sr = { .fr = fr, .deadline = now_ms() + c->body_timeout };
	long len = -1; /* not declared */
	struct buf body;
	char chunk[4096];
	int n;

	if (cl != NULL && *cl != '\0' && strcmp(cl, "-1") != 0) {
		char *end;

		errno = 0;
		len = strtol(cl, &end, 10);
		if (*end != '\0' || errno != 0 || len < 0) {
			http_error(r, 400, "bad_content_length", "The Content-Length header is not a number.");
			return false;
		}
		if (len > c->max_body) {
			http_error(r, 413, "body_too_large", "The request body is too large.");
			return false;
		}
	}
	buf_init(&body, r->arena, len > 0 ? (size_t)len + 2 : 0); /* + NUL, + grow()'s spare */
	while (len < 0 || (long)body.len < len) {
		size_t room = len < 0 ? (size_t)c->max_body + 1 - body.len : (size_t)len - body.len;

		n = read_some(&sr, chunk, room < sizeof(chunk) ? (int)room : (int)sizeof(chunk));
		if (n < 0 && now_ms() >= sr.deadline) {
			http_error(r, 408, "body_timeout", "The request body did not arrive in time.");
			return false;
		}
		if (n < 0 || (n == 0 && len >= 0)) {
			http_error(r, 400, "short_body", "The request body ended early.");
			return false;
		}
		if (n == 0)
			break;
		buf_add(&body, chunk, (size_t)n);
		if (len < 0 && (long)body.len > c->max_body) {
			http_error(r, 413, "body_too_large", "The request body is too large.");
			return false;
		}
	}
	if (len < 0 && body.len == 0)
		return true; /* no body, as a GET has none */
	buf_addc(&body, '\0');
	r->body = body.data;
	r->body_len = body.len - 1;
	return true;
}

/* Consume what is left of the request's stdin (the end-of-stream record after a body of
 * declared length, or the rest of a body refused), briefly: a peer that still sends gets its
 * answer and a closed connection rather than a worker. */
static void
drain_body(FCGX_Request *fr, long timeout_ms)
{
	struct stdin_reader sr = { .fr = fr, .deadline = now_ms() + (timeout_ms < 1000 ? timeout_ms : 1000) };
	char trash[4096];

	while (read_some(&sr, trash, (int)sizeof(trash)) > 0)
		;
}

/* Which parameters the front-end sends, by name only (their values may carry tokens), once
 * per worker: a request without a usable path means the front-end is set up in a way
 * landformd does not know, and the operator needs to see how. */
static void
warn_no_path(FCGX_Request *fr)
{
	static bool warned;
	char names[1024];
	size_t at = 0;

	if (warned)
		return;
	warned = true;
	names[0] = '\0';
	for (char **e = fr->envp; e != NULL && *e != NULL && at < sizeof(names) - 1; e++) {
		int n = snprintf(names + at, sizeof(names) - at, "%s%.*s", at > 0 ? " " : "",
				 (int)strcspn(*e, "="), *e);

		if (n < 0)
			break;
		at += (size_t)n;
	}
	log_warn("a request came without a usable path (no DOCUMENT_URI, REQUEST_URI, SCRIPT_NAME or "
		 "PATH_INFO starting with /); the front-end sends: %s", names);
}

static void
write_response(FCGX_Request *fr, struct request *r)
{
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", r->status, http_reason(r->status));
	if (r->status != 204 && r->status != 304)
		FCGX_FPrintF(fr->out, "Content-Type: %s\r\n", r->content_type);
	FCGX_PutStr(r->headers.data, (int)r->headers.len, fr->out);
	FCGX_PutS("\r\n", fr->out);
	if (strcmp(r->method, "HEAD") != 0 && r->status != 204 && r->status != 304)
		FCGX_PutStr(r->body_out.data, (int)r->body_out.len, fr->out);
}

/* A request in a worker's round: its FastCGI side, what the handler made of it, when it began
 * (for its log line), and its own arena, reset once it is answered. */
struct slot {
	FCGX_Request fr;
	struct request r;
	struct timespec t0;
	struct arena arena;
};

/* Read the request and run its handler; a submission comes back held (request.submission),
 * not answered. */
static void
begin(struct worker_ctx *ctx, struct slot *s)
{
	static unsigned long long begun;
	struct request *r = &s->r;
	struct arena *a = &s->arena;
	const char *v;

	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	http_request_init(r, a);
	r->param = glue_param;
	r->glue = &s->fr;
	r->ctx = ctx;
	v = FCGX_GetParam("REQUEST_ID", s->fr.envp);
	r->id = v ? v : arena_printf(a, "%d-%llu", (int)getpid(), begun);
	begun++;
	v = FCGX_GetParam("REQUEST_METHOD", s->fr.envp);
	r->method = v ? v : "GET";
	v = FCGX_GetParam("QUERY_STRING", s->fr.envp);
	r->query = v ? v : "";
	r->path = reqpath_from_params(a, FCGX_GetParam("DOCUMENT_URI", s->fr.envp),
				      FCGX_GetParam("REQUEST_URI", s->fr.envp),
				      FCGX_GetParam("SCRIPT_NAME", s->fr.envp),
				      FCGX_GetParam("PATH_INFO", s->fr.envp));
	if (r->path == NULL) {
		warn_no_path(&s->fr);
		r->path = "-";
		http_error(r, 400, "no_path", "The request reached landformd without a path.");
		return;
	}
	if (read_body(&s->fr, r, ctx->config))
		worker_handle(ctx, r);
}

/* Write the answer, log its line, close the front-end's connection; no transaction a
 * request left open reaches the next one. The connection is closed even when the front-end
 * asked to keep it (FCGI_KEEP_CONN: nginx fastcgi_keep_conn, Apache enablereuse): a worker
 * serves one connection at a time, and waiting on an idle kept one would stall every other
 * request. Detached, libfcgi closes without its lingering drain, which waits on a peer that
 * keeps the connection open; drain_body has read what was left, within a bound (what a peer
 * still sends after it may reset a TCP connection: only after an error answer). */
static void
finish(struct worker_ctx *ctx, struct slot *s)
{
	struct request *r = &s->r;
	long us;

	write_response(&s->fr, r);
	db_end_request(ctx->db);
	if (ctx->report_db != NULL)
		db_end_request(ctx->report_db);
	ctx->served++;
	us = elapsed_us(&s->t0);
	tally_request(r->route ? (size_t)(r->route - handlers_routes) : handlers_route_count, r->method,
		      r->route ? r->route->pattern : NULL, r->status, us);
	if (LOG_INFO <= log_threshold) {
		char path[512];

		log_access("req=%s %s %s %d %ld.%02ldms%s%s", r->id, r->method,
			   log_path(r->path, path, sizeof(path)), r->status, us / 1000, us % 1000 / 10,
			   r->log_note ? " " : "", r->log_note ? r->log_note : "");
	}
	FCGX_FFlush(s->fr.out);
	drain_body(&s->fr, ctx->config->body_timeout);
	s->fr.keepConnection = 0;
	if (FCGX_Detach(&s->fr) != 0)
		log_debug("req=%s: no connection to detach", r->id);
	FCGX_Finish_r(&s->fr);
	arena_reset(&s->arena);
}

/* True when a connection is waiting on the listen socket right now. */
static bool
listen_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* One round: take the requests waiting now (up to nslots) and answer each at once, except
 * submissions, which are then stored together, one commit for all, and answered. Waits for
 * nothing that is not already there, so a lone request is answered as fast as before.
 * False when accepting failed for good. */
static bool
serve_round(struct worker_ctx *ctx, int listen_fd, struct slot *slots, size_t nslots)
{
	struct request *held[MAX_ROUND];
	size_t nheld = 0, accepted = 0;
	bool ok = true;

	while (accepted < nslots && !proc_stopping()) {
		struct slot *s = &slots[nheld];

		if (accepted > 0 && !listen_ready(listen_fd))
			break;
		if (FCGX_Accept_r(&s->fr) < 0) {
			/* EAGAIN: another worker took it (the listen socket is non-blocking). */
			if (!proc_stopping() && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
				log_error("accept failed: %s", strerror(errno));
				ok = false;
			}
			break;
		}
		accepted++;
		begin(ctx, s);
		if (s->r.submission != NULL)
			held[nheld++] = &s->r;
		else
			finish(ctx, s);
	}
	if (nheld > 0) {
		tally_batch(nheld);
		page_store_submissions(ctx, held, nheld);
		for (size_t i = 0; i < nheld; i++)
			finish(ctx, &slots[i]);
	}
	return ok;
}

int
worker_run(const struct config *c, int listen_fd, unsigned long max_requests)
{
	struct worker_ctx ctx = { .config = c };
	struct db_options dbo = {
		.conninfo = c->database_url,
		.connect_timeout = (int)c->db_connect_timeout,
		.statement_timeout = (int)c->db_statement_timeout,
		.prepare = c->db_prepare,
		.application_name = "landformd worker",
	};
	size_t nslots = (size_t)c->submit_batch;
	struct slot *slots;
	char err[512];

	proc_child_init("worker", "lf-worker", FCGX_ShutdownPending);
	if (getppid() == 1)
		return 0; /* the master died before we set PDEATHSIG */

	if (sodium_init() < 0 || !secret_load(c->secret_file, ctx.key, err, sizeof(err))) {
		log_error("%s", err);
		return 1;
	}
	ctx.db = db_new(&dbo);
	if (c->report_database_url[0] != '\0') {
		struct db_options ro = dbo;

		ro.conninfo = c->report_database_url;
		ro.application_name = "landformd reports";
		ro.standby = true;
		ctx.report_db = db_new(&ro);
	}
	spool_dir_of(c, err, sizeof(err));
	ctx.spool = spool_new(err, c->spool_max_bytes);
	counters_init(&ctx.counters);
	ctx.site = site_load(c->landing_dir, err, sizeof(err));
	if (ctx.site == NULL)
		log_error("landing pages: %s", err);
	ctx.portal = portal_load(c->landing_dir, err, sizeof(err));
	if (ctx.portal == NULL)
		log_error("staff portal: %s", err);
	page_prepare_site(ctx.site);
	traffic_register_pages(&ctx);
	slots = calloc(nslots, sizeof(*slots));
	if (slots == NULL || nslots > MAX_ROUND || FCGX_Init() != 0) {
		log_error("FastCGI initialisation failed");
		return 1;
	}
	for (size_t i = 0; i < nslots; i++) {
		arena_init(&slots[i].arena, 65536);
		if (FCGX_InitRequest(&slots[i].fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
			log_error("FastCGI initialisation failed");
			return 1;
		}
	}
	log_info("worker ready");
	while (!proc_stopping()) {
		/* The listen socket is non-blocking: wait here, where counters can be flushed on
		 * time even when no request comes, then accept (EAGAIN: another worker won it). */
		struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
		long wait = traffic_flush(&ctx, false), logs = log_flush_due();
		long idle = spool_tick(ctx.spool);
		int n;

		tally_flush_state(wait >= 0, clock_ms());
		if (logs >= 0 && (wait < 0 || logs < wait))
			wait = logs;
		if (idle >= 0 && (wait < 0 || idle < wait))
			wait = idle;
		n = poll(&pfd, 1, wait < 0 ? -1 : (int)wait);

		if (n <= 0) {
			if (n < 0 && errno != EINTR) {
				log_error("poll failed: %s", strerror(errno));
				break;
			}
			continue;
		}
		if (!serve_round(&ctx, listen_fd, slots, nslots))
			break;
		if (max_requests > 0 && ctx.served >= max_requests)
			break;
	}
	traffic_flush(&ctx, true);
	for (size_t i = 0; i < nslots; i++) {
		FCGX_Free(&slots[i].fr, 1);
		arena_free(&slots[i].arena);
	}
	free(slots);
	site_free(ctx.site);
	portal_free(ctx.portal);
	counters_free(&ctx.counters);
	spool_free(ctx.spool);
	db_free(ctx.db);
	db_free(ctx.report_db);
	sodium_memzero(ctx.key, sizeof(ctx.key));
	log_info("worker stopped after %llu requests", ctx.served); /* writes held lines first */
	return 0;
}
