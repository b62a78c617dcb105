/* Unit tests for form.c and its parsers (form_urlencoded.c, form_multipart.c, form_json.c): the
 * cases in the .cases files in tests/data/form, one file per parser, plus what a table cannot say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "form.h"
#include "hex.h"

enum kind { K_URLENCODED, K_MULTIPART, K_JSON };

static const struct form_limits default_limits = {64, 64, 1024, 4, false};

/* One case read from a data file; strings are escape-decoded, lengths kept for NULs. */
struct tcase {
	char name[128];
	int line;
	struct form_limits lim;
	char ctype[512];
	bool have_ctype;
	char body[8192];
	size_t body_len;
	char want[64];
	char want_field[256];
	bool have_want_field;
	size_t nexp;
	char exp_name[32][256];
	char exp_value[32][1024];
	size_t exp_value_len[32];
};

/* Undo the data files' escapes (\\ \r \n \t \xHH) into out; returns the byte count. */
static size_t
unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case '\\':
				c = '\\';
				break;
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'x':
				assert_true(hex_byte(s + 1) >= 0);
				c = (char)hex_byte(s + 1);
				s += 2;
				break;
			default:
				fail_msg("bad escape \\%c", *s);
			}
		}
		assert_true(n + 1 < cap);
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

static void
parse_limits(const char *s, struct form_limits *lim)
{
	char key[16];
	size_t v;
	int used;

	while (sscanf(s, " %15[a-z]=%zu%n", key, &v, &used) == 2) {
		if (strcmp(key, "fields") == 0)
			lim->max_fields = v;
		else if (strcmp(key, "name") == 0)
			lim->max_name_len = v;
		else if (strcmp(key, "value") == 0)
			lim->max_value_len = v;
		else if (strcmp(key, "depth") == 0)
			lim->max_depth = v;
		else
			fail_msg("unknown limit %s", key);
		s += used;
	}
}

static bool
run_parser(enum kind k, struct arena *a, const char *ctype, const char *body, size_t len,
           const struct form_limits *lim, struct form *f, struct form_error_info *err)
{
	switch (k) {
	case K_URLENCODED:
		return form_parse_urlencoded(a, body, len, lim, f, err);
	case K_MULTIPART:
		return form_parse_multipart(a, ctype, body, len, lim, f, err);
	case K_JSON:
		return form_parse_json(a, body, len, lim, f, err);
	}
	return false;
}

/* Run one case; prints why and returns false when the parser disagrees with the file. */
static bool
check_case(enum kind k, const struct tcase *c)
{
	struct arena a;
	struct form f;
	struct form_error_info err;
	const char *ctype = c->have_ctype ? c->ctype : "multipart/form-data; boundary=XyZ";
	bool ok, good = true;

	arena_init(&a, 4096);
	ok = run_parser(k, &a, ctype, c->body, c->body_len, &c->lim, &f, &err);
	if (strcmp(c->want, "ok") == 0) {
		if (!ok) {
			print_message("line %d %s: refused with %s (field %s)\n", c->line, c->name,
			              form_error_code(err.code), err.field ? err.field : "-");
			good = false;
		} else if (f.count != c->nexp) {
			print_message("line %d %s: %zu fields, want %zu\n", c->line, c->name,
			              f.count, c->nexp);
			good = false;
		} else {
			for (size_t i = 0; i < f.count; i++) {
				const struct form_field *fl = &f.fields[i];

				if (strcmp(fl->name, c->exp_name[i]) != 0 ||
				    fl->value_len != c->exp_value_len[i] ||
				    memcmp(fl->value, c->exp_value[i], fl->value_len) != 0 ||
				    fl->value[fl->value_len] != '\0' ||
				    strlen(fl->value) != fl->value_len) {
					print_message("line %d %s: field %zu is %s=%s\n", c->line,
					              c->name, i, fl->name, fl->value);
					good = false;
				}
			}
		}
	} else {
		if (ok) {
			print_message("line %d %s: accepted, want %s\n", c->line, c->name, c->want);
			good = false;
		} else if (strcmp(form_error_code(err.code), c->want) != 0) {
			print_message("line %d %s: refused with %s, want %s\n", c->line, c->name,
			              form_error_code(err.code), c->want);
			good = false;
		} else if (c->have_want_field != (err.field != NULL) ||
		           (err.field != NULL && strcmp(err.field, c->want_field) != 0)) {
			print_message("line %d %s: blamed field %s, want %s\n", c->line, c->name,
			              err.field ? err.field : "(none)",
			              c->have_want_field ? c->want_field : "(none)");
			good = false;
		} else if (f.count != 0 || f.fields != NULL) {
			print_message("line %d %s: refused but returned fields\n", c->line,
			              c->name);
			good = false;
		}
	}
	arena_free(&a);
	return good;
}

