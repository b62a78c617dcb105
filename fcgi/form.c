/* What every body parser shares (form_shared.h) and what callers ask of a parsed form (form.h);
 * each format has its own file: form_urlencoded.c, form_multipart.c, form_json.c. */
#include "form.h"

#include <string.h>

#include "form_shared.h"
#include "utf8.h"

/* Refusals in one statement: the code and the field to blame. */
bool
form_fail(struct form_error_info *err, enum form_error code, const char *field)
{
	err->code = code;
	err->field = field;
	return false;
}

/* Nothing half-decoded is ever returned: out starts empty, err at FORM_OK. */
void
form_begin(struct form *out, struct form_error_info *err)
{
	out->fields = NULL;
	out->count = 0;
	err->code = FORM_OK;
	err->field = NULL;
}

/* The list only grows as fields arrive: no allocation for an empty form. */
void
form_list_init(struct form_list *l, struct arena *a, size_t max)
{
	l->a = a;
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
	l->max = max;
}

/* Checked before each push, so max_fields is a hard bound. */
bool
form_list_full(const struct form_list *l)
{
	return l->n >= l->max;
}

/* Append a field; the caller has checked form_list_full first. Old arrays stay in the arena:
 * at most twice the final size is wasted, and the final size is bounded by max. */
void
form_list_push(struct form_list *l, const char *name, const char *value, size_t vlen)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct form_field *v;

		if (cap > l->max)
			cap = l->max;
		v = arena_alloc(l->a, cap * sizeof(*v));
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = name;
	l->v[l->n].value = value;
	l->v[l->n].value_len = vlen;
	l->n++;
}

/* The list's array becomes the form's: both live in the arena. */
void
form_list_done(struct form_list *l, struct form *out)
{
	out->fields = l->v;
	out->count = l->n;
}

/* The rules every format shares for a name, on its decoded bytes (length already checked). */
enum form_error
form_check_name(bool raw, const char *s, size_t len)
{
	/* Raw bytes are checked as UTF-8 once converted; controls are the same byte in every
	 * charset charset.h knows (all ASCII-compatible), so they are refused either way. */
	if (!raw && !utf8_valid(s, len))
		return FORM_ERR_BAD_UTF8;
	if (utf8_has_control(s, len, false))
		return FORM_ERR_CONTROL_CHAR;
	return FORM_OK;
}

/* The same for a value: tab, CR and LF are allowed (textareas). */
enum form_error
form_check_value(bool raw, const char *s, size_t len)
{
	if (!raw && !utf8_valid(s, len))
		return FORM_ERR_BAD_UTF8;
	if (utf8_has_control(s, len, true))
		return FORM_ERR_CONTROL_CHAR;
	return FORM_OK;
}

/* Length limits first, so nothing too long is ever copied or decoded. */
enum form_error
form_check_name_len(size_t len, const struct form_limits *lim)
{
	if (len == 0)
		return FORM_ERR_EMPTY_NAME;
	if (len > lim->max_name_len)
		return FORM_ERR_NAME_TOO_LONG;
	return FORM_OK;
}

/* ---------------------------------------------------------------- lookups */

/* Linear: forms are small, and a lookup must see repeated names in order. */
const char *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	}
	return NULL;
}

/* Validation asks how often a name came (a checkbox group, or a field sent twice). */
size_t
form_count(const struct form *f, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, name) == 0)
			n++;
	}
	return n;
}

/* Codes are API: a switch with no default, so a new error cannot go without a name. */
const char *
form_error_code(enum form_error e)
{
	switch (e) {
	case FORM_OK:
		return "ok";
	case FORM_ERR_TOO_MANY_FIELDS:
		return "too_many_fields";
	case FORM_ERR_NAME_TOO_LONG:
		return "name_too_long";
	case FORM_ERR_VALUE_TOO_LONG:
		return "value_too_long";
	case FORM_ERR_BAD_PERCENT:
		return "bad_percent";
	case FORM_ERR_BAD_UTF8:
		return "bad_utf8";
	case FORM_ERR_CONTROL_CHAR:
		return "control_char";
	case FORM_ERR_EMPTY_NAME:
		return "empty_name";
	case FORM_ERR_NO_BOUNDARY:
		return "no_boundary";
	case FORM_ERR_BAD_MULTIPART:
		return "bad_multipart";
	case FORM_ERR_FILE_PART:
		return "file_part";
	case FORM_ERR_BAD_JSON:
		return "bad_json";
	case FORM_ERR_NOT_OBJECT:
		return "not_object";
	case FORM_ERR_TOO_DEEP:
		return "too_deep";
	case FORM_ERR_BAD_VALUE_TYPE:
		return "bad_value_type";
	}
	return "unknown";
}
