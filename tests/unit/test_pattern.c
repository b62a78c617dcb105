/* Unit tests for pattern.c, the form.json pattern checker: every line of
 * tests/data/pattern/cases.tsv is a test (refused, or compiled and matched against a value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern.h"
#include "tsv_cases.h"

static locale_t loc;

/* A refused pattern names its reason; a portable one compiles and matches as the table says. */
static void
table_case(void **state)
{
	const struct tcase *c = *state;
	const char *pat = c->cols[1], *value = c->cols[2], *want = c->cols[3];
	char err[128];
	regex_t re;
	bool matched;

	if (strcmp(want, "refused") == 0) {
		if (pattern_unportable(pat) == NULL)
			fail_msg("pattern %s was accepted", pat);
		return;
	}
	if (pattern_unportable(pat) != NULL)
		fail_msg("pattern %s refused: %s", pat, pattern_unportable(pat));
	if (!pattern_compile(&re, loc, pat, err, sizeof(err)))
		fail_msg("pattern %s does not compile: %s", pat, err);
	matched = pattern_match(&re, loc, value);
	regfree(&re);
	if (strcmp(want, "match") == 0)
		assert_true(matched);
	else if (strcmp(want, "nomatch") == 0)
		assert_false(matched);
	else
		fail_msg("verdict %s is neither refused, match nor nomatch", want);
}

int
main(void)
{
	size_t n;
	struct tcase *cases = tsv_load("pattern", "cases.tsv", 4, NULL, &n);
	int rc;

	loc = pattern_locale();
	if (loc == (locale_t)0) {
		fprintf(stderr, "the C.UTF-8 locale is missing\n");
		return 1;
	}
	rc = tsv_run("pattern", cases, n, table_case);
	freelocale(loc);
	tsv_free(cases, n);
	return rc;
}
