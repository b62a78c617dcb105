/* Landing pages: everything between a visitor's browser and landform.submit(). Nothing the
 * visitor typed is dropped: every refusal re-renders the form with their values in it. */
#include "page.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "charset.h"
#include "clock.h"
#include "config.h"
#include "counter.h"
#include "db.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "lang.h"
#include "livecode.h"
#include "log.h"
#include "qr.h"
#include "referral.h"
#include "schema.h"
#include "site.h"
#include "stamp.h"
#include "submit.h"
#include "template.h"
#include "traffic.h"
#include "visitor.h"
#include "worker.h"

/* What a request knows about the page it is on. */
struct visit {
	const struct page *page;
	enum lang lang;
	const char *channel; /* a valid ?ch= code, or NULL */
	const char *qs;      /* "?lang=..&ch=..", carried to the form action and thanks page */
	struct visitor visitor; /* from the lf_vid cookie */
	bool known;             /* the cookie was ours */
	const char *ref;        /* a signed referral whose signature held, carried in the form */
	const char *ref_token;  /* the referrer's share token inside it */
};

/* How long the thank-you page's address can show the visitor's share link: long enough for a
 * slow network and a replay from the spool, short enough that an old address shows none. */
#define THANKS_SHARE_TTL 3600

/* Messages landform itself writes, in each page language. */
enum msg {
	MSG_EXPIRED,
	MSG_UNAVAILABLE,
	MSG_BAD_BODY,
	MSG_TOO_LARGE,
	MSG_BAD_TYPE,
	MSG_FAILED,
	MSG_TOO_FAST,
	MSG_STAMP,
	MSG_SEND_AGAIN,
	MSG_UNKNOWN_CHARSET,
	MSG_BAD_CHARSET
};

static const char *const messages[][LANG_COUNT] = {
	[MSG_EXPIRED] = { "页面停留时间过长，请确认内容后再提交一次。",
			  "This page was open for a long time; please check your details and send them again." },
	[MSG_UNAVAILABLE] = { "系统繁忙，暂时无法提交。您填写的内容已保留，请稍后再试。",
			      "We cannot take your details right now. Everything you typed is still here; please try again in a moment." },
	[MSG_BAD_BODY] = { "提交的内容包含无法识别的字符或格式，请检查后重试。",
			   "Your submission contains characters or formatting we cannot read; please check it and try again." },
	[MSG_TOO_LARGE] = { "提交的内容过长，请精简后重试。",
			    "Your submission is too long; please shorten it and try again." },
	[MSG_BAD_TYPE] = { "不支持的提交方式。", "This kind of submission is not supported." },
	[MSG_FAILED] = { "提交失败，请稍后再试。您填写的内容已保留。",
			 "Sending failed; please try again later. Everything you typed is still here." },
	[MSG_TOO_FAST] = { "提交得太快了，请确认内容后再点一次提交。您填写的内容已保留。",
			   "That was quicker than we expected; please check your details and press send again. Everything you typed is still here." },
	[MSG_STAMP] = { "表单已更新，请再提交一次。您填写的内容已保留。",
			"This form has been renewed; please send it again. Everything you typed is still here." },
	[MSG_SEND_AGAIN] = { "请确认内容后再提交一次。您填写的内容已保留。",
			     "Please check your details and send them again. Everything you typed is still here." },
	/* %s: the charset label the client declared (charset_param keeps it to [a-z0-9._:-]). */
	[MSG_UNKNOWN_CHARSET] = { "无法识别提交所用的字符编码（%s），未能读取的内容已清空，请检查后重新提交。",
				  "Your form was sent in a character encoding we do not know (%s); what we could not read is now empty. Please check it and send again." },
	[MSG_BAD_CHARSET] = { "部分内容不是有效的 %s 编码，这些内容已清空，请检查后重新提交。",
			      "Some of what you sent is not valid %s text and is now empty; please check it and send again." },
};

/* Stamps, referrals and counters count in unix seconds. */
static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* "?lang=..&ch=..": carried to the form action and the thanks page. */
static const char *
visit_qs(struct arena *a, const struct visit *v)
{
	return arena_printf(a, "?lang=%s%s%s", lang_tag(v->lang), v->channel ? "&ch=" : "",
			    v->channel ? v->channel : "");
}

/* A signed referral that came with the visit (?ref= from GET /r/<token>, or the form's _ref):
 * kept when its signature holds for this page; a forged or altered one is dropped (the visit
 * goes on without it) and logged without its value. */
static void
visit_referral(struct request *r, struct visit *v, const char *signed_ref)
{
	char *token;

	if (signed_ref == NULL || *signed_ref == '\0')
		return;
	token = arena_alloc(r->arena, REFERRAL_TOKEN_LEN + 1);
	if (!referral_check(r->ctx->key, v->page->slug, signed_ref, token)) {
		log_info("req=%s page=%s referral refused: forged or altered", r->id, v->page->slug);
		return;
	}
	v->ref = signed_ref;
	v->ref_token = token;
}

