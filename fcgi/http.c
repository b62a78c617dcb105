/* Request and response helpers shared by every handler. */
#include "http.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "html.h"

void
http_request_init(struct request *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->query = "";
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	buf_init(&r->headers, a, 256);
	buf_init(&r->body_out, a, 4096);
}

const char *
http_param(const struct request *r, const char *name)
{
	return r->param ? r->param(r->glue, name) : NULL;
}

bool
http_wants_json(const struct request *r)
{
	const char *accept = http_param(r, "HTTP_ACCEPT");

	if (r->path != NULL && strncmp(r->path, "/api/", 5) == 0)
		return true;
	return accept != NULL && strncasecmp(accept, "application/json", 16) == 0;
}

void
http_header(struct request *r, const char *name, const char *value)
{
	assert(strpbrk(name, "\r\n") == NULL && strpbrk(value, "\r\n") == NULL);
	buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

void
http_begin(struct request *r, int status, const char *content_type)
{
	r->status = status;
	r->content_type = content_type;
	buf_reset(&r->body_out);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
http_policy_headers(struct request *r, const char *cache_control, const char *csp,
		    const char *referrer_policy)
{
	http_header(r, "Cache-Control", cache_control);
	http_header(r, "Content-Security-Policy", csp);
	http_header(r, "X-Content-Type-Options", "nosniff");
	http_header(r, "X-Frame-Options", "DENY");
	http_header(r, "Referrer-Policy", referrer_policy);
}

void
http_error(struct request *r, int status, const char *code, const char *message)
{
	r->log_note = code;
	if (http_wants_json(r)) {
		http_begin(r, status, "application/json");
		buf_adds(&r->body_out, "{\"error\":{\"code\":");
		buf_json_string(&r->body_out, code);
		buf_adds(&r->body_out, ",\"message\":");
		buf_json_string(&r->body_out, message);
		buf_adds(&r->body_out, "}}\n");
		return;
	}
	http_begin(r, status, "text/html; charset=utf-8");
	buf_printf(&r->body_out,
		   "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		   "<title>%d %s</title>\n<h1>%d %s</h1>\n<p>",
		   status, http_reason(status), status, http_reason(status));
	html_escapes(&r->body_out, message);
	buf_adds(&r->body_out, "</p>\n");
}

const char *
http_query_get(const struct request *r, const char *name)
{
	/* The query is parsed like a form body, with the same strictness, and small limits:
	 * a broken query string simply has no values. */
	static const struct form_limits lim = {
		.max_fields = 32, .max_name_len = 64, .max_value_len = 1024, .max_depth = 1,
	};
	struct form f;
	struct form_error_info fe;

	if (r->query == NULL || *r->query == '\0' ||
	    !form_parse_urlencoded(r->arena, r->query, strlen(r->query), &lim, &f, &fe))
		return NULL;
	return form_get(&f, name);
}

const char *
http_cookie_get(const struct request *r, const char *name)
{
	const char *p = http_param(r, "HTTP_COOKIE");
	size_t nlen = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *semi = strchr(p, ';');
		size_t len;

		while (*p == ' ')
			p++;
		len = semi ? (size_t)(semi - p) : strlen(p);
		if (len > nlen && p[nlen] == '=' && memcmp(p, name, nlen) == 0)
			return arena_strndup(r->arena, p + nlen + 1, len - nlen - 1);
		p = semi ? semi + 1 : NULL;
	}
	return NULL;
}

bool
http_is_https(const struct request *r)
{
	const char *h = http_param(r, "HTTPS");

	return h != NULL && strcasecmp(h, "on") == 0;
}

const char *
http_clean_header(struct request *r, const char *s, size_t max)
{
	char *out;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strnlen(s, max);
	out = arena_strndup(r->arena, s, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
	return out;
}
