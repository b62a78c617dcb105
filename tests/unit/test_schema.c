/* Unit tests for schema.c (good and bad form.json files), schema_check.c (every validation
 * error, from tests/data/schema/validate.tsv) and schema_html.c (the rendered form's
 * attributes). The pattern checker's own table is tests/data/pattern/cases.tsv (test_pattern.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "schema.h"
#include "tsv_cases.h"

#define BASE_FIELDS "name=张三&mobile=13800138000&size=1-10&question=你好吗&agree=yes"


static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long n;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)n + 1);
	if (fread(d, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	d[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return d;
}

static struct schema *
load_path(const char *path, const char *label, char **cause)
{
	size_t len;
	char *json = slurp(path, &len);
	struct schema *s = schema_load(json, len, label, cause);

	free(json);
	return s;
}

static struct schema *
load_data(const char *rel)
{
	char path[1024], *cause = NULL;
	struct schema *s;

	snprintf(path, sizeof path, "%s/schema/%s", TEST_DATA_DIR, rel);
	s = load_path(path, rel, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	return s;
}

static char *
pct_decode(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1), *q = d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1 && hex_byte(s + i + 1) >= 0) {
			*q++ = (char)hex_byte(s + i + 1);
			i += 2;
		} else {
			*q++ = s[i];
		}
	}
	*q = '\0';
	return d;
}

/* Builds a submission from the table's little language (see validate.tsv's header). */
static void
build_form(struct arena *a, const char *spec, struct form *out)
{
	struct form_field *fs = arena_alloc(a, 64 * sizeof(*fs));
	const char *p = spec, *end, *eq;
	char *item, *name;
	size_t n = 0, i, j, len;

	out->fields = fs;
	out->count = 0;
	if (strcmp(spec, "-") == 0)
		return;
	while (*p != '\0') {
		end = strchr(p, '&');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		item = arena_strndup(a, p, len);
		if (strcmp(item, "@base") == 0) {
			struct form base;

			build_form(a, BASE_FIELDS, &base);
			for (i = 0; i < base.count; i++)
				fs[n++] = base.fields[i];
		} else if (item[0] == '-') {
			for (i = j = 0; i < n; i++)
				if (strcmp(fs[i].name, item + 1) != 0)
					fs[j++] = fs[i];
			n = j;
		} else {
			eq = strchr(item, '=');
			assert_non_null(eq);
			name = pct_decode(a, item, (size_t)(eq - item));
			fs[n].name = name;
			fs[n].value = pct_decode(a, eq + 1, strlen(eq + 1));
			fs[n].value_len = strlen(fs[n].value);
			n++;
		}
		assert_true(n < 64);
		p += len;
		if (*p == '&')
			p++;
	}
	out->count = n;
}

static enum lang
lang_of(const char *tag)
{
	return strcmp(tag, "en") == 0 ? LANG_EN : LANG_ZH_CN;
}

/* ------------------------------------------------------------ table cases */