/* Find the page and the visitor's language and channel; false (and a 404) when no such page. */
static bool
visit_init(struct request *r, struct visit *v)
{
	const char *ch = http_query_get(r, "ch");

	memset(v, 0, sizeof(*v));
	v->page = site_find(r->ctx->site, r->params[0]);
	if (v->page == NULL) {
		http_error(r, 404, "no_such_page", "There is no landing page at this address.");
		return false;
	}
	v->lang = lang_choose(http_query_get(r, "lang"), http_param(r, "HTTP_ACCEPT_LANGUAGE"));
	/* Anything but a channel code counts as no channel. */
	v->channel = livecode_code_ok(ch) ? ch : NULL;
	v->qs = visit_qs(r->arena, v);
	v->known = visitor_parse(http_cookie_get(r, "lf_vid"), &v->visitor);
	return true;
}

/* Pages are only ever framed by nobody and run only our own script. */
static void
page_headers(struct request *r)
{
	/* no-cache: the WeChat in-app browser otherwise shows stale pages. */
	http_policy_headers(r, "no-cache",
			    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
			    "strict-origin-when-cross-origin");
}

/* A fresh signed, timed form stamp: a post is checked against it without any table. */
static const char *
new_stamp(struct request *r, const char *slug)
{
	unsigned char rnd[STAMP_RANDOM_BYTES];
	char *s = arena_alloc(r->arena, STAMP_MAX);

	randombytes_buf(rnd, sizeof(rnd));
	stamp_make(r->ctx->key, slug, clock_wall_ms(), rnd, s);
	return s;
}

/* The language switch keeps the channel, so a visitor who switches is still counted for it. */
static const char *
lang_url(struct arena *a, const struct visit *v, enum lang l)
{
	return arena_printf(a, "/p/%s?lang=%s%s%s", v->page->slug, lang_tag(l),
			    v->channel ? "&ch=" : "", v->channel ? v->channel : "");
}

/* The thank-you page's share link (public_url + /r/ + token) and its QR code as inline SVG. */
struct share {
	const char *url;
	const char *qr_svg;
};

/* The page: the form (fresh, or with what was typed and why it was refused) or the thanks
 * (with the visitor's share link when share is not NULL). */
static void
render_body(struct arena *a, const struct visit *v, bool thanks, const struct form *typed,
	    const struct schema_error *err, const char *stamp, const struct share *share,
	    struct buf *out)
{
	const struct schema *s = v->page->schema;
	cJSON *ctx = cJSON_CreateObject();
	struct buf form;
	const char *t;

	buf_init(&form, a, 8192);
	if (!thanks)
		schema_render_form(s, v->lang, arena_printf(a, "/p/%s%s", v->page->slug, v->qs),
				   typed, err, stamp, v->ref, &form);
	cJSON_AddStringToObject(ctx, "lang", lang_tag(v->lang));
	cJSON_AddBoolToObject(ctx, "zh", v->lang == LANG_ZH_CN);
	cJSON_AddBoolToObject(ctx, "en", v->lang == LANG_EN);
	cJSON_AddStringToObject(ctx, "slug", v->page->slug);
	cJSON_AddStringToObject(ctx, "title", schema_title(s, v->lang));
	cJSON_AddStringToObject(ctx, "assets", arena_printf(a, "/assets/%s", v->page->slug));
	/* landform.js and the shared theme: one copy for every page. */
	cJSON_AddStringToObject(ctx, "common", "/assets/_common");
	cJSON_AddStringToObject(ctx, "form", form.data);
	cJSON_AddBoolToObject(ctx, "is_thanks", thanks);
	t = schema_thanks(s, v->lang);
	cJSON_AddStringToObject(ctx, "thanks", t ? t : "");
	cJSON_AddStringToObject(ctx, "channel", v->channel ? v->channel : "");
	cJSON_AddStringToObject(ctx, "lang_zh_url", lang_url(a, v, LANG_ZH_CN));
	cJSON_AddStringToObject(ctx, "lang_en_url", lang_url(a, v, LANG_EN));
	if (share != NULL) {
		cJSON_AddBoolToObject(ctx, "has_share", true);
		cJSON_AddStringToObject(ctx, "share_url", share->url);
		cJSON_AddStringToObject(ctx, "share_qr", share->qr_svg);
	}
	template_render(v->page->tpl, ctx, out);
	cJSON_Delete(ctx);
}

