/* Form schemas: form.json in, a checked struct out; the form's HTML and the submission's
 * checks both read that one struct. */
#include "schema.h"
#include "schema_int.h"

#include <cjson/cJSON.h>
#include <locale.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonpos.h"
#include "pattern.h"
#include "utf8.h"

#define MAX_FILE (256 * 1024)
#define MAX_PATTERN 512
#define MAX_OPTION_VALUE 200
#define MAX_AUTOCOMPLETE 100

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

const char *schema_type_names[] = {
    [SCHEMA_TEXT] = "text",         [SCHEMA_TEL] = "tel",       [SCHEMA_EMAIL] = "email",
    [SCHEMA_TEXTAREA] = "textarea", [SCHEMA_SELECT] = "select", [SCHEMA_CHECKBOX] = "checkbox",
    [SCHEMA_HIDDEN] = "hidden",
};

static const char *role_names[] = {
    [SCHEMA_ROLE_NONE] = "none",       [SCHEMA_ROLE_NAME] = "name",
    [SCHEMA_ROLE_PHONE] = "phone",     [SCHEMA_ROLE_QUESTION] = "question",
    [SCHEMA_ROLE_CONSENT] = "consent",
};

/* Longest value accepted when form.json gives no max_length: every text input gets one. */
static const size_t default_max[] = {
    [SCHEMA_TEXT] = 200, [SCHEMA_TEL] = 32,     [SCHEMA_EMAIL] = 254,  [SCHEMA_TEXTAREA] = 2000,
    [SCHEMA_SELECT] = 0, [SCHEMA_CHECKBOX] = 0, [SCHEMA_HIDDEN] = 200,
};

/* ---------------------------------------------------------------- loading */

/* One load in progress: the file named in messages, its line map, the schema being filled. */
struct loader {
	const char *filename;
	struct jsonpos pm;
	struct schema *s;
	char *cause; /* malloc'd, first failure only */
};

/* "FILE:LINE: message", malloc'd: the one shape of a load error, which outlives the schema. */
static char *
cause_at(const char *filename, size_t line, const char *msg)
{
	size_t n = strlen(filename) + strlen(msg) + 32;
	char *d = malloc(n);

	if (d == NULL)
		abort();
	snprintf(d, n, "%s:%zu: %s", filename, line, msg);
	return d;
}

/* Records "FILE:LINE: message" for the item's line; always returns false so callers can
 * `return fail(...)`. Only the first failure is kept. */
static bool fail(struct loader *ld, const cJSON *it, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
fail(struct loader *ld, const cJSON *it, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ld->cause != NULL)
		return false;
	va_start(ap, fmt);
	msg = arena_vprintf(&ld->s->arena, fmt, ap);
	va_end(ap);
	ld->cause = cause_at(ld->filename, jsonpos_line(&ld->pm, it), msg);
	return false;
}

