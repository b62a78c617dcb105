/* The staff portal's core, what every portal page shares: templates and texts loaded once, a
 * request's language, session cookie, CSRF and origin checks, its one SQL call, and the answers
 * (a page in the layout, a message, JSON, SQL's refusals). The pages are portal_leads.c and
 * portal_auth.c (and reports.c, channels.c, segments.c); what they show, portal_view.c. Every
 * value shown passes through the template's escaping; nothing from the database is written raw. */
#include "portal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "file.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "portal_view.h"
#include "template.h"
#include "worker.h"

#define SESSION_COOKIE "lf_staff"
#define LANG_COOKIE "lf_lang"
#define API_PATH "/api/v1/staff"
#define ASSETS "/assets/_staff"

static const char *const tpl_files[PORTAL_TPL_COUNT] = {
	[PORTAL_TPL_LAYOUT] = "layout.html",   [PORTAL_TPL_LOGIN] = "login.html",
	[PORTAL_TPL_INVITE] = "invite.html",   [PORTAL_TPL_HOME] = "home.html",
	[PORTAL_TPL_LEAD] = "lead.html",       [PORTAL_TPL_POOL] = "pool.html",
	[PORTAL_TPL_MESSAGE] = "message.html", [PORTAL_TPL_REPORTS] = "reports.html",
	[PORTAL_TPL_CHANNELS] = "channels.html",
};

struct portal {
	struct template *tpl[PORTAL_TPL_COUNT];
	cJSON *text[LANG_COUNT]; /* {key: text} per language, shared by every render as "t" */
};

/* Text keys this file looks up itself; portal_load refuses a text.json without any of them. */
static const char *const c_keys[] = {
	"app", "nav_mine", "nav_pool", "login_title", "login_failed", "login_limited",
	"form_expired", "retry_in", "invite_title", "invite_invalid_title", "invite_invalid",
	"pw_missing", "pw_too_short", "pw_too_long", "pw_bad_text", "pw_is_login", "pw_mismatch",
	"lost_race_title", "lost_race", "not_found_title", "not_found", "forbidden_title",
	"forbidden", "unavailable_title", "unavailable", "failed_title", "failed", "invalid",
	"unauthenticated", "other_lang",
	"done_accept", "done_contacted", "done_stage", "done_note", "done_tag", "done_answer",
	"done_release", "done_claim", "done_welcome", "logged_out", "session_expired",
	"state_pending", "state_owned", "state_open", "state_waiting", "outcome_open",
	"outcome_accepted", "outcome_expired", "outcome_released", "outcome_reassigned",
	"outcome_reclaimed", "outcome_claimed", "via_rotation", "via_manual", "via_claim",
	"via_open_pool", "other_stage", "lead_title",
};

/* struct pctx: portal.h (reports.c builds pages with it too). */

/* ---- loading ------------------------------------------------------------------------- */

/* text.json is {"key": {"zh-CN": "...", "en": "..."}}; split it into one flat object per language. */
static bool
load_text(struct portal *p, const char *path, char *err, size_t errsz)
{
	size_t len;
	char *src = file_read(path, 1 << 20, &len);
	cJSON *root, *item;
	bool ok = false;

	if (src == NULL) {
		snprintf(err, errsz, "%s: cannot read", path);
		return false;
	}
	root = cJSON_ParseWithLength(src, len);
	free(src);
	if (!cJSON_IsObject(root)) {
		snprintf(err, errsz, "%s: not a JSON object", path);
		goto done;
	}
	for (int l = 0; l < LANG_COUNT; l++)
		p->text[l] = cJSON_CreateObject();
	cJSON_ArrayForEach(item, root) {
		for (int l = 0; l < LANG_COUNT; l++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, lang_tag((enum lang)l));

			if (!cJSON_IsString(v)) {
				snprintf(err, errsz, "%s: \"%s\" has no %s text", path, item->string,
					 lang_tag((enum lang)l));
				goto done;
			}
			cJSON_AddStringToObject(p->text[l], item->string, v->valuestring);
		}
	}
	for (size_t i = 0; i < sizeof(c_keys) / sizeof(c_keys[0]); i++)
		if (cJSON_GetObjectItemCaseSensitive(p->text[0], c_keys[i]) == NULL) {
			snprintf(err, errsz, "%s: \"%s\" is missing", path, c_keys[i]);
			goto done;
		}
	ok = true;
done:
	cJSON_Delete(root);
	return ok;
}

