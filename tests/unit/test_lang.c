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

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

struct tcase {
	char *name;
	char *query;  /* NULL for "-" */
	char *accept; /* NULL for "-" */
	char *expected;
};

/* Splits a line in place on tabs; empty columns stay empty strings. */
static size_t
split(char *line, char **cols, size_t max)
{
	size_t n = 0;

	cols[n++] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		cols[n++] = line;
	}
	return n;
}

static char *
dup_or_null(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : strdup(s);
}

static struct tcase *
load(size_t *count)
{
	char path[1024], line[2048], *cols[4];
	struct tcase *cases = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/lang/choose.tsv", TEST_DATA_DIR);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (split(line, cols, 4) != 4) {
			fprintf(stderr, "%s: want 4 columns in '%s'\n", path, line);
			exit(1);
		}
		cases = realloc(cases, (n + 1) * sizeof *cases);
		cases[n].name = strdup(cols[0]);
		cases[n].query = dup_or_null(cols[1]);
		cases[n].accept = dup_or_null(cols[2]);
		cases[n].expected = strdup(cols[3]);
		n++;
	}
	fclose(f);
	*count = n;
	return cases;
}

static void
choose_case(void **state)
{
	const struct tcase *c = *state;

	assert_string_equal(lang_tag(lang_choose(c->query, c->accept)), c->expected);
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
	struct tcase *cases = load(&n);
	struct CMUnitTest *tests = calloc(n + nfixed, sizeof *tests);
	int rc;

	for (i = 0; i < nfixed; i++)
		tests[i] = fixed[i];
	for (i = 0; i < n; i++) {
		tests[nfixed + i].name = cases[i].name;
		tests[nfixed + i].test_func = choose_case;
		tests[nfixed + i].initial_state = &cases[i];
	}
	rc = _cmocka_run_group_tests("lang", tests, n + nfixed, NULL, NULL);
	for (i = 0; i < n; i++) {
		free(cases[i].name);
		free(cases[i].query);
		free(cases[i].accept);
		free(cases[i].expected);
	}
	free(cases);
	free(tests);
	return rc;
}
