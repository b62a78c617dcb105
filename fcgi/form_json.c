/* JSON bodies from API clients (form.h), scanned before cJSON sees them so a hostile body can
 * neither nest nor widen cJSON's work past the limits. */
#include <string.h>

#include <cjson/cJSON.h>

#include "form.h"
#include "form_shared.h"

/* Where each number token sits in the source, in source order. */
struct numtoks {
	size_t *off;
	size_t *len;
	size_t n;
	size_t cap;
};

/* Grows like form_list: old arrays stay in the arena, which the request bounds. */
static void
nt_push(struct arena *a, struct numtoks *t, size_t off, size_t len)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		size_t *o = arena_alloc(a, cap * sizeof(*o));
		size_t *l = arena_alloc(a, cap * sizeof(*l));

		if (t->n > 0) {
			memcpy(o, t->off, t->n * sizeof(*o));
			memcpy(l, t->len, t->n * sizeof(*l));
		}
		t->off = o;
		t->len = l;
		t->cap = cap;
	}
	t->off[t->n] = off;
	t->len[t->n] = len;
	t->n++;
}

/* ASCII only: the locale must not widen what a JSON digit is. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over the whole token. */
static bool
json_number_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

/* Bytes a number token may hold, so a bad one is read whole and refused whole. */
static bool
is_numchar(char c)
{
	return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* One pass over the raw bytes before cJSON sees them: nesting depth outside strings (so
 * cJSON never recurses deeper than max_depth), commas (so it never builds more than about
 * max_fields * max_depth nodes, whatever the body size), strings free of raw control bytes and of
 * "\u0000" (cJSON would silently cut the string there), and every number token recorded
 * so a number's value can be its exact source text (cJSON keeps only a double). */
static enum form_error
json_scan(struct arena *a, const char *s, size_t len, const struct form_limits *lim,
          struct numtoks *nt)
{
	size_t depth = 0, commas = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '"') {
			for (i++;; i++) {
				unsigned char d;

				if (i >= len)
					return FORM_ERR_BAD_JSON;
				d = (unsigned char)s[i];
				if (d == '"')
					break;
				if (d == '\\') {
					if (++i >= len)
						return FORM_ERR_BAD_JSON;
					if (s[i] == 'u' && len - i > 4 &&
					    memcmp(s + i + 1, "0000", 4) == 0)
						return FORM_ERR_CONTROL_CHAR;
				} else if (d < 0x20) {
					/* JSON wants tab, CR, LF escaped; the rest are never
					 * allowed */
					if (d == '\t' || d == '\r' || d == '\n')
						return FORM_ERR_BAD_JSON;
					return FORM_ERR_CONTROL_CHAR;
				}
			}
		} else if (c == ',') {
			/* n commas mean more than n members and elements: refuse them before
			 * cJSON allocates a node for each (nulls count here, not as fields). */
			if (++commas >= lim->max_fields)
				return FORM_ERR_TOO_MANY_FIELDS;
		} else if (c == '{' || c == '[') {
			if (++depth > lim->max_depth)
				return FORM_ERR_TOO_DEEP;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
		} else if (c == '-' || is_digit(c)) {
			size_t j = i;

			while (j < len && is_numchar(s[j]))
				j++;
			if (!json_number_ok(s + i, j - i))
				return FORM_ERR_BAD_JSON;
			nt_push(a, nt, i, j - i);
			i = j - 1;
		}
	}
	return FORM_OK;
}

/* Everything cJSON needs to turn one JSON value into fields. */
struct jwalk {
	struct form_list l;
	const char *src;
	struct numtoks nt;
	size_t next_num;
	const struct form_limits *lim;
	struct form_error_info *err;
};

/* A scalar becomes one field: string as is, number as its source text, true/false as
 * "true"/"false"; null becomes nothing. Anything else is refused. */
