/* The staff portal: HTML pages under /staff/ and the same data as JSON under /api/v1/staff/.
 * Each request is one call to one landform.portal_* SQL function (a login takes two, with the
 * password check between them); the rules and row-level security live in SQL, this module does
 * HTTP, sessions, CSRF, escaping and rendering. The SQL contract is docs/portal-api.md. */
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

/* Load from landing_dir/_staff; NULL with err ("FILE:LINE: ...") when anything is broken or
 * missing. The JSON API works without it; HTML pages answer 503. */
struct portal *portal_load(const char *landing_dir, char *err, size_t errsz);
void portal_free(struct portal *p);

void portal_handle_root(struct request *r);        /* GET  /staff -> /staff/ */
void portal_handle_home(struct request *r);        /* GET  /staff/, /api/v1/staff/leads */
void portal_handle_login_form(struct request *r);  /* GET  /staff/login */
void portal_handle_login(struct request *r);       /* POST /staff/login, /api/v1/staff/login */
void portal_handle_logout(struct request *r);      /* POST /staff/logout, /api/v1/staff/logout */
void portal_handle_invite_form(struct request *r); /* GET  /staff/invite/<token> */
void portal_handle_invite(struct request *r);      /* POST /staff/invite/<token> */
void portal_handle_lead(struct request *r);        /* GET  /staff/leads/<id>, /api/v1/staff/leads/<id> */
void portal_handle_action(struct request *r);      /* POST /staff/leads/<id>/<action>, and under /api */
void portal_handle_pool(struct request *r);        /* GET  /staff/pool, /api/v1/staff/pool */

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

/* What the HTML pages add to portal_home's, portal_lead's and portal_pool's answers before the
 * templates see them (texts, times, option lists), in place; exported for the fixture tests
 * (tests/data/portal/fixtures, written by tests/sql/58_portal_fixtures.sh). */
void portal_shape_home(struct pctx *p, struct cJSON *res, const struct cJSON *filters);
void portal_shape_lead(struct pctx *p, struct cJSON *res);
void portal_shape_pool(struct pctx *p, struct cJSON *res);

/* Pure helpers, exported for tests. */

/* A deadline as people read it: "还剩 12 分钟" / "12 min left", "已超时" / "overdue" at or below 0. */
void portal_left_text(enum lang l, long long seconds, struct buf *out);

/* How long something has waited: "已等待 3 小时" / "waiting 3 h". */
void portal_waited_text(enum lang l, long long seconds, struct buf *out);

/* A span without direction: "15 分钟" / "15 min", "2 小时 5 分钟" / "2 h 5 min". */
void portal_span_text(enum lang l, long long seconds, struct buf *out);

/* A timestamp as SQL writes it (isotime.h) shown in its own offset: "05-01 18:25", or "2024-05-01 18:25" with_year;
 * false (out empty) when it is not one. out holds at least 17 bytes. */
bool portal_time_text(const char *iso, bool with_year, char out[17]);

/* A phone for display: "+8613812345678" -> "138 1234 5678", anything else as it is. */
void portal_phone_text(const char *phone, struct buf *out);

/* True for a full E.164 number ("+" and 8-15 digits), the only kind that gets a tel: link. */
bool portal_phone_callable(const char *phone);

#endif
