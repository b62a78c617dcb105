/* multipart/form-data bodies from browsers (form.h): RFC 7578 parts, read strictly enough
 * that a part's value is exactly what the visitor typed, and no file is ever taken. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem */
#endif
#include <string.h>

#include "form.h"
#include "form_shared.h"

/* Header names, media types and parameter names compare case-insensitively (ASCII only). */
static bool
lower_eq(struct form_slice s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)lit[i])
			return false;
	}
	return true;
}

/* One "; name=value" parameter of a header; value is a token or a quoted-string. */
struct param {
	struct form_slice name;
	struct form_slice raw; /* as written, without the quotes, escapes still in */
	bool quoted;
	size_t len; /* length once quoted-pairs are undone */
};

/* RFC 9110 optional whitespace: the only padding allowed around header values. */
static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 token characters: what a header or parameter name may be made of. */
static bool
is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Padding is skipped, never part of a token or a value. */
static void
skip_ows(struct form_slice *s)
{
	while (s->n > 0 && is_ows(*s->p)) {
		s->p++;
		s->n--;
	}
}

/* The leading token of a header value ("form-data", "multipart/form-data"). */
static struct form_slice
take_type(struct form_slice *s)
{
	struct form_slice t;

	skip_ows(s);
	t.p = s->p;
	t.n = 0;
	while (t.n < s->n && s->p[t.n] != ';' && !is_ows(s->p[t.n]))
		t.n++;
	form_advance(s, t.n);
	return t;
}

/* Next parameter: 1 and fills pm, 0 at the end, -1 on a syntax error. Whitespace around
 * '=' and empty ";;" are tolerated; an unquoted value runs to ';' or whitespace and may be
 * empty ("boundary=" then reads as an empty boundary, "name=" as an empty name). */
static int
param_next(struct form_slice *s, struct param *pm)
{
	for (;;) {
		skip_ows(s);
		if (s->n == 0)
			return 0;
		if (*s->p != ';')
			return -1;
		form_advance(s, 1);
		skip_ows(s);
		if (s->n > 0 && *s->p != ';')
			break;
	}
	if (s->n == 0)
		return 0;

	pm->name.p = s->p;
	pm->name.n = 0;
	while (pm->name.n < s->n && is_tchar(s->p[pm->name.n]))
		pm->name.n++;
	if (pm->name.n == 0)
		return -1;
	form_advance(s, pm->name.n);
	skip_ows(s);
	if (s->n == 0 || *s->p != '=')
		return -1;
	form_advance(s, 1);
	skip_ows(s);

	if (s->n > 0 && *s->p == '"') {
		form_advance(s, 1);
		pm->quoted = true;
		pm->raw.p = s->p;
		pm->len = 0;
		for (size_t i = 0;; i++, pm->len++) {
			if (i >= s->n)
				return -1; /* unterminated */
			if (s->p[i] == '\\') {
				if (++i >= s->n)
					return -1;
			} else if (s->p[i] == '"') {
				pm->raw.n = i;
				form_advance(s, i + 1);
				return 1;
			}
		}
	}
	pm->quoted = false;
	pm->raw.p = s->p;
	pm->raw.n = 0;
	while (pm->raw.n < s->n && s->p[pm->raw.n] != ';' && !is_ows(s->p[pm->raw.n]))
		pm->raw.n++;
	pm->len = pm->raw.n;
	form_advance(s, pm->raw.n);
	return 1;
}

/* The parameter's value with quoted-pairs undone, NUL-terminated, in the arena. */
static char *
param_value(struct arena *a, const struct param *pm)
{
	char *d = arena_alloc(a, pm->len + 1), *w = d;

	for (size_t i = 0; i < pm->raw.n; i++) {
		if (pm->quoted && pm->raw.p[i] == '\\')
			i++;
		*w++ = pm->raw.p[i];
	}
	*w = '\0';
	return d;
}