static void
bad_schema_case(void **state)
{
	const struct tcase *c = *state;
	const char *file = c->cols[0], *want = c->cols[1];
	char path[1024], *cause = NULL;
	struct schema *s;

	snprintf(path, sizeof path, "%s/schema/bad/%s", TEST_DATA_DIR, file);
	s = load_path(path, file, &cause);
	if (s != NULL) {
		schema_free(s);
		fail_msg("%s loaded but should not", file);
	}
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
good_schema_case(void **state)
{
	const struct tcase *c = *state;
	char *cause = NULL;
	struct schema *s = load_path(c->cols[1], c->cols[0], &cause);

	if (s == NULL)
		fail_msg("%s", cause);
	assert_null(cause);
	schema_free(s);
}

static void
validate_case(void **state)
{
	const struct tcase *c = *state;
	const char *lang = c->cols[1], *body = c->cols[2], *outcome = c->cols[3], *want = c->cols[4];
	struct schema *s = load_data("good/all_types.json");
	struct arena a;
	struct form in;
	struct schema_values v;
	struct schema_error e;
	char *want_field, *colon;
	bool ok;

	arena_init(&a, 0);
	build_form(&a, body, &in);
	ok = schema_validate(s, &in, lang_of(lang), &a, &v, &e);
	if (strcmp(outcome, "ok") == 0) {
		if (!ok)
			fail_msg("refused: %s %s %s", e.field, e.code, e.message);
		assert_non_null(v.phone);
		assert_string_equal(v.fields_json, want);
	} else {
		assert_false(ok);
		want_field = strdup(outcome);
		colon = strrchr(want_field, ':');
		assert_non_null(colon);
		*colon = '\0';
		assert_string_equal(e.field, want_field);
		assert_string_equal(e.code, colon + 1);
		assert_string_equal(e.message, want);
		assert_null(v.fields_json);
		assert_null(v.phone);
		free(want_field);
	}
	arena_free(&a);
	schema_free(s);
}

/* ------------------------------------------------------------- fixed cases */

static void
schema_load_should_expose_accessors(void **state)
{
	struct schema *s = load_data("good/all_types.json");

	assert_int_equal(schema_kind(s), SCHEMA_KIND_CONSULT);
	assert_string_equal(schema_kind_name(schema_kind(s)), "consult");
	assert_string_equal(schema_kind_name(SCHEMA_KIND_LEAD), "lead");
	assert_string_equal(schema_title(s, LANG_ZH_CN), "全部字段");
	assert_string_equal(schema_title(s, LANG_EN), "Every field");
	assert_string_equal(schema_thanks(s, LANG_EN), "Thanks");
	assert_string_equal(schema_redirect(s), "/thanks");
	/* what staff read for submitted fields */
	assert_string_equal(schema_field_label(s, "size", LANG_ZH_CN), "公司规模");
	assert_string_equal(schema_field_label(s, "mobile", LANG_EN), "Mobile");
	assert_null(schema_field_label(s, "campaign", LANG_EN)); /* hidden: no label */
	assert_null(schema_field_label(s, "nope", LANG_EN));
	assert_string_equal(schema_option_label(s, "size", "11-50", LANG_ZH_CN), "11–50 人");
	assert_string_equal(schema_option_label(s, "size", "1-10", LANG_EN), "1–10 people");
	assert_null(schema_option_label(s, "size", "9999", LANG_EN));
	assert_null(schema_option_label(s, "name", "x", LANG_EN));
	assert_null(schema_option_label(s, "nope", "x", LANG_EN));
	schema_free(s);

	s = load_data("good/minimal.json");
	assert_int_equal(schema_kind(s), SCHEMA_KIND_LEAD);
	assert_null(schema_thanks(s, LANG_ZH_CN));
	assert_string_equal(schema_redirect(s), "https://example.com/thanks?x=1");
	schema_free(s);
}

static void
schema_load_should_accept_bom_crlf_and_unicode_escapes(void **state)
{
	struct schema *s = load_data("good/bom_crlf_escapes.json");
	struct arena a;
	struct buf out;

	arena_init(&a, 0);
	buf_init(&out, &a, 0);
	schema_render_form(s, LANG_ZH_CN, "/p/x", NULL, NULL, NULL, NULL, &out);
	assert_non_null(strstr(out.data, ">手机<"));
	arena_free(&a);
	schema_free(s);
}

static void
schema_load_should_read_only_len_bytes(void **state)
{
	const char *json =
	    "{\"kind\":\"lead\",\"title\":{\"zh-CN\":\"t\",\"en\":\"t\"},\"fields\":["
	    "{\"name\":\"m\",\"type\":\"tel\",\"role\":\"phone\",\"required\":true,"
	    "\"label\":{\"zh-CN\":\"手机\",\"en\":\"Phone\"}}],\"redirect\":\"/ok\"}"
	    "GARBAGE";
	char *cause = NULL;
	struct schema *s = schema_load(json, strlen(json) - 7, "x.json", &cause);

	assert_non_null(s);
	schema_free(s);
	s = schema_load(json, strlen(json), "x.json", &cause);
	assert_null(s);
	assert_string_equal(cause, "x.json:1: text after the JSON object");
	free(cause);
}

static void
schema_load_should_refuse_huge_files(void **state)
{
	size_t n = 300 * 1024;
	char *json = malloc(n), *cause = NULL;

	memset(json, ' ', n);
	json[0] = '{';
	json[n - 1] = '}';
	assert_null(schema_load(json, n, "big.json", &cause));
	assert_string_equal(cause, "big.json:1: larger than 262144 bytes");
	free(cause);
	free(json);
}

static void
schema_load_should_refuse_too_many_fields(void **state)
{
	struct arena a;
	struct buf json;
	char *cause = NULL;
	int i;

	arena_init(&a, 0);
	buf_init(&json, &a, 0);
	buf_adds(&json,
	         "{\"kind\":\"lead\",\"title\":{\"zh-CN\":\"t\",\"en\":\"t\"},\n\"fields\":[");
	for (i = 0; i <= SCHEMA_MAX_FIELDS; i++)
		buf_printf(&json,
		           "%s{\"name\":\"f%d\",\"type\":\"text\",\"label\":{\"zh-CN\":\"t\","
		           "\"en\":\"t\"}}",
		           i > 0 ? "," : "", i);
	buf_adds(&json, "],\"redirect\":\"/\"}");
	assert_null(schema_load(json.data, json.len, "many.json", &cause));
	assert_string_equal(cause, "many.json:2: \"fields\" needs 1 to 40 entries");
	free(cause);
	arena_free(&a);
}

static void
schema_free_should_accept_null(void **state)
{
	schema_free(NULL);
}

static void
validate_should_fill_role_values(void **state)
{
	struct schema *s = load_data("good/all_types.json");
	struct arena a;
	struct form in;
	struct schema_values v;
	struct schema_error e;

	arena_init(&a, 0);
	build_form(&a, "@base", &in);
	assert_true(schema_validate(s, &in, LANG_EN, &a, &v, &e));
	assert_string_equal(v.phone, "+8613800138000");
	assert_string_equal(v.name, "张三");
	assert_string_equal(v.question, "你好吗");
	assert_string_equal(v.consent, "You may contact me.");
	assert_null(e.code);

	build_form(&a, "@base&-name", &in);
	assert_false(schema_validate(s, &in, LANG_ZH_CN, &a, &v, &e));
	assert_null(v.consent);
	arena_free(&a);
	schema_free(s);
}

static void
validate_should_leave_name_null_when_absent(void **state)
{
	struct schema *s = load_data("good/consent_as_label.json");
	struct arena a;
	struct form in;
	struct schema_values v;
	struct schema_error e;

	arena_init(&a, 0);
	build_form(&a, "phone=13800138000&ok=yes", &in);
	assert_true(schema_validate(s, &in, LANG_ZH_CN, &a, &v, &e));
	assert_null(v.name);
	assert_null(v.question);
	assert_string_equal(v.consent, "我同意条款");
	assert_string_equal(v.fields_json, "{\"phone\":\"+8613800138000\",\"ok\":true}");
	arena_free(&a);
	schema_free(s);
}

static void
validate_should_accept_null_form_as_empty(void **state)
{
	struct schema *s = load_data("good/minimal.json");
	struct arena a;
	struct schema_values v;
	struct schema_error e;

	arena_init(&a, 0);
	assert_false(schema_validate(s, NULL, LANG_EN, &a, &v, &e));
	assert_string_equal(e.code, "required");
	assert_string_equal(e.message, "Please enter your Phone.");
	arena_free(&a);
	schema_free(s);
}

static char *
render(struct arena *a, const char *schema_file, enum lang l, const char *spec,
       const struct schema_error *err, const char *stamp)
{
	struct schema *s = load_data(schema_file);
	struct form in;
	struct buf out;

	buf_init(&out, a, 0);
	if (spec != NULL)
		build_form(a, spec, &in);
	schema_render_form(s, l, "/p/demo?ch=wx&x=\"1\"", spec != NULL ? &in : NULL, err, stamp, NULL,
	                   &out);
	schema_free(s);
	return out.data;
}

static void
render_should_carry_the_schema_constraints(void **state)
{
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN, NULL, NULL, "st");
	assert_non_null(
	    strstr(h, "<form class=\"lf-form\" method=\"post\" "
	              "action=\"/p/demo?ch=wx&amp;x=&quot;1&quot;\" accept-charset=\"utf-8\">"));
	assert_null(strstr(h, "novalidate"));
	assert_non_null(strstr(h, "<input type=\"text\" id=\"f-name\" name=\"name\" required "
	                          "minlength=\"2\" maxlength=\"4\" autocomplete=\"name\">"));
	assert_non_null(strstr(h, "<input type=\"tel\" id=\"f-mobile\" name=\"mobile\" required "
	                          "inputmode=\"tel\" maxlength=\"32\" autocomplete=\"tel\">"));
	assert_non_null(strstr(h, "<input type=\"email\" id=\"f-email\" name=\"email\" "
	                          "maxlength=\"254\" autocomplete=\"email\">"));
	assert_non_null(
	    strstr(h, "pattern=\"[A-Z]{2}[0-9]{4}\" title=\"邀请码是2个大写字母加4位数字\""));
	assert_non_null(strstr(h, "<select id=\"f-size\" name=\"size\" required>\n"
	                          "<option value=\"\">请选择</option>\n"
	                          "<option value=\"1-10\">1–10 人</option>"));
	assert_non_null(strstr(h,
	                       "<textarea rows=\"4\" id=\"f-question\" name=\"question\" required "
	                       "minlength=\"3\" maxlength=\"10\">\n</textarea>"));
	assert_non_null(strstr(h, "<input type=\"hidden\" name=\"campaign\" value=\"spring\">"));
	assert_non_null(strstr(
	    h, "<label><input type=\"checkbox\" value=\"yes\" id=\"f-agree\" "
	       "name=\"agree\" required aria-describedby=\"f-agree-text\">"
	       "<span>我同意<span class=\"req\" aria-hidden=\"true\">*</span></span></label>"));
	assert_non_null(
	    strstr(h, "<p class=\"hint consent-text\" id=\"f-agree-text\">同意联系我。</p>"));
	assert_non_null(strstr(h,
	                       "<label for=\"f-name\">姓名<span class=\"req\" aria-hidden=\"true\">"
	                       "*</span></label>"));
	assert_non_null(strstr(h, "<input type=\"hidden\" name=\"_stamp\" value=\"st\">"));
	assert_non_null(strstr(h, "<div class=\"hp\" aria-hidden=\"true\">"));
	assert_non_null(
	    strstr(h, "name=\"_website\" value=\"\" tabindex=\"-1\" autocomplete=\"off\">"));
	assert_non_null(strstr(h, "<button type=\"submit\">提交</button>\n</form>\n"));
	assert_null(strstr(h, "role=\"alert\""));
	assert_null(strstr(h, "aria-invalid"));
	arena_free(&a);
}

