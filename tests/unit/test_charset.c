/* Unit tests for charset.c: conversions and Content-Type labels from tests/data/charset/, and
 * whole forms parsed raw then converted (what page.c does with a declared charset) inline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena_fixture.h"
#include "charset.h"
#include "form.h"
#include "tsv_cases.h"

static const char *
result_name(enum charset_result r)
{
	return r == CHARSET_OK ? "ok" : r == CHARSET_UNKNOWN ? "unknown" : "invalid";
}

static void
charset_to_utf8_should_match_every_case_in_the_data_file(void **state)
{
	size_t n;
	struct tcase *c = tsv_load("charset", "convert.tsv", 5, tsv_unescape, &n);
	int failures = 0;

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		char *out = (char *)"sentinel";
		size_t outlen = 99;
		enum charset_result r = charset_to_utf8(&arena, c[i].cols[1], c[i].cols[2],
							strlen(c[i].cols[2]), &out, &outlen);
		bool good = strcmp(result_name(r), c[i].cols[3]) == 0;

		if (good && r == CHARSET_OK)
			good = outlen == strlen(c[i].cols[4]) && memcmp(out, c[i].cols[4], outlen) == 0 &&
			       out[outlen] == '\0';
		if (good && r != CHARSET_OK)
			good = out == NULL && outlen == 0;
		if (!good) {
			printf("# %s: got %s '%s', want %s '%s'\n", c[i].cols[0], result_name(r),
			       out ? out : "(null)", c[i].cols[3], c[i].cols[4]);
			failures++;
		}
	}
	tsv_free(c, n);
	assert_int_equal(failures, 0);
}

static void
charset_param_should_match_every_case_in_the_data_file(void **state)
{
	size_t n;
	struct tcase *c = tsv_load("charset", "param.tsv", 3, tsv_unescape, &n);
	int failures = 0;

	(void)state;
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		const char *got = charset_param(&arena, c[i].cols[1]);

		if (strcmp(got ? got : "(none)", c[i].cols[2]) != 0) {
			printf("# %s: got '%s', want '%s'\n", c[i].cols[0], got ? got : "(none)",
			       c[i].cols[2]);
			failures++;
		}
	}
	tsv_free(c, n);
	assert_int_equal(failures, 0);
	assert_null(charset_param(&arena, NULL));
}

static void
charset_labels_should_tell_utf8_known_and_unknown_apart(void **state)
{
	(void)state;
	assert_true(charset_is_utf8("utf-8"));
	assert_true(charset_is_utf8("utf8"));
	assert_false(charset_is_utf8("gbk"));
	assert_false(charset_is_utf8("x-klingon"));
	assert_false(charset_is_utf8(NULL));
	assert_true(charset_known("gb18030"));
	assert_true(charset_known("utf-8"));
	assert_false(charset_known("utf-7"));
	assert_false(charset_known("?"));
}

static const struct form_limits raw_lim = { 16, 64, 256, 2, true };

/* Parse body raw as urlencoded, as page.c does when a charset is declared. */
static struct form
parse_raw(const char *body)
{
	struct form f;
	struct form_error_info err;

	assert_true(form_parse_urlencoded(&arena, body, strlen(body), &raw_lim, &f, &err));
	return f;
}

static void
charset_form_should_convert_each_value_after_percent_decoding(void **state)
{
	/* %5C is '\': a GBK trail byte here (0x81 0x5C), so it must be decoded before iconv sees it. */
	struct form f = parse_raw("name=%C2%AC%C3%B7&phone=13800138000&note=%81%5C+x");
	struct charset_loss loss;

	(void)state;
	assert_true(charset_form_to_utf8(&arena, "gbk", &f, &loss));
	assert_int_equal(loss.fields, 0);
	assert_null(loss.first);
	assert_int_equal(f.count, 3);
	assert_string_equal(form_get(&f, "name"), "卢梅");
	assert_int_equal(f.fields[0].value_len, strlen("卢梅"));
	assert_string_equal(form_get(&f, "phone"), "13800138000");
	assert_string_equal(form_get(&f, "note"), "乗 x");
}

static void
charset_form_should_empty_an_unreadable_value_and_keep_the_rest(void **state)
{
	struct form f = parse_raw("name=%C2%FF&phone=13800138000&city=%C2%AC");
	struct charset_loss loss;

	(void)state;
	assert_false(charset_form_to_utf8(&arena, "gbk", &f, &loss));
	assert_int_equal(loss.fields, 1);
	assert_string_equal(loss.first, "name");
	assert_int_equal(f.count, 3);
	assert_string_equal(form_get(&f, "name"), "");
	assert_int_equal(f.fields[0].value_len, 0);
	assert_string_equal(form_get(&f, "phone"), "13800138000");
	assert_string_equal(form_get(&f, "city"), "卢");
}

static void
charset_form_should_drop_a_field_whose_name_is_unreadable(void **state)
{
	struct form f = parse_raw("%FF%FF=1&phone=13800138000");
	struct charset_loss loss;

	(void)state;
	assert_false(charset_form_to_utf8(&arena, "gbk", &f, &loss));
	assert_int_equal(loss.fields, 1);
	assert_null(loss.first);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.fields[0].name, "phone");
}

static void
charset_form_should_keep_only_ascii_for_an_unknown_label(void **state)
{
	struct form f = parse_raw("name=%C2%AC%C3%B7&phone=13800138000");
	struct charset_loss loss;

	(void)state;
	assert_false(charset_form_to_utf8(&arena, "x-klingon", &f, &loss));
	assert_int_equal(loss.fields, 1);
	assert_string_equal(loss.first, "name");
	assert_string_equal(form_get(&f, "name"), "");
	assert_string_equal(form_get(&f, "phone"), "13800138000");
}

static void
charset_form_should_refuse_control_characters_after_conversion(void **state)
{
	struct form_field fields[2] = { { "a", "x\001y", 3 }, { "b\001", "1", 1 } };
	struct form f = { fields, 2 };
	struct charset_loss loss;

	(void)state;
	assert_false(charset_form_to_utf8(&arena, "gbk", &f, &loss));
	assert_int_equal(loss.fields, 2);
	assert_string_equal(loss.first, "a");
	assert_int_equal(f.count, 1);
	assert_string_equal(form_get(&f, "a"), "");
}

static void
raw_parse_should_still_refuse_control_characters(void **state)
{
	struct form f;
	struct form_error_info err;
	const char *body = "name=%C2%01";

	(void)state;
	assert_false(form_parse_urlencoded(&arena, body, strlen(body), &raw_lim, &f, &err));
	assert_int_equal(err.code, FORM_ERR_CONTROL_CHAR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(charset_to_utf8_should_match_every_case_in_the_data_file, setup, teardown),
		cmocka_unit_test_setup_teardown(charset_param_should_match_every_case_in_the_data_file, setup, teardown),
		cmocka_unit_test(charset_labels_should_tell_utf8_known_and_unknown_apart),
		cmocka_unit_test_setup_teardown(charset_form_should_convert_each_value_after_percent_decoding, setup, teardown),
		cmocka_unit_test_setup_teardown(charset_form_should_empty_an_unreadable_value_and_keep_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(charset_form_should_drop_a_field_whose_name_is_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(charset_form_should_keep_only_ascii_for_an_unknown_label, setup, teardown),
		cmocka_unit_test_setup_teardown(charset_form_should_refuse_control_characters_after_conversion, setup, teardown),
		cmocka_unit_test_setup_teardown(raw_parse_should_still_refuse_control_characters, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
