/* log_path: tokens cut from logged paths, from tests/data/log/paths.tsv; never overflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log.h"
#include "tsv_cases.h"

static char *
dash_empty(const char *s)
{
	return strdup(strcmp(s, "-") == 0 ? "" : s);
}

static void
path_case(void **state)
{
	const struct tcase *c = *state;
	char out[512];

	assert_string_equal(log_path(c->cols[1], out, sizeof out), c->cols[2]);
}

static void
log_path_should_end_a_cut_path_with_an_ellipsis_and_never_show_a_token(void **state)
{
	static const char tok[] = "/staff/invite/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char out[16];
	size_t sz;

	(void)state;
	for (sz = 0; sz <= sizeof out; sz++) {
		memset(out, 'z', sizeof out);
		log_path(tok, out, sz);
		if (sz == 0) {
			assert_int_equal(out[0], 'z');
			continue;
		}
		assert_true(strlen(out) < sz);
		assert_null(strstr(out, "0123"));
	}
	log_path("/p/a-rather-long-page-name", out, sizeof out);
	assert_string_equal(out, "/p…"); /* a segment that does not fit is cut whole */
	log_path(NULL, out, sizeof out);
	assert_string_equal(out, "");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(log_path_should_end_a_cut_path_with_an_ellipsis_and_never_show_a_token),
	};
	size_t n, i, k = 0;
	struct tcase *cases = tsv_load("log", "paths.tsv", 3, dash_empty, &n);
	struct CMUnitTest *tests = calloc(n + 1, sizeof *tests);
	int rc;

	for (i = 0; i < n; i++) {
		tests[k].name = cases[i].cols[0];
		tests[k].test_func = path_case;
		tests[k++].initial_state = &cases[i];
	}
	tests[k++] = fixed[0];
	rc = _cmocka_run_group_tests("log", tests, k, NULL, NULL);
	tsv_free(cases, n);
	free(tests);
	return rc;
}