static void
render_should_speak_the_page_language(void **state)
{
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_EN, NULL, NULL, NULL);
	assert_non_null(strstr(h, "<label for=\"f-name\">Name<span"));
	assert_non_null(strstr(h, "<option value=\"\">Choose…</option>"));
	assert_non_null(
	    strstr(h, "title=\"An invite code is two capital letters and four digits.\""));
	assert_non_null(strstr(h, ">Leave this field empty<"));
	assert_non_null(strstr(h, "<button type=\"submit\">Submit</button>"));
	assert_null(strstr(h, "_stamp"));
	arena_free(&a);
}

static void
render_should_put_typed_values_back_escaped(void **state)
{
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN,
	           "name=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&mobile=138%20'x'"
	           "&question=%0Afirst%20line%20%3C/textarea%3E%3Cb%3E&size=11-50&newsletter=yes"
	           "&agree=yes&campaign=%22autumn&_website=spam",
	           NULL, "s\"t");
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<b>"));
	assert_null(strstr(h, "spam"));
	assert_non_null(strstr(h, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"));
	assert_non_null(strstr(h, "value=\"138 &#39;x&#39;\">"));
	/* the newline we add after <textarea> is eaten by the parser, the visitor's survives */
	assert_non_null(
	    strstr(h, "maxlength=\"10\">\n\nfirst line &lt;/textarea&gt;&lt;b&gt;</textarea>"));
	assert_non_null(strstr(h, "<option value=\"11-50\" selected>"));
	assert_null(strstr(h, "<option value=\"1-10\" selected>"));
	assert_non_null(strstr(h, "id=\"f-newsletter\" name=\"newsletter\" checked>"));
	assert_non_null(strstr(h, "id=\"f-agree\" name=\"agree\" required "
	                          "aria-describedby=\"f-agree-text\" checked>"));
	assert_non_null(
	    strstr(h, "<input type=\"hidden\" name=\"campaign\" value=\"&quot;autumn\">"));
	assert_non_null(strstr(h, "name=\"_stamp\" value=\"s&quot;t\">"));
	arena_free(&a);
}

static void
render_should_leave_unticked_boxes_unchecked(void **state)
{
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN, "newsletter=no&agree=maybe", NULL, NULL);
	assert_null(strstr(h, "checked"));
	arena_free(&a);
}

