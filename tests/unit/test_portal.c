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

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

#define MAX_COLS 6

struct tcase {
	char *cols[MAX_COLS];
};

static struct tcase *
load(const char *file, size_t ncols, size_t *count)
{
	char path[1024], line[2048];
	struct tcase *cases = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/portal/%s", TEST_DATA_DIR, file);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = line;
		size_t c = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		cases = realloc(cases, (n + 1) * sizeof *cases);
		memset(&cases[n], 0, sizeof cases[n]);
		for (;;) {
			char *tab = strchr(p, '\t');

			if (tab != NULL)
				*tab = '\0';
			if (c == ncols) {
				fprintf(stderr, "%s: too many columns in '%s'\n", path, line);
				exit(1);
			}
			cases[n].cols[c] = strdup(p);
			c++;
			if (tab == NULL)
				break;
			p = tab + 1;
		}
		if (c != ncols) {
			fprintf(stderr, "%s: want %zu columns in '%s'\n", path, ncols, line);
			exit(1);
		}
		n++;
	}
	fclose(f);
	*count = n;
	return cases;
}

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
	long long epoch = -1;
	bool ok = strcmp(c->cols[2], "-") != 0;

	assert_int_equal(portal_time_text(c->cols[1], false, out), ok);
	assert_string_equal(out, ok ? c->cols[2] : "");
	assert_int_equal(portal_time_text(c->cols[1], true, out), ok);
	assert_string_equal(out, ok ? c->cols[3] : "");
	assert_int_equal(portal_iso_epoch(c->cols[1], &epoch), ok);
	if (ok)
		assert_int_equal(epoch, strtoll(c->cols[4], NULL, 10));
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
	long long e;

	assert_false(portal_time_text(NULL, true, out));
	assert_string_equal(out, "");
	assert_false(portal_iso_epoch(NULL, &e));
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
		{ "time.tsv", 5, time_case, NULL, 0 },
		{ "phone.tsv", 4, phone_case, NULL, 0 },
	};
	size_t total = sizeof(fixed) / sizeof(fixed[0]), n = 0;
	struct CMUnitTest *tests;
	int rc;

	for (size_t s = 0; s < 3; s++) {
		sets[s].cases = load(sets[s].file, sets[s].ncols, &sets[s].n);
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
	for (size_t s = 0; s < 3; s++) {
		for (size_t i = 0; i < sets[s].n; i++)
			for (size_t c = 0; c < MAX_COLS; c++)
				free(sets[s].cases[i].cols[c]);
		free(sets[s].cases);
	}
	free(tests);
	return rc;
}