/* Duplicate keys are a mistake cJSON would hide (it returns the first): catch them. */
static bool
check_unique_keys(struct loader *ld, const cJSON *obj)
{
	const cJSON *a, *b;

	for (a = obj->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return fail(ld, b, "duplicate key \"%.40s\"", b->string);
	return true;
}

/* Plain strings we show or send: no control characters (tab and newline allowed in texts). */
static bool
check_string(struct loader *ld, const cJSON *it, const char *what, size_t max, bool multiline)
{
	const char *v = it->valuestring;
	size_t n = strlen(v);

	if (n == 0)
		return fail(ld, it, "%s must not be empty", what);
	if (n > max)
		return fail(ld, it, "%s is longer than %zu bytes", what, max);
	if (utf8_has_control(v, n, multiline))
		return fail(ld, it, "%s contains a control character", what);
	return true;
}

/* A plain one-line string, copied into the schema so the cJSON tree can go. */
static bool
get_string(struct loader *ld, const cJSON *it, const char *what, size_t max, const char **out)
{
	if (!cJSON_IsString(it))
		return fail(ld, it, "%s must be a string", what);
	if (!check_string(ld, it, what, max, false))
		return false;
	*out = arena_strdup(&ld->s->arena, it->valuestring);
	return true;
}

/* Every visitor-facing text exists in every page language, so no page ever mixes two. */
static bool
get_ltext(struct loader *ld, const cJSON *it, const char *what, struct ltext *out)
{
	const cJSON *c;
	enum lang l;
	int i;

	if (!cJSON_IsObject(it))
		return fail(ld, it,
		            "%s must be an object like {\"zh-CN\": \"...\", \"en\": \"...\"}",
		            what);
	if (!check_unique_keys(ld, it))
		return false;
	for (c = it->child; c != NULL; c = c->next) {
		for (i = 0; i < LANG_COUNT; i++)
			if (strcmp(c->string, lang_tag((enum lang)i)) == 0)
				break;
		if (i == LANG_COUNT)
			return fail(ld, c,
			            "%s: unknown language \"%.40s\" (use \"zh-CN\" and \"en\")",
			            what, c->string);
		l = (enum lang)i;
		if (!cJSON_IsString(c))
			return fail(ld, c, "%s: \"%s\" must be a string", what, c->string);
		if (!check_string(ld, c, what, SCHEMA_MAX_TEXT, true))
			return false;
		out->t[l] = arena_strdup(&ld->s->arena, c->valuestring);
	}
	for (i = 0; i < LANG_COUNT; i++)
		if (out->t[i] == NULL)
			return fail(ld, it, "%s: missing \"%s\" text", what,
			            lang_tag((enum lang)i));
	return true;
}

/* "true" in quotes is a common slip: only JSON booleans are taken. */
static bool
get_bool(struct loader *ld, const cJSON *it, const char *what, bool *out)
{
	if (!cJSON_IsBool(it))
		return fail(ld, it, "%s must be true or false", what);
	*out = cJSON_IsTrue(it);
	return true;
}

/* JSON numbers are doubles: refuse fractions and out-of-range values before casting. */
static bool
get_size(struct loader *ld, const cJSON *it, const char *what, size_t lo, size_t hi, size_t *out)
{
	double d;

	if (!cJSON_IsNumber(it))
		return fail(ld, it, "%s must be a number", what);
	d = it->valuedouble;
	if (!(d >= (double)lo && d <= (double)hi) || d != (double)(size_t)d)
		return fail(ld, it, "%s must be a whole number from %zu to %zu", what, lo, hi);
	*out = (size_t)d;
	return true;
}

/* Closed vocabularies (type, role, kind): an unknown word is a typo, never a new kind. */
static bool
get_enum(struct loader *ld, const cJSON *it, const char *what, const char **names, size_t n,
         int *out)
{
	size_t i;

	if (!cJSON_IsString(it))
		return fail(ld, it, "%s must be a string", what);
	for (i = 0; i < n; i++) {
		if (strcmp(it->valuestring, names[i]) == 0) {
			*out = (int)i;
			return true;
		}
	}
	return fail(ld, it, "%s: unknown value \"%.40s\"", what, it->valuestring);
}

/* Names go into HTML ids, JSON keys and messages unescaped by habit: keep them boring. */
static bool
valid_name(const char *s)
{
	size_t i;

	if (s[0] < 'a' || s[0] > 'z')
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= SCHEMA_MAX_NAME)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

/* Autocomplete tokens: lowercase words separated by single spaces ("shipping tel"). */
static bool
valid_autocomplete(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == ' ')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ' ' && (s[i + 1] == ' ' || s[i + 1] == '\0'))
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == ' '))
			return false;
	}
	return i <= MAX_AUTOCOMPLETE;
}

/* Redirects go to our own paths or to absolute http(s) URLs, nowhere a browser would guess. */
static bool
valid_redirect(const char *s)
{
	const char *p = s;
	size_t i;

	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (s[0] == '/' && s[1] != '/' && s[1] != '\\')
		p = s + 1;
	else
		return false;
	if (p != s + 1 &&
	    !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '\\' || s[i] == '"' || s[i] == '<' ||
		    s[i] == '>' || (unsigned char)s[i] == 0x7f)
			return false;
	return i <= 2048;
}

/* Compiles ^(p)$ in C.UTF-8 so '.', [...] and {n} count characters as the browser does. */
static bool
compile_pattern(struct loader *ld, const cJSON *it, struct field *f)
{
	struct schema *s = ld->s;
	char err[128];

	if (s->loc == (locale_t)0) {
		s->loc = pattern_locale();
		if (s->loc == (locale_t)0)
			return fail(ld, it, "patterns need the C.UTF-8 locale, which is missing");
	}
	if (!pattern_compile(&f->re, s->loc, f->pattern, err, sizeof(err)))
		return fail(ld, it, "field \"%s\": \"pattern\": does not compile: %s", f->name,
		            err);
	return true;
}

