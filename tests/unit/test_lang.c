/* Unit tests for lang.c: tests/data/lang/choose.tsv becomes one named test per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang.h"
#include "tsv_cases.h"

/* choose.tsv's "-" stands for NULL (the parameter or header absent). */
static char *
dash_null(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : strdup(s);
}

static void
choose_case(void **state)
{
	const struct tcase *c = *state;

	assert_string_equal(lang_tag(lang_choose(c->cols[1], c->cols[2])), c->cols[3]);
}

static void
lang_tag_should_name_every_language(void **state)
{
	assert_string_equal(lang_tag(LANG_ZH_CN), "zh-CN");
	assert_string_equal(lang_tag(LANG_EN), "en");
	assert_string_equal(lang_tag((enum lang)42), "zh-CN");
}

static void
lang_from_tag_should_read_only_len_bytes(void **state)
{
	enum lang l = LANG_ZH_CN;

	assert_true(lang_from_tag("en-US;q=1", 5, &l));
	assert_int_equal(l, LANG_EN);
	assert_false(lang_from_tag("en", 0, &l));
	assert_false(lang_from_tag(NULL, 2, &l));
	assert_false(lang_from_tag("en-", 3, &l));
	assert_false(lang_from_tag("-en", 3, &l));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(lang_tag_should_name_every_language),
	    cmocka_unit_test(lang_from_tag_should_read_only_len_bytes),
	};
	size_t n, i, nfixed = sizeof fixed / sizeof fixed[0];
	struct tcase *cases = tsv_load("lang", "choose.tsv", 4, dash_null, &n);
	struct CMUnitTest *tests = calloc(n + nfixed, sizeof *tests);
	int rc;

	memcpy(tests, fixed, sizeof fixed);
	for (i = 0; i < n; i++)
		tests[nfixed + i] = (struct CMUnitTest){ .name = cases[i].cols[0],
							 .test_func = choose_case,
							 .initial_state = &cases[i] };
	rc = _cmocka_run_group_tests("lang", tests, n + nfixed, NULL, NULL);
	tsv_free(cases, n);
	free(tests);
	return rc;
}
