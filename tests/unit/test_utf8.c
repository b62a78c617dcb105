/* Unit tests for utf8.c: validity cases from tests/data/utf8/valid.cases, control checks inline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "utf8.h"

/* Same escapes as the form cases: \\ \r \n \t \xHH. */
static size_t
unescape(const char *s, char *out)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			if (*s == 'x') {
				assert_true(hex_byte(s + 1) >= 0);
				c = (char)hex_byte(s + 1);
				s += 2;
			} else if (*s == 'r')
				c = '\r';
			else if (*s == 'n')
				c = '\n';
			else if (*s == 't')
				c = '\t';
			else {
				assert_int_equal(*s, '\\');
				c = '\\';
			}
		}
		out[n++] = c;
	}
	return n;
}

static void
utf8_valid_should_match_every_case_in_the_data_file(void **state)
{
	char line[1024], bytes[1024];
	FILE *fp = fopen(TEST_DATA_DIR "/utf8/valid.cases", "r");
	int lineno = 0, cases = 0, failures = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		bool want;
		const char *arg;
		size_t n;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "yes", 3) == 0)
			want = true;
		else if (strncmp(line, "no", 2) == 0)
			want = false;
		else
			fail_msg("line %d: cannot read \"%s\"", lineno, line);
		arg = strchr(line, ' ');
		n = unescape(arg != NULL ? arg + 1 : "", bytes);
		cases++;
		if (utf8_valid(bytes, n) != want) {
			print_message("line %d: %s, want %s\n", lineno, line,
			              want ? "valid" : "invalid");
			failures++;
		}
		/* Cutting a valid multi-byte text short must never stay valid mid-sequence. */
		if (want && n > 0 && ((unsigned char)bytes[n - 1] & 0xc0) == 0x80 &&
		    utf8_valid(bytes, n - 1)) {
			print_message("line %d: valid after dropping a continuation byte\n",
			              lineno);
			failures++;
		}
	}
	fclose(fp);
	assert_true(cases > 20);
	assert_int_equal(failures, 0);
}

/* Every code point, encoded by hand, must be valid exactly when it is a scalar value. */
static void
utf8_valid_should_accept_every_scalar_value_and_no_surrogate(void **state)
{
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		unsigned char b[4];
		size_t n;

		if (cp < 0x80) {
			b[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = (unsigned char)(0xc0 | cp >> 6);
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xe0 | cp >> 12);
			b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | cp >> 18);
			b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		if (utf8_valid((const char *)b, n) != !(cp >= 0xd800 && cp <= 0xdfff))
			fail_msg("U+%04X judged wrongly", (unsigned)cp);
		if (n > 1 && utf8_valid((const char *)b, n - 1))
			fail_msg("U+%04X valid when cut short", (unsigned)cp);
	}
}

/* Every overlong two-, three- and four-byte form is refused. */
static void
utf8_valid_should_refuse_every_overlong_form(void **state)
{
	for (uint32_t cp = 0; cp < 0x10000; cp++) {
		unsigned char b[4];

		if (cp < 0x80) {
			b[0] = (unsigned char)(0xc0 | cp >> 6);
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			assert_false(utf8_valid((const char *)b, 2));
		}
		if (cp < 0x800) {
			b[0] = 0xe0;
			b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			assert_false(utf8_valid((const char *)b, 3));
		}
		b[0] = 0xf0;
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		assert_false(utf8_valid((const char *)b, 4));
	}
}

static void
utf8_valid_should_accept_the_empty_string(void **state)
{
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid(NULL, 0));
}

static void
utf8_has_control_should_find_every_c0_byte_and_del(void **state)
{
	for (int c = 0; c < 256; c++) {
		char s[3] = {'a', (char)c, 'b'};
		bool ws = c == '\t' || c == '\r' || c == '\n';
		bool ctl = c < 0x20 || c == 0x7f;

		assert_int_equal(utf8_has_control(s, 3, false), ctl);
		assert_int_equal(utf8_has_control(s, 3, true), ctl && !ws);
	}
}

static void
utf8_has_control_should_pass_cjk_emoji_and_markup(void **state)
{
	const char *s = "张三 O'Brien <script>alert(1)</script> 😀 \xc2\x85";

	assert_false(utf8_has_control(s, strlen(s), false));
	assert_false(utf8_has_control("", 0, false));
}

static void
utf8_has_control_should_read_past_a_nul_only_when_told_the_length(void **state)
{
	assert_true(utf8_has_control("ab\0cd", 5, true));
	assert_false(utf8_has_control("ab\0cd", 2, true));
}

static void
utf8_count_should_count_code_points_not_bytes(void **state)
{
	assert_int_equal(utf8_count("", 0), 0);
	assert_int_equal(utf8_count("abc", 3), 3);
	assert_int_equal(utf8_count("张三", strlen("张三")), 2);
	assert_int_equal(utf8_count("a😀é", strlen("a😀é")), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(utf8_valid_should_match_every_case_in_the_data_file),
	    cmocka_unit_test(utf8_valid_should_accept_every_scalar_value_and_no_surrogate),
	    cmocka_unit_test(utf8_valid_should_refuse_every_overlong_form),
	    cmocka_unit_test(utf8_valid_should_accept_the_empty_string),
	    cmocka_unit_test(utf8_has_control_should_find_every_c0_byte_and_del),
	    cmocka_unit_test(utf8_has_control_should_pass_cjk_emoji_and_markup),
	    cmocka_unit_test(utf8_has_control_should_read_past_a_nul_only_when_told_the_length),
	    cmocka_unit_test(utf8_count_should_count_code_points_not_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
