/* What the staff pages show, shaped from SQL's answers (portal_home, portal_lead, portal_pool)
 * before the templates see them: readable times, phones, countdowns, option lists. No database,
 * no I/O, so the shaping is tested with the answers SQL gives (tests/data/portal/fixtures). */
#include "portal_view.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "http.h"
#include "isotime.h"
#include "schema.h"
#include "site.h"
#include "worker.h"

#define URGENT_SECONDS 300

/* ---- pure helpers ---------------------------------------------------------------------- */

/* Durations in words people read, in their language, at the precision that matters. */
void
portal_view_span_text(enum lang l, long long s, struct buf *out)
{
	bool zh = l == LANG_ZH_CN;

	if (s < 0)
		s = 0;
	if (s < 60)
		buf_printf(out, zh ? "%lld 秒" : "%lld s", s);
	else if (s < 3600)
		buf_printf(out, zh ? "%lld 分钟" : "%lld min", s / 60);
	else if (s < 86400 && (s % 3600) / 60 == 0)
		buf_printf(out, zh ? "%lld 小时" : "%lld h", s / 3600);
	else if (s < 86400)
		buf_printf(out, zh ? "%lld 小时 %lld 分钟" : "%lld h %lld min", s / 3600, (s % 3600) / 60);
	else if ((s % 86400) / 3600 == 0)
		buf_printf(out, zh ? "%lld 天" : "%lld d", s / 86400);
	else
		buf_printf(out, zh ? "%lld 天 %lld 小时" : "%lld d %lld h", s / 86400, (s % 86400) / 3600);
}

/* A countdown says "overdue" rather than a negative time. */
void
portal_view_left_text(enum lang l, long long s, struct buf *out)
{
	if (s <= 0) {
		buf_adds(out, l == LANG_ZH_CN ? "已超时" : "overdue");
		return;
	}
	if (l == LANG_ZH_CN)
		buf_adds(out, "还剩 ");
	portal_view_span_text(l, s, out);
	if (l != LANG_ZH_CN)
		buf_adds(out, " left");
}

/* The open pool says how long each lead has waited, so members see which is oldest. */
void
portal_view_waited_text(enum lang l, long long s, struct buf *out)
{
	buf_adds(out, l == LANG_ZH_CN ? "已等待 " : "waiting ");
	portal_view_span_text(l, s, out);
}

/* Timestamps in the offset SQL wrote them in: no time zone guessing in C. */
bool
portal_view_time_text(const char *iso, bool with_year, char out[17])
{
	struct isotime t;
	char tmp[64];

	out[0] = '\0';
	if (!isotime_parse(iso, &t))
		return false;
	/* The parser bounds every field, so the text always fits; tmp keeps the compiler sure. */
	if (with_year)
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
	else
		snprintf(tmp, sizeof(tmp), "%02d-%02d %02d:%02d", t.month, t.day, t.hour, t.minute);
	snprintf(out, 17, "%.16s", tmp);
	return true;
}

/* Only a full number gets a tel: link; a masked one would dial nonsense. */
bool
portal_view_phone_callable(const char *p)
{
	size_t n;

	if (p == NULL || p[0] != '+')
		return false;
	for (n = 1; p[n] != '\0'; n++)
		if (p[n] < '0' || p[n] > '9')
			return false;
	return n >= 9 && n <= 16 && p[1] != '0';
}

/* Phones grouped as people read them, so they can be read out and typed. */
void
portal_view_phone_text(const char *p, struct buf *out)
{
	if (p == NULL)
		return;
	/* Chinese mobiles in the 3-4-4 groups people read them in. */
	if (portal_view_phone_callable(p) && strncmp(p, "+861", 4) == 0 && strlen(p) == 14) {
		buf_printf(out, "%.3s %.4s %.4s", p + 3, p + 6, p + 10);
		return;
	}
	buf_adds(out, p);
}

