/* Unit tests for template.c: the cases in tests/data/template/cases.txt, one named test each, then
 * the behaviours a text table cannot hold (CR LF, trailing newlines, limits, ownership). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "arena.h"
#include "buf.h"
#include "template.h"
#include "arena_fixture.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

struct tcase {
	char *name;
	char *context;
	char *source;
	char *expect;
	char *error;
};

static char *
slurp(const char *file, size_t *len)
{
	char path[1024];
	char *s;
	long n;
	FILE *f;

	snprintf(path, sizeof path, "%s/template/%s", TEST_DATA_DIR, file);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	rewind(f);
	s = malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	s[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return s;
}

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Split cases.txt into cases; see the file's header for the format. */
static struct tcase *
load(size_t *count)
{
	char *all = slurp("cases.txt", NULL), *line, *next;
	struct tcase *cases = NULL, *c = NULL;
	char **field = NULL;
	const char *start = NULL, *end = NULL;
	size_t n = 0;

	for (line = all; line != NULL && *line != '\0'; line = next) {
		bool marker = strncmp(line, "=== ", 4) == 0 || strncmp(line, "--- ", 4) == 0;
		size_t len;

		next = strchr(line, '\n');
		len = next != NULL ? (size_t)(next - line) : strlen(line);
		if (next != NULL)
			next++;
		if (!marker) {
			if (field != NULL) {
				if (start == NULL)
					start = line;
				if (len > 0)
					end = line + len;
			}
			continue;
		}
		if (field != NULL)
			*field = end != NULL ? dupn(start, (size_t)(end - start)) : strdup("");
		field = NULL;
		start = end = NULL;
		if (line[0] == '=') {
			cases = realloc(cases, (n + 1) * sizeof *cases);
			c = &cases[n++];
			memset(c, 0, sizeof *c);
			c->name = dupn(line + 4, len - 4);
			continue;
		}
		if (c == NULL) {
			fprintf(stderr, "cases.txt: field before the first case\n");
			exit(1);
		}
		if (strncmp(line + 4, "context", len - 4) == 0)
			field = &c->context;
		else if (strncmp(line + 4, "template", len - 4) == 0)
			field = &c->source;
		else if (strncmp(line + 4, "expect", len - 4) == 0)
			field = &c->expect;
		else if (strncmp(line + 4, "error", len - 4) == 0)
			field = &c->error;
		else {
			fprintf(stderr, "cases.txt: unknown field '%.*s'\n", (int)len, line);
			exit(1);
		}
	}
	if (field != NULL)
		*field = end != NULL ? dupn(start, (size_t)(end - start)) : strdup("");
	free(all);
	*count = n;
	return cases;
}

/* Compile src, render it against json, return the output (in the arena). */
static const char *
render(const char *src, size_t len, const char *json)
{
	struct template *t;
	cJSON *ctx = json != NULL ? cJSON_Parse(json) : NULL;
	char *cause = NULL;
	struct buf b;

	if (json != NULL)
		assert_non_null(ctx);
	t = template_compile(src, len, "t.html", &cause);
	if (t == NULL)
		fail_msg("compile failed: %s", cause);
	buf_init(&b, &arena, 8);
	template_render(t, ctx, &b);
	template_free(t);
	cJSON_Delete(ctx);
	return b.data;
}

static char *
compile_error(const char *src, size_t len)
{
	struct template *t;
	char *cause = NULL;

	t = template_compile(src, len, "t.html", &cause);
	assert_null(t);
	assert_non_null(cause);
	return cause;
}

static void
run_case(void **state)
{
	const struct tcase *c = *state;
	struct template *t;
	cJSON *ctx;
	char *cause = NULL;
	struct buf b1, b2;

	assert_non_null(c->source);
	if (c->error != NULL) {
		cause = compile_error(c->source, strlen(c->source));
		assert_string_equal(cause, c->error);
		free(cause);
		return;
	}
	assert_non_null(c->expect);
	ctx = cJSON_Parse(c->context != NULL ? c->context : "{}");
	if (ctx == NULL)
		fail_msg("bad JSON context in case %s", c->name);
	t = template_compile(c->source, strlen(c->source), "t.html", &cause);
	if (t == NULL)
		fail_msg("compile failed: %s", cause);
	/* twice: rendering must leave the template as it found it */
	buf_init(&b1, &arena, 8);
	template_render(t, ctx, &b1);
	buf_init(&b2, &arena, 8);
	template_render(t, ctx, &b2);
	template_free(t);
	cJSON_Delete(ctx);
	assert_string_equal(b1.data, c->expect);
	assert_string_equal(b2.data, c->expect);
	arena_reset(&arena);
}