/* RFC 2046 bcharsnospace, plus space which may not come last. */
static bool
is_bchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* Find the boundary in the Content-Type; refuse it twice, empty, too long or with bad chars. */
static enum form_error
get_boundary(struct arena *a, const char *content_type, char **out, size_t *outlen)
{
	struct form_slice s, type;
	struct param pm;
	char *b = NULL;
	size_t blen = 0;
	int r;

	if (content_type == NULL)
		return FORM_ERR_NO_BOUNDARY;
	s.p = content_type;
	s.n = strlen(content_type);
	type = take_type(&s);
	if (!lower_eq(type, "multipart/form-data"))
		return FORM_ERR_BAD_MULTIPART;
	while ((r = param_next(&s, &pm)) == 1) {
		if (!lower_eq(pm.name, "boundary"))
			continue;
		if (b != NULL)
			return FORM_ERR_BAD_MULTIPART;
		if (pm.len > 70)
			return FORM_ERR_BAD_MULTIPART;
		b = param_value(a, &pm);
		blen = pm.len;
	}
	if (r < 0)
		return FORM_ERR_BAD_MULTIPART;
	if (b == NULL || blen == 0)
		return FORM_ERR_NO_BOUNDARY;
	for (size_t i = 0; i < blen; i++) {
		if (!is_bchar(b[i]))
			return FORM_ERR_BAD_MULTIPART;
	}
	if (b[blen - 1] == ' ')
		return FORM_ERR_BAD_MULTIPART;
	*out = b;
	*outlen = blen;
	return FORM_OK;
}

/* What one part's headers said. */
struct part_head {
	bool have_cd;
	bool have_cte;
	bool have_name;
	bool have_filename;
	struct param name;
};

/* Content-Disposition must be form-data; we want its name and whether it names a file. */
static enum form_error
parse_disposition(struct form_slice v, struct part_head *h)
{
	struct param pm;
	int r;

	if (!lower_eq(take_type(&v), "form-data"))
		return FORM_ERR_BAD_MULTIPART;
	while ((r = param_next(&v, &pm)) == 1) {
		if (lower_eq(pm.name, "name")) {
			if (h->have_name)
				return FORM_ERR_BAD_MULTIPART;
			h->have_name = true;
			h->name = pm;
		} else if (lower_eq(pm.name, "filename") || lower_eq(pm.name, "filename*"))
			h->have_filename = true;
	}
	return r < 0 ? FORM_ERR_BAD_MULTIPART : FORM_OK;
}

/* One header line "Name: value"; folded lines and duplicates of the headers we read are refused. */
static enum form_error
parse_header(struct form_slice line, struct part_head *h)
{
	struct form_slice hn, hv;
	const char *colon;

	if (is_ows(*line.p))
		return FORM_ERR_BAD_MULTIPART; /* obsolete line folding */
	colon = memchr(line.p, ':', line.n);
	if (colon == NULL)
		return FORM_ERR_BAD_MULTIPART;
	hn.p = line.p;
	hn.n = (size_t)(colon - line.p);
	if (hn.n == 0)
		return FORM_ERR_BAD_MULTIPART;
	for (size_t i = 0; i < hn.n; i++) {
		if (!is_tchar(hn.p[i]))
			return FORM_ERR_BAD_MULTIPART;
	}
	hv.p = colon + 1;
	hv.n = line.n - hn.n - 1;
	skip_ows(&hv);
	while (hv.n > 0 && is_ows(hv.p[hv.n - 1]))
		hv.n--;

	if (lower_eq(hn, "content-disposition")) {
		if (h->have_cd)
			return FORM_ERR_BAD_MULTIPART;
		h->have_cd = true;
		return parse_disposition(hv, h);
	}
	if (lower_eq(hn, "content-transfer-encoding")) {
		/* We decode no base64 or quoted-printable: only identity encodings pass. */
		if (h->have_cte)
			return FORM_ERR_BAD_MULTIPART;
		h->have_cte = true;
		if (!lower_eq(hv, "7bit") && !lower_eq(hv, "8bit") && !lower_eq(hv, "binary"))
			return FORM_ERR_BAD_MULTIPART;
	}
	return FORM_OK;
}

/* One part between two delimiters: headers, an empty line, the value. A part that ends
 * right after its last header line has an empty value (RFC 2046 makes the body optional). */