/* ---- data shaping for the templates -------------------------------------------------- */

/* A shaped text goes into the tree and the buffer is ready for the next one. */
static void
add_text(cJSON *o, const char *key, struct buf *b)
{
	cJSON_AddStringToObject(o, key, b->data);
	buf_reset(b);
}

/* key_text: the timestamp under key shown as people read it. */
static void
add_time(cJSON *o, const char *key, bool with_year)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char out[17], name[64];

	if (!cJSON_IsString(v) || !portal_view_time_text(v->valuestring, with_year, out))
		return;
	snprintf(name, sizeof(name), "%s_text", key);
	cJSON_AddStringToObject(o, name, out);
}

/* phone_text and, for a full number, tel (the tel: link). */
static void
add_phone(cJSON *o, const char *key, struct buf *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v))
		return;
	portal_view_phone_text(v->valuestring, b);
	add_text(o, "phone_text", b);
	if (portal_view_phone_callable(v->valuestring))
		cJSON_AddStringToObject(o, "tel", v->valuestring);
}

/* page_label: the page's title when SQL sent one, else its slug. */
static void
add_page(cJSON *o)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "page_title");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "page");

	if (cJSON_IsString(t) && t->valuestring[0] != '\0')
		cJSON_AddStringToObject(o, "page_label", t->valuestring);
	else if (cJSON_IsString(s))
		cJSON_AddStringToObject(o, "page_label", s->valuestring);
}

/* The stage's name: portal_home's mine and portal_lead's lead give it as "stage", a text, beside
 * "stage_id" (docs/portal-api.md); NULL when it is not there. */
static const char *
stage_name(const cJSON *item)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(item, "stage");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* A filter's option list, [{value, label, selected}], from one of portal_home's lists in the one
 * shape docs/portal-api.md gives it: texts (value_key NULL), or objects whose value_key holds a
 * text or a number and whose label_key a text (the value stands in when it is null or empty). */
static cJSON *
options(const cJSON *src, const char *value_key, const char *label_key, const char *current)
{
	cJSON *out = cJSON_CreateArray(), *o;
	const cJSON *it;
	char num[32];

	cJSON_ArrayForEach(it, src) {
		const cJSON *v = value_key != NULL ? cJSON_GetObjectItemCaseSensitive(it, value_key) : it;
		const cJSON *l = label_key != NULL ? cJSON_GetObjectItemCaseSensitive(it, label_key) : NULL;
		const char *value;

		if (cJSON_IsString(v)) {
			value = v->valuestring;
		} else if (cJSON_IsNumber(v)) {
			snprintf(num, sizeof(num), "%.0f", v->valuedouble);
			value = num;
		} else {
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "value", value);
		cJSON_AddStringToObject(o, "label", cJSON_IsString(l) && *l->valuestring ? l->valuestring : value);
		cJSON_AddBoolToObject(o, "selected", current != NULL && strcmp(current, value) == 0);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

/* Where one tag came from, as the lead page shows it: [{rule|manual|import: true, by}] from
 * portal_lead's tag_sources (absent on the list, which shows no sources). */
static cJSON *
tag_sources(const cJSON *sources, const char *tag)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *s;

	cJSON_ArrayForEach(s, sources) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "tag");
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(s, "source");
		const cJSON *by = cJSON_GetObjectItemCaseSensitive(s, "by");
		cJSON *o;

		if (!cJSON_IsString(t) || !cJSON_IsString(src) || strcmp(t->valuestring, tag) != 0)
			continue;
		if (strcmp(src->valuestring, "rule") != 0 && strcmp(src->valuestring, "manual") != 0 &&
		    strcmp(src->valuestring, "import") != 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, src->valuestring, true);
		if (cJSON_IsString(by))
			cJSON_AddStringToObject(o, "by", by->valuestring);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

/* Tags as [{name}] objects so templates can reach the page's csrf from inside the loop. */
static void
tag_objects(cJSON *item)
{
	cJSON *tags = cJSON_GetObjectItemCaseSensitive(item, "tags"), *list = cJSON_CreateArray(), *t;
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(item, "tag_sources");

	cJSON_ArrayForEach(t, tags) {
		if (cJSON_IsString(t)) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "tag", t->valuestring);
			if (cJSON_IsArray(sources))
				cJSON_AddItemToObject(o, "sources", tag_sources(sources, t->valuestring));
			cJSON_AddItemToArray(list, o);
		}
	}
	cJSON_AddItemToObject(item, "tag_list", list);
}