/* ----------------------------------------------------------------- fields */

/* The types a visitor types into, which take lengths, placeholders and patterns. */
static bool
text_like(enum schema_type t)
{
	return t == SCHEMA_TEXT || t == SCHEMA_TEL || t == SCHEMA_EMAIL || t == SCHEMA_TEXTAREA ||
	       t == SCHEMA_HIDDEN;
}

/* Option values are what the server accepts, so they must be unique and plain. */
static bool
load_options(struct loader *ld, const cJSON *arr, struct field *f)
{
	const cJSON *o, *c;
	struct option *op;
	size_t n = 0, i, j;
	char what[96];

	if (!cJSON_IsArray(arr))
		return fail(ld, arr, "field \"%s\": \"options\" must be an array", f->name);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0 || n > SCHEMA_MAX_OPTIONS)
		return fail(ld, arr, "field \"%s\": \"options\" needs 1 to %d entries", f->name,
		            SCHEMA_MAX_OPTIONS);
	f->options = arena_alloc(&ld->s->arena, n * sizeof(*f->options));
	for (o = arr->child, i = 0; o != NULL; o = o->next, i++) {
		op = &f->options[i];
		if (!cJSON_IsObject(o))
			return fail(ld, o, "field \"%s\": each option must be an object", f->name);
		if (!check_unique_keys(ld, o))
			return false;
		for (c = o->child; c != NULL; c = c->next) {
			if (strcmp(c->string, "value") == 0) {
				snprintf(what, sizeof(what), "field \"%s\": option value", f->name);
				if (!get_string(ld, c, what, MAX_OPTION_VALUE, &op->value))
					return false;
			} else if (strcmp(c->string, "label") == 0) {
				snprintf(what, sizeof(what), "field \"%s\": option label", f->name);
				if (!get_ltext(ld, c, what, &op->label))
					return false;
			} else {
				return fail(ld, c, "field \"%s\": unknown option key \"%.40s\"",
				            f->name, c->string);
			}
		}
		if (op->value == NULL)
			return fail(ld, o, "field \"%s\": option without \"value\"", f->name);
		if (op->label.t[0] == NULL)
			return fail(ld, o, "field \"%s\": option without \"label\"", f->name);
		for (j = 0; j < i; j++)
			if (strcmp(f->options[j].value, op->value) == 0)
				return fail(ld, o, "field \"%s\": option value \"%.40s\" repeated",
				            f->name, op->value);
	}
	f->noptions = n;
	return true;
}