static void
template_should_render_the_demo_landing_page(void **state)
{
	size_t len;
	char *src = slurp("page.html", &len);
	char *json = slurp("page.json", NULL);
	char *want = slurp("page.expected.html", NULL);

	assert_string_equal(render(src, len, json), want);
	free(src);
	free(json);
	free(want);
}

static void
standalone_lines_should_handle_crlf(void **state)
{
	const char *src = "a\r\n  {{#on}}\r\nb\r\n{{/on}}  \r\nc\r\n";

	assert_string_equal(render(src, strlen(src), "{\"on\":true}"), "a\r\nb\r\nc\r\n");
}

static void
standalone_tag_at_end_of_file_should_disappear(void **state)
{
	const char *src = "{{#x}}\ny\n  {{/x}}  ";

	assert_string_equal(render(src, strlen(src), "{\"x\":1}"), "y\n");
}

static void
standalone_tag_should_keep_text_after_the_previous_tag(void **state)
{
	const char *src = "{{a}}\n{{! c }}\n{{a}}\n";

	assert_string_equal(render(src, strlen(src), "{\"a\":\"A\"}"), "A\nA\n");
}

static void
trailing_newline_should_be_kept(void **state)
{
	const char *src = "<p>{{x}}</p>\n";

	assert_string_equal(render(src, strlen(src), "{\"x\":\"y\"}"), "<p>y</p>\n");
}

static void
template_compile_should_count_crlf_lines(void **state)
{
	const char *src = "a\r\nb\r\n{{#c}}\r\n";
	char *cause = compile_error(src, strlen(src));

	assert_string_equal(cause, "t.html:3: {{#c}} is never closed");
	free(cause);
}

static void
template_compile_should_read_only_len_bytes(void **state)
{
	const char *src = "ab{{x}}{{#oops";

	assert_string_equal(render(src, 7, "{\"x\":1}"), "ab1");
	/* a tag cut by len is unterminated */
	free(compile_error(src, 6));
}

static void
template_compile_should_keep_no_pointer_into_the_source(void **state)
{
	char *src = strdup("<b>{{#xs}}{{.}},{{/xs}}{{name.first}}</b>");
	struct template *t;
	cJSON *ctx = cJSON_Parse("{\"xs\":[1,2],\"name\":{\"first\":\"李\"}}");
	char *cause = NULL;
	struct buf b;

	t = template_compile(src, strlen(src), "t.html", &cause);
	assert_non_null(t);
	memset(src, '?', strlen(src));
	free(src);
	buf_init(&b, &arena, 8);
	template_render(t, ctx, &b);
	assert_string_equal(b.data, "<b>1,2,李</b>");
	template_free(t);
	cJSON_Delete(ctx);
}

static void
template_compile_should_accept_a_null_cause(void **state)
{
	assert_null(template_compile("{{#a}}", 6, "t.html", NULL));
}

static void
template_compile_should_name_an_anonymous_template(void **state)
{
	char *cause = NULL;

	assert_null(template_compile("\n{{", 3, NULL, &cause));
	assert_string_equal(cause, "<template>:2: unterminated tag: '{{' without '}}'");
	free(cause);
}

static void
template_compile_should_report_the_first_error_only(void **state)
{
	char *cause = compile_error("{{/a}}{{/b}}", 12);

	assert_string_equal(cause, "t.html:1: {{/a}} closes no open section");
	free(cause);
}

static void
template_free_should_accept_null(void **state)
{
	template_free(NULL);
}

/* n nested sections on a (an array of two), each printing its depth marker once per item. */
static char *
nested(int n, const char *open)
{
	char *s = malloc((size_t)n * 20 + 16), *p = s;
	int i;

	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%d}}", open, i);
	p += sprintf(p, "x");
	for (i = n - 1; i >= 0; i--)
		p += sprintf(p, "{{/s%d}}", i);
	return s;
}

static void
template_compile_should_allow_nesting_32_deep(void **state)
{
	char *src = nested(TEMPLATE_MAX_DEPTH, "{{#s");
	char json[4096], *p = json;
	int i;

	p += sprintf(p, "{");
	for (i = 0; i < TEMPLATE_MAX_DEPTH; i++)
		p += sprintf(p, "%s\"s%d\":true", i ? "," : "", i);
	sprintf(p, "}");
	assert_string_equal(render(src, strlen(src), json), "x");
	free(src);
}

