/* Table-driven unit tests: tests/data/<dir>/<file> holds one case a line, columns split at
 * tabs (cols[0] names the case), '#' lines and blank lines skipped. A file that does not load
 * or a line with the wrong number of columns ends the run: a case must never be skipped. */
#ifndef LANDFORM_TEST_TSV_CASES_H
#define LANDFORM_TEST_TSV_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

#define TSV_MAX_COLS 8

struct tcase {
	char *cols[TSV_MAX_COLS];
};

/* Lines of min to max columns (the ones a line leaves out stay NULL); fix, when given, turns
 * every column but the name into its value (escapes, say). */
static struct tcase *
tsv_load_some(const char *dir, const char *file, size_t min, size_t max,
	      char *(*fix)(const char *), size_t *count)
{
	char path[1024], line[8192];
	struct tcase *cases = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", TEST_DATA_DIR, dir, file);
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
			if (c == max || c == TSV_MAX_COLS) {
				fprintf(stderr, "%s: too many columns in '%s'\n", path, line);
				exit(1);
			}
			cases[n].cols[c] = c > 0 && fix != NULL ? fix(p) : strdup(p);
			c++;
			if (tab == NULL)
				break;
			p = tab + 1;
		}
		if (c < min) {
			fprintf(stderr, "%s: want %zu columns in '%s'\n", path, min, line);
			exit(1);
		}
		n++;
	}
	fclose(f);
	*count = n;
	return cases;
}

/* Lines of exactly ncols columns. */
static inline struct tcase *
tsv_load(const char *dir, const char *file, size_t ncols, char *(*fix)(const char *),
	 size_t *count)
{
	return tsv_load_some(dir, file, ncols, ncols, fix, count);
}

/* A fix for tsv_load: the escapes of tests/data/form/README (\\ \r \n \t \xHH) undone, for
 * columns that hold bytes (no case may hold NUL: the result is a C string). */
static inline char *
tsv_unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *w = out;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == 'x' && hex_byte(s + 1) >= 0) {
			*w++ = (char)hex_byte(s + 1);
			s += 2;
		} else if (*s != '\0' && strchr("rnt\\", *s) != NULL)
			*w++ = *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s == 't' ? '\t' : '\\';
		else {
			fprintf(stderr, "bad escape at '%s'\n", s);
			exit(1);
		}
	}
	*w = '\0';
	return out;
}

static void
tsv_free(struct tcase *cases, size_t count)
{
	for (size_t i = 0; i < count; i++)
		for (size_t c = 0; c < TSV_MAX_COLS; c++)
			free(cases[i].cols[c]);
	free(cases);
}

#ifdef cmocka_unit_test
/* Runs fn once per case as one cmocka group, each test named by the case's first column, so a
 * table's test binary needs no registration loop of its own (include cmocka.h first). */
static inline int
tsv_run(const char *group, struct tcase *cases, size_t count, CMUnitTestFunction fn)
{
	struct CMUnitTest *tests = calloc(count + 1, sizeof *tests);
	int rc;

	for (size_t i = 0; i < count; i++) {
		tests[i].name = cases[i].cols[0];
		tests[i].test_func = fn;
		tests[i].initial_state = &cases[i];
	}
	rc = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
	free(tests);
	return rc;
}
#endif

#endif
