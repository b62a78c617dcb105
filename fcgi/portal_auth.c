/* Who may use the staff portal: login, logout and accepting an invitation. Passwords are
 * checked here (auth.c, between SQL's two login calls); sessions, lockouts and invitations are
 * SQL's. */
#include "portal_auth.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "portal.h"
#include "portal_view.h"
#include "worker.h"

#define NONCE_COOKIE "lf_login"
#define DEFAULT_SESSION_AGE 604800L /* seconds; SQL's absolute expiry is what really counts */

static const struct db_stmt st_login_begin = {
	"portal_login_begin", "SELECT landform.portal_login_begin($1, $2::inet)", 2, DB_RETRY_NEVER
};
static const struct db_stmt st_login_finish = {
	"portal_login_finish",
	"SELECT landform.portal_login_finish($1, $2::inet, $3::bigint, $4, $5, $6, $7)", 7, DB_RETRY_NEVER
};
static const struct db_stmt st_invitation = {
	"portal_invitation", "SELECT landform.portal_invitation($1)", 1, DB_RETRY_SAFE
};
static const struct db_stmt st_accept_invitation = {
	"portal_accept_invitation",
	"SELECT landform.portal_accept_invitation($1, $2, $3, $4, $5::inet, $6)", 6, DB_RETRY_NEVER
};
static const struct db_stmt st_logout = { "portal_logout", "SELECT landform.portal_logout($1, $2)", 2, DB_RETRY_NEVER };

/* The client's address as PostgreSQL's inet will take it, or NULL. */
static const char *
remote_addr(const struct request *r)
{
	const char *a = http_param(r, "REMOTE_ADDR");

	if (a == NULL || *a == '\0' || strlen(a) > 45 || strspn(a, "0123456789abcdefABCDEF.:") != strlen(a))
		return NULL;
	return a;
}

/* ---- login, invitation, logout --------------------------------------------------------- */

/* The browser's pre-session nonce (kept if it has one, so two tabs both work) and the token
 * a form must carry back for purpose. */
static const char *
form_token(struct pctx *p, const char *purpose)
{
	const char *nonce = http_cookie_get(p->r, NONCE_COOKIE);
	char *tok = arena_alloc(p->r->arena, AUTH_TOKEN_HEX + 1);

	if (!auth_token_valid(nonce)) {
		char *n = arena_alloc(p->r->arena, AUTH_TOKEN_HEX + 1);

		auth_token_new(n);
		nonce = n;
	}
	portal_set_cookie(p, NONCE_COOKIE, nonce, PORTAL_PATH, -1);
	auth_form_token(p->r->ctx->key, purpose, nonce, tok);
	return tok;
}

/* The login and invitation forms prove they came from our page (no session exists yet). */
static bool
form_token_ok(struct pctx *p, const struct form *f, const char *purpose)
{
	return auth_form_token_check(p->r->ctx->key, purpose, http_cookie_get(p->r, NONCE_COOKIE),
				     form_get(f, "csrf"));
}

/* The login form, again after a refusal with what was typed (never the password). */
static void
login_page(struct pctx *p, int status, const char *login, const char *next, const char *error_key,
	   const char *error_extra)
{
	cJSON *ctx = portal_owned(p->r, cJSON_CreateObject());

	cJSON_AddStringToObject(ctx, "csrf", form_token(p, "login"));
	if (login != NULL)
		cJSON_AddStringToObject(ctx, "login", login);
	if (auth_safe_next(next))
		cJSON_AddStringToObject(ctx, "next", next);
	if (error_key != NULL)
		cJSON_AddStringToObject(ctx, "error",
					error_extra ? arena_printf(p->r->arena, "%s %s", portal_text(p, error_key),
								   error_extra)
						    : portal_text(p, error_key));
	if (http_query_get(p->r, "expired") != NULL)
		cJSON_AddStringToObject(ctx, "notice", portal_text(p, "session_expired"));
	else if (http_query_get(p->r, "bye") != NULL)
		cJSON_AddStringToObject(ctx, "notice", portal_text(p, "logged_out"));
	portal_render(p, status, PORTAL_TPL_LOGIN, ctx, portal_text(p, "login_title"));
}