static bool
json_scalar(struct jwalk *w, const char *name, const cJSON *v)
{
	const char *text;
	size_t n;
	enum form_error e;

	if (cJSON_IsNull(v))
		return true;
	if (cJSON_IsString(v)) {
		text = v->valuestring;
		n = strlen(text);
	} else if (cJSON_IsNumber(v)) {
		/* The scan saw every number token in source order, the order we walk in. */
		if (w->next_num >= w->nt.n)
			return form_fail(w->err, FORM_ERR_BAD_JSON, name);
		text = w->src + w->nt.off[w->next_num];
		n = w->nt.len[w->next_num];
		w->next_num++;
	} else if (cJSON_IsTrue(v)) {
		text = "true";
		n = 4;
	} else if (cJSON_IsFalse(v)) {
		text = "false";
		n = 5;
	} else
		return form_fail(w->err, FORM_ERR_BAD_VALUE_TYPE, name);

	if (form_list_full(&w->l)) /* only max_fields 0 gets here: the comma count came first */
		return form_fail(w->err, FORM_ERR_TOO_MANY_FIELDS, name);
	if (n > w->lim->max_value_len)
		return form_fail(w->err, FORM_ERR_VALUE_TOO_LONG, name);
	if ((e = form_check_value(false, text, n)) != FORM_OK)
		return form_fail(w->err, e, name);
	form_list_push(&w->l, name, arena_strndup(w->l.a, text, n), n);
	return true;
}

/* Each member of the top-level object; an array of scalars gives one field per element. */
static bool
json_members(struct jwalk *w, const cJSON *root)
{
	for (const cJSON *c = root->child; c != NULL; c = c->next) {
		size_t klen = strlen(c->string);
		char *name;
		enum form_error e;

		if ((e = form_check_name_len(klen, w->lim)) != FORM_OK ||
		    (e = form_check_name(false, c->string, klen)) != FORM_OK)
			return form_fail(w->err, e, NULL);
		name = arena_strndup(w->l.a, c->string, klen);
		if (cJSON_IsArray(c)) {
			for (const cJSON *el = c->child; el != NULL; el = el->next) {
				if (!json_scalar(w, name, el))
					return false;
			}
		} else if (!json_scalar(w, name, c))
			return false;
	}
	return true;
}

/* RFC 8259 whitespace, the only bytes allowed after the top-level value. */
static bool
json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* cJSON builds the tree only after the scan has bounded it; the arena keeps the results. */
bool
form_parse_json(struct arena *a, const char *body, size_t len, const struct form_limits *lim,
                struct form *out, struct form_error_info *err)
{
	struct jwalk w;
	cJSON *root = NULL;
	const char *end = NULL;
	char *copy;
	enum form_error e;
	bool ok = false;

	form_begin(out, err);
	memset(&w, 0, sizeof(w));
	if (len == 0)
		return form_fail(err, FORM_ERR_BAD_JSON, NULL);
	if ((e = json_scan(a, body, len, lim, &w.nt)) != FORM_OK)
		return form_fail(err, e, NULL);

	/* A NUL-terminated copy, so no cJSON path can read past the body. */
	copy = arena_strndup(a, body, len);
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (root == NULL) {
		form_fail(err, FORM_ERR_BAD_JSON, NULL);
		goto out;
	}
	for (; end < copy + len; end++) {
		if (!json_space(*end)) {
			form_fail(err, FORM_ERR_BAD_JSON, NULL);
			goto out;
		}
	}
	if (!cJSON_IsObject(root)) {
		form_fail(err, FORM_ERR_NOT_OBJECT, NULL);
		goto out;
	}

	form_list_init(&w.l, a, lim->max_fields);
	w.src = copy;
	w.lim = lim;
	w.err = err;
	if (!json_members(&w, root))
		goto out;
	if (w.next_num != w.nt.n) {
		form_fail(err, FORM_ERR_BAD_JSON, NULL); /* the scan and cJSON disagree: trust neither */
		goto out;
	}
	form_list_done(&w.l, out);
	ok = true;
out:
	cJSON_Delete(root);
	return ok;
}
