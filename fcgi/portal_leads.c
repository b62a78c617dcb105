/* The lead pages of the staff portal: my leads with their filters, one lead, the open pool, and
 * the actions on a lead; each is one landform.portal_* call, the rules are SQL's. */
#include "portal_leads.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "db.h"
#include "form.h"
#include "http.h"
#include "isotime.h"
#include "livecode.h"
#include "log.h"
#include "portal.h"
#include "portal_view.h"
#include "utf8.h"

#define SEARCH_MAX 50   /* bytes */
#define TAGS_MAX 20     /* ?tag= filters at once (SQL takes as many) */

static const struct db_stmt st_home = {
	"portal_home", "SELECT landform.portal_home($1, $2::jsonb)", 2, DB_RETRY_SAFE
};
static const struct db_stmt st_lead = { "portal_lead", "SELECT landform.portal_lead($1, $2::bigint)", 2, DB_RETRY_SAFE };
static const struct db_stmt st_pool = { "portal_pool", "SELECT landform.portal_pool($1)", 1, DB_RETRY_SAFE };
static const struct db_stmt st_action = {
	"portal_action", "SELECT landform.portal_action($1, $2, $3, $4::bigint, $5::jsonb)", 5, DB_RETRY_NEVER
};

/* ---- filters --------------------------------------------------------------------------- */

/* Free text filters: bounded, valid UTF-8, no control bytes, before they reach SQL. */
static bool
plain_text(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	return n > 0 && n <= max && utf8_valid(s, n) && !utf8_has_control(s, n, false);
}

/* Every ?tag= of the query (the lead list's all-of tag filter: tag=a&tag=b), trimmed, the
 * malformed ones dropped, at most TAGS_MAX; an empty array when none. */
static cJSON *
query_tags(struct request *r)
{
	static const struct form_limits lim = {
		.max_fields = 32, .max_name_len = 64, .max_value_len = 1024, .max_depth = 1,
	};
	cJSON *tags = cJSON_CreateArray();
	struct form f;
	struct form_error_info fe;
	char *v;

	if (r->query == NULL || *r->query == '\0' ||
	    !form_parse_urlencoded(r->arena, r->query, strlen(r->query), &lim, &f, &fe))
		return tags;
	for (size_t i = 0; i < f.count && cJSON_GetArraySize(tags) < TAGS_MAX; i++)
		if (strcmp(f.fields[i].name, "tag") == 0 && plain_text(v = portal_trimmed(r, f.fields[i].value), 64))
			cJSON_AddItemToArray(tags, cJSON_CreateString(v));
	return tags;
}

/* The list filters from the query string; anything malformed is dropped, not refused. */
static cJSON *
read_filters(struct pctx *p)
{
	struct request *r = p->r;
	cJSON *f = portal_owned(r, cJSON_CreateObject());
	const char *v;

	if ((v = portal_id_text(r, http_query_get(r, "stage"))) != NULL)
		cJSON_AddItemToObject(f, "stage", cJSON_CreateRaw(v));
	cJSON_AddItemToObject(f, "tags", query_tags(r));
	if ((v = http_query_get(r, "segment")) != NULL && plain_text(v = portal_trimmed(r, v), 64))
		cJSON_AddStringToObject(f, "segment", v);
	if (livecode_code_ok(v = http_query_get(r, "channel")))
		cJSON_AddStringToObject(f, "channel", v);
	if (portal_code_text(v = http_query_get(r, "page"), 64, "_-"))
		cJSON_AddStringToObject(f, "page", v);
	if (isotime_date(v = http_query_get(r, "from"), NULL))
		cJSON_AddStringToObject(f, "from", v);
	if (isotime_date(v = http_query_get(r, "to"), NULL))
		cJSON_AddStringToObject(f, "to", v);
	if ((v = http_query_get(r, "q")) != NULL && plain_text(v = portal_trimmed(r, v), SEARCH_MAX))
		cJSON_AddStringToObject(f, "q", v);
	/* Page size and offset are SQL's to bound (default and most per page): passed as typed. */
	if ((v = http_query_get(r, "limit")) != NULL && *v != '\0')
		cJSON_AddStringToObject(f, "limit", v);
	if ((v = http_query_get(r, "offset")) != NULL && *v != '\0')
		cJSON_AddStringToObject(f, "offset", v);
	return f;
}

/* ---- pages ----------------------------------------------------------------------------- */

/* The pages of a signed-in member start here: false when answered (503 without templates, or
 * the way to the login page). */
static bool
begin_signed_in(struct request *r, struct pctx *p)
{
	if (!portal_begin(r, p))
		return false;
	if (p->session == NULL) {
		portal_unauthenticated(p);
		return false;
	}
	return true;
}