/* Keys in the order they are applied; "type" must be known before the rest is judged. */
static bool
load_field(struct loader *ld, const cJSON *obj, size_t idx, struct field *f)
{
	const cJSON *c, *it, *pattern_item = NULL;
	char what[96];
	int v;
	bool have_max = false;

	if (!cJSON_IsObject(obj))
		return fail(ld, obj, "fields[%zu] must be an object", idx);
	if (!check_unique_keys(ld, obj))
		return false;
	it = cJSON_GetObjectItemCaseSensitive(obj, "name");
	if (it == NULL)
		return fail(ld, obj, "fields[%zu] has no \"name\"", idx);
	if (!cJSON_IsString(it))
		return fail(ld, it, "fields[%zu]: \"name\" must be a string", idx);
	if (it->valuestring[0] == '_')
		return fail(ld, it,
		            "fields[%zu]: names starting with '_' are reserved for landform", idx);
	if (!valid_name(it->valuestring))
		return fail(ld, it, "fields[%zu]: name \"%.40s\" must match [a-z][a-z0-9_]{0,31}",
		            idx, it->valuestring);
	f->name = arena_strdup(&ld->s->arena, it->valuestring);
	it = cJSON_GetObjectItemCaseSensitive(obj, "type");
	if (it == NULL)
		return fail(ld, obj, "field \"%s\" has no \"type\"", f->name);
	snprintf(what, sizeof(what), "field \"%s\": \"type\"", f->name);
	if (!get_enum(ld, it, what, schema_type_names, nitems(schema_type_names), &v))
		return false;
	f->type = (enum schema_type)v;
	f->max_length = default_max[f->type];

	for (c = obj->child; c != NULL; c = c->next) {
		const char *k = c->string;

		snprintf(what, sizeof(what), "field \"%s\": \"%.20s\"", f->name, k);
		if (strcmp(k, "name") == 0 || strcmp(k, "type") == 0) {
			continue;
		} else if (strcmp(k, "comment") == 0) {
			if (!cJSON_IsString(c))
				return fail(ld, c, "%s must be a string", what);
		} else if (strcmp(k, "role") == 0) {
			if (!get_enum(ld, c, what, role_names, nitems(role_names), &v))
				return false;
			f->role = (enum schema_role)v;
		} else if (strcmp(k, "label") == 0) {
			if (f->type == SCHEMA_HIDDEN)
				return fail(ld, c, "%s: hidden fields have no label", what);
			if (!get_ltext(ld, c, what, &f->label))
				return false;
		} else if (strcmp(k, "placeholder") == 0) {
			if (!text_like(f->type) && f->type != SCHEMA_SELECT)
				return fail(ld, c, "%s: not for %s fields", what,
				            schema_type_names[f->type]);
			if (f->type == SCHEMA_HIDDEN)
				return fail(ld, c, "%s: not for hidden fields", what);
			if (!get_ltext(ld, c, what, &f->placeholder))
				return false;
		} else if (strcmp(k, "required") == 0) {
			if (!get_bool(ld, c, what, &f->required))
				return false;
		} else if (strcmp(k, "min_length") == 0 || strcmp(k, "max_length") == 0) {
			size_t *dst = k[1] == 'i' ? &f->min_length : &f->max_length;

			if (!text_like(f->type))
				return fail(ld, c, "%s: not for %s fields", what,
				            schema_type_names[f->type]);
			if (!get_size(ld, c, what, k[1] == 'i' ? 0 : 1, SCHEMA_MAX_LENGTH, dst))
				return false;
			if (k[1] == 'a')
				have_max = true;
		} else if (strcmp(k, "pattern") == 0) {
			const char *why;

			if (f->type == SCHEMA_TEXTAREA || !text_like(f->type))
				return fail(ld, c,
				            "%s: browsers check patterns only on text, tel, "
				            "email and hidden fields",
				            what);
			if (!get_string(ld, c, what, MAX_PATTERN, &f->pattern))
				return false;
			if ((why = pattern_unportable(f->pattern)) != NULL)
				return fail(ld, c, "%s: %s", what, why);
			pattern_item = c;
		} else if (strcmp(k, "pattern_message") == 0) {
			if (!get_ltext(ld, c, what, &f->pattern_message))
				return false;
		} else if (strcmp(k, "autocomplete") == 0) {
			if (f->type == SCHEMA_CHECKBOX || f->type == SCHEMA_HIDDEN)
				return fail(ld, c, "%s: not for %s fields", what,
				            schema_type_names[f->type]);
			if (!get_string(ld, c, what, MAX_AUTOCOMPLETE, &f->autocomplete))
				return false;
			if (!valid_autocomplete(f->autocomplete))
				return fail(ld, c,
				            "%s: tokens are lowercase words separated by "
				            "single spaces",
				            what);
		} else if (strcmp(k, "options") == 0) {
			if (f->type != SCHEMA_SELECT)
				return fail(ld, c, "%s: only select fields have options", what);
			if (!load_options(ld, c, f))
				return false;
		} else if (strcmp(k, "value") == 0) {
			if (f->type != SCHEMA_HIDDEN)
				return fail(ld, c, "%s: only hidden fields have a value", what);
			if (!cJSON_IsString(c))
				return fail(ld, c, "%s must be a string", what);
			if (utf8_has_control(c->valuestring, strlen(c->valuestring), false))
				return fail(ld, c, "%s contains a control character", what);
			f->value = arena_strdup(&ld->s->arena, c->valuestring);
		} else {
			return fail(ld, c, "field \"%s\": unknown key \"%.40s\"", f->name, k);
		}
	}

	if (f->min_length > f->max_length)
		return fail(ld, obj, "field \"%s\": min_length %zu is above max_length %zu%s",
		            f->name, f->min_length, f->max_length,
		            have_max ? "" : " (the default)");
	if (f->type == SCHEMA_SELECT && f->noptions == 0)
		return fail(ld, obj, "field \"%s\": select fields need \"options\"", f->name);
	if (f->pattern_message.t[0] != NULL && f->pattern == NULL)
		return fail(ld, obj, "field \"%s\": pattern_message without pattern", f->name);
	if (f->value != NULL && utf8_count(f->value, strlen(f->value)) > f->max_length)
		return fail(ld, obj, "field \"%s\": value is longer than max_length", f->name);
	if (f->label.t[0] == NULL && f->type != SCHEMA_HIDDEN && f->role != SCHEMA_ROLE_CONSENT)
		return fail(ld, obj, "field \"%s\" has no \"label\"", f->name);
	switch (f->role) {
	case SCHEMA_ROLE_NONE:
		break;
	case SCHEMA_ROLE_NAME:
		if (f->type != SCHEMA_TEXT)
			return fail(ld, obj, "field \"%s\": role name needs type text", f->name);
		break;
	case SCHEMA_ROLE_PHONE:
		if (f->type != SCHEMA_TEL)
			return fail(ld, obj, "field \"%s\": role phone needs type tel", f->name);
		if (!f->required)
			return fail(ld, obj,
			            "field \"%s\": the phone field must be \"required\": true",
			            f->name);
		break;
	case SCHEMA_ROLE_QUESTION:
		if (f->type != SCHEMA_TEXTAREA && f->type != SCHEMA_TEXT)
			return fail(ld, obj,
			            "field \"%s\": role question needs type textarea or text",
			            f->name);
		break;
	case SCHEMA_ROLE_CONSENT:
		if (f->type != SCHEMA_CHECKBOX)
			return fail(ld, obj, "field \"%s\": role consent needs type checkbox",
			            f->name);
		break;
	}
	if (pattern_item != NULL && !compile_pattern(ld, pattern_item, f))
		return false;
	return true;
}