static void
template_compile_should_refuse_nesting_33_deep(void **state)
{
	char *src = nested(TEMPLATE_MAX_DEPTH + 1, "\n{{^s");
	char *cause = compile_error(src, strlen(src));

	assert_string_equal(cause, "t.html:34: sections nested deeper than 32");
	free(cause);
	free(src);
}

static void
template_render_should_treat_a_null_context_as_empty(void **state)
{
	const char *src = "[{{a}}{{#b}}b{{/b}}{{^c}}c{{/c}}{{.}}]";

	assert_string_equal(render(src, strlen(src), NULL), "[c]");
}

static void
template_render_should_render_a_scalar_root_context(void **state)
{
	const char *src = "{{.}}|{{#.}}yes{{/.}}|{{name}}";

	assert_string_equal(render(src, strlen(src), "\"<root>\""), "&lt;root&gt;|yes|");
}

static void
template_render_should_iterate_large_arrays(void **state)
{
	cJSON *ctx = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(ctx, "rows");
	struct template *t;
	struct buf b;
	int i;

	for (i = 0; i < 20000; i++)
		cJSON_AddItemToArray(rows, cJSON_CreateNumber(i));
	t = template_compile("{{#rows}}{{.}},{{/rows}}", 24, "t.html", NULL);
	assert_non_null(t);
	buf_init(&b, &arena, 8);
	template_render(t, ctx, &b);
	assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
	assert_true(b.len > 20000 * 2);
	assert_string_equal(b.data + b.len - 6, "19999,");
	template_free(t);
	cJSON_Delete(ctx);
	arena_reset(&arena);
}

static void
template_render_should_append_to_the_buffer(void **state)
{
	struct template *t = template_compile("b", 1, "t.html", NULL);
	struct buf b;

	assert_non_null(t);
	buf_init(&b, &arena, 8);
	buf_adds(&b, "a");
	template_render(t, NULL, &b);
	assert_string_equal(b.data, "ab");
	template_free(t);
}

static void
template_render_should_pass_embedded_text_bytes_through(void **state)
{
	const char src[] = "a\0b{{x}}\xff";

	/* templates are text, but a NUL or a stray byte in one is copied, never a reason to stop */
	struct template *t = template_compile(src, sizeof src - 1, "t.html", NULL);
	struct buf b;

	assert_non_null(t);
	buf_init(&b, &arena, 8);
	template_render(t, NULL, &b);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "a\0b\xff", 4);
	template_free(t);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(template_should_render_the_demo_landing_page),
	    cmocka_unit_test(standalone_lines_should_handle_crlf),
	    cmocka_unit_test(standalone_tag_at_end_of_file_should_disappear),
	    cmocka_unit_test(standalone_tag_should_keep_text_after_the_previous_tag),
	    cmocka_unit_test(trailing_newline_should_be_kept),
	    cmocka_unit_test(template_compile_should_count_crlf_lines),
	    cmocka_unit_test(template_compile_should_read_only_len_bytes),
	    cmocka_unit_test(template_compile_should_keep_no_pointer_into_the_source),
	    cmocka_unit_test(template_compile_should_accept_a_null_cause),
	    cmocka_unit_test(template_compile_should_name_an_anonymous_template),
	    cmocka_unit_test(template_compile_should_report_the_first_error_only),
	    cmocka_unit_test(template_free_should_accept_null),
	    cmocka_unit_test(template_compile_should_allow_nesting_32_deep),
	    cmocka_unit_test(template_compile_should_refuse_nesting_33_deep),
	    cmocka_unit_test(template_render_should_treat_a_null_context_as_empty),
	    cmocka_unit_test(template_render_should_render_a_scalar_root_context),
	    cmocka_unit_test(template_render_should_iterate_large_arrays),
	    cmocka_unit_test(template_render_should_append_to_the_buffer),
	    cmocka_unit_test(template_render_should_pass_embedded_text_bytes_through),
	};
	size_t n, nfixed = sizeof fixed / sizeof fixed[0], i;
	struct tcase *cases = load(&n);
	struct CMUnitTest *tests = calloc(n + nfixed, sizeof *tests);
	int rc;

	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &cases[i];
	}
	memcpy(tests + n, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("template", tests, n + nfixed, setup, teardown);
	for (i = 0; i < n; i++) {
		free(cases[i].name);
		free(cases[i].context);
		free(cases[i].source);
		free(cases[i].expect);
		free(cases[i].error);
	}
	free(cases);
	free(tests);
	return rc;
}