/* GET /staff/login; API clients are told to POST instead. */
void
portal_auth_login_form(struct request *r)
{
	struct pctx p;

	if (!portal_begin(r, &p))
		return;
	if (p.json) {
		portal_json_error(&p, 405, "method_not_allowed", "POST /api/v1/staff/login with {login, password}.",
			   NULL, 0);
		return;
	}
	login_page(&p, 200, NULL, http_query_get(r, "next"), NULL, NULL);
}

/* A refused login: the same words whether the login exists or not. */
static void
login_refused(struct pctx *p, int status, const char *code, const char *login, const char *next,
	      long long retry_after)
{
	const char *key = status == 429 ? "login_limited" : status == 403 ? "form_expired" : "login_failed";
	struct buf b;

	p->r->log_note = code;
	if (status == 429)
		http_header(p->r, "Retry-After", arena_printf(p->r->arena, "%lld", retry_after));
	if (p->json) {
		portal_json_error(p, status, code, portal_text(p, status == 403 ? "forbidden" : key), NULL, retry_after);
		return;
	}
	buf_init(&b, p->r->arena, 64);
	if (status == 429) {
		buf_printf(&b, "%s ", portal_text(p, "retry_in"));
		portal_view_span_text(p->lang, retry_after, &b);
	}
	login_page(p, status, login, next, key, status == 429 ? b.data : NULL);
}