static bool
parse_part(struct form_list *l, struct form_slice part, struct form_slice eol,
           const struct form_limits *lim, struct form_error_info *err)
{
	struct part_head h;
	struct form_slice body = {part.p + part.n, 0};
	const char *name = NULL;
	char *value;
	enum form_error e;

	memset(&h, 0, sizeof(h));
	while (part.n > 0) {
		const char *nl = memmem(part.p, part.n, eol.p, eol.n);
		struct form_slice line;

		if (nl == NULL)
			return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
		line.p = part.p;
		line.n = (size_t)(nl - part.p);
		form_advance(&part, line.n + eol.n);
		if (line.n == 0) {
			body = part;
			break;
		}
		if ((e = parse_header(line, &h)) != FORM_OK)
			return form_fail(err, e, NULL);
	}
	if (!h.have_cd)
		return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
	if (h.have_name) {
		if ((e = form_check_name_len(h.name.len, lim)) != FORM_OK)
			return form_fail(err, e, NULL);
		name = param_value(l->a, &h.name);
		if ((e = form_check_name(lim->raw, name, h.name.len)) != FORM_OK)
			return form_fail(err, e, NULL);
	}
	if (h.have_filename)
		return form_fail(err, FORM_ERR_FILE_PART, name);
	if (name == NULL)
		return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);

	if (body.n > lim->max_value_len)
		return form_fail(err, FORM_ERR_VALUE_TOO_LONG, name);
	if ((e = form_check_value(lim->raw, body.p, body.n)) != FORM_OK)
		return form_fail(err, e, name);
	value = arena_strndup(l->a, body.p, body.n);
	form_list_push(l, name, value, body.n);
	return true;
}

/* Delimiters are found with memmem over the body as sent: values are never copied until
 * they have passed their limits. */
bool
form_parse_multipart(struct arena *a, const char *content_type, const char *body, size_t len,
                     const struct form_limits *lim, struct form *out, struct form_error_info *err)
{
	char *b = NULL, *delim;
	size_t blen = 0;
	struct form_slice s, eol;
	const char *first;
	struct form_list l;
	enum form_error e;

	form_begin(out, err);
	if ((e = get_boundary(a, content_type, &b, &blen)) != FORM_OK)
		return form_fail(err, e, NULL);
	if (len == 0)
		return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);

	/* delim is "\r\n--boundary"; its tail serves as "\n--boundary" and "--boundary". */
	delim = arena_alloc(a, blen + 5);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b, blen);
	s.p = body;
	s.n = len;

	/* The first delimiter opens the body or starts a line; what precedes is preamble. */
	if (len >= blen + 2 && memcmp(body, delim + 2, blen + 2) == 0)
		first = body;
	else {
		first = memmem(body, len, delim + 1, blen + 3);
		if (first == NULL)
			return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
		first++;
	}
	form_advance(&s, (size_t)(first - body) + blen + 2);

	/* Its line ending (CRLF, or bare LF from a sloppy client) is then required throughout. */
	if (s.n >= 2 && s.p[0] == '-' && s.p[1] == '-') {
		form_list_init(&l, a, lim->max_fields);
		form_list_done(&l, out);
		return true;
	}
	skip_ows(&s);
	if (s.n >= 2 && s.p[0] == '\r' && s.p[1] == '\n')
		eol.p = delim;
	else if (s.n >= 1 && s.p[0] == '\n')
		eol.p = delim + 1;
	else
		return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
	eol.n = eol.p == delim ? 2 : 1;
	form_advance(&s, eol.n);

	form_list_init(&l, a, lim->max_fields);
	for (;;) {
		const char *next = memmem(s.p, s.n, eol.p, eol.n + blen + 2);
		struct form_slice part;

		if (next == NULL)
			return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
		if (form_list_full(&l))
			return form_fail(err, FORM_ERR_TOO_MANY_FIELDS, NULL);
		part.p = s.p;
		part.n = (size_t)(next - s.p);
		if (!parse_part(&l, part, eol, lim, err))
			return false;
		form_advance(&s, part.n + eol.n + blen + 2);
		if (s.n >= 2 && s.p[0] == '-' && s.p[1] == '-')
			break; /* close delimiter; the epilogue is ignored */
		skip_ows(&s);
		if (s.n < eol.n || memcmp(s.p, eol.p, eol.n) != 0)
			return form_fail(err, FORM_ERR_BAD_MULTIPART, NULL);
		form_advance(&s, eol.n);
	}
	form_list_done(&l, out);
	return true;
}