/* A value the templates should treat as set: not null, false or an empty text. */
static bool
json_present(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v != NULL && !cJSON_IsNull(v) && !cJSON_IsFalse(v) &&
	       !(cJSON_IsString(v) && v->valuestring[0] == '\0');
}

/* The "done" banner after an action: only names we know, so the URL cannot inject text. */
static void
add_flash(struct pctx *p, cJSON *ctx)
{
	static const char *const done[] = { "accept", "contacted", "stage",   "note",   "tag",
					    "answer", "release",   "claim",	  "welcome" };
	const char *d = http_query_get(p->r, "done");

	if (d == NULL)
		return;
	for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(d, done[i]) == 0) {
			cJSON_AddStringToObject(ctx, "flash",
						portal_text(p, arena_printf(p->r->arena, "done_%s", d)));
			return;
		}
}

/* ---- the filter form --------------------------------------------------------------------- */

static const char *const filter_keys[] = { "stage", "segment", "channel", "page", "from", "to", "q" };

/* The filter query string without offset, for "more" links. */
static void
filter_query(const cJSON *f, struct buf *b)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(f, "tags")) {
		buf_adds(b, "tag=");
		url_escape(b, t->valuestring, strlen(t->valuestring));
		buf_addc(b, '&');
	}
	for (size_t i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, filter_keys[i]);
		const char *s = cJSON_IsString(v) ? v->valuestring : cJSON_IsRaw(v) ? v->valuestring : NULL;

		if (s == NULL)
			continue;
		buf_printf(b, "%s=", filter_keys[i]);
		url_escape(b, s, strlen(s));
		buf_addc(b, '&');
	}
}

/* ---- the pages ------------------------------------------------------------------------- */

/* The tag checkboxes of the list's filter: my leads' tags [{value, label, selected}], the
 * ones asked for checked (and listed even when none of my leads carries them now). True when
 * any is asked for. */
static bool
tag_options(cJSON *res, const cJSON *filters)
{
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(filters, "tags"), *t, *w;
	cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "tags"), *out = cJSON_CreateArray(), *o;

	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(res, "tags");
		list = cJSON_AddArrayToObject(res, "tags");
	}
	cJSON_ArrayForEach(w, want) {
		bool have = false;

		cJSON_ArrayForEach(t, list)
			have = have || (cJSON_IsString(t) && strcmp(t->valuestring, w->valuestring) == 0);
		if (!have)
			cJSON_AddItemToArray(list, cJSON_CreateString(w->valuestring));
	}
	cJSON_ArrayForEach(t, list) {
		bool on = false;

		if (!cJSON_IsString(t))
			continue;
		cJSON_ArrayForEach(w, want)
			on = on || strcmp(t->valuestring, w->valuestring) == 0;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "value", t->valuestring);
		cJSON_AddStringToObject(o, "label", t->valuestring);
		cJSON_AddBoolToObject(o, "selected", on);
		cJSON_AddItemToArray(out, o);
	}
	cJSON_AddItemToObject(res, "tag_options", out);
	return cJSON_GetArraySize(want) > 0;
}