/* POST a login: SQL rate-limits and records the session, C checks the password in between. */
void
portal_auth_login(struct request *r)
{
	struct pctx p;
	struct form f;
	const char *pw, *next, *addr, *staff, *hash, *params[7];
	char *login;
	char session[AUTH_TOKEN_HEX + 1], csrf[AUTH_TOKEN_HEX + 1], newhash[AUTH_HASH_MAX];
	cJSON *res = NULL, *res2 = NULL, *o;
	bool ok, rehash = false;
	enum portal_status st;

	if (!portal_begin(r, &p))
		return;
	/* An API client must send JSON: a cross-site form cannot, so that is its CSRF guard. */
	if (p.json && strncasecmp(http_param(r, "CONTENT_TYPE") ? http_param(r, "CONTENT_TYPE") : "",
				  "application/json", 16) != 0) {
		portal_json_error(&p, 415, "unsupported_media_type", "Send application/json.", NULL, 0);
		return;
	}
	if (!portal_read_form(&p, &f))
		return;
	login = portal_trimmed(r, form_get(&f, "login") ? form_get(&f, "login") : "");
	pw = form_get(&f, "password");
	next = form_get(&f, "next");
	for (char *c = login; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (!portal_origin_ok(&p) || (!p.json && !form_token_ok(&p, &f, "login"))) {
		login_refused(&p, 403, "csrf", login, next, 0);
		return;
	}
	if (*login == '\0' || strlen(login) > 64 || pw == NULL || strlen(pw) > AUTH_PASSWORD_MAX_BYTES ||
	    !portal_code_text(login, 64, "._-")) {
		/* Still costs a hash, so a malformed login is not faster than a wrong one. */
		ok = auth_verify_password(NULL, pw ? pw : "", &rehash);
		login_refused(&p, 401, "bad_credentials", login, next, 0);
		return;
	}
	addr = remote_addr(r);
	params[0] = login;
	params[1] = addr;
	if ((res = portal_call(&p, &st_login_begin, params, NULL)) == NULL)
		return;
	st = portal_status_of(res);
	if (st == PORTAL_LIMITED) {
		login_refused(&p, 429, "rate_limited", login, next, portal_json_number(res, "retry_after", 60));
		goto done;
	}
	if (st != PORTAL_OK) {
		portal_refuse_as(&p, res, st, NULL);
		goto done;
	}
	staff = portal_json_text(r, res, "staff_id");
	hash = portal_json_text(r, res, "password_hash");
	ok = auth_verify_password(staff != NULL ? hash : NULL, pw, &rehash) && staff != NULL;
	if (ok && rehash && !auth_hash_password(pw, newhash))
		rehash = false;
	auth_token_new(session);
	auth_token_new(csrf);
	params[2] = ok ? staff : NULL;
	params[3] = session;
	params[4] = csrf;
	params[5] = http_clean_header(r, http_param(r, "HTTP_USER_AGENT"), 512);
	params[6] = ok && rehash ? newhash : NULL;
	if ((res2 = portal_call(&p, &st_login_finish, params, NULL)) == NULL)
		goto done;
	st = portal_status_of(res2);
	if (st == PORTAL_LIMITED) {
		login_refused(&p, 429, "rate_limited", login, next, portal_json_number(res2, "retry_after", 60));
		goto done;
	}
	if (!ok || st != PORTAL_OK) {
		login_refused(&p, 401, "bad_credentials", login, next, 0);
		goto done;
	}
	/* A new token at every login: whatever id the browser had before is never reused. */
	portal_set_session(&p, session, portal_json_number(res2, "max_age", DEFAULT_SESSION_AGE));
	portal_set_cookie(&p, NONCE_COOKIE, "", PORTAL_PATH, 0);
	r->log_note = rehash ? "login (rehashed)" : "login";
	if (p.json) {
		o = portal_owned(r, cJSON_CreateObject());
		cJSON_AddStringToObject(o, "status", "ok");
		cJSON_AddStringToObject(o, "csrf", csrf);
		portal_json_send(r, 200, o);
	} else {
		portal_redirect(r, auth_safe_next(next) ? next : PORTAL_PATH "/");
	}
done:
	sodium_memzero(session, sizeof(session));
}

/* POST a logout: SQL ends the session (it checks the CSRF token); the browser's cookie goes too. */
void
portal_auth_logout(struct request *r)
{
	struct pctx p;
	struct form f;
	const char *params[2];
	cJSON *res, *o;
	enum portal_status st;

	if (!portal_begin(r, &p))
		return;
	if (!portal_read_form(&p, &f))
		return;
	if (!portal_origin_ok(&p)) {
		portal_message(&p, 403, "cross_origin", "forbidden_title", "forbidden");
		return;
	}
	if (p.session != NULL) {
		if (!auth_token_valid(portal_csrf(&p, &f))) {
			portal_message(&p, 403, "csrf", "forbidden_title", "forbidden");
			return;
		}
		params[0] = p.session;
		params[1] = portal_csrf(&p, &f);
		if ((res = portal_call(&p, &st_logout, params, NULL)) == NULL)
			return;
		st = portal_status_of(res);
		if (st == PORTAL_CSRF) {
			portal_message(&p, 403, "csrf", "forbidden_title", "forbidden");
			return;
		}
	}
	portal_clear_session(&p);
	r->log_note = "logout";
	if (p.json) {
		o = portal_owned(r, cJSON_CreateObject());
		cJSON_AddStringToObject(o, "status", "ok");
		portal_json_send(r, 200, o);
	} else {
		portal_redirect(r, PORTAL_PATH "/login?bye=1");
	}
}

/* The invitation's form: choose a password for the login the admin created. */
static void
invite_page(struct pctx *p, int status, const cJSON *inv, const char *error_key)
{
	cJSON *ctx = portal_owned(p->r, cJSON_CreateObject());
	const char *login = portal_json_text(p->r, inv, "login"), *name = portal_json_text(p->r, inv, "display_name");

	cJSON_AddStringToObject(ctx, "csrf", form_token(p, "invite"));
	cJSON_AddStringToObject(ctx, "login", login ? login : "");
	cJSON_AddStringToObject(ctx, "display_name", name ? name : "");
	cJSON_AddStringToObject(ctx, "action", p->r->path);
	if (error_key != NULL)
		cJSON_AddStringToObject(ctx, "error", portal_text(p, error_key));
	portal_render(p, status, PORTAL_TPL_INVITE, ctx, portal_text(p, "invite_title"));
}

/* The invitation, or NULL when it is unknown, used or expired (answered 404). */
static cJSON *
invitation(struct pctx *p, const char *token)
{
	const char *params[1] = { token };
	cJSON *res;
	enum portal_status st;

	if (!auth_token_valid(token)) {
		portal_message(p, 404, "invitation_invalid", "invite_invalid_title", "invite_invalid");
		return NULL;
	}
	if ((res = portal_call(p, &st_invitation, params, NULL)) == NULL)
		return NULL;
	if ((st = portal_status_of(res)) == PORTAL_OK)
		return res;
	if (st == PORTAL_NOT_FOUND)
		portal_message(p, 404, "invitation_invalid", "invite_invalid_title", "invite_invalid");
	else
		portal_refuse_as(p, res, st, NULL);
	return NULL;
}

/* GET /staff/invite/<token>: the form only for an invitation SQL still knows. */
void
portal_auth_invite_form(struct request *r)
{
	struct pctx p;
	cJSON *inv;

	if (!portal_begin(r, &p))
		return;
	if ((inv = invitation(&p, r->params[0])) == NULL)
		return;
	invite_page(&p, 200, inv, NULL);
}

/* POST the new password: checked and hashed here, the invitation used and a session begun in SQL. */
void
portal_auth_invite(struct request *r)
{
	struct pctx p;
	struct form f;
	const char *token = r->params[0], *pw, *params[6];
	char hash[AUTH_HASH_MAX], session[AUTH_TOKEN_HEX + 1], csrf[AUTH_TOKEN_HEX + 1];
	cJSON *res = NULL, *inv;
	enum auth_pw pe;
	enum portal_status st;
	const char *err_key = NULL;
	int status = 422;

	if (!portal_begin(r, &p))
		return;
	if (!auth_token_valid(token)) {
		portal_message(&p, 404, "invitation_invalid", "invite_invalid_title", "invite_invalid");
		return;
	}
	if (!portal_read_form(&p, &f))
		return;
	pw = form_get(&f, "password");
	if (!portal_origin_ok(&p) || !form_token_ok(&p, &f, "invite")) {
		err_key = "form_expired";
		status = 403;
	} else if ((pe = auth_password_check(pw, form_get(&f, "again"), form_get(&f, "login"))) !=
		   AUTH_PW_OK) {
		err_key = arena_printf(r->arena, "pw_%s", auth_password_code(pe));
	} else if (!auth_hash_password(pw, hash)) {
		portal_message(&p, 503, "unavailable", "unavailable_title", "unavailable");
		return;
	}
	if (err_key != NULL) {
		/* The form again, with its reason; the invitation is read again for the names. */
		r->log_note = err_key;
		if ((inv = invitation(&p, token)) != NULL)
			invite_page(&p, status, inv, err_key);
		return;
	}
	auth_token_new(session);
	auth_token_new(csrf);
	params[0] = token;
	params[1] = hash;
	params[2] = session;
	params[3] = csrf;
	params[4] = remote_addr(r);
	params[5] = http_clean_header(r, http_param(r, "HTTP_USER_AGENT"), 512);
	if ((res = portal_call(&p, &st_accept_invitation, params, NULL)) == NULL)
		return;
	st = portal_status_of(res);
	if (st == PORTAL_NOT_FOUND) {
		portal_message(&p, 404, "invitation_invalid", "invite_invalid_title", "invite_invalid");
	} else if (st == PORTAL_INVALID) {
		p.detail = portal_refusal_text(&p, res);
		portal_message(&p, 422, "invalid", "invite_title", "invalid");
	} else if (st != PORTAL_OK) {
		portal_refuse_as(&p, res, st, NULL);
	} else {
		portal_set_session(&p, session, portal_json_number(res, "max_age", DEFAULT_SESSION_AGE));
		portal_set_cookie(&p, NONCE_COOKIE, "", PORTAL_PATH, 0);
		r->log_note = "invitation accepted";
		portal_redirect(r, PORTAL_PATH "/?done=welcome");
	}
}
