/* Live-code admin pages (see channels.h): one SQL call each, then the page, JSON or an image.
 * The link a QR code holds is built here from public_url and the code SQL vouched for. */
#include "channels.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "isotime.h"
#include "portal.h"
#include "qr.h"
#include "reports.h"
#include "worker.h"

#define PNG_DEFAULT 512 /* px, when ?size= is absent */

static const struct db_stmt st_channels = {
	"portal_channels", "SELECT landform.portal_channels($1, $2::date, $3::date)", 3, DB_RETRY_SAFE
};
static const struct db_stmt st_target = {
	"portal_set_channel_target", "SELECT landform.portal_set_channel_target($1, $2, $3, $4, $5)", 5, DB_RETRY_NEVER
};
static const struct db_stmt st_qr = {
	"portal_channel_qr", "SELECT landform.portal_channel_qr($1, $2)", 2, DB_RETRY_SAFE
};

/* The answer for a status other than ok: admins-only gets its own sentence. */
static void
refuse(struct pctx *p, const cJSON *res)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "status");

	if (cJSON_IsString(st) && strcmp(st->valuestring, "forbidden") == 0)
		portal_message(p, 403, "forbidden", "forbidden_title", "channels_forbidden");
	else
		portal_refuse(p, res);
}

/* The short link a channel's posters carry: public_url without its trailing slash, /c/, code. */
static const char *
short_link(struct request *r, const char *code)
{
	const char *base = r->ctx->config->public_url ? r->ctx->config->public_url : "";
	size_t n = strlen(base);
	struct buf b;

	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_init(&b, r->arena, n + 48);
	buf_add(&b, base, n);
	buf_adds(&b, "/c/");
	url_escape(&b, code, strlen(code));
	return b.data;
}

/* What the template needs beside SQL's answer: each channel's link and image URLs, the page
 * options with the current one selected, and the error and typed values of a refused form. */
static void
shape(struct pctx *p, cJSON *res, const char *err_code, const char *err_text, const struct form *typed)
{
	cJSON *it, *pg;
	const cJSON *pages = cJSON_GetObjectItemCaseSensitive(res, "pages");

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "channels")) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
		const cJSON *page = cJSON_GetObjectItemCaseSensitive(it, "page");
		const char *c = cJSON_IsString(code) ? code->valuestring : "";
		const char *cur = cJSON_IsString(page) ? page->valuestring : "";
		cJSON *opts = cJSON_AddArrayToObject(it, "options");
		struct buf esc;

		buf_init(&esc, p->r->arena, 48);
		url_escape(&esc, c, strlen(c));
		if (typed != NULL && strcmp(c, err_code) == 0) {
			const char *tp = form_get(typed, "page"), *tq = form_get(typed, "query");

			cur = tp ? tp : cur;
			cJSON_DeleteItemFromObjectCaseSensitive(it, "query");
			cJSON_AddStringToObject(it, "query", tq ? tq : "");
			cJSON_AddStringToObject(it, "error", err_text);
		}
		cJSON_AddStringToObject(it, "link", short_link(p->r, c));
		cJSON_AddStringToObject(it, "svg_url", arena_printf(p->r->arena, "/staff/channels/%s/qr.svg", esc.data));
		cJSON_AddStringToObject(it, "png_url",
					arena_printf(p->r->arena, "/staff/channels/%s/qr.png?size=1024", esc.data));
		cJSON_AddStringToObject(it, "action", arena_printf(p->r->arena, "/staff/channels/%s/target", esc.data));
		cJSON_ArrayForEach(pg, pages) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "slug", cJSON_IsString(pg) ? pg->valuestring : "");
			cJSON_AddBoolToObject(o, "selected", cJSON_IsString(pg) && strcmp(pg->valuestring, cur) == 0);
			cJSON_AddItemToArray(opts, o);
		}
	}
	if (http_query_get(p->r, "done") != NULL && err_code[0] == '\0')
		cJSON_AddStringToObject(res, "flash", portal_text(p, "channels_saved"));
	cJSON_AddBoolToObject(res, "nav_channels", true);
	cJSON_AddBoolToObject(res, "empty", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "channels")) == 0);
}

/* The list, as a page or JSON; status and a refused form's code, text and values for a redo. */
static void
show(struct pctx *p, int status, const char *err_code, const char *err_text, const struct form *typed)
{
	const char *params[3], *raw, *from = http_query_get(p->r, "from"), *to = http_query_get(p->r, "to");
	const cJSON *st;
	cJSON *res;

	if (p->session == NULL) {
		portal_unauthenticated(p);
		return;
	}
	params[0] = p->session;
	params[1] = isotime_date(from, NULL) ? from : NULL;
	params[2] = isotime_date(to, NULL) ? to : NULL;
	if ((res = portal_call(p, &st_channels, params, &raw)) == NULL)
		return;
	st = cJSON_GetObjectItemCaseSensitive(res, "status");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "ok") != 0) {
		refuse(p, res);
	} else if (p->json) {
		http_begin(p->r, 200, "application/json");
		buf_adds(&p->r->body_out, raw);
		buf_addc(&p->r->body_out, '\n');
	} else {
		shape(p, res, err_code, err_text, typed);
		portal_render_channels(p, status, res, portal_text(p, "channels_title"));
	}
}