/* Home: waiting offers with their countdowns, then my leads grouped by stage. */
void
portal_view_home(struct pctx *p, cJSON *res, const cJSON *filters)
{
	struct request *r = p->r;
	cJSON *waiting = cJSON_GetObjectItemCaseSensitive(res, "waiting");
	cJSON *mine = cJSON_GetObjectItemCaseSensitive(res, "mine");
	const cJSON *stages = cJSON_GetObjectItemCaseSensitive(res, "stages"), *st;
	cJSON *groups = cJSON_CreateArray(), *f = cJSON_CreateObject(), *it;
	const char *cur;
	struct buf b;
	long long limit = portal_json_number(res, "limit", 0), offset = portal_json_number(res, "offset", 0);
	int nmine = cJSON_GetArraySize(mine);
	bool filtered = false;

	buf_init(&b, r->arena, 256);
	cJSON_ArrayForEach(it, waiting) {
		long long left = portal_json_number(it, "seconds_left", 0);

		portal_view_left_text(p->lang, left, &b);
		add_text(it, "left_text", &b);
		cJSON_AddBoolToObject(it, "urgent", left <= URGENT_SECONDS);
		cJSON_AddBoolToObject(it, "overdue", left <= 0);
		add_time(it, "first_seen", false);
		add_time(it, "deadline", false);
		add_page(it);
	}
	cJSON_AddNumberToObject(res, "waiting_count", cJSON_GetArraySize(waiting));
	cJSON_ArrayForEach(it, mine) {
		const char *sn = stage_name(it);

		add_phone(it, "phone", &b);
		add_time(it, "last_seen", false);
		cJSON_AddStringToObject(it, "stage_name", sn ? sn : portal_text(p, "other_stage"));
		cJSON_AddBoolToObject(it, "contacted", json_present(it, "first_contact_at"));
		tag_objects(it);
		add_page(it);
	}
	cJSON_AddNumberToObject(res, "mine_count", (double)portal_json_number(res, "mine_total", nmine));
	cJSON_AddNumberToObject(res, "reminder_count",
				cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "reminders")));
	cJSON_AddBoolToObject(res, "has_reminders",
			      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "reminders")) > 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "reminders")) {
		const char *kind = portal_json_text(r, it, "kind");

		cJSON_AddBoolToObject(it, "is_stage", kind != NULL && strcmp(kind, "stage") == 0);
		add_time(it, "due", false);
	}
	/* Mine by stage, in the stages' order, then anything whose stage is unknown. */
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *list = pass == 0 ? stages : NULL;
		int n = pass == 0 ? cJSON_GetArraySize(list) : 1;

		for (int i = 0; i < n; i++) {
			const cJSON *sn = pass == 0 ? cJSON_GetObjectItemCaseSensitive(
							      cJSON_GetArrayItem(list, i), "name")
						    : NULL;
			const char *name = cJSON_IsString(sn) ? sn->valuestring : portal_text(p, "other_stage");
			cJSON *g = NULL, *leads = NULL;

			if (pass == 0 && !cJSON_IsString(sn))
				continue;
			cJSON_ArrayForEach(it, mine) {
				const cJSON *x = cJSON_GetObjectItemCaseSensitive(it, "stage_name");
				bool match = strcmp(x->valuestring, name) == 0;

				if (pass == 1) {
					match = true;
					cJSON_ArrayForEach(st, stages) {
						const cJSON *y = cJSON_GetObjectItemCaseSensitive(st, "name");

						if (cJSON_IsString(y) && strcmp(y->valuestring, x->valuestring) == 0)
							match = false;
					}
				}
				if (!match)
					continue;
				if (g == NULL) {
					g = cJSON_CreateObject();
					cJSON_AddStringToObject(g, "name", name);
					leads = cJSON_AddArrayToObject(g, "leads");
					cJSON_AddItemToArray(groups, g);
				}
				cJSON_AddItemReferenceToArray(leads, it);
			}
			if (g != NULL)
				cJSON_AddNumberToObject(g, "count", cJSON_GetArraySize(leads));
		}
	}
	cJSON_AddItemToObject(res, "groups", groups);
	/* Filters as typed, for the form, and the option lists with the current one selected. */
	for (size_t i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(filters, filter_keys[i]);

		if (cJSON_IsString(v) || cJSON_IsRaw(v)) {
			cJSON_AddStringToObject(f, filter_keys[i], v->valuestring);
			if (strcmp(filter_keys[i], "q") != 0)
				filtered = true;
		}
	}
	filtered = tag_options(res, filters) || filtered;
	cJSON_AddBoolToObject(f, "any", filtered);
	cJSON_AddBoolToObject(f, "search", json_present(f, "q"));
	cur = portal_json_text(r, f, "stage");
	cJSON_AddItemToObject(res, "stage_options", options(stages, "id", "name", cur));
	cur = portal_json_text(r, f, "segment");
	cJSON_AddItemToObject(res, "segment_options",
			      options(cJSON_GetObjectItemCaseSensitive(res, "segments"), NULL, NULL, cur));
	/* An admin looking at a segment may download all of it (SQL decides again on download). */
	if (cur != NULL && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(res, "me"), "is_admin"))) {
		struct buf u;

		buf_init(&u, r->arena, 64);
		buf_adds(&u, PORTAL_PATH "/segments.csv?name=");
		url_escape(&u, cur, strlen(cur));
		add_text(res, "segment_csv_url", &u);
	}
	cur = portal_json_text(r, f, "channel");
	cJSON_AddItemToObject(res, "channel_options",
			      options(cJSON_GetObjectItemCaseSensitive(res, "channels"), "code", "name", cur));
	cur = portal_json_text(r, f, "page");
	cJSON_AddItemToObject(res, "page_options",
			      options(cJSON_GetObjectItemCaseSensitive(res, "pages"), "slug", "title", cur));
	cJSON_AddItemToObject(res, "f", f);
	if (offset + nmine < portal_json_number(res, "mine_total", 0)) {
		buf_adds(&b, PORTAL_PATH "/?");
		filter_query(filters, &b);
		buf_printf(&b, "offset=%lld", offset + limit);
		add_text(res, "more_url", &b);
	}
	if (offset > 0)
		cJSON_AddBoolToObject(res, "paged", true);
	cJSON_AddBoolToObject(res, "nav_mine", true);
	add_flash(p, res);
}