/* Once per worker, so a broken template or a missing text fails at start, not on a request. */
struct portal *
portal_load(const char *landing_dir, char *err, size_t errsz)
{
	struct portal *p = calloc(1, sizeof(*p));
	char path[4096], *src, *cause = NULL;
	size_t len;

	if (p == NULL)
		abort();
	for (int i = 0; i < PORTAL_TPL_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/_staff/%s", landing_dir, tpl_files[i]);
		src = file_read(path, 1 << 20, &len);
		if (src == NULL) {
			snprintf(err, errsz, "%s: cannot read", path);
			goto failed;
		}
		p->tpl[i] = template_compile(src, len, path, &cause);
		free(src);
		if (p->tpl[i] == NULL) {
			snprintf(err, errsz, "%s", cause ? cause : path);
			free(cause);
			goto failed;
		}
	}
	snprintf(path, sizeof(path), "%s/_staff/text.json", landing_dir);
	if (!load_text(p, path, err, errsz))
		goto failed;
	return p;
failed:
	portal_free(p);
	return NULL;
}

/* The worker's exit frees what portal_load built, so valgrind runs clean. */
void
portal_free(struct portal *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < PORTAL_TPL_COUNT; i++)
		template_free(p->tpl[i]);
	for (int l = 0; l < LANG_COUNT; l++)
		cJSON_Delete(p->text[l]);
	free(p);
}

/* ---- request basics ------------------------------------------------------------------ */

/* UI text in the reader's language; the key itself when missing, so a gap shows, not a crash. */
const char *
portal_text(const struct pctx *p, const char *key)
{
	const cJSON *v;

	if (p->pt == NULL)
		return key;
	v = cJSON_GetObjectItemCaseSensitive(p->pt->text[p->lang], key);
	return cJSON_IsString(v) ? v->valuestring : key;
}

/* Private pages: never cached, never framed, only our own script and styles. */
static void
portal_headers(struct request *r)
{
	/* same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own
	 * form posts, and the origin check would refuse them. An invitation page says
	 * strict-origin: the next request's Referer is the bare origin, so its token is not sent
	 * on to our own logs either (the Origin of its form post stays the real one). */
	bool invite = r->path != NULL && strncmp(r->path, "/staff/invite/", 14) == 0;

	http_policy_headers(r, "no-store",
			    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			    invite ? "strict-origin" : "same-origin");
}

/* Every portal cookie goes out through here, so Secure follows the request's scheme everywhere. */
void
portal_set_cookie(struct pctx *p, const char *name, const char *value, const char *path, long max_age)
{
	http_header(p->r, "Set-Cookie", auth_cookie(p->r->arena, name, value, path, p->secure, max_age));
}

/* The session cookie goes to the pages and to the JSON API, which live under two paths. */
void
portal_set_session(struct pctx *p, const char *token, long max_age)
{
	portal_set_cookie(p, SESSION_COOKIE, token, PORTAL_PATH, max_age);
	portal_set_cookie(p, SESSION_COOKIE, token, API_PATH, max_age);
}

/* An ended session is forgotten by the browser too, on both paths it was set on. */
void
portal_clear_session(struct pctx *p)
{
	portal_set_session(p, "", 0);
}

/* Language, output kind and session of a request. False (answered 503) when an HTML page is
 * asked for and the templates did not load. */
bool
portal_begin(struct request *r, struct pctx *p)
{
	const char *q = http_query_get(r, "lang"), *c = http_cookie_get(r, LANG_COOKIE);
	const char *pub = r->ctx->config->public_url;
	enum lang l;

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->pt = r->ctx->portal;
	p->json = http_wants_json(r);
	p->secure = http_is_https(r) || (pub != NULL && strncasecmp(pub, "https:", 6) == 0);
	/* A language picked by link is kept in a cookie, so it sticks across pages and posts. */
	if (q != NULL && lang_from_tag(q, strlen(q), &l)) {
		portal_set_cookie(p, LANG_COOKIE, lang_tag(l), PORTAL_PATH, 31536000L);
		c = lang_tag(l);
	} else if (c != NULL && !lang_from_tag(c, strlen(c), &l)) {
		c = NULL;
	}
	p->lang = lang_choose(c, http_param(r, "HTTP_ACCEPT_LANGUAGE"));
	p->session = http_cookie_get(r, SESSION_COOKIE);
	if (!auth_token_valid(p->session))
		p->session = NULL;
	portal_headers(r);
	if (!p->json && p->pt == NULL) {
		http_error(r, 503, "portal_unavailable", "The staff portal is not available right now.");
		return false;
	}
	return true;
}

