/* Unit tests for csv.c: RFC 4180 quoting, the byte order mark and formula neutralization. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "csv.h"
#include "arena_fixture.h"
#include "tsv_cases.h"

static const char *
cell(const char *s)
{
	struct buf b;

	buf_init(&b, &arena, 16);
	csv_cell(&b, s);
	return b.data;
}

static void
csv_cell_should_follow_the_table(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "wx", "wx" },
		{ "", "" },
		{ "12", "12" },
		{ "0.3636", "0.3636" },
		{ "-12.5", "-12.5" },			/* a number stays a number */
		{ "+7", "+7" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "=1+1", "\"'=1+1\"" },
		{ "+cmd", "\"'+cmd\"" },
		{ "-cmd", "\"'-cmd\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" },
		{ "\rx", "\"'\rx\"" },
		{ "-", "\"'-\"" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "-1+1", "\"'-1+1\"" },
		{ "1-1", "1-1" },			/* only the first character matters */
		{ "微信", "微信" },
		{ "(none)", "(none)" },
		{ "00:01:00", "00:01:00" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = cell(cases[i].in);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu [%s]: got [%s], want [%s]", i, cases[i].in, got, cases[i].want);
	}
}

static void
csv_cell_should_write_null_as_nothing(void **state)
{
	assert_string_equal(cell(NULL), "");
}

static void
csv_is_formula_should_spare_numbers_and_plain_text(void **state)
{
	assert_true(csv_is_formula("=A1"));
	assert_true(csv_is_formula("-cmd"));
	assert_true(csv_is_formula("@x"));
	assert_false(csv_is_formula("-3"));
	assert_false(csv_is_formula("-0.25"));
	assert_false(csv_is_formula("x=1"));
	assert_false(csv_is_formula(""));
	assert_false(csv_is_formula(NULL));
}

/* The case table SQL's _csv_inert is held to as well (tests/sql/58_csv_inert.sh). */
static void
csv_is_formula_should_agree_with_the_shared_table(void **state)
{
	size_t n;
	struct tcase *c = tsv_load("csv", "formula.tsv", 3, tsv_unescape, &n);

	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		bool want = strcmp(c[i].cols[2], "yes") == 0;

		if (!want && strcmp(c[i].cols[2], "no") != 0)
			fail_msg("%s: the third column is yes or no", c[i].cols[0]);
		if (csv_is_formula(c[i].cols[1]) != want)
			fail_msg("%s [%s]: csv_is_formula says %d", c[i].cols[0], c[i].cols[1], !want);
	}
	tsv_free(c, n);
}

static void
csv_row_should_separate_with_commas_and_end_with_crlf(void **state)
{
	const char *cells[] = { "period", NULL, "a,b", "-cmd", "3" };
	struct buf b;

	buf_init(&b, &arena, 16);
	csv_row(&b, cells, 5);
	assert_string_equal(b.data, "period,,\"a,b\",\"'-cmd\",3\r\n");
}

static void
csv_bom_should_be_the_three_utf8_bytes(void **state)
{
	struct buf b;

	buf_init(&b, &arena, 16);
	csv_bom(&b);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "\xEF\xBB\xBF", 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(csv_cell_should_follow_the_table, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_cell_should_write_null_as_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_is_formula_should_spare_numbers_and_plain_text, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_is_formula_should_agree_with_the_shared_table, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_row_should_separate_with_commas_and_end_with_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_bom_should_be_the_three_utf8_bytes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