/* One lead: state flags, phone, countdown, stages to pick from, submissions' fields as a list,
 * history and notes with readable times. */
void
portal_view_lead(struct pctx *p, cJSON *res)
{
	struct request *r = p->r;
	cJSON *lead = cJSON_GetObjectItemCaseSensitive(res, "lead"), *it;
	cJSON *stages = cJSON_GetObjectItemCaseSensitive(res, "stages");
	const char *state = portal_json_text(r, lead, "state"), *phone = portal_json_text(r, lead, "phone"), *sn;
	struct buf b;
	long long left;

	buf_init(&b, r->arena, 256);
	if (state == NULL)
		state = "";
	cJSON_AddBoolToObject(lead, "is_pending", strcmp(state, "pending") == 0);
	cJSON_AddBoolToObject(lead, "is_owned", strcmp(state, "owned") == 0);
	cJSON_AddBoolToObject(lead, "is_open", strcmp(state, "open") == 0);
	if (*state != '\0')
		cJSON_AddStringToObject(lead, "state_text", portal_text(p, arena_printf(r->arena, "state_%s", state)));
	add_phone(lead, "phone", &b);
	cJSON_AddBoolToObject(lead, "masked", !portal_view_phone_callable(phone));
	add_time(lead, "first_seen", true);
	add_time(lead, "last_seen", true);
	add_time(lead, "first_contact_at", true);
	add_time(lead, "deadline", false);
	add_page(lead);
	cJSON_AddBoolToObject(lead, "contacted", json_present(lead, "first_contact_at"));
	if (json_present(lead, "deadline")) {
		/* SQL counts the time left (docs/portal-api.md); C only words it. */
		left = portal_json_number(lead, "seconds_left", 0);
		portal_view_left_text(p->lang, left, &b);
		add_text(lead, "left_text", &b);
		cJSON_AddBoolToObject(lead, "urgent", left <= URGENT_SECONDS);
	}
	sn = stage_name(lead);
	cJSON_AddStringToObject(lead, "stage_name", sn ? sn : "");
	tag_objects(lead);
	cJSON_ArrayForEach(it, stages) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");

		cJSON_AddBoolToObject(it, "current", sn != NULL && cJSON_IsString(n) &&
							     strcmp(n->valuestring, sn) == 0);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "submissions")) {
		cJSON *fields = cJSON_GetObjectItemCaseSensitive(it, "fields"), *list = cJSON_CreateArray();
		const struct page *pg =
			r->ctx != NULL ? site_find(r->ctx->site, portal_json_text(r, it, "page")) : NULL;
		const cJSON *fv;

		add_time(it, "at", true);
		add_page(it);
		cJSON_ArrayForEach(fv, fields) {
			cJSON *o = cJSON_CreateObject();
			const char *name = fv->string ? fv->string : "", *label;
			const cJSON *e;

			/* The form's words for what the visitor answered, where the page still has them. */
			label = pg != NULL ? schema_field_label(pg->schema, name, p->lang) : NULL;
			cJSON_AddStringToObject(o, "k", label != NULL ? label : name);
			if (cJSON_IsString(fv)) {
				label = pg != NULL ? schema_option_label(pg->schema, name, fv->valuestring, p->lang) : NULL;
				cJSON_AddStringToObject(o, "v", label != NULL ? label : fv->valuestring);
			} else if (cJSON_IsArray(fv)) {
				cJSON_ArrayForEach(e, fv) {
					if (b.len > 0)
						buf_adds(&b, ", ");
					if (!cJSON_IsString(e))
						continue;
					label = pg != NULL ? schema_option_label(pg->schema, name, e->valuestring, p->lang) : NULL;
					buf_adds(&b, label != NULL ? label : e->valuestring);
				}
				add_text(o, "v", &b);
			} else {
				cJSON_AddStringToObject(o, "v", portal_json_print(r, fv));
			}
			cJSON_AddItemToArray(list, o);
		}
		cJSON_AddItemToObject(it, "field_list", list);
	}
	cJSON_AddBoolToObject(res, "has_questions",
			      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "consultations")) > 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "consultations")) {
		add_time(it, "at", true);
		add_time(it, "answered_at", true);
		cJSON_AddBoolToObject(it, "answered", json_present(it, "answered_at"));
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "history")) {
		const char *o = portal_json_text(r, it, "outcome"), *v = portal_json_text(r, it, "via");

		add_time(it, "at", true);
		add_time(it, "closed_at", true);
		cJSON_AddStringToObject(it, "outcome_text",
					portal_text(p, arena_printf(r->arena, "outcome_%s", o ? o : "open")));
		if (v != NULL)
			cJSON_AddStringToObject(it, "via_text", portal_text(p, arena_printf(r->arena, "via_%s", v)));
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "notes"))
		add_time(it, "at", true);
	add_flash(p, res);
}

/* The open pool: how long each lead has waited, readable times. */
void
portal_view_pool(struct pctx *p, cJSON *res)
{
	struct buf b;
	cJSON *it;

	buf_init(&b, p->r->arena, 128);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "leads")) {
		long long w = portal_json_number(it, "seconds_waiting", 0);

		portal_view_waited_text(p->lang, w, &b);
		add_text(it, "waited_text", &b);
		add_time(it, "waiting_since", false);
		add_page(it);
	}
	cJSON_AddNumberToObject(res, "count", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "leads")));
	cJSON_AddBoolToObject(res, "nav_pool", true);
	add_flash(p, res);
}
