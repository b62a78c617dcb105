/* The staff portal: HTML pages under /staff/ and the same data as JSON under /api/v1/staff/.
 * Each request is one call to one landform.portal_* SQL function (a login takes two, with the
 * password check between them); the rules and row-level security live in SQL, these files do
 * HTTP, sessions, CSRF, escaping and rendering. The SQL contract is docs/portal-api.md.
 * This header is the core's (portal.c), for every portal page; the pages' own: portal_leads.h,
 * portal_auth.h; what the pages show: portal_view.h. */
#ifndef LANDFORM_PORTAL_H
#define LANDFORM_PORTAL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "lang.h"

struct request;
struct db_stmt;
struct cJSON;

/* What one portal request knows about itself (portal_begin fills it; lives on the stack). */
struct pctx {
	struct request *r;
	const struct portal *pt;
	enum lang lang;
	bool json;           /* answer JSON (an /api/ path, or Accept: application/json) */
	bool secure;         /* cookies get Secure */
	const char *session; /* the session cookie when it has the shape of a token, else NULL */
	const char *detail;  /* a line from SQL shown under a message page's text, or NULL */
};

/* The templates (landing/_staff/NAME.html) and UI text (landing/_staff/text.json) a worker loads once.
 * Opaque; portal_load's result is freed with portal_free. */
struct portal;

#define PORTAL_PATH "/staff" /* where the pages live; the JSON API is under /api/v1/staff */

/* The templates portal_load compiles, one per page. */
enum portal_tpl {
	PORTAL_TPL_LAYOUT, PORTAL_TPL_LOGIN, PORTAL_TPL_INVITE, PORTAL_TPL_HOME, PORTAL_TPL_LEAD,
	PORTAL_TPL_POOL, PORTAL_TPL_MESSAGE, PORTAL_TPL_REPORTS, PORTAL_TPL_CHANNELS, PORTAL_TPL_COUNT
};

/* Load from landing_dir/_staff; NULL with err ("FILE:LINE: ...") when anything is broken or
 * missing. The JSON API works without it; HTML pages answer 503. */
struct portal *portal_load(const char *landing_dir, char *err, size_t errsz);
void portal_free(struct portal *p);

void portal_handle_root(struct request *r);        /* GET  /staff -> /staff/ */

/* For other portal pages (reports.c); each is the portal's own helper of the same job. */
bool portal_begin(struct request *r, struct pctx *p); /* false: answered (503, no templates) */
void portal_unauthenticated(struct pctx *p);        /* JSON 401, or 303 to the login page */
/* The request's one SQL call; NULL when answered (503/500). The request owns the result (freed
 * at arena_reset: never cJSON_Delete it); *raw (may be NULL) is its text in the request's arena. */
struct cJSON *portal_call(struct pctx *p, const struct db_stmt *s, const char *const *params,
			  const char **raw);
void portal_refuse(struct pctx *p, const struct cJSON *res); /* answer a status other than ok */
/* Hand a tree not added to another to the request (arena_defer); returns it. NULL passes. */
struct cJSON *portal_owned(struct request *r, struct cJSON *o);
/* The reader's words for an invalid answer's refusal code (text.json err_<code>). */
const char *portal_refusal_text(struct pctx *p, const struct cJSON *res);
void portal_message(struct pctx *p, int status, const char *code, const char *title_key,
		    const char *text_key);                  /* short page, or JSON error */
const char *portal_text(const struct pctx *p, const char *key); /* UI text; the key if missing */
/* reports.html inside the layout; ctx stays its owner's. */
void portal_render_reports(struct pctx *p, int status, struct cJSON *ctx, const char *title);
/* channels.html inside the layout (channels.c); ctx stays its owner's. */
void portal_render_channels(struct pctx *p, int status, struct cJSON *ctx, const char *title);
struct form;
bool portal_read_form(struct pctx *p, struct form *f) __attribute__((warn_unused_result)); /* false: answered 400/415 */
bool portal_guard_post(struct pctx *p, const struct form *f) __attribute__((warn_unused_result)); /* origin, session, CSRF shape; false: answered */
const char *portal_csrf(const struct pctx *p, const struct form *f); /* X-CSRF-Token or the csrf field */

/* For the portal's own pages (portal_leads.c, portal_auth.c): the request plumbing they share. */

/* SQL's answer status, as the handlers branch on it. */
enum portal_status {
	PORTAL_OK, PORTAL_UNAUTH, PORTAL_CSRF, PORTAL_NOT_FOUND, PORTAL_LOST_RACE, PORTAL_INVALID,
	PORTAL_LIMITED, PORTAL_OTHER
};
enum portal_status portal_status_of(const struct cJSON *res);
/* portal_refuse for a status already read; lead_id (may be NULL) gives a 422 page its way back. */
void portal_refuse_as(struct pctx *p, const struct cJSON *res, enum portal_status st, const char *lead_id);
/* A page inside the layout; ctx stays its owner's. */
void portal_render(struct pctx *p, int status, enum portal_tpl which, struct cJSON *ctx, const char *title);
void portal_redirect(struct request *r, const char *location); /* 303 to location */
void portal_json_send(struct request *r, int status, struct cJSON *o); /* o as the body */
void portal_json_raw(struct request *r, const char *text);          /* SQL's text as the body, 200 */
/* {"error": {code, message, field?, retry_after?}} with status. */
void portal_json_error(struct pctx *p, int status, const char *code, const char *message, const char *field,
		       long long retry_after);
/* o as compact JSON in the request's keeping. */
const char *portal_json_print(struct request *r, const struct cJSON *o);
/* The text under key, whether JSON has it as a string or a number; NULL when neither. */
const char *portal_json_text(struct request *r, const struct cJSON *o, const char *key);
long long portal_json_number(const struct cJSON *o, const char *key, long long dflt); /* number or numeric text */
/* Cookies under PORTAL_PATH; the session cookie goes to the pages and the API both. */
void portal_set_cookie(struct pctx *p, const char *name, const char *value, const char *path, long max_age);
void portal_set_session(struct pctx *p, const char *token, long max_age);
void portal_clear_session(struct pctx *p);
bool portal_origin_ok(const struct pctx *p); /* the request comes from our own pages */
/* A database id from a URL or form (1-18 digits, leading zeros dropped) in the arena; NULL if not. */
const char *portal_id_text(struct request *r, const char *s);
char *portal_trimmed(struct request *r, const char *s); /* s without surrounding spaces, in the arena */
/* 1..max bytes of ASCII letters, digits and the bytes of extra. */
bool portal_code_text(const char *s, size_t max, const char *extra);

#endif