static void
render_should_show_the_error_beside_its_field_and_atop(void **state)
{
	struct schema_error err = {"mobile", "not_mobile", "手机号不是<有效>的手机号"};
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN, "mobile=010-12345678", &err, NULL);
	assert_non_null(strstr(h,
	                       "<div class=\"form-errors\" role=\"alert\"><p><a href=\"#f-mobile\">"
	                       "手机号不是&lt;有效&gt;的手机号</a></p></div>"));
	assert_non_null(strstr(h, "<div class=\"field field-tel invalid\">"));
	assert_non_null(strstr(h, "name=\"mobile\" required aria-invalid=\"true\" "
	                          "aria-describedby=\"f-mobile-error\" inputmode=\"tel\""));
	assert_non_null(strstr(h,
	                       "value=\"010-12345678\">\n<p class=\"field-error\" "
	                       "id=\"f-mobile-error\">手机号不是&lt;有效&gt;的手机号</p>\n</div>"));
	/* only the field in error is marked */
	assert_null(strstr(strstr(h, "aria-invalid") + 1, "aria-invalid"));
	arena_free(&a);
}

static void
render_should_describe_consent_error_with_both_ids(void **state)
{
	struct schema_error err = {"agree", "required", "请先阅读并勾选同意"};
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN, "-", &err, NULL);
	assert_non_null(strstr(h, "name=\"agree\" required aria-invalid=\"true\" "
	                          "aria-describedby=\"f-agree-text f-agree-error\">"));
	arena_free(&a);
}