/* The rules that span fields: one phone, unique names and roles, consent wiring. */
static bool
check_form(struct loader *ld, const cJSON *root, const cJSON *fields)
{
	struct schema *s = ld->s;
	const struct field *roles[5] = {NULL};
	const cJSON *fi, *items[5] = {NULL};
	size_t i, j;

	for (i = 0, fi = fields->child; i < s->nfields; i++, fi = fi->next) {
		const struct field *f = &s->fields[i];

		for (j = 0; j < i; j++)
			if (strcmp(s->fields[j].name, f->name) == 0)
				return fail(ld, fi, "field name \"%s\" used twice", f->name);
		if (f->role != SCHEMA_ROLE_NONE) {
			if (roles[f->role] != NULL)
				return fail(ld, fi, "field \"%s\": only one field may have role %s",
				            f->name, role_names[f->role]);
			roles[f->role] = f;
			items[f->role] = fi;
		}
	}
	if (roles[SCHEMA_ROLE_PHONE] == NULL)
		return fail(ld, fields, "the form needs one field with \"role\": \"phone\"");
	if (s->kind == SCHEMA_KIND_CONSULT && roles[SCHEMA_ROLE_QUESTION] == NULL)
		return fail(ld, fields,
		            "a consult form needs one field with \"role\": \"question\"");
	if (roles[SCHEMA_ROLE_CONSENT] != NULL && s->consent.t[0] == NULL)
		return fail(ld, items[SCHEMA_ROLE_CONSENT],
		            "the consent checkbox needs the top-level \"consent\" text");
	if (roles[SCHEMA_ROLE_CONSENT] == NULL && s->consent.t[0] != NULL)
		return fail(ld, cJSON_GetObjectItemCaseSensitive(root, "consent"),
		            "\"consent\" text needs a checkbox field with \"role\": \"consent\"");
	if (s->thanks.t[0] == NULL && s->redirect == NULL)
		return fail(ld, root, "give \"thanks\" text or a \"redirect\"");
	return true;
}