/* A post from another site's page must not act with our member's cookie (auth_same_origin). */
bool
portal_origin_ok(const struct pctx *p)
{
	const struct request *r = p->r;

	return auth_same_origin(http_param(r, "HTTP_SEC_FETCH_SITE"), http_param(r, "HTTP_ORIGIN"),
				http_param(r, "HTTP_HOST"), http_is_https(r), r->ctx->config->public_url);
}

/* A database id from a URL or form: 1-18 digits, returned without leading zeros; NULL if not. */
const char *
portal_id_text(struct request *r, const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (*s == '0' && s[1] != '\0')
		s++;
	n = strlen(s);
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n || strcmp(s, "0") == 0)
		return NULL;
	return arena_strdup(r->arena, s);
}

/* Codes and logins are checked for shape before they reach SQL or a log line. */
bool
portal_code_text(const char *s, size_t max, const char *extra)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i]) != NULL))
			return false;
	return true;
}

/* Copy of s without leading and trailing spaces, in the arena. */
char *
portal_trimmed(struct request *r, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(r->arena, s, n);
}

/* Text as SQL's jsonb has it, whatever JSON type it came as ("42" or 42). */
const char *
portal_json_text(struct request *r, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return arena_printf(r->arena, "%.0f", v->valuedouble);
	return NULL;
}

/* SQL's numbers, whichever JSON type jsonb gave them (42 or "42"), with a default when absent. */
long long
portal_json_number(const cJSON *o, const char *key, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNumber(v))
		return (long long)v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
		return strtoll(v->valuestring, NULL, 10);
	return dflt;
}

/* ---- answers ------------------------------------------------------------------------- */

/* After a post the browser goes elsewhere with GET (303), so a reload never posts twice. */
void
portal_redirect(struct request *r, const char *location)
{
	http_header(r, "Location", location);
	http_begin(r, 303, "text/html; charset=utf-8");
}

/* cJSON_Delete with the signature arena_defer calls. */
static void
json_free(void *o)
{
	cJSON_Delete(o);
}

/* The request owns o from here (NULL passes): freed at arena_reset whichever way the handler
 * leaves, so no exit path frees a tree by hand. Not for items added to another tree. */
cJSON *
portal_owned(struct request *r, cJSON *o)
{
	if (o != NULL)
		arena_defer(r->arena, json_free, o);
	return o;
}

/* o as compact JSON, kept until the request ends. The hooks (main.c) abort on out-of-memory,
 * so a NULL here is a bug, not a state to answer. */
const char *
portal_json_print(struct request *r, const cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text == NULL)
		abort();
	arena_defer(r->arena, free, text);
	return text;
}

/* A JSON client's answer, with the body text kept by the request until it is written. */
void
portal_json_send(struct request *r, int status, cJSON *o)
{
	http_begin(r, status, "application/json");
	buf_adds(&r->body_out, portal_json_print(r, o));
	buf_addc(&r->body_out, '\n');
}

/* {"error": {"code", "message", "field"?, "retry_after"?}}, the request's to free; the error
 * object is *e, for a caller that adds to it. */
static cJSON *
json_error_object(struct pctx *p, const char *code, const char *message, const char *field,
		  long long retry_after, cJSON **e)
{
	cJSON *o = portal_owned(p->r, cJSON_CreateObject());

	*e = cJSON_AddObjectToObject(o, "error");
	p->r->log_note = code;
	cJSON_AddStringToObject(*e, "code", code);
	cJSON_AddStringToObject(*e, "message", message);
	if (field != NULL)
		cJSON_AddStringToObject(*e, "field", field);
	if (retry_after > 0)
		cJSON_AddNumberToObject(*e, "retry_after", (double)retry_after);
	return o;
}

/* Answer a JSON client's error. */
void
portal_json_error(struct pctx *p, int status, const char *code, const char *message, const char *field,
	   long long retry_after)
{
	cJSON *e;

	portal_json_send(p->r, status, json_error_object(p, code, message, field, retry_after, &e));
}