/* Every page answer: the cached fresh form when nothing is typed, refused or referred. */
static void
render_share(struct request *r, const struct visit *v, int status, bool thanks,
	     const struct form *typed, const struct schema_error *err, const char *stamp,
	     const struct share *share)
{
	const struct stencil *fresh = &v->page->fresh[v->lang][v->channel != NULL];

	page_headers(r);
	http_header(r, "Content-Language", lang_tag(v->lang));
	http_begin(r, status, "text/html; charset=utf-8");
	if (!thanks && typed == NULL && err == NULL && stamp != NULL && v->ref == NULL &&
	    v->page->fresh_ok[v->lang][v->channel != NULL]) {
		const char *values[2] = { stamp, v->channel != NULL ? v->channel : "" };

		stencil_fill(fresh, values, &r->body_out);
		return;
	}
	render_body(r->arena, v, thanks, typed, err, stamp, share, &r->body_out);
}

/* Most answers have no share link to show. */
static void
render(struct request *r, const struct visit *v, int status, bool thanks, const struct form *typed,
       const struct schema_error *err, const char *stamp)
{
	render_share(r, v, status, thanks, typed, err, stamp, NULL);
}

/* Tokens standing for the stamp and the channel while a fresh page is rendered once: channel
 * and stamp characters ([A-Za-z0-9_.-]) pass HTML escaping unchanged, and so do these. */
static void
fresh_tokens(char stamp[40], char channel[32])
{
	unsigned char raw[12];

	randombytes_buf(raw, sizeof(raw));
	memcpy(stamp, "lfStamp", 7);
	sodium_bin2hex(stamp + 7, 40 - 7, raw, sizeof(raw));
	randombytes_buf(raw, sizeof(raw));
	memcpy(channel, "lfCh", 4);
	sodium_bin2hex(channel + 4, 32 - 4, raw, 12);
}

/* Render every page's fresh form once per language, with and without a channel, and keep it
 * as a stencil, checked against a real rendering; a page that does not match is rendered
 * per request as before. */
void
page_prepare_site(struct site *site)
{
	char stamp_tok[40], channel_tok[32];
	const char *tokens[2] = { stamp_tok, channel_tok };
	struct arena a;

	if (site == NULL)
		return;
	fresh_tokens(stamp_tok, channel_tok);
	arena_init(&a, 65536);
	for (size_t i = 0; i < site->count; i++) {
		struct page *p = &site->pages[i];

		for (int l = 0; l < LANG_COUNT; l++)
			for (int c = 0; c < 2; c++) {
				struct visit v = { .page = p, .lang = (enum lang)l };
				const char *sample[2] = { "v1.0.sample", c ? "sample_ch" : NULL };
				struct buf tpl, want, got;

				buf_init(&tpl, &a, 16384);
				buf_init(&want, &a, 16384);
				buf_init(&got, &a, 16384);
				v.channel = c ? channel_tok : NULL;
				v.qs = visit_qs(&a, &v);
				render_body(&a, &v, false, NULL, NULL, stamp_tok, NULL, &tpl);
				v.channel = sample[1];
				v.qs = visit_qs(&a, &v);
				render_body(&a, &v, false, NULL, NULL, sample[0], NULL, &want);
				p->fresh_ok[l][c] = stencil_make(&p->fresh[l][c], tpl.data, tpl.len, tokens, 2);
				if (p->fresh_ok[l][c]) {
					stencil_fill(&p->fresh[l][c], sample, &got);
					p->fresh_ok[l][c] = got.len == want.len && memcmp(got.data, want.data, got.len) == 0;
				}
				if (!p->fresh_ok[l][c])
					log_warn("page %s: fresh form not cached (%s, %s channel); rendered per request",
						 p->slug, lang_tag((enum lang)l), c ? "with" : "without");
				arena_reset(&a);
			}
	}
	arena_free(&a);
}

void
page_handle_get(struct request *r)
{
	struct visit v;

	if (!visit_init(r, &v))
		return;
	visit_referral(r, &v, http_query_get(r, "ref"));
	traffic_count_view(r, v.page->slug, v.channel, &v.visitor, v.known);
	render(r, &v, 200, false, NULL, NULL, new_stamp(r, v.page->slug));
}

static const struct db_stmt share_stmt = {
	"referral_share", "SELECT landform.referral_share($1, $2)", 2,
	DB_RETRY_SAFE /* gets the lead's token, or makes it once: asking again gives the same */
};

/* The visitor's share link, from the signed ?t= the 303 after their submission carried: SQL
 * gives the token of the lead their submission made (created now on first ask). False when
 * there is none to show: no or a bad ?t=, a submission still in the spool (the same address
 * shows the link once it is replayed, while ?t= lasts), or the database unreachable. */