/* Read a .cases file (format in tests/data/form/README) and check every case in it. */
static void
run_file(enum kind k, const char *file)
{
	char path[1024], line[16384];
	struct tcase *c = calloc(1, sizeof(*c));
	FILE *fp;
	int lineno = 0, ncases = 0, failures = 0;
	bool open_case = false;

	assert_non_null(c);
	snprintf(path, sizeof(path), "%s/form/%s", TEST_DATA_DIR, file);
	fp = fopen(path, "r");
	assert_non_null(fp);
	for (;;) {
		bool eof = fgets(line, sizeof(line), fp) == NULL;
		char *arg;

		lineno++;
		if (!eof)
			line[strcspn(line, "\n")] = '\0';
		if (eof || strncmp(line, "case ", 5) == 0) {
			if (open_case) {
				ncases++;
				assert_true(c->want[0] != '\0');
				if (!check_case(k, c))
					failures++;
			}
			if (eof)
				break;
			memset(c, 0, sizeof(*c));
			c->lim = default_limits;
			c->line = lineno;
			snprintf(c->name, sizeof(c->name), "%s", line + 5);
			open_case = true;
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_true(open_case);
		arg = strchr(line, ' ');
		arg = arg != NULL ? arg + 1 : line + strlen(line);
		if (strncmp(line, "limits ", 7) == 0)
			parse_limits(arg, &c->lim);
		else if (strncmp(line, "ctype ", 6) == 0) {
			unescape(arg, c->ctype, sizeof(c->ctype));
			c->have_ctype = true;
		} else if (strncmp(line, "body ", 5) == 0)
			c->body_len +=
			    unescape(arg, c->body + c->body_len, sizeof(c->body) - c->body_len);
		else if (strncmp(line, "want ", 5) == 0) {
			char *sp = strchr(arg, ' ');

			if (sp != NULL) {
				*sp = '\0';
				unescape(sp + 1, c->want_field, sizeof(c->want_field));
				c->have_want_field = true;
			}
			snprintf(c->want, sizeof(c->want), "%s", arg);
		} else if (strncmp(line, "name", 4) == 0 && (line[4] == ' ' || line[4] == '\0')) {
			assert_true(c->nexp < 32);
			unescape(arg, c->exp_name[c->nexp], sizeof(c->exp_name[0]));
			c->exp_value[c->nexp][0] = '\0';
			c->exp_value_len[c->nexp] = 0;
			c->nexp++;
		} else if (strncmp(line, "value", 5) == 0 && (line[5] == ' ' || line[5] == '\0')) {
			assert_true(c->nexp > 0);
			c->exp_value_len[c->nexp - 1] =
			    unescape(arg, c->exp_value[c->nexp - 1], sizeof(c->exp_value[0]));
		} else
			fail_msg("%s:%d: cannot read \"%s\"", file, lineno, line);
	}
	fclose(fp);
	free(c);
	print_message("%s: %d cases, %d failed\n", file, ncases, failures);
	assert_true(ncases > 10);
	assert_int_equal(failures, 0);
}

static void
form_parse_urlencoded_should_match_every_case_in_the_data_file(void **state)
{
	run_file(K_URLENCODED, "urlencoded.cases");
}

static void
form_parse_multipart_should_match_every_case_in_the_data_file(void **state)
{
	run_file(K_MULTIPART, "multipart.cases");
}

static void
form_parse_json_should_match_every_case_in_the_data_file(void **state)
{
	run_file(K_JSON, "json.cases");
}

/* A body of n copies of unit, in malloc'd memory. */
static char *
repeat(const char *unit, size_t n, size_t *len)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	*len = u * n;
	return s;
}