/* The keys every page shares: text, language, assets, the link to the other language. */
static void
add_common(struct pctx *p, cJSON *ctx)
{
	struct request *r = p->r;
	enum lang other = p->lang == LANG_ZH_CN ? LANG_EN : LANG_ZH_CN;

	cJSON_AddItemReferenceToObject(ctx, "t", p->pt->text[p->lang]);
	cJSON_AddStringToObject(ctx, "lang", lang_tag(p->lang));
	cJSON_AddBoolToObject(ctx, "zh", p->lang == LANG_ZH_CN);
	cJSON_AddStringToObject(ctx, "assets", ASSETS);
	cJSON_AddStringToObject(ctx, "other_lang_url",
				arena_printf(r->arena, "%s?lang=%s", r->path, lang_tag(other)));
	cJSON_AddStringToObject(ctx, "other_lang", lang_tag(other));
}

/* Render a page inside the layout. ctx stays the caller's to delete. */
void
portal_render(struct pctx *p, int status, enum portal_tpl which, cJSON *ctx, const char *title)
{
	struct request *r = p->r;
	struct buf body;

	buf_init(&body, r->arena, 16384);
	add_common(p, ctx);
	cJSON_AddStringToObject(ctx, "title", title);
	template_render(p->pt->tpl[which], ctx, &body);
	/* A reference, not a copy: the body lives in the arena until the response is written. */
	cJSON_AddItemToObject(ctx, "content", cJSON_CreateStringReference(body.data));
	http_header(r, "Content-Language", lang_tag(p->lang));
	http_begin(r, status, "text/html; charset=utf-8");
	template_render(p->pt->tpl[PORTAL_TPL_LAYOUT], ctx, &r->body_out);
}

/* A short page with a title, a sentence and a way back; JSON clients get the error object. */
static void
message(struct pctx *p, int status, const char *code, const char *title_key, const char *text_key,
	const char *lead_id)
{
	cJSON *ctx;

	if (p->json) {
		portal_json_error(p, status, code, portal_text(p, text_key), NULL, 0);
		return;
	}
	p->r->log_note = code;
	ctx = portal_owned(p->r, cJSON_CreateObject());
	cJSON_AddStringToObject(ctx, "text", portal_text(p, text_key));
	if (p->detail != NULL)
		cJSON_AddStringToObject(ctx, "detail", p->detail);
	cJSON_AddBoolToObject(ctx, "signed_in", p->session != NULL);
	if (lead_id != NULL)
		cJSON_AddStringToObject(ctx, "lead_url",
					arena_printf(p->r->arena, PORTAL_PATH "/leads/%s", lead_id));
	cJSON_AddStringToObject(ctx, "code", code);
	portal_render(p, status, PORTAL_TPL_MESSAGE, ctx, portal_text(p, title_key));
}

/* No session, or SQL says it ended: JSON 401; a browser goes to the login page and comes back. */
void
portal_unauthenticated(struct pctx *p)
{
	struct request *r = p->r;
	const char *next = *r->query ? arena_printf(r->arena, "%s?%s", r->path, r->query) : r->path;
	struct buf loc;

	if (p->session != NULL)
		portal_clear_session(p);
	if (p->json) {
		portal_json_error(p, 401, "unauthenticated", portal_text(p, "unauthenticated"), NULL, 0);
		return;
	}
	r->log_note = "unauthenticated";
	buf_init(&loc, r->arena, 128);
	buf_adds(&loc, PORTAL_PATH "/login");
	if (p->session != NULL)
		buf_adds(&loc, "?expired=1");
	if (strcmp(r->method, "GET") == 0 && strcmp(r->path, PORTAL_PATH "/") != 0) {
		if (!auth_safe_next(next))
			next = r->path;
		if (auth_safe_next(next)) {
			buf_adds(&loc, p->session != NULL ? "&next=" : "?next=");
			url_escape(&loc, next, strlen(next));
		}
	}
	portal_redirect(r, loc.data);
}

/* SQL's answer status as an enum, so handlers branch with a switch, not string compares. */
enum portal_status
portal_status_of(const cJSON *res)
{
	static const struct {
		const char *name;
		enum portal_status st;
	} map[] = {
		{ "ok", PORTAL_OK },	       { "unauthenticated", PORTAL_UNAUTH }, { "csrf", PORTAL_CSRF },
		{ "not_found", PORTAL_NOT_FOUND }, { "lost_race", PORTAL_LOST_RACE },	 { "invalid", PORTAL_INVALID },
		{ "rate_limited", PORTAL_LIMITED },
	};
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(res, "status");

	if (!cJSON_IsString(s))
		return PORTAL_OTHER;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s->valuestring, map[i].name) == 0)
			return map[i].st;
	return PORTAL_OTHER;
}

