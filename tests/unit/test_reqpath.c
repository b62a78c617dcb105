/* Unit tests for reqpath.c: tests/data/reqpath/path.tsv becomes one named test per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reqpath.h"
#include "tsv_cases.h"

/* "-" in a column stands for NULL: the parameter was not sent, or no path is expected. */
static const char *
or_null(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static void
path_case(void **state)
{
	const struct tcase *c = *state;
	const char *want = or_null(c->cols[5]), *got;
	struct arena a;

	arena_init(&a, 0);
	got = reqpath_from_params(&a, or_null(c->cols[1]), or_null(c->cols[2]), or_null(c->cols[3]),
				  or_null(c->cols[4]));
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	arena_free(&a);
}

int
main(void)
{
	size_t n;
	struct tcase *cases = tsv_load("reqpath", "path.tsv", 6, NULL, &n);
	struct CMUnitTest *tests = calloc(n, sizeof *tests);
	int rc;

	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].cols[0];
		tests[i].test_func = path_case;
		tests[i].initial_state = &cases[i];
	}
	rc = _cmocka_run_group_tests("reqpath", tests, n, NULL, NULL);
	free(tests);
	tsv_free(cases, n);
	return rc;
}