static void
form_parse_urlencoded_should_refuse_a_huge_value_without_decoding_it(void **state)
{
	struct form_limits lim = {8, 16, 100, 4, false};
	struct arena a;
	struct form f;
	struct form_error_info err;
	size_t len;
	char *body = repeat("%41", 4 * 1024 * 1024, &len);

	body[0] = 'a';
	body[1] = '=';
	body[2] = 'x';
	arena_init(&a, 4096);
	assert_false(form_parse_urlencoded(&a, body, len, &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_VALUE_TOO_LONG);
	assert_string_equal(err.field, "a");
	/* Only the name and the field array were allocated: the value never was. */
	assert_true(a.used_total < 1024);
	arena_free(&a);
	free(body);
}

static void
form_parse_urlencoded_should_refuse_too_many_fields_before_decoding_any(void **state)
{
	struct form_limits lim = {100, 16, 100, 4, false};
	struct arena a;
	struct form f;
	struct form_error_info err;
	size_t len;
	char *body = repeat("a=%41&", 200000, &len);

	arena_init(&a, 4096);
	assert_false(form_parse_urlencoded(&a, body, len, &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_TOO_MANY_FIELDS);
	assert_null(err.field);
	assert_int_equal(a.used_total, 0);
	arena_free(&a);
	free(body);
}

static void
form_parse_multipart_should_refuse_a_huge_value_without_copying_it(void **state)
{
	static const char head[] = "--B\r\nContent-Disposition: form-data; name=\"m\"\r\n\r\n";
	struct form_limits lim = {8, 16, 100, 4, false};
	struct arena a;
	struct form f;
	struct form_error_info err;
	size_t n = 8 * 1024 * 1024, hl = sizeof(head) - 1;
	char *body = malloc(hl + n + 16);

	assert_non_null(body);
	memcpy(body, head, hl);
	memset(body + hl, 'x', n);
	memcpy(body + hl + n, "\r\n--B--\r\n", 9);
	arena_init(&a, 4096);
	assert_false(form_parse_multipart(&a, "multipart/form-data; boundary=B", body, hl + n + 9,
	                                  &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_VALUE_TOO_LONG);
	assert_string_equal(err.field, "m");
	assert_true(a.used_total < 1024);
	arena_free(&a);
	free(body);
}

static void
form_parse_json_should_refuse_deep_nesting_before_cjson_sees_it(void **state)
{
	struct form_limits lim = {8, 16, 100, 8, false};
	struct arena a;
	struct form f;
	struct form_error_info err;
	size_t len;
	char *body = repeat("{\"a\":[", 1000000, &len);

	arena_init(&a, 4096);
	assert_false(form_parse_json(&a, body, len, &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_TOO_DEEP);
	arena_free(&a);
	free(body);
}

static void
form_parse_multipart_should_say_no_boundary_without_a_content_type(void **state)
{
	struct arena a;
	struct form f;
	struct form_error_info err;

	arena_init(&a, 4096);
	assert_false(form_parse_multipart(&a, NULL, "--x--", 5, &default_limits, &f, &err));
	assert_int_equal(err.code, FORM_ERR_NO_BOUNDARY);
	arena_free(&a);
}

static void
form_parse_should_leave_every_string_in_the_arena(void **state)
{
	struct arena a;
	struct form f;
	struct form_error_info err;
	char body[] = "name=%E5%BC%A0%E4%B8%89&phone=138";
	char json[] = "{\"name\":\"张三\",\"n\":12}";

	arena_init(&a, 4096);
	assert_true(form_parse_urlencoded(&a, body, strlen(body), &default_limits, &f, &err));
	memset(body, 'X', strlen(body)); /* the body may die right after the parse */
	assert_string_equal(form_get(&f, "name"), "张三");
	assert_string_equal(form_get(&f, "phone"), "138");

	assert_true(form_parse_json(&a, json, strlen(json), &default_limits, &f, &err));
	memset(json, 'X', strlen(json));
	assert_string_equal(form_get(&f, "name"), "张三");
	assert_string_equal(form_get(&f, "n"), "12");
	arena_free(&a);
}

static void
form_get_should_return_the_first_value_and_form_count_all_of_them(void **state)
{
	struct arena a;
	struct form f;
	struct form_error_info err;
	const char body[] = "c=red&x=&c=blue&c=green";

	arena_init(&a, 4096);
	assert_true(form_parse_urlencoded(&a, body, strlen(body), &default_limits, &f, &err));
	assert_string_equal(form_get(&f, "c"), "red");
	assert_string_equal(form_get(&f, "x"), "");
	assert_null(form_get(&f, "missing"));
	assert_null(form_get(&f, "C"));
	assert_int_equal(form_count(&f, "c"), 3);
	assert_int_equal(form_count(&f, "x"), 1);
	assert_int_equal(form_count(&f, "missing"), 0);
	arena_free(&a);
}

static void
form_get_should_find_nothing_in_an_empty_form(void **state)
{
	struct form f = {NULL, 0};

	assert_null(form_get(&f, "a"));
	assert_int_equal(form_count(&f, "a"), 0);
}

static void
form_error_code_should_give_each_error_its_own_stable_name(void **state)
{
	const char *seen[FORM_ERR_BAD_VALUE_TYPE + 1];

	assert_string_equal(form_error_code(FORM_OK), "ok");
	assert_string_equal(form_error_code(FORM_ERR_BAD_UTF8), "bad_utf8");
	assert_string_equal(form_error_code(FORM_ERR_CONTROL_CHAR), "control_char");
	for (int e = FORM_OK; e <= FORM_ERR_BAD_VALUE_TYPE; e++) {
		seen[e] = form_error_code((enum form_error)e);
		assert_string_not_equal(seen[e], "unknown");
		for (int j = 0; j < e; j++)
			assert_string_not_equal(seen[e], seen[j]);
	}
}

static void
form_parse_json_should_accept_zero_max_fields_only_for_empty_forms(void **state)
{
	struct form_limits lim = {0, 16, 100, 4, false};
	struct arena a;
	struct form f;
	struct form_error_info err;

	arena_init(&a, 4096);
	assert_true(form_parse_json(&a, "{\"a\":null}", 10, &lim, &f, &err));
	assert_int_equal(f.count, 0);
	assert_false(form_parse_json(&a, "{\"a\":1}", 7, &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_TOO_MANY_FIELDS);
	assert_false(form_parse_urlencoded(&a, "a=1", 3, &lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_TOO_MANY_FIELDS);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(form_parse_urlencoded_should_match_every_case_in_the_data_file),
	    cmocka_unit_test(form_parse_multipart_should_match_every_case_in_the_data_file),
	    cmocka_unit_test(form_parse_json_should_match_every_case_in_the_data_file),
	    cmocka_unit_test(form_parse_urlencoded_should_refuse_a_huge_value_without_decoding_it),
	    cmocka_unit_test(
	        form_parse_urlencoded_should_refuse_too_many_fields_before_decoding_any),
	    cmocka_unit_test(form_parse_multipart_should_refuse_a_huge_value_without_copying_it),
	    cmocka_unit_test(form_parse_json_should_refuse_deep_nesting_before_cjson_sees_it),
	    cmocka_unit_test(form_parse_multipart_should_say_no_boundary_without_a_content_type),
	    cmocka_unit_test(form_parse_should_leave_every_string_in_the_arena),
	    cmocka_unit_test(form_get_should_return_the_first_value_and_form_count_all_of_them),
	    cmocka_unit_test(form_get_should_find_nothing_in_an_empty_form),
	    cmocka_unit_test(form_error_code_should_give_each_error_its_own_stable_name),
	    cmocka_unit_test(form_parse_json_should_accept_zero_max_fields_only_for_empty_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
