/* Unit tests for isotime.c, the one reader of timestamps and dates: every line of
 * tests/data/isotime/cases.tsv is a test, plus the calendar round trip over four centuries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isotime.h"
#include "tsv_cases.h"

static void
table_case(void **state)
{
	const struct tcase *c = *state;
	const char *text = strcmp(c->cols[2], "<null>") == 0 ? NULL
			   : strcmp(c->cols[2], "<empty>") == 0 ? ""
								 : c->cols[2];
	bool want = strcmp(c->cols[3], "-") != 0;
	struct isotime t = { .epoch = 12345 };
	long long epoch = 12345;

	if (strcmp(c->cols[1], "date") == 0) {
		assert_int_equal(isotime_date(text, &epoch), want);
		assert_int_equal(epoch, want ? strtoll(c->cols[3], NULL, 10) : 12345);
		return;
	}
	assert_string_equal(c->cols[1], "time");
	assert_int_equal(isotime_parse(text, &t), want);
	assert_int_equal(t.epoch, want ? strtoll(c->cols[3], NULL, 10) : 12345);
}

/* Every day from 1800 to 2200 goes to a day number and back unchanged, one after another. */
static void
civil_days_should_round_trip(void **state)
{
	long long first = isotime_days_from_civil(1800, 1, 1), last = isotime_days_from_civil(2200, 1, 1);

	(void)state;
	for (long long z = first; z < last; z++) {
		long long y;
		int m, d;

		isotime_civil_from_days(z, &y, &m, &d);
		assert_int_equal(isotime_days_from_civil(y, m, d), z);
	}
	assert_int_equal(last - first, 146097);
}

int
main(void)
{
	size_t n, total;
	struct tcase *cases = tsv_load("isotime", "cases.tsv", 4, NULL, &n);
	struct CMUnitTest *tests = calloc(n + 1, sizeof *tests);
	int rc;

	tests[0] = (struct CMUnitTest){ .name = "civil_days_should_round_trip",
					.test_func = civil_days_should_round_trip };
	total = 1;
	for (size_t i = 0; i < n; i++)
		tests[total++] = (struct CMUnitTest){ .name = cases[i].cols[0], .test_func = table_case,
						      .initial_state = &cases[i] };
	rc = _cmocka_run_group_tests("isotime", tests, total, NULL, NULL);
	tsv_free(cases, n);
	free(tests);
	return rc;
}