static void
render_should_summarize_unknown_field_errors_without_link(void **state)
{
	struct schema_error err = {"<x>", "unknown_field", "表单里有未知的项目“<x>”"};
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/all_types.json", LANG_ZH_CN, "-", &err, NULL);
	assert_non_null(strstr(h, "<div class=\"form-errors\" role=\"alert\"><p>"
	                          "表单里有未知的项目“&lt;x&gt;”</p></div>"));
	assert_null(strstr(h, "aria-invalid"));
	arena_free(&a);
}

static void
render_should_use_consent_text_as_label_when_box_has_none(void **state)
{
	struct arena a;
	char *h;

	arena_init(&a, 0);
	h = render(&a, "good/consent_as_label.json", LANG_EN, NULL, NULL, NULL);
	assert_non_null(
	    strstr(h, "id=\"f-ok\" name=\"ok\" required><span>I agree to the terms<span"));
	assert_null(strstr(h, "consent-text"));
	assert_non_null(strstr(h, "pattern=\"\\+?[0-9 ]{8,20}|[０１２３４５６７８９]{11}\""));
	arena_free(&a);
}

/* Each landing page's form renders, and its own freshly rendered names validate. */
static void
landing_forms_should_accept_a_browser_style_submission(void **state)
{
	static const char *pages[] = {"demo", "ask"};
	static const char *specs[] = {
	    "name=王女士&mobile=138%200013%208000&company=&size=&agree=yes&_stamp=x&_website=",
	    "name=&mobile=%2B86%20138%200013%208000&email=&topic=pricing"
	    "&question=%E5%A4%9A%E5%B0%91%E9%92%B1%EF%BC%9F%E6%88%91%E4%BB%AC%E6%9C%896%E4%B8%AA%"
	    "E4%BB%93"
	    "&agree=yes&_stamp=x&_website=",
	};
	char path[1024], *cause = NULL;
	struct schema *s;
	struct arena a;
	struct form in;
	struct buf out;
	struct schema_values v;
	struct schema_error e;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/../../landing/%s/form.json", TEST_DATA_DIR,
		         pages[i]);
		s = load_path(path, pages[i], &cause);
		if (s == NULL)
			fail_msg("%s", cause);
		arena_init(&a, 0);
		buf_init(&out, &a, 0);
		schema_render_form(s, LANG_ZH_CN, "/p/x", NULL, NULL, "stamp", NULL, &out);
		assert_non_null(strstr(out.data, "inputmode=\"tel\""));
		build_form(&a, specs[i], &in);
		if (!schema_validate(s, &in, LANG_ZH_CN, &a, &v, &e))
			fail_msg("%s: %s %s", pages[i], e.field, e.message);
		assert_string_equal(v.phone, "+8613800138000");
		assert_non_null(v.consent);
		if (schema_kind(s) == SCHEMA_KIND_CONSULT)
			assert_non_null(v.question);
		arena_free(&a);
		schema_free(s);
	}
}

/* The signed referral rides in a hidden _ref input, escaped like every other value; none
 * without one. */