static bool
thanks_share(struct request *r, const struct visit *v, struct share *out)
{
	const char *t = http_query_get(r, "t"), *stamp, *token, *base;
	const char *params[2];
	struct db_rows rows;
	struct db_error de;
	struct qr q;
	struct buf svg;
	size_t n;

	if (t == NULL)
		return false;
	if (!referral_thanks_check(r->ctx->key, v->page->slug, t, now_s(), &stamp)) {
		log_info("req=%s page=%s thank-you share value refused (forged, altered or expired)", r->id,
			 v->page->slug);
		return false;
	}
	params[0] = stamp;
	params[1] = v->page->slug;
	if (!db_call(r->ctx->db, &share_stmt, params, r->arena, &rows, &de)) {
		log_warn("req=%s page=%s share link not shown: %s", r->id, v->page->slug, de.message);
		return false;
	}
	token = rows.nrows == 1 ? db_value(&rows, 0, 0) : NULL;
	if (token == NULL)
		return false;
	base = r->ctx->config->public_url ? r->ctx->config->public_url : "";
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	out->url = arena_printf(r->arena, "%.*s/r/%s", (int)n, base, token);
	if (!qr_encode(r->arena, out->url, &q))
		return false;
	buf_init(&svg, r->arena, 8192);
	qr_svg(&svg, &q);
	/* Inline in HTML: the document's XML declaration stays out. */
	out->qr_svg = strstr(svg.data, "<svg");
	return out->qr_svg != NULL;
}

void
page_handle_thanks(struct request *r)
{
	struct visit v;
	struct share sh;

	if (!visit_init(r, &v))
		return;
	render_share(r, &v, 200, true, NULL, NULL, NULL, thanks_share(r, &v, &sh) ? &sh : NULL);
}

void
page_handle_open(struct request *r)
{
	struct visit v;

	if (!visit_init(r, &v))
		return;
	counters_add(&r->ctx->counters, COUNTER_OPEN, v.page->slug, v.channel, false, now_s());
	http_header(r, "Cache-Control", "no-store");
	http_begin(r, 204, "text/plain");
}

void
page_handle_api_stamp(struct request *r)
{
	struct visit v;

	if (!visit_init(r, &v))
		return;
	http_header(r, "Cache-Control", "no-store");
	http_begin(r, 200, "application/json");
	buf_printf(&r->body_out, "{\"stamp\":\"%s\",\"min_age\":%ld,\"max_age\":%ld}\n",
		   new_stamp(r, v.page->slug), r->ctx->config->stamp_min_age,
		   r->ctx->config->stamp_max_age);
}

/* The answer a browser or an API client gets once a submission is committed (as a lead, or in
 * the quarantine); nothing else may thank a visitor. */
static void
answer_success_as(struct request *r, const struct visit *v, bool json, const char *stored,
		  const char *stamp);

/* A quarantined post is committed, but its thanks address carries no share link to sign. */
static void
answer_success(struct request *r, const struct visit *v, bool json)
{
	answer_success_as(r, v, json, NULL, NULL);
}

/* The thank-you page's address with the submission's stamp (its idempotency key) signed in, so
 * that page can show the visitor's own share link; NULL when there is no stamp to sign. */
static const char *
thanks_address(struct request *r, const struct visit *v, const char *stamp)
{
	char t[REFERRAL_THANKS_MAX];

	if (stamp == NULL || !referral_thanks_sign(r->ctx->key, v->page->slug, stamp, now_s() + THANKS_SHARE_TTL, t))
		return NULL;
	return arena_printf(r->arena, "/p/%s/thanks%s&t=%s", v->page->slug, v->qs, t);
}

/* stored: "spooled" when the submission waits in this host's spool (JSON clients are told).
 * stamp: the submission's idempotency key, for the thank-you address (NULL: a plain one, as for
 * a quarantined post). */
static void
answer_success_as(struct request *r, const struct visit *v, bool json, const char *stored,
		  const char *stamp)
{
	const char *redirect = schema_redirect(v->page->schema);
	const char *thanks = schema_thanks(v->page->schema, v->lang);
	const char *share = redirect == NULL ? thanks_address(r, v, stamp) : NULL;

	if (json) {
		cJSON *o = cJSON_CreateObject();
		char *text;

		cJSON_AddBoolToObject(o, "ok", true);
		if (stored != NULL)
			cJSON_AddStringToObject(o, "stored", stored);
		cJSON_AddStringToObject(o, "thanks", thanks ? thanks : "");
		if (redirect)
			cJSON_AddStringToObject(o, "redirect", redirect);
		else
			cJSON_AddNullToObject(o, "redirect");
		/* The thank-you page with the visitor's share link, for a client that shows it. */
		if (share != NULL)
			cJSON_AddStringToObject(o, "thanks_url", share);
		/* NULL only when out of memory, which the cJSON hooks (main.c) abort on. */
		if ((text = cJSON_PrintUnformatted(o)) == NULL)
			abort();
		http_header(r, "Cache-Control", "no-store");
		http_begin(r, 201, "application/json");
		buf_adds(&r->body_out, text);
		buf_addc(&r->body_out, '\n');
		free(text);
		cJSON_Delete(o);
		return;
	}
	if (redirect == NULL)
		redirect = share ? share : arena_printf(r->arena, "/p/%s/thanks%s", v->page->slug, v->qs);
	http_header(r, "Location", redirect);
	http_header(r, "Cache-Control", "no-store");
	http_begin(r, 303, "text/html; charset=utf-8");
}

