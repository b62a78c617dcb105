/* A submission checked against the schema it was rendered from: the same struct that gave
 * the browser its checks decides here, and names the first problem in the page language.
 * Split out of schema.c. */
#include "schema.h"

#include <string.h>

#include "pattern.h"
#include "phone.h"
#include "schema_int.h"
#include "utf8.h"

/* White space people type around values, the ideographic and no-break spaces included. */
static size_t
space_at(const char *p, const char *end)
{
	if (p < end &&
	    (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
		return 1;
	if (end - p >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
		return 2;
	if (end - p >= 3 && (unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 &&
	    (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

/* space_at read backwards: the white space that ends [start, end), if any. */
static size_t
space_before(const char *start, const char *end)
{
	if (end - start >= 1 && space_at(end - 1, end) == 1)
		return 1;
	if (end - start >= 2 && space_at(end - 2, end) == 2)
		return 2;
	if (end - start >= 3 && space_at(end - 3, end) == 3)
		return 3;
	return 0;
}

/* The value as stored: trimmed, and line breaks as a browser counts them (CRLF -> LF), so
 * a textarea the browser's maxlength let through is never too long here. */
static char *
normalize(struct arena *a, const char *v, size_t *len)
{
	const char *p = v, *end = v + strlen(v);
	char *d, *q;
	size_t n;

	while ((n = space_at(p, end)) > 0)
		p += n;
	while (end > p && (n = space_before(p, end)) > 0)
		end -= n;
	d = q = arena_alloc(a, (size_t)(end - p) + 1);
	for (; p < end; p++) {
		if (*p == '\r') {
			*q++ = '\n';
			if (p + 1 < end && p[1] == '\n')
				p++;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	*len = (size_t)(q - d);
	return d;
}

/* The characters the HTML standard allows before an e-mail's @. */
static bool
email_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* ASCII only, unlike isalnum, whose answer depends on the locale. */
static bool
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The HTML standard's "valid e-mail address", the rule input type=email applies. */
static bool
email_ok(const char *v)
{
	const char *p = v, *at = strchr(v, '@');
	size_t lab;

	if (at == NULL || at == v)
		return false;
	for (; p < at; p++)
		if (!email_atext((unsigned char)*p))
			return false;
	p = at + 1;
	for (;;) {
		if (!alnum((unsigned char)*p))
			return false;
		for (lab = 0; alnum((unsigned char)*p) || *p == '-'; p++)
			lab++;
		if (lab > 63 || p[-1] == '-')
			return false;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
		p++;
	}
}

/* Messages name fields as the visitor sees them; hidden fields have only a name. */
static const char *
label_for(const struct schema *s, const struct field *f, enum lang l)
{
	if (f->label.t[0] != NULL)
		return schema_pick(&f->label, l);
	if (f->role == SCHEMA_ROLE_CONSENT)
		return l == LANG_EN ? "the consent box" : "同意条款";
	return f->name;
}

/* Fills err and returns false, so each check can `return refuse(...)`. */
static bool
refuse(struct schema_error *err, const char *field, const char *code, const char *message)
{
	err->field = field;
	err->code = code;
	err->message = message;
	return false;
}

/* What a visitor reads for each phone_normalize refusal, in both languages, "%s" standing
 * once for the field's label: one table, so a new refusal is one line here. */
static const struct {
	const char *en, *zh;
} phone_words[] = {
    [PHONE_ERR_EMPTY] = {"Please enter your %s.", "请填写%s"},
    [PHONE_ERR_BAD_CHAR] = {"%s may contain only digits, spaces, dashes and a leading +.",
                            "%s只能包含数字、空格、短横线和开头的+号"},
    [PHONE_ERR_TOO_SHORT] = {"%s has too few digits.", "%s位数太少"},
    [PHONE_ERR_TOO_LONG] = {"%s has too many digits.", "%s位数太多"},
    [PHONE_ERR_NOT_MOBILE] = {"%s is not a mobile number (11 digits starting with 1).",
                              "%s不是有效的手机号（11位，以1开头）"},
    [PHONE_ERR_NEED_COUNTRY] = {"For a number outside mainland China, start %s with + and "
                                "the country code.",
                                "非中国大陆号码，%s请以+和国家代码开头"},
};

/* Message for a phone number phone_normalize refused, naming the reason; the label is put in
 * by hand so the format passed to printf stays a literal. */
static const char *
phone_message(struct arena *a, enum lang l, enum phone_error e, const char *lab)
{
	const char *t = NULL, *at;

	if ((size_t)e < sizeof(phone_words) / sizeof(phone_words[0]))
		t = l == LANG_EN ? phone_words[e].en : phone_words[e].zh;
	if (t == NULL)
		t = l == LANG_EN ? "%s is not valid." : "%s无效";
	at = strstr(t, "%s");
	return arena_printf(a, "%.*s%s%s", (int)(at - t), t, lab, at + 2);
}

/* Starts the next member of fields_json, with the comma every member but the first needs. */
static void
json_key(struct buf *b, const char *name)
{
	if (b->len > 1)
		buf_addc(b, ',');
	buf_json_string(b, name);
	buf_addc(b, ':');
}

/* At most 40 bytes of a name we did not expect, cut on a character boundary. */
static const char *
short_name(struct arena *a, const char *name)
{
	size_t n = strlen(name);

	if (n <= 40)
		return arena_strdup(a, name);
	n = 40;
	while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
		n--;
	return arena_printf(a, "%.*s…", (int)n, name);
}

/* One field's checks, in the order a visitor would fix them: presence, shape, length, type. */
static bool
check_field(const struct schema *s, const struct field *f, const struct form *in, enum lang l,
            struct arena *a, struct schema_values *out, struct buf *js, struct schema_error *err)
{
	const char *raw, *lab = label_for(s, f, l);
	char *v, e164[PHONE_E164_MAX];
	bool en = l == LANG_EN;
	size_t count, len, cps, i;
	enum phone_error pe;
	enum schema_tick t;

	raw = schema_sent_value(in, f->name, &count);
	if (raw == NULL && f->type == SCHEMA_HIDDEN)
		raw = f->value; /* an API client that leaves it out gets what a browser sends */
	if (count > 1)
		return refuse(err, f->name, "duplicate_field",
		              en ? arena_printf(a,
		                                "%s was sent more than once; please reload the "
		                                "page and try again.",
		                                lab)
		                 : arena_printf(a, "%s提交了多次，请刷新页面后重试", lab));
	if (f->type == SCHEMA_CHECKBOX) {
		t = schema_tick_of(raw);
		if (t == SCHEMA_TICK_BAD)
			return refuse(err, f->name, "bad_checkbox",
			              en ? arena_printf(a, "%s has an invalid value.", lab)
			                 : arena_printf(a, "%s的值无效", lab));
		if (t == SCHEMA_TICK_OFF && f->required) {
			if (f->role == SCHEMA_ROLE_CONSENT)
				return refuse(err, f->name, "required",
				              en ? "Please tick the box to agree before sending."
				                 : "请先阅读并勾选同意");
			return refuse(err, f->name, "required",
			              en ? arena_printf(a, "Please tick “%s”.", lab)
			                 : arena_printf(a, "请勾选“%s”", lab));
		}
		json_key(js, f->name);
		buf_adds(js, t == SCHEMA_TICK_ON ? "true" : "false");
		if (t == SCHEMA_TICK_ON && f->role == SCHEMA_ROLE_CONSENT)
			out->consent = schema_pick(&s->consent, l);
		return true;
	}

	v = normalize(a, raw != NULL ? raw : "", &len);
	if (len == 0) {
		if (!f->required)
			return true;
		return refuse(err, f->name, "required",
		              f->type == SCHEMA_SELECT
		                  ? (en ? arena_printf(a, "Please choose your %s.", lab)
		                        : arena_printf(a, "请选择%s", lab))
		                  : (en ? arena_printf(a, "Please enter your %s.", lab)
		                        : arena_printf(a, "请填写%s", lab)));
	}
	if (!utf8_valid(v, len) || utf8_has_control(v, len, true))
		return refuse(
		    err, f->name, "bad_char",
		    en ? arena_printf(a, "%s contains characters that are not allowed.", lab)
		       : arena_printf(a, "%s包含不允许的字符", lab));
	if (f->type != SCHEMA_TEXTAREA && strchr(v, '\n') != NULL)
		return refuse(err, f->name, "line_break",
		              en ? arena_printf(a, "%s must fit on one line.", lab)
		                 : arena_printf(a, "%s不能换行", lab));

	if (f->type == SCHEMA_SELECT) {
		for (i = 0; i < f->noptions; i++)
			if (strcmp(v, f->options[i].value) == 0)
				break;
		if (i == f->noptions)
			return refuse(err, f->name, "bad_option",
			              en ? arena_printf(a, "Please choose %s from the list.", lab)
			                 : arena_printf(a, "请从列表中选择%s", lab));
		json_key(js, f->name);
		buf_json_string(js, v);
		return true;
	}

	cps = utf8_count(v, len);
	if (f->min_length > 0 && cps < f->min_length)
		return refuse(
		    err, f->name, "too_short",
		    en ? arena_printf(a, "%s needs at least %zu characters.", lab, f->min_length)
		       : arena_printf(a, "%s至少要%zu个字", lab, f->min_length));
	if (cps > f->max_length)
		return refuse(
		    err, f->name, "too_long",
		    en ? arena_printf(a, "%s can be at most %zu characters long (now %zu).", lab,
		                      f->max_length, cps)
		       : arena_printf(a, "%s最多%zu个字（现在%zu个）", lab, f->max_length, cps));
	if (f->pattern != NULL && !pattern_match(&f->re, s->loc, v))
		return refuse(err, f->name, "pattern_mismatch",
		              f->pattern_message.t[0] != NULL ? schema_pick(&f->pattern_message, l)
		              : en ? arena_printf(a, "%s is not in the expected format.", lab)
		                   : arena_printf(a, "%s格式不对", lab));
	if (f->type == SCHEMA_EMAIL && !email_ok(v))
		return refuse(err, f->name, "bad_email",
		              en ? arena_printf(a, "%s is not a valid email address.", lab)
		                 : arena_printf(a, "%s不是有效的邮箱地址", lab));
	if (f->type == SCHEMA_TEL) {
		pe = phone_normalize(v, len, e164);
		if (pe != PHONE_OK)
			return refuse(err, f->name,
			              pe == PHONE_ERR_EMPTY ? "required" : phone_error_code(pe),
			              phone_message(a, l, pe, lab));
		v = arena_strdup(a, e164);
		if (f->role == SCHEMA_ROLE_PHONE)
			out->phone = v;
	}
	if (f->role == SCHEMA_ROLE_NAME)
		out->name = v;
	else if (f->role == SCHEMA_ROLE_QUESTION)
		out->question = v;
	json_key(js, f->name);
	buf_json_string(js, v);
	return true;
}

/* Unknown names first (a stale page is the likely cause), then fields in schema order. */
bool
schema_validate(const struct schema *s, const struct form *in, enum lang l, struct arena *a,
                struct schema_values *out, struct schema_error *err)
{
	struct buf js;
	const char *name;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if ((unsigned)l >= LANG_COUNT)
		l = LANG_ZH_CN;
	for (i = 0; in != NULL && i < in->count; i++) {
		name = in->fields[i].name;
		if (name == NULL || name[0] == '_' || schema_find_field(s, name) != NULL)
			continue;
		name = short_name(a, name);
		return refuse(
		    err, name, "unknown_field",
		    l == LANG_EN
		        ? arena_printf(a,
		                       "The form sent an unknown field “%s”; please "
		                       "reload the page and try again.",
		                       name)
		        : arena_printf(a, "表单里有未知的项目“%s”，请刷新页面后重试", name));
	}
	buf_init(&js, a, 256);
	buf_addc(&js, '{');
	for (i = 0; i < s->nfields; i++)
		if (!check_field(s, &s->fields[i], in, l, a, out, &js, err)) {
			memset(out, 0, sizeof(*out));
			return false;
		}
	buf_addc(&js, '}');
	out->fields_json = js.data;
	return true;
}