/* The reader's words for SQL's refusal code (text.json "err_<code>"; tests/refusal-codes checks
 * every code SQL gives has them); the general "invalid" text for a code without. */
const char *
portal_refusal_text(struct pctx *p, const cJSON *res)
{
	const char *code = portal_json_text(p->r, res, "code");
	const char *key = code ? arena_printf(p->r->arena, "err_%s", code) : NULL;

	if (key == NULL || p->pt == NULL || !cJSON_HasObjectItem(p->pt->text[p->lang], key))
		key = "invalid";
	return portal_text(p, key);
}

/* Answer a status other than ok the way the client reads it. */
void
portal_refuse_as(struct pctx *p, const cJSON *res, enum portal_status st, const char *lead_id)
{
	const char *msg = portal_json_text(p->r, res, "message");

	switch (st) {
	case PORTAL_OK:
		abort();
	case PORTAL_UNAUTH:
		portal_unauthenticated(p);
		return;
	case PORTAL_CSRF:
		message(p, 403, "csrf", "forbidden_title", "forbidden", NULL);
		return;
	case PORTAL_NOT_FOUND:
		message(p, 404, "not_found", "not_found_title", "not_found", NULL);
		return;
	case PORTAL_LOST_RACE: {
		/* Say what happened when we have words for it: expired, reassigned, claimed... */
		const char *reason = portal_json_text(p->r, res, "reason");
		const char *key = reason ? arena_printf(p->r->arena, "lost_race_%s", reason) : NULL;

		if (key == NULL || p->pt == NULL || !cJSON_HasObjectItem(p->pt->text[p->lang], key))
			key = "lost_race";
		if (p->json)
			portal_json_error(p, 409, "lost_race", msg ? msg : portal_text(p, key), NULL, 0);
		else
			message(p, 409, "lost_race", "lost_race_title", key, NULL);
		return;
	}
	case PORTAL_INVALID:
		if (p->json) {
			/* The reader's words, and SQL's code for programs (docs/portal-api.md). */
			cJSON *e, *o = json_error_object(p, "invalid", portal_refusal_text(p, res),
							 portal_json_text(p->r, res, "field"), 0, &e);

			if (portal_json_text(p->r, res, "code") != NULL)
				cJSON_AddStringToObject(e, "reason", portal_json_text(p->r, res, "code"));
			portal_json_send(p->r, 422, o);
		} else {
			p->detail = portal_refusal_text(p, res);
			message(p, 422, "invalid", "failed_title", "invalid", lead_id);
		}
		return;
	case PORTAL_LIMITED: {
		long long after = portal_json_number(res, "retry_after", 60);

		http_header(p->r, "Retry-After", arena_printf(p->r->arena, "%lld", after));
		if (p->json)
			portal_json_error(p, 429, "rate_limited", portal_text(p, "login_limited"), NULL, after);
		else
			message(p, 429, "rate_limited", "failed_title", "login_limited", NULL);
		return;
	}
	case PORTAL_OTHER:
		log_error("req=%s unexpected portal status %s", p->r->id,
			  msg ? "(with message)" : "(no message)");
		message(p, 500, "failed", "failed_title", "failed", NULL);
		return;
	}
}

/* The one SQL call of a request: a jsonb answer parsed, with its text in *raw for JSON clients
 * that get it as it is. NULL (and a 503 or 500 answered) when the database failed. */
cJSON *
portal_call(struct pctx *p, const struct db_stmt *s, const char *const *params, const char **raw)
{
	struct db_rows rows;
	struct db_error de;
	const char *text;
	cJSON *res;

	if (!db_call(p->r->ctx->db, s, params, p->r->arena, &rows, &de)) {
		bool down = db_error_busy(&de);

		log_error("req=%s %s: %s (SQLSTATE %s)", p->r->id, s->name, de.message, de.sqlstate);
		if (down)
			http_header(p->r, "Retry-After", "5");
		if (down)
			message(p, 503, "unavailable", "unavailable_title", "unavailable", NULL);
		else
			message(p, 500, "failed", "failed_title", "failed", NULL);
		return NULL;
	}
	text = db_value(&rows, 0, 0);
	res = portal_owned(p->r, text != NULL ? cJSON_Parse(text) : NULL);
	if (!cJSON_IsObject(res) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(res, "status"))) {
		log_error("req=%s %s: answer is not an object with a status", p->r->id, s->name);
		message(p, 500, "failed", "failed_title", "failed", NULL);
		return NULL;
	}
	if (raw != NULL)
		*raw = text;
	return res;
}