static void
render_should_carry_the_referral_escaped(void **state)
{
	char path[512], *cause = NULL;
	struct schema *s;
	struct arena a;
	struct buf out;

	(void)state;
	snprintf(path, sizeof path, "%s/../../landing/demo/form.json", TEST_DATA_DIR);
	s = load_path(path, "demo", &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	arena_init(&a, 0);
	buf_init(&out, &a, 0);
	schema_render_form(s, LANG_ZH_CN, "/p/x", NULL, NULL, "stamp", "r1.\"><script>&", &out);
	assert_non_null(strstr(out.data, "<input type=\"hidden\" name=\"_ref\" value=\"r1.&quot;&gt;&lt;script&gt;&amp;\">"));
	assert_null(strstr(out.data, "<script>"));
	buf_init(&out, &a, 0);
	schema_render_form(s, LANG_ZH_CN, "/p/x", NULL, NULL, "stamp", NULL, &out);
	assert_null(strstr(out.data, "_ref"));
	arena_free(&a);
	schema_free(s);
}

static struct CMUnitTest *
add(struct CMUnitTest *tests, size_t *n, const char *name, CMUnitTestFunction fn, void *st)
{
	tests = realloc(tests, (*n + 1) * sizeof(*tests));
	memset(&tests[*n], 0, sizeof(*tests));
	tests[*n].name = name;
	tests[*n].test_func = fn;
	tests[*n].initial_state = st;
	(*n)++;
	return tests;
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(schema_load_should_expose_accessors),
	    cmocka_unit_test(schema_load_should_accept_bom_crlf_and_unicode_escapes),
	    cmocka_unit_test(schema_load_should_read_only_len_bytes),
	    cmocka_unit_test(schema_load_should_refuse_huge_files),
	    cmocka_unit_test(schema_load_should_refuse_too_many_fields),
	    cmocka_unit_test(schema_free_should_accept_null),
	    cmocka_unit_test(validate_should_fill_role_values),
	    cmocka_unit_test(validate_should_leave_name_null_when_absent),
	    cmocka_unit_test(validate_should_accept_null_form_as_empty),
	    cmocka_unit_test(render_should_carry_the_schema_constraints),
	    cmocka_unit_test(render_should_speak_the_page_language),
	    cmocka_unit_test(render_should_put_typed_values_back_escaped),
	    cmocka_unit_test(render_should_leave_unticked_boxes_unchecked),
	    cmocka_unit_test(render_should_show_the_error_beside_its_field_and_atop),
	    cmocka_unit_test(render_should_describe_consent_error_with_both_ids),
	    cmocka_unit_test(render_should_summarize_unknown_field_errors_without_link),
	    cmocka_unit_test(render_should_use_consent_text_as_label_when_box_has_none),
	    cmocka_unit_test(landing_forms_should_accept_a_browser_style_submission),
	    cmocka_unit_test(render_should_carry_the_referral_escaped),
	};
	static const char *good[] = {"all_types.json", "minimal.json", "bom_crlf_escapes.json",
	                             "consent_as_label.json"};
	struct tcase *bad, *val, goodc[4];
	size_t nbad, nval, n = 0, i;
	struct CMUnitTest *tests = NULL;
	char *names[4];
	int rc;

	bad = tsv_load("schema", "bad.tsv", 2, NULL, &nbad);
	val = tsv_load("schema", "validate.tsv", 5, NULL, &nval);
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		tests = add(tests, &n, fixed[i].name, fixed[i].test_func, NULL);
	for (i = 0; i < 4; i++) {
		size_t len = strlen(TEST_DATA_DIR) + strlen(good[i]) + 32;

		memset(&goodc[i], 0, sizeof goodc[i]);
		goodc[i].cols[1] = malloc(len);
		snprintf(goodc[i].cols[1], len, "%s/schema/good/%s", TEST_DATA_DIR, good[i]);
		len = strlen(good[i]) + 40;
		names[i] = malloc(len);
		snprintf(names[i], len, "schema_load_should_accept_%s", good[i]);
		goodc[i].cols[0] = names[i];
		tests = add(tests, &n, names[i], good_schema_case, &goodc[i]);
	}
	for (i = 0; i < nbad; i++) {
		/* bad.tsv has no name column: the file names the case (its test name is kept in
		 * the spare column 2, so tsv_free frees it) */
		char *nm = malloc(strlen(bad[i].cols[0]) + 40);

		sprintf(nm, "schema_load_should_refuse_%s", bad[i].cols[0]);
		bad[i].cols[2] = nm;
		tests = add(tests, &n, nm, bad_schema_case, &bad[i]);
	}
	for (i = 0; i < nval; i++)
		tests = add(tests, &n, val[i].cols[0], validate_case, &val[i]);
	rc = _cmocka_run_group_tests("schema", tests, n, NULL, NULL);
	for (i = 0; i < 4; i++) {
		free(goodc[i].cols[1]);
		free(names[i]);
	}
	tsv_free(bad, nbad);
	tsv_free(val, nval);
	free(tests);
	return rc;
}
