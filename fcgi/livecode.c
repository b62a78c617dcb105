/* GET /c/<code>: one call to landform.channel_visit, then a 302 built here from what it
 * returned, or the friendly page (see livecode.h). */
#include "livecode.h"

#include <string.h>

#include "db.h"
#include "html.h"
#include "http.h"
#include "location.h"
#include "referral.h"
#include "worker.h"

static const struct db_stmt st_visit = {
	"channel_visit", "SELECT status, page, query, fallback FROM landform.channel_visit($1)", 1, DB_RETRY_NEVER
};
static const struct db_stmt st_referral = {
	"referral_visit", "SELECT status, page FROM landform.referral_visit($1)", 1, DB_RETRY_NEVER
};

/* The page's text per language: title, sentence, link label. */
static const char *const friendly_text[LANG_COUNT][3] = {
	[LANG_ZH_CN] = { "这个码暂时用不了", "您扫描的二维码或打开的链接已失效或不存在。", "去看看我们的主页" },
	[LANG_EN] = { "This code leads nowhere now", "The QR code you scanned or the link you opened is no longer active.",
		      "See our main page" },
};

void
livecode_friendly_page(struct buf *out, enum lang l, const char *fallback)
{
	const char *const *t = friendly_text[l];
	struct buf href;

	buf_printf(out,
		   "<!doctype html>\n<html lang=\"%s\"><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		   "<title>%s</title>\n"
		   "<body style=\"font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em;line-height:1.5\">"
		   "<h1 style=\"font-size:1.3em\">%s</h1>\n<p>%s</p>\n",
		   lang_tag(l), t[0], t[0], t[1]);
	if (fallback != NULL && *fallback != '\0') {
		buf_init(&href, out->arena, 96);
		buf_adds(&href, "/p/");
		url_escape(&href, fallback, strlen(fallback));
		buf_adds(out, "<p><a href=\"");
		html_escapes(out, href.data);
		buf_adds(out, "\">");
		buf_adds(out, t[2]);
		buf_adds(out, "</a></p>\n");
	}
	buf_adds(out, "</body></html>\n");
}

/* The short link's one call: its row, or false when answered 503. Never cached: every scan
 * is counted, and a new target applies at once. */
static bool
visit(struct request *r, const struct db_stmt *st, struct db_rows *rows)
{
	const char *params[1] = { r->params[0] };
	struct db_error de;

	http_policy_headers(r, "no-store", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
			    "no-referrer");
	if (!db_call(r->ctx->db, st, params, r->arena, rows, &de) || rows->nrows != 1) {
		http_error(r, 503, "unavailable", "Please try again in a moment.");
		return false;
	}
	return true;
}

/* Answer 302 to loc when built (ok), else the friendly page; note says which in the log. */
static void
answer(struct request *r, bool ok, const struct buf *loc, const char *note, const char *fallback)
{
	enum lang l;

	r->log_note = note;
	if (ok) {
		http_header(r, "Location", loc->data);
		http_begin(r, 302, "text/html; charset=utf-8");
		return;
	}
	l = lang_choose(http_query_get(r, "lang"), http_param(r, "HTTP_ACCEPT_LANGUAGE"));
	http_header(r, "Content-Language", lang_tag(l));
	http_begin(r, 404, "text/html; charset=utf-8");
	livecode_friendly_page(&r->body_out, l, fallback);
}

void
livecode_handle(struct request *r)
{
	struct db_rows rows;
	struct buf loc;
	bool ok;

	if (!visit(r, &st_visit, &rows))
		return;
	buf_init(&loc, r->arena, 128);
	ok = strcmp(db_value(&rows, 0, 0), "ok") == 0 &&
	     location_page(&loc, db_value(&rows, 0, 1), db_value(&rows, 0, 2), r->params[0]);
	answer(r, ok, &loc, ok ? "scan" : db_value(&rows, 0, 0), db_value(&rows, 0, 3));
}

/* A referral link: the same friendly page when it leads nowhere (unknown or forgotten). */
void
livecode_handle_referral(struct request *r)
{
	char signed_ref[REFERRAL_SIGNED_MAX];
	struct db_rows rows;
	const char *page;
	struct buf loc;
	bool ok;

	if (!visit(r, &st_referral, &rows))
		return;
	page = db_value(&rows, 0, 1);
	buf_init(&loc, r->arena, 160);
	ok = strcmp(db_value(&rows, 0, 0), "ok") == 0 && referral_sign(r->ctx->key, page, r->params[0], signed_ref) &&
	     location_page(&loc, page, arena_printf(r->arena, "ref=%s", signed_ref), NULL);
	if (!ok && strcmp(db_value(&rows, 0, 0), "rate_limited") == 0) {
		r->log_note = "rate_limited";
		http_header(r, "Retry-After", "60");
		http_error(r, 429, "rate_limited", "This link was opened too often just now: please try again in a minute.");
		return;
	}
	answer(r, ok, &loc, ok ? "referral" : db_value(&rows, 0, 0), NULL);
}

/* A mistyped or cut short link under /c/ or /r/: the friendly page (with the fallback link),
 * never a bare 404. */
void
livecode_handle_nowhere(struct request *r)
{
	struct db_rows rows;

	r->params[0] = NULL; /* no code: channel_visit answers unknown, with the fallback page */
	if (visit(r, &st_visit, &rows))
		answer(r, false, NULL, "unknown", db_value(&rows, 0, 3));
}

bool
livecode_code_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if (n == 32 || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
				 (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return false;
	return n > 0;
}