/* A refusal: JSON clients get {"error":{field,code,message}}, browsers the page again with
 * everything they typed and the reason beside the field. */
static void
answer_refusal(struct request *r, const struct visit *v, bool json, int status,
	       const struct form *typed, const struct schema_error *err, const char *stamp)
{
	r->log_note = err->code;
	if (json) {
		cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
		char *text;

		if (err->field)
			cJSON_AddStringToObject(e, "field", err->field);
		else
			cJSON_AddNullToObject(e, "field");
		cJSON_AddStringToObject(e, "code", err->code);
		cJSON_AddStringToObject(e, "message", err->message);
		if (stamp != NULL)
			cJSON_AddStringToObject(o, "stamp", stamp);
		/* NULL only when out of memory, which the cJSON hooks (main.c) abort on. */
		if ((text = cJSON_PrintUnformatted(o)) == NULL)
			abort();
		http_header(r, "Cache-Control", "no-store");
		http_begin(r, status, "application/json");
		buf_adds(&r->body_out, text);
		buf_addc(&r->body_out, '\n');
		free(text);
		cJSON_Delete(o);
		return;
	}
	render(r, v, status, false, typed, err, stamp);
}

/* A visitor needs to know only whether to shorten what they sent or to check it. */
static enum msg
form_error_msg(enum form_error e)
{
	switch (e) {
	case FORM_ERR_TOO_MANY_FIELDS:
	case FORM_ERR_NAME_TOO_LONG:
	case FORM_ERR_VALUE_TOO_LONG:
		return MSG_TOO_LARGE;
	default:
		return MSG_BAD_BODY;
	}
}

/* A submission between its checks and its answer (request.submission, declared in http.h):
 * the worker stores the ones that reached it together in one transaction
 * (page_store_submissions), then each gets its answer. */
struct page_submission {
	struct submit_item item;
	struct visit v;
	struct form f;
	bool json;
};

/* landform.submit's arguments (and quarantine's first ones, in the same order). */
static void
submit_params(struct request *r, const struct visit *v, const struct schema_values *val,
	      const char *stamp, const char **p)
{
	p[SUBMIT_PAGE] = v->page->slug;
	p[SUBMIT_CHANNEL] = v->channel;
	p[SUBMIT_PHONE] = val->phone;
	p[SUBMIT_NAME] = val->name;
	p[SUBMIT_QUESTION] = val->question;
	p[SUBMIT_FIELDS] = val->fields_json;
	p[SUBMIT_CONSENT] = val->consent;
	p[SUBMIT_IDEM_KEY] = stamp; /* the form's stamp is its idempotency key */
	p[SUBMIT_CLIENT_ADDR] = http_param(r, "REMOTE_ADDR");
	p[SUBMIT_USER_AGENT] = http_clean_header(r, http_param(r, "HTTP_USER_AGENT"), 512);
	p[SUBMIT_LANG] = lang_tag(v->lang);
	p[SUBMIT_RECEIVED_AT] = NULL;
	p[SUBMIT_REFERRAL] = v->ref_token;
}

/* Leave the one SQL call of a submission to the worker. */
static void
defer_store(struct request *r, const struct visit *v, const struct form *f,
	    const struct schema_values *val, const char *stamp, bool json)
{
	struct page_submission *d = arena_alloc(r->arena, sizeof(*d));

	d->v = *v;
	d->f = *f;
	d->json = json;
	submit_params(r, v, val, stamp, d->item.params);
	r->submission = d;
}

/* The answer to a submission once the database has had it. */
static void
answer_stored(struct request *r)
{
	struct page_submission *d = r->submission;
	const struct submit_item *it = &d->item;
	struct schema_error se = { 0 };

	if (it->spooled) {
		r->log_note = "spooled";
		answer_success_as(r, &d->v, d->json, "spooled", it->params[SUBMIT_IDEM_KEY]);
		return;
	}
	if (!it->stored) {
		bool down = db_error_busy(&it->err);

		log_error("req=%s submission not stored: %s (SQLSTATE %s)", r->id, it->err.message,
			  it->err.sqlstate);
		se.code = down ? "unavailable" : "failed";
		se.message = messages[down ? MSG_UNAVAILABLE : MSG_FAILED][d->v.lang];
		answer_refusal(r, &d->v, d->json, down ? 503 : 500, &d->f, &se,
			       it->params[SUBMIT_IDEM_KEY]);
		if (down)
			http_header(r, "Retry-After", "5");
		return;
	}
	log_debug("req=%s submission %s lead %s new=%d replayed=%d phone=%s", r->id,
		  it->submission_id, it->lead_id, it->new_lead, it->replayed,
		  it->params[SUBMIT_PHONE]);
	r->log_note = it->replayed ? "stored (replay)" : "stored";
	answer_success_as(r, &d->v, d->json, NULL, it->params[SUBMIT_IDEM_KEY]);
}

