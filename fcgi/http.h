/* A request and its response as handlers see them: no FastCGI, no sockets, so tests can build one. */
#ifndef LANDFORM_HTTP_H
#define LANDFORM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"

struct worker_ctx;
struct route;
struct page_submission;

#define HTTP_MAX_ROUTE_PARAMS 4

/* Everything points into the request arena and dies with it. */
struct request {
	struct arena *arena;
	struct worker_ctx *ctx;       /* the worker's long-lived state */
	const char *id;               /* request id, shared with nginx's log */
	const char *method;
	const char *path;             /* normalized by nginx, without the query */
	const char *query;            /* raw query string, "" when none */
	const char *params[HTTP_MAX_ROUTE_PARAMS]; /* path segments the route captured */
	const struct route *route;    /* the route taken, NULL when none (for the metrics) */
	const char *body;             /* NUL-terminated copy; NULL when none */
	size_t body_len;

	/* Any CGI parameter by name ("HTTP_COOKIE"); NULL when absent. */
	const char *(*param)(void *glue, const char *name);
	void *glue;

	/* Response, filled by the handler. */
	int status;
	const char *content_type;
	struct buf headers;           /* extra "Name: value\r\n" lines */
	struct buf body_out;
	const char *log_note;         /* short reason for the access log, never personal data */

	/* A form submission that passed its checks: the handler leaves the SQL call and the
	 * answer to page_store_submissions, which the worker calls for all such requests at once.
	 * NULL for every other request (they are answered as soon as the handler returns). */
	struct page_submission *submission;
};

/* Prepare a request around an arena; the glue fills the input side. */
void http_request_init(struct request *r, struct arena *a);

/* A CGI parameter, or NULL. */
const char *http_param(const struct request *r, const char *name);

/* True when the client asked for JSON (an /api/ path or Accept: application/json first). */
bool http_wants_json(const struct request *r);

/* Add a response header; name and value must not contain CR or LF (asserted). */
void http_header(struct request *r, const char *name, const char *value);

/* The headers every HTML answer carries: its caching, its Content-Security-Policy and
 * Referrer-Policy (which differ between landing pages and the portal), never sniffed or framed. */
void http_policy_headers(struct request *r, const char *cache_control, const char *csp,
			 const char *referrer_policy);

/* Set status and content type in one place. */
void http_begin(struct request *r, int status, const char *content_type);

/* An error in the form the client reads: JSON {"error":{"code","message"}} or a small HTML page. */
void http_error(struct request *r, int status, const char *code, const char *message);

/* Reason phrase for a status code. */
const char *http_reason(int status);

/* Value of a query parameter (decoded, NUL-terminated, in the arena), or NULL. */
const char *http_query_get(const struct request *r, const char *name);

/* True when the client reached nginx over TLS (FastCGI HTTPS=on): cookies get Secure. */
bool http_is_https(const struct request *r);

/* A header value safe to store: at most max bytes, printable ASCII (others become '?'),
 * since a User-Agent is not guaranteed to be UTF-8. In the arena; NULL stays NULL. */
const char *http_clean_header(struct request *r, const char *s, size_t max);

/* Value of a cookie, or NULL. */
const char *http_cookie_get(const struct request *r, const char *name);

#endif