/* A list page's one read, shared so each page answers failures and JSON clients alike: the
 * answer to shape for the HTML page, or NULL when answered (a failure, a refusal, or SQL's
 * text as it is for a JSON client). */
static cJSON *
read_page(struct pctx *p, const struct db_stmt *s, const char *const *params)
{
	const char *raw;
	cJSON *res = portal_call(p, s, params, &raw);
	enum portal_status st;

	if (res == NULL)
		return NULL;
	if ((st = portal_status_of(res)) != PORTAL_OK) {
		portal_refuse_as(p, res, st, NULL);
		return NULL;
	}
	if (p->json) {
		portal_json_raw(p->r, raw);
		return NULL;
	}
	return res;
}

/* GET /staff/ and /api/v1/staff/leads: my leads, filtered, as a page or as SQL's JSON. */
void
portal_leads_home(struct request *r)
{
	struct pctx p;
	cJSON *filters, *res;
	const char *params[2];

	if (!begin_signed_in(r, &p))
		return;
	filters = read_filters(&p);
	params[0] = p.session;
	params[1] = portal_json_print(r, filters);
	if ((res = read_page(&p, &st_home, params)) == NULL)
		return;
	portal_view_home(&p, res, filters);
	portal_render(&p, 200, PORTAL_TPL_HOME, res, portal_text(&p, "nav_mine"));
}

/* Belt and braces over row-level security: a lead is shown only when SQL says it is the
 * member's (pending or owned) or in the open pool of one of their pools (can_claim). RLS does
 * not bind a connection made as the schema owner, so a misconfigured database_url must not
 * show one member's leads to another. */
static bool
visible(struct pctx *p, const cJSON *res)
{
	const cJSON *lead = cJSON_GetObjectItemCaseSensitive(res, "lead");
	const cJSON *mine = cJSON_GetObjectItemCaseSensitive(lead, "mine");
	const cJSON *claim = cJSON_GetObjectItemCaseSensitive(lead, "can_claim");
	const char *state = portal_json_text(p->r, lead, "state");

	if (!cJSON_IsBool(mine) || cJSON_IsTrue(mine) ||
	    (state != NULL && strcmp(state, "open") == 0 && cJSON_IsTrue(claim)))
		return true;
	log_warn("req=%s portal_lead showed a lead that is not the member's: database_url should "
		 "log in as landform_app, not the schema owner", p->r->id);
	return false;
}

/* GET one lead; also the page an action falls back to, with error and typed values. */
static void
show_lead(struct pctx *p, const char *id, int status, const char *error, cJSON *typed)
{
	const char *params[2] = { p->session, id }, *raw;
	cJSON *res = portal_call(p, &st_lead, params, &raw);
	enum portal_status st;

	if (res == NULL)
		return;
	if ((st = portal_status_of(res)) != PORTAL_OK) {
		portal_refuse_as(p, res, st, NULL);
		return;
	}
	if (!visible(p, res)) {
		portal_message(p, 404, "not_found", "not_found_title", "not_found");
		return;
	}
	if (p->json) {
		portal_json_raw(p->r, raw);
		return;
	}
	portal_view_lead(p, res);
	if (error != NULL) {
		cJSON_AddStringToObject(res, "error", error);
		p->r->log_note = "invalid";
	}
	if (typed != NULL)
		cJSON_AddItemReferenceToObject(res, "typed", typed);
	portal_render(p, status, PORTAL_TPL_LEAD, res, portal_text(p, "lead_title"));
}

/* GET one lead; an id that is not one gets the same 404 as another member's lead. */
void
portal_leads_show(struct request *r)
{
	struct pctx p;
	const char *id;

	if (!begin_signed_in(r, &p))
		return;
	/* Not a number: the same 404 as another member's lead, so ids cannot be probed. */
	if ((id = portal_id_text(r, r->params[0])) == NULL) {
		portal_message(&p, 404, "not_found", "not_found_title", "not_found");
		return;
	}
	show_lead(&p, id, 200, NULL, NULL);
}

/* GET the open pool, the leads any member of their pools may claim. */
void
portal_leads_pool(struct request *r)
{
	struct pctx p;
	const char *params[1];
	cJSON *res;

	if (!begin_signed_in(r, &p))
		return;
	params[0] = p.session;
	if ((res = read_page(&p, &st_pool, params)) == NULL)
		return;
	portal_view_pool(&p, res);
	portal_render(&p, 200, PORTAL_TPL_POOL, res, portal_text(&p, "nav_pool"));
}

/* ---- actions --------------------------------------------------------------------------- */

enum act { A_ACCEPT, A_CONTACTED, A_STAGE, A_NOTE, A_TAG, A_ANSWER, A_RELEASE, A_CLAIM, A_COUNT };