/* Top-level keys may come in any order; cross-field rules run once everything is read. */
static bool
load_root(struct loader *ld, const cJSON *root)
{
	struct schema *s = ld->s;
	const cJSON *c, *fields = NULL, *fi;
	static const char *kinds[] = {"lead", "consult"};
	bool have_kind = false;
	size_t i;
	int v;

	if (!cJSON_IsObject(root))
		return fail(ld, root, "the file must hold one JSON object");
	if (!check_unique_keys(ld, root))
		return false;
	for (c = root->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (strcmp(k, "kind") == 0) {
			if (!get_enum(ld, c, "\"kind\"", kinds, nitems(kinds), &v))
				return false;
			s->kind = (enum schema_kind)v;
			have_kind = true;
		} else if (strcmp(k, "title") == 0) {
			if (!get_ltext(ld, c, "\"title\"", &s->title))
				return false;
		} else if (strcmp(k, "submit") == 0) {
			if (!get_ltext(ld, c, "\"submit\"", &s->submit))
				return false;
		} else if (strcmp(k, "consent") == 0) {
			if (!get_ltext(ld, c, "\"consent\"", &s->consent))
				return false;
		} else if (strcmp(k, "thanks") == 0) {
			if (!get_ltext(ld, c, "\"thanks\"", &s->thanks))
				return false;
		} else if (strcmp(k, "redirect") == 0) {
			if (!get_string(ld, c, "\"redirect\"", 2048, &s->redirect))
				return false;
			if (!valid_redirect(s->redirect))
				return fail(ld, c,
				            "\"redirect\" must be an http(s):// URL or a /path");
		} else if (strcmp(k, "fields") == 0) {
			if (!cJSON_IsArray(c))
				return fail(ld, c, "\"fields\" must be an array");
			fields = c;
		} else if (strcmp(k, "comment") == 0) {
			if (!cJSON_IsString(c))
				return fail(ld, c, "\"comment\" must be a string");
		} else {
			return fail(ld, c, "unknown key \"%.40s\"", k);
		}
	}
	if (!have_kind)
		return fail(ld, root, "missing \"kind\" (\"lead\" or \"consult\")");
	if (s->title.t[0] == NULL)
		return fail(ld, root, "missing \"title\"");
	if (fields == NULL)
		return fail(ld, root, "missing \"fields\"");
	if (s->submit.t[0] == NULL) {
		s->submit.t[LANG_ZH_CN] = "提交";
		s->submit.t[LANG_EN] = "Submit";
	}
	s->nfields = (size_t)cJSON_GetArraySize(fields);
	if (s->nfields == 0 || s->nfields > SCHEMA_MAX_FIELDS)
		return fail(ld, fields, "\"fields\" needs 1 to %d entries", SCHEMA_MAX_FIELDS);
	s->fields = arena_alloc(&s->arena, s->nfields * sizeof(*s->fields));
	for (i = 0, fi = fields->child; fi != NULL; fi = fi->next, i++) {
		/* The regex is compiled last, so a field that fails holds none. */
		if (!load_field(ld, fi, i, &s->fields[i]))
			return false;
		s->ncompiled = i + 1;
	}
	return check_form(ld, root, fields);
}

/* Where a file that is not UTF-8 text goes wrong, to name its line: the offset of the first
 * NUL or of the first byte that starts no valid character (the shortest valid prefix at each
 * offset is its character, as UTF-8 sequences are prefix-free). */
static size_t
first_bad_byte(const char *json, size_t len)
{
	size_t i = 0, n;

	while (i < len && json[i] != '\0') {
		for (n = 1; n <= 4 && i + n <= len && !utf8_valid(json + i, n); n++)
			;
		if (n > 4 || i + n > len)
			break;
		i += n;
	}
	return i;
}

/* Byte-level checks first (size, UTF-8, NUL) so cJSON and the line finder see clean text. */
struct schema *
schema_load(const char *json, size_t len, const char *filename, char **cause)
{
	struct loader ld;
	cJSON *root = NULL;
	const char *end = NULL;
	char big[48];
	size_t i;

	memset(&ld, 0, sizeof(ld));
	ld.filename = filename != NULL ? filename : "form.json";
	*cause = NULL;

	if (len > MAX_FILE) {
		snprintf(big, sizeof(big), "larger than %d bytes", MAX_FILE);
		*cause = cause_at(ld.filename, 1, big);
		return NULL;
	}
	if (!utf8_valid(json, len) || memchr(json, '\0', len) != NULL) {
		i = first_bad_byte(json, len);
		*cause = cause_at(ld.filename, jsonpos_line_at(json, len, i), "not UTF-8 text");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root == NULL) {
		i = end != NULL && end >= json ? (size_t)(end - json) : 0;
		*cause = cause_at(ld.filename, jsonpos_line_at(json, len, i), "not valid JSON");
		return NULL;
	}
	for (i = (size_t)(end - json); i < len; i++) {
		if ((unsigned char)json[i] > ' ') {
			*cause = cause_at(ld.filename, jsonpos_line_at(json, len, i),
			                  "text after the JSON object");
			cJSON_Delete(root);
			return NULL;
		}
	}

	ld.s = calloc(1, sizeof(*ld.s));
	if (ld.s == NULL)
		abort();
	arena_init(&ld.s->arena, 8192);
	jsonpos_build(&ld.pm, json, len, root);
	if (!load_root(&ld, root)) {
		schema_free(ld.s);
		ld.s = NULL;
		*cause = ld.cause;
	}
	jsonpos_free(&ld.pm);
	cJSON_Delete(root);
	return ld.s;
}

