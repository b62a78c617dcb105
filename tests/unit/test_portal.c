/* Unit tests for the pure helpers of portal.c: countdown and waiting texts, timestamps as SQL's
 * jsonb writes them, phone display. tests/data/portal/{left,time,phone}.tsv give one test per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "portal.h"
#include "tsv_cases.h"

static void
left_case(void **state)
{
	struct tcase *c = *state;
	enum lang l = strcmp(c->cols[2], "en") == 0 ? LANG_EN : LANG_ZH_CN;
	long long s = strtoll(c->cols[3], NULL, 10);
	struct arena a;
	struct buf b;

	arena_init(&a, 256);
	buf_init(&b, &a, 16);
	if (strcmp(c->cols[1], "left") == 0)
		portal_left_text(l, s, &b);
	else if (strcmp(c->cols[1], "waited") == 0)
		portal_waited_text(l, s, &b);
	else
		portal_span_text(l, s, &b);
	assert_string_equal(b.data, c->cols[4]);
	arena_free(&a);
}

static void
time_case(void **state)
{
	struct tcase *c = *state;
	char out[17];
	bool ok = strcmp(c->cols[2], "-") != 0;

	assert_int_equal(portal_time_text(c->cols[1], false, out), ok);
	assert_string_equal(out, ok ? c->cols[2] : "");
	assert_int_equal(portal_time_text(c->cols[1], true, out), ok);
	assert_string_equal(out, ok ? c->cols[3] : "");
}

static void
phone_case(void **state)
{
	struct tcase *c = *state;
	struct arena a;
	struct buf b;

	arena_init(&a, 256);
	buf_init(&b, &a, 16);
	portal_phone_text(c->cols[1], &b);
	assert_string_equal(b.data, c->cols[2]);
	assert_int_equal(portal_phone_callable(c->cols[1]), strcmp(c->cols[3], "1") == 0);
	arena_free(&a);
}

static void
time_should_refuse_null(void **state)
{
	char out[17] = "x";

	assert_false(portal_time_text(NULL, true, out));
	assert_string_equal(out, "");
	assert_false(portal_phone_callable(NULL));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(time_should_refuse_null),
	};
	struct {
		const char *file;
		size_t ncols;
		void (*fn)(void **);
		struct tcase *cases;
		size_t n;
	} sets[] = {
		{ "left.tsv", 5, left_case, NULL, 0 },
		{ "time.tsv", 4, time_case, NULL, 0 },
		{ "phone.tsv", 4, phone_case, NULL, 0 },
	};
	size_t total = sizeof(fixed) / sizeof(fixed[0]), n = 0;
	struct CMUnitTest *tests;
	int rc;

	for (size_t s = 0; s < 3; s++) {
		sets[s].cases = tsv_load("portal", sets[s].file, sets[s].ncols, NULL, &sets[s].n);
		total += sets[s].n;
	}
	tests = calloc(total, sizeof *tests);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	for (size_t s = 0; s < 3; s++)
		for (size_t i = 0; i < sets[s].n; i++)
			tests[n++] = (struct CMUnitTest){ .name = sets[s].cases[i].cols[0],
							  .test_func = sets[s].fn,
							  .initial_state = &sets[s].cases[i] };
	rc = _cmocka_run_group_tests("portal", tests, n, NULL, NULL);
	for (size_t s = 0; s < 3; s++)
		tsv_free(sets[s].cases, sets[s].n);
	free(tests);
	return rc;
}