static const struct {
	const char *name;
	const char *anchor; /* where the lead page scrolls to afterwards; NULL: back home */
} actions[A_COUNT] = {
	[A_ACCEPT] = { "accept", "" },	      [A_CONTACTED] = { "contacted", "" },
	[A_STAGE] = { "stage", "#stage" },    [A_NOTE] = { "note", "#notes" },
	[A_TAG] = { "tag", "#tags" },	      [A_ANSWER] = { "answer", "#questions" },
	[A_RELEASE] = { "release", NULL },    [A_CLAIM] = { "claim", "" },
};

/* Every tag sent under name, split on commas (ASCII and full-width) and trimmed; whether each
 * is a tag is SQL's rule (tag_text). */
static void
tag_list(struct request *r, const struct form *f, const char *name, cJSON *out)
{
	for (size_t i = 0; i < f->count; i++) {
		char *v, *part, *save = NULL;

		if (strcmp(f->fields[i].name, name) != 0)
			continue;
		v = arena_strdup(r->arena, f->fields[i].value);
		for (char *c; (c = strstr(v, "，")) != NULL;)
			memcpy(c, ",  ", 3); /* same byte length: 3 */
		for (part = strtok_r(v, ",", &save); part != NULL; part = strtok_r(NULL, ",", &save)) {
			const char *t = portal_trimmed(r, part);

			if (*t != '\0')
				cJSON_AddItemToArray(out, cJSON_CreateString(t));
		}
	}
}

/* The args object of an action from the posted fields, as typed: SQL checks each value and
 * answers a refusal code (docs/portal-api.md); the request owns the object. */
static cJSON *
action_args(struct request *r, enum act a, const struct form *f)
{
	cJSON *args = portal_owned(r, cJSON_CreateObject());
	const char *name = NULL, *v;

	switch (a) {
	case A_ACCEPT:
		name = "assignment";
		break;
	case A_STAGE:
		name = "stage";
		break;
	case A_ANSWER:
		name = "consultation";
		break;
	case A_NOTE:
		name = "body";
		break;
	case A_RELEASE:
		name = "reason";
		break;
	case A_TAG:
		tag_list(r, f, "add", cJSON_AddArrayToObject(args, "add"));
		tag_list(r, f, "remove", cJSON_AddArrayToObject(args, "remove"));
		break;
	case A_CONTACTED:
	case A_CLAIM:
	case A_COUNT:
		break;
	}
	if (name != NULL && (v = form_get(f, name)) != NULL && *(v = portal_trimmed(r, v)) != '\0')
		cJSON_AddStringToObject(args, name, v);
	return args;
}

/* POST an action on a lead: SQL decides; the browser goes back to where it was, JSON gets SQL's answer. */
void
portal_leads_action(struct request *r)
{
	struct pctx p;
	struct form f;
	const char *id, *params[5], *raw;
	cJSON *res, *typed;
	enum portal_status st;
	enum act a;

	if (!portal_begin(r, &p))
		return;
	for (a = 0; a < A_COUNT; a++)
		if (strcmp(r->params[1], actions[a].name) == 0)
			break;
	if ((id = portal_id_text(r, r->params[0])) == NULL || a == A_COUNT) {
		portal_message(&p, 404, "not_found", "not_found_title", "not_found");
		return;
	}
	if (!portal_read_form(&p, &f) || !portal_guard_post(&p, &f))
		return;
	params[0] = p.session;
	params[1] = portal_csrf(&p, &f);
	params[2] = actions[a].name;
	params[3] = id;
	params[4] = portal_json_print(r, action_args(r, a, &f));
	if ((res = portal_call(&p, &st_action, params, &raw)) == NULL)
		return;
	st = portal_status_of(res);
	if (st == PORTAL_INVALID && !p.json) {
		/* Show the lead again with the reason and what was typed. */
		typed = portal_owned(r, cJSON_CreateObject());
		for (size_t i = 0; i < f.count; i++)
			if (strcmp(f.fields[i].name, "csrf") != 0 && !cJSON_HasObjectItem(typed, f.fields[i].name))
				cJSON_AddStringToObject(typed, f.fields[i].name, f.fields[i].value);
		show_lead(&p, id, 422, portal_refusal_text(&p, res), typed);
	} else if (st != PORTAL_OK) {
		portal_refuse_as(&p, res, st, id);
	} else if (p.json) {
		portal_json_raw(r, raw);
	} else if (actions[a].anchor == NULL) {
		portal_redirect(r, arena_printf(r->arena, PORTAL_PATH "/?done=%s", actions[a].name));
	} else {
		portal_redirect(r, arena_printf(r->arena, PORTAL_PATH "/leads/%s?done=%s%s", id, actions[a].name,
					 actions[a].anchor));
	}
	r->log_note = st == PORTAL_OK ? actions[a].name : r->log_note;
}