/* Regexes and the locale live outside the arena: free them before it. */
void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncompiled && i < s->nfields; i++)
		if (s->fields[i].pattern != NULL)
			regfree(&s->fields[i].re);
	if (s->loc != (locale_t)0)
		freelocale(s->loc);
	arena_free(&s->arena);
	free(s);
}

/* -------------------------------------------------------------- accessors */

/* An unknown language reads as zh-CN, the site's first, so a page never shows a gap. */
const char *
schema_pick(const struct ltext *t, enum lang l)
{
	if ((unsigned)l >= LANG_COUNT)
		l = LANG_ZH_CN;
	return t->t[l];
}

/* Lead or consultation, for the page's registration in SQL; callers never see the struct. */
enum schema_kind
schema_kind(const struct schema *s)
{
	return s->kind;
}

/* The word SQL and the pages use for the kind. */
const char *
schema_kind_name(enum schema_kind k)
{
	return k == SCHEMA_KIND_CONSULT ? "consult" : "lead";
}

/* The form's title in the page language, for the page template. */
const char *
schema_title(const struct schema *s, enum lang l)
{
	return schema_pick(&s->title, l);
}

/* What the thank-you page says, when the form has no redirect of its own. */
const char *
schema_thanks(const struct schema *s, enum lang l)
{
	return schema_pick(&s->thanks, l);
}

/* Where to send the visitor after a stored submission, when the form says. */
const char *
schema_redirect(const struct schema *s)
{
	return s->redirect;
}

/* Staff read submissions by the labels visitors saw, not by field names. */
const char *
schema_field_label(const struct schema *s, const char *name, enum lang l)
{
	const struct field *f = schema_find_field(s, name);

	return f != NULL ? schema_pick(&f->label, l) : NULL;
}

/* A select's stored value means little to staff: show its option's label. */
const char *
schema_option_label(const struct schema *s, const char *name, const char *value, enum lang l)
{
	const struct field *f = schema_find_field(s, name);

	for (size_t i = 0; f != NULL && i < f->noptions; i++)
		if (strcmp(f->options[i].value, value) == 0)
			return schema_pick(&f->options[i].label, l);
	return NULL;
}

/* ---------------------------------------------------------------- shared */

/* First value sent under name; the form is re-rendered with what the visitor typed. */
const char *
schema_sent_value(const struct form *in, const char *name, size_t *count)
{
	const char *v = NULL;
	size_t i, n = 0;

	if (in == NULL) {
		if (count != NULL)
			*count = 0;
		return NULL;
	}
	for (i = 0; i < in->count; i++) {
		if (in->fields[i].name != NULL && strcmp(in->fields[i].name, name) == 0) {
			if (n++ == 0)
				v = in->fields[i].value;
		}
	}
	if (count != NULL)
		*count = n;
	return v;
}

/* Fields are few (at most SCHEMA_MAX_FIELDS): a scan is the index. */
const struct field *
schema_find_field(const struct schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return &s->fields[i];
	return NULL;
}

/* What a checkbox value means: browsers send our value="yes" or nothing; JSON clients
 * send true/false, which the form parser turns into text. */
enum schema_tick
schema_tick_of(const char *v)
{
	static const char *on[] = {"yes", "on", "true", "1"};
	static const char *off[] = {"", "no", "off", "false", "0"};
	size_t i;

	if (v == NULL)
		return SCHEMA_TICK_OFF;
	for (i = 0; i < nitems(on); i++)
		if (strcasecmp(v, on[i]) == 0)
			return SCHEMA_TICK_ON;
	for (i = 0; i < nitems(off); i++)
		if (strcasecmp(v, off[i]) == 0)
			return SCHEMA_TICK_OFF;
	return SCHEMA_TICK_BAD;
}