/* One submit_store for the whole round, so the commit is paid once; a page the database does
 * not know yet is registered and its submissions tried once more. */
void
page_store_submissions(struct worker_ctx *ctx, struct request *const *rs, size_t n)
{
	struct arena *a;
	struct submit_item **items, **unknown;
	size_t nunknown = 0;

	if (n == 0)
		return;
	a = rs[0]->arena;
	items = arena_alloc(a, sizeof(*items) * n);
	unknown = arena_alloc(a, sizeof(*unknown) * n);
	for (size_t i = 0; i < n; i++)
		items[i] = &rs[i]->submission->item;
	submit_store(ctx->db, a, items, n);
	/* A page the database has not seen yet (a new page folder, or a fresh database):
	 * register the pages and try those submissions once more. */
	for (size_t i = 0; i < n; i++)
		if (!items[i]->stored && strcmp(items[i]->err.sqlstate, "P0002") == 0)
			unknown[nunknown++] = items[i];
	if (nunknown > 0) {
		traffic_register_pages(ctx);
		submit_store(ctx->db, a, unknown, nunknown);
	}
	submit_spool(ctx->spool, a, items, n);
	for (size_t i = 0; i < n; i++)
		answer_stored(rs[i]);
}

/* Parse the body by its media type; false with err filled (and *status) when it cannot be read. */
static bool
parse_body(struct request *r, bool json_api, bool raw, struct form *f, struct form_error_info *fe,
	   int *status)
{
	const struct config *c = r->ctx->config;
	const struct form_limits lim = {
		.max_fields = (size_t)c->max_fields,
		.max_name_len = 64,
		.max_value_len = (size_t)c->max_field_len,
		.max_depth = (size_t)c->max_json_depth,
		.raw = raw,
	};
	const char *ct = http_param(r, "CONTENT_TYPE");
	const char *body = r->body ? r->body : "";

	*status = 400;
	if (ct == NULL)
		ct = "";
	if (json_api) {
		if (strncasecmp(ct, "application/json", 16) != 0) {
			*status = 415;
			fe->code = FORM_ERR_BAD_JSON;
			fe->field = NULL;
			return false;
		}
		return form_parse_json(r->arena, body, r->body_len, &lim, f, fe);
	}
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		return form_parse_urlencoded(r->arena, body, r->body_len, &lim, f, fe);
	if (strncasecmp(ct, "multipart/form-data", 19) == 0)
		return form_parse_multipart(r->arena, ct, body, r->body_len, &lim, f, fe);
	*status = 415;
	fe->code = FORM_ERR_BAD_MULTIPART;
	fe->field = NULL;
	return false;
}

/* A body in a charset we do not know, or with bytes not valid in the one declared: the form
 * again with what could be read (charset_form_to_utf8 empties the rest), saying which. */
static void
refuse_charset(struct request *r, const struct visit *v, bool json, const char *label,
	       const struct form *typed, const char *field)
{
	bool unknown = !charset_known(label);
	const char *stamp = typed != NULL ? form_get(typed, SCHEMA_STAMP_FIELD) : NULL;
	const char *t, *at;
	struct schema_error se = { 0 };

	se.field = field;
	se.code = unknown ? "unknown_charset" : "bad_charset";
	t = messages[unknown ? MSG_UNKNOWN_CHARSET : MSG_BAD_CHARSET][v->lang];
	at = strstr(t, "%s");
	se.message = arena_printf(r->arena, "%.*s%s%s", (int)(at - t), t, label, at + 2);
	answer_refusal(r, v, json, unknown ? 415 : 400, typed, &se,
		       stamp != NULL && *stamp != '\0' ? stamp : new_stamp(r, v->page->slug));
}

/* Bring a body declared in another charset to UTF-8: JSON whole before parsing (its syntax is in
 * that charset), urlencoded and multipart per value after (raw parse, then convert); false once
 * refused. */
static bool
body_to_utf8(struct request *r, const struct visit *v, bool json, const char *label,
	     struct form *f)
{
	struct charset_loss loss;
	char *u;
	size_t ulen;