/* A JSON client gets SQL's text as it is: docs/portal-api.md is the contract, C adds nothing. */
void
portal_json_raw(struct request *r, const char *text)
{
	http_begin(r, 200, "application/json");
	buf_adds(&r->body_out, text);
	buf_addc(&r->body_out, '\n');
}

/* Parse a posted body: urlencoded or multipart from browsers, JSON from API clients (an empty
 * body is an empty form). False when it cannot be read (answered 400/415). */
bool
portal_read_form(struct pctx *p, struct form *f)
{
	struct request *r = p->r;
	const struct config *c = r->ctx->config;
	const struct form_limits lim = {
		.max_fields = (size_t)c->max_fields,
		.max_name_len = 64,
		.max_value_len = (size_t)c->max_field_len,
		.max_depth = 2,
	};
	const char *ct = http_param(r, "CONTENT_TYPE");
	const char *body = r->body ? r->body : "";
	struct form_error_info fe = { 0 };
	bool ok;

	memset(f, 0, sizeof(*f));
	if (r->body_len == 0)
		return true;
	if (ct == NULL)
		ct = "";
	if (strncasecmp(ct, "application/json", 16) == 0)
		ok = form_parse_json(r->arena, body, r->body_len, &lim, f, &fe);
	else if (!p->json && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		ok = form_parse_urlencoded(r->arena, body, r->body_len, &lim, f, &fe);
	else if (!p->json && strncasecmp(ct, "multipart/form-data", 19) == 0)
		ok = form_parse_multipart(r->arena, ct, body, r->body_len, &lim, f, &fe);
	else {
		if (p->json)
			portal_json_error(p, 415, "unsupported_media_type", "Send application/json.", NULL, 0);
		else
			http_error(r, 415, "unsupported_media_type", "This kind of body is not supported.");
		return false;
	}
	if (!ok) {
		if (p->json)
			portal_json_error(p, 400, form_error_code(fe.code), "The body cannot be read.", fe.field, 0);
		else
			http_error(r, 400, form_error_code(fe.code), "The form could not be read.");
	}
	return ok;
}

/* The CSRF token of a post: the X-CSRF-Token header (API clients) or the csrf field (forms). */
const char *
portal_csrf(const struct pctx *p, const struct form *f)
{
	const char *h = http_param(p->r, "HTTP_X_CSRF_TOKEN");

	return h != NULL ? h : form_get(f, "csrf");
}

/* Origin and CSRF shape before any work on a post with a session; false when answered. */
bool
portal_guard_post(struct pctx *p, const struct form *f)
{
	if (!portal_origin_ok(p)) {
		message(p, 403, "cross_origin", "forbidden_title", "forbidden", NULL);
		return false;
	}
	if (p->session == NULL) {
		portal_unauthenticated(p);
		return false;
	}
	if (!auth_token_valid(portal_csrf(p, f))) {
		message(p, 403, "csrf", "forbidden_title", "forbidden", NULL);
		return false;
	}
	return true;
}

/* ---- the /staff root ------------------------------------------------------------------ */

/* /staff without the slash: one address for the home page, so relative links resolve. */
void
portal_handle_root(struct request *r)
{
	http_header(r, "Location", PORTAL_PATH "/");
	http_begin(r, 303, "text/html; charset=utf-8");
}

/* ---- thin wrappers for the other portal pages (reports.c, channels.c, segments.c) ------ */

/* Other pages answer SQL's refusals the way the portal's own pages do. */
void
portal_refuse(struct pctx *p, const cJSON *res)
{
	portal_refuse_as(p, res, portal_status_of(res), NULL);
}

/* Other pages' short message pages and JSON errors, as the portal's own (no lead link). */
void
portal_message(struct pctx *p, int status, const char *code, const char *title_key, const char *text_key)
{
	message(p, status, code, title_key, text_key, NULL);
}

/* reports.c renders inside the portal's layout without knowing its template table. */
void
portal_render_reports(struct pctx *p, int status, cJSON *ctx, const char *title)
{
	portal_render(p, status, PORTAL_TPL_REPORTS, ctx, title);
}

/* channels.c renders inside the portal's layout without knowing its template table. */
void
portal_render_channels(struct pctx *p, int status, cJSON *ctx, const char *title)
{
	portal_render(p, status, PORTAL_TPL_CHANNELS, ctx, title);
}