void
channels_handle_page(struct request *r)
{
	struct pctx p;

	if (portal_begin(r, &p))
		show(&p, 200, "", "", NULL);
}

void
channels_handle_target(struct request *r)
{
	const char *params[5], *raw;
	const cJSON *st, *code;
	struct form f;
	struct pctx p;
	cJSON *res;

	if (!portal_begin(r, &p) || !portal_read_form(&p, &f) || !portal_guard_post(&p, &f))
		return;
	params[0] = p.session;
	params[1] = portal_csrf(&p, &f);
	params[2] = r->params[0];
	params[3] = form_get(&f, "page");
	params[4] = form_get(&f, "query");
	if ((res = portal_call(&p, &st_target, params, &raw)) == NULL)
		return;
	st = cJSON_GetObjectItemCaseSensitive(res, "status");
	code = cJSON_GetObjectItemCaseSensitive(res, "code");
	if (cJSON_IsString(st) && strcmp(st->valuestring, "ok") == 0) {
		r->log_note = "channel target";
		if (p.json) {
			http_begin(r, 200, "application/json");
			buf_adds(&r->body_out, raw);
			buf_addc(&r->body_out, '\n');
		} else {
			http_header(r, "Location", "/staff/channels?done=target");
			http_begin(r, 303, "text/html; charset=utf-8");
		}
	} else if (cJSON_IsString(st) && strcmp(st->valuestring, "invalid") == 0 && !p.json) {
		/* The form again, the row's typed values kept, the reason in the admin's language. */
		const char *key = arena_printf(r->arena, "channels_err_%s",
					       cJSON_IsString(code) ? code->valuestring : "");

		r->log_note = "invalid";
		show(&p, 422, r->params[0], portal_text(&p, key), &f);
	} else {
		refuse(&p, res);
	}
}

/* ?size= as whole pixels within the bounds; PNG_DEFAULT when absent; 0 when unusable. */
static unsigned
png_size(const struct request *r)
{
	const char *s = http_query_get(r, "size");
	size_t n;
	long v;

	if (s == NULL)
		return PNG_DEFAULT;
	n = strlen(s);
	if (n == 0 || n > 4 || strspn(s, "0123456789") != n)
		return 0;
	v = strtol(s, NULL, 10);
	return v >= QR_PNG_MIN && v <= QR_PNG_MAX ? (unsigned)v : 0;
}

void
channels_handle_qr(struct request *r)
{
	bool png = strlen(r->path) > 4 && strcmp(r->path + strlen(r->path) - 4, ".png") == 0;
	const char *params[2], *link;
	const cJSON *st;
	unsigned size = 0;
	struct pctx p;
	struct qr q;
	cJSON *res;

	if (!portal_begin(r, &p))
		return;
	if (p.session == NULL) {
		portal_unauthenticated(&p);
		return;
	}
	if (png && (size = png_size(r)) == 0) {
		http_error(r, 400, "bad_size", "size must be a whole number of pixels from 64 to 2048.");
		return;
	}
	params[0] = p.session;
	params[1] = r->params[0];
	if ((res = portal_call(&p, &st_qr, params, NULL)) == NULL)
		return;
	st = cJSON_GetObjectItemCaseSensitive(res, "status");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "ok") != 0) {
		refuse(&p, res);
		return;
	}
	link = short_link(r, r->params[0]);
	if (!qr_encode(r->arena, link, &q)) {
		http_error(r, 500, "qr_failed", "The QR code could not be made.");
		return;
	}
	r->log_note = png ? "qr png" : "qr svg";
	if (png) {
		struct buf img;

		buf_init(&img, r->arena, 4096);
		if (!qr_png(&img, &q, size)) {
			http_error(r, 500, "qr_failed", "The QR code could not be drawn.");
			return;
		}
		http_begin(r, 200, "image/png");
		buf_add(&r->body_out, img.data, img.len);
	} else {
		http_begin(r, 200, "image/svg+xml");
		qr_svg(&r->body_out, &q);
	}
	/* The code is SQL's (a channel that exists: letters, digits, _ and -), safe in a header. */
	http_header(r, "Content-Disposition",
		    arena_printf(r->arena, "inline; filename=\"channel-%s.%s\"", r->params[0], png ? "png" : "svg"));
}