	if (json) {
		if (charset_to_utf8(r->arena, label, r->body ? r->body : "", r->body_len, &u, &ulen) !=
		    CHARSET_OK) {
			refuse_charset(r, v, json, label, NULL, NULL);
			return false;
		}
		r->body = u;
		r->body_len = ulen;
		return true;
	}
	/* An unknown label is refused even when every byte is ASCII: UTF-7 shows why. */
	if (!charset_form_to_utf8(r->arena, label, f, &loss) || !charset_known(label)) {
		log_info("req=%s body in charset %s: %zu field(s) unreadable", r->id, label, loss.fields);
		refuse_charset(r, v, json, label, f, loss.first);
		return false;
	}
	return true;
}

static const struct db_stmt quarantine_stmt = {
	"quarantine",
	"SELECT landform.quarantine($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::inet, $10, $11, 'honeypot')",
	SUBMIT_LANG + 1, DB_RETRY_SAFE /* submit's first arguments: no time received, never a referral */
};

/* A valid post that filled the honeypot (a bot, or a browser's autofill): kept in the quarantine
 * for an admin (sql/code/22_quarantine.sql), answered like a person once committed there. Over
 * the per-address cap nothing is kept, so nothing is thanked: the form again, with the values
 * (the honeypot is never refilled, so a person's second try is a normal post). */
static void
quarantine(struct request *r, const struct visit *v, bool json, const struct form *f,
	   const struct schema_values *val, const char *stamp)
{
	const char *p[SUBMIT_NPARAMS] = { 0 };
	struct db_rows rows;
	struct db_error de;
	struct schema_error se = { 0 };
	const char *res;
	bool ok, down;

	submit_params(r, v, val, stamp, p);
	ok = db_call(r->ctx->db, &quarantine_stmt, p, r->arena, &rows, &de);
	if (!ok && strcmp(de.sqlstate, "P0002") == 0) {
		traffic_register_pages(r->ctx);
		ok = db_call(r->ctx->db, &quarantine_stmt, p, r->arena, &rows, &de);
	}
	res = ok && rows.nrows == 1 ? db_value(&rows, 0, 0) : NULL;
	if (res != NULL && strcmp(res, "over_cap") == 0) {
		log_warn("req=%s page=%s honeypot post over the quarantine cap: not kept", r->id,
			 v->page->slug);
		se.code = "suspect_over_cap";
		se.message = messages[MSG_SEND_AGAIN][v->lang];
		answer_refusal(r, v, json, 422, f, &se, new_stamp(r, v->page->slug));
		return;
	}
	if (res == NULL) {
		down = !ok && db_error_busy(&de);
		log_error("req=%s honeypot post not quarantined: %s (SQLSTATE %s)", r->id,
			  ok ? "no answer" : de.message, ok ? "" : de.sqlstate);
		se.code = down ? "unavailable" : "failed";
		se.message = messages[down ? MSG_UNAVAILABLE : MSG_FAILED][v->lang];
		answer_refusal(r, v, json, down ? 503 : 500, f, &se, stamp);
		if (down)
			http_header(r, "Retry-After", "5");
		return;
	}
	counters_add(&r->ctx->counters, COUNTER_SPAM, v->page->slug, v->channel, false, now_s());
	answer_success(r, v, json);
	r->log_note = strcmp(res, "replayed") == 0 ? "quarantined honeypot (replay)" : "quarantined honeypot";
}

/* A post whose stamp is not usable, expiry apart: nothing is stored and nothing thanked. A
 * browser gets the form again with every value and a fresh stamp; an API client a 422 naming
 * the stamp and where to get one. Counted apart from spam (landform.refusals); logged at warn
 * but for a quick tap (too fast), which people do. */
static void
refuse_stamp(struct request *r, const struct visit *v, bool json, const struct form *f,
	     enum stamp_result sr)
{
	static const enum counter_event count[] = {
		[STAMP_MISSING] = COUNTER_STAMP_MISSING,
		[STAMP_MALFORMED] = COUNTER_STAMP_MALFORMED,
		[STAMP_FORGED] = COUNTER_STAMP_FORGED,
		[STAMP_TOO_FAST] = COUNTER_STAMP_TOO_FAST,
	};
	/* No field: landform.js then shows the message at the top of the form and focuses it (the
	 * stamp's input is hidden); the code and the message name the stamp. */
	struct schema_error se = { .code = stamp_result_code(sr) };

	counters_add(&r->ctx->counters, count[sr], v->page->slug, v->channel, false, now_s());
	if (sr == STAMP_TOO_FAST)
		log_info("req=%s page=%s stamp refused: %s", r->id, v->page->slug, se.code);
	else
		log_warn("req=%s page=%s stamp refused: %s", r->id, v->page->slug, se.code);
	if (sr == STAMP_TOO_FAST)
		se.message = messages[MSG_TOO_FAST][v->lang];
	else if (json && v->lang == LANG_EN)
		se.message = arena_printf(r->arena, "This submission needs a valid form stamp (_stamp): "
				"GET /api/v1/pages/%s/stamp, wait its min_age seconds, and send its stamp as _stamp.",
				v->page->slug);
	else if (json)
		se.message = arena_printf(r->arena, "缺少有效的表单凭证（_stamp）：请先 GET /api/v1/pages/%s/stamp，"
				"等待 min_age 秒后将其中的 stamp 作为 _stamp 一并提交。", v->page->slug);
	else
		se.message = messages[MSG_STAMP][v->lang];
	answer_refusal(r, v, json, 422, f, &se, new_stamp(r, v->page->slug));
}

/* Seconds nginx asks a visitor refused for rate to wait (its LANDFORM_RATE_LIMITED parameter),
 * or 0 when the request was not refused for rate. */
static int
rate_limited(const struct request *r)
{
	const char *s = http_param(r, "LANDFORM_RATE_LIMITED");
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	n = strtol(s, NULL, 10);
	return n >= 1 && n <= 3600 ? (int)n : 5;
}

/* nginx refused this post for its address's rate and passed it here (error_page 429 in
 * docker/nginx.conf.template): nothing is stored; the form again with every value, 429, and how
 * long to wait, in the visitor's language. */
static void
refuse_rate(struct request *r, const struct visit *v, bool json, const struct form *f,
	    const char *stamp, int wait)
{
	struct schema_error se = { .code = "rate_limited" };

	if (v->lang == LANG_EN)
		se.message = arena_printf(r->arena, "Too many submissions from your network right now; please "
				"wait %d seconds and send again. Everything you typed is still here.", wait);
	else
		se.message = arena_printf(r->arena, "您所在网络的提交过于频繁，请等待 %d 秒后再提交。"
				"您填写的内容已保留。", wait);
	answer_refusal(r, v, json, 429, f, &se,
		       stamp != NULL && *stamp != '\0' ? stamp : new_stamp(r, v->page->slug));
	http_header(r, "Retry-After", arena_printf(r->arena, "%d", wait));
}

/* POST from a browser or an API client: parse, check the stamp, validate; a filled honeypot goes
 * to the quarantine; what passes is stored by page_store_submissions with the others of the
 * worker's round, then answered. No path thanks a visitor for what is not committed. */
static void
take_submission(struct request *r, bool json)
{
	const struct config *c = r->ctx->config;
	struct visit v;
	struct form f = { 0 };
	struct form_error_info fe = { 0 };
	struct schema_values val;
	struct schema_error se = { 0 };
	enum stamp_result sr;
	const char *stamp, *hp;
	const char *cs = charset_param(r->arena, http_param(r, "CONTENT_TYPE"));
	bool convert = cs != NULL && !charset_is_utf8(cs);
	int status, wait;

	if (!visit_init(r, &v))
		return;
	if (convert && json && !body_to_utf8(r, &v, true, cs, &f))
		return;
	if (!parse_body(r, json, convert && !json, &f, &fe, &status)) {
		se.field = fe.field;
		se.code = status == 415 ? "unsupported_media_type" : form_error_code(fe.code);
		se.message = messages[status == 415 ? MSG_BAD_TYPE : form_error_msg(fe.code)][v.lang];
		answer_refusal(r, &v, json, status, NULL, &se, new_stamp(r, v.page->slug));
		return;
	}
	if (convert && !json && !body_to_utf8(r, &v, false, cs, &f))
		return;
	visit_referral(r, &v, form_get(&f, SCHEMA_REF_FIELD));
	stamp = form_get(&f, SCHEMA_STAMP_FIELD);
	hp = form_get(&f, SCHEMA_HONEYPOT_FIELD);
	wait = rate_limited(r);
	if (wait > 0) {
		refuse_rate(r, &v, json, &f, stamp, wait);
		return;
	}
	sr = stamp_check(r->ctx->key, v.page->slug, stamp, clock_wall_ms(), c->stamp_min_age * 1000,
			 c->stamp_max_age * 1000);
	if (sr != STAMP_OK && sr != STAMP_EXPIRED) {
		refuse_stamp(r, &v, json, &f, sr);
		return;
	}
	if (sr == STAMP_EXPIRED) {
		se.code = "stamp_expired";
		se.message = messages[MSG_EXPIRED][v.lang];
		answer_refusal(r, &v, json, 422, &f, &se, new_stamp(r, v.page->slug));
		return;
	}
	if (!schema_validate(v.page->schema, &f, v.lang, r->arena, &val, &se)) {
		answer_refusal(r, &v, json, 422, &f, &se, stamp);
		return;
	}
	if (hp != NULL && *hp != '\0') {
		quarantine(r, &v, json, &f, &val, stamp);
		return;
	}
	defer_store(r, &v, &f, &val, stamp, json);
}

void
page_handle_post(struct request *r)
{
	take_submission(r, false);
}

void
page_handle_api_submit(struct request *r)
{
	take_submission(r, true);
}
