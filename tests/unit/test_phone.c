/* Unit tests for phone.c: every case in a tests/data/phone table becomes its own named test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "phone.h"
#include "tsv_cases.h"

/* One case of tests/data/phone/cases.tsv, its input unescaped (it may hold NUL). */
struct pcase {
	char *input;
	size_t input_len;
	char *expected;
	char *name;
};

/* Decode \t, \\ and \xNN so NULs and broken UTF-8 can live in a text file. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (r[0] == '\\' && r[1] == 't') {
			*w++ = '\t';
			r += 2;
		} else if (r[0] == '\\' && r[1] == '\\') {
			*w++ = '\\';
			r += 2;
		} else if (r[0] == '\\' && r[1] == 'x' && hex_byte(r + 2) >= 0) {
			*w++ = (char)hex_byte(r + 2);
			r += 4;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* Read "input<TAB>expected[<TAB>note]" lines (tsv_cases.h); the note (or the input) names the
 * test. */
static struct pcase *
load(const char *file, const char *prefix, size_t *count)
{
	struct tcase *rows = tsv_load_some("phone", file, 2, 3, NULL, count);
	struct pcase *cases = calloc(*count, sizeof *cases);

	for (size_t i = 0; i < *count; i++) {
		const char *in = rows[i].cols[0], *expected = rows[i].cols[1];
		const char *note = rows[i].cols[2] != NULL ? rows[i].cols[2] : in;
		struct pcase *c = &cases[i];
		size_t len;
		char *p;

		c->expected = strdup(expected);
		c->input = strdup(strcmp(in, "-") == 0 ? "" : in);
		c->input_len = unescape(c->input);
		len = (size_t)snprintf(NULL, 0, "%s_should_give_%s_for_%s", prefix, expected, note) + 1;
		c->name = malloc(len);
		snprintf(c->name, len, "%s_should_give_%s_for_%s", prefix, expected, note);
		for (p = c->name; *p != '\0'; p++)
			if (*p == ' ')
				*p = '_';
	}
	tsv_free(rows, *count);
	return cases;
}

static void
normalize_case(void **state)
{
	const struct pcase *c = *state;
	char out[PHONE_E164_MAX];
	enum phone_error e;

	memset(out, 'x', sizeof out);
	e = phone_normalize(c->input, c->input_len, out);
	if (c->expected[0] == '+') {
		assert_int_equal(e, PHONE_OK);
		assert_string_equal(out, c->expected);
	} else {
		assert_string_equal(phone_error_code(e), c->expected);
		assert_string_equal(out, "");
	}
}

static void
phone_normalize_should_be_idempotent_on_its_output(void **state)
{
	static const char *inputs[] = {"１３８ １２３４ ５６７８", "0044 7911 123456",
	                               "+1 415 555 0123"};
	char out[PHONE_E164_MAX], again[PHONE_E164_MAX];
	size_t i;

	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		assert_int_equal(phone_normalize(inputs[i], strlen(inputs[i]), out), PHONE_OK);
		assert_int_equal(phone_normalize(out, strlen(out), again), PHONE_OK);
		assert_string_equal(out, again);
	}
}

static void
phone_normalize_should_read_only_len_bytes(void **state)
{
	char out[PHONE_E164_MAX];

	/* the bytes after len are garbage that would be a bad char */
	assert_int_equal(phone_normalize("13812345678xyz", 11, out), PHONE_OK);
	assert_string_equal(out, "+8613812345678");
	/* a full-width digit cut in the middle by len is not a digit */
	assert_int_equal(phone_normalize("1381234567８", 12, out), PHONE_ERR_BAD_CHAR);
}

static void
phone_normalize_should_not_overflow_on_huge_input(void **state)
{
	char out[PHONE_E164_MAX];
	size_t n = 100000;
	char *big = malloc(n);

	memset(big, '9', n);
	assert_int_equal(phone_normalize(big, n, out), PHONE_ERR_TOO_LONG);
	memset(big, ' ', n);
	assert_int_equal(phone_normalize(big, n, out), PHONE_ERR_EMPTY);
	free(big);
}

static void
phone_error_code_should_name_every_error(void **state)
{
	assert_string_equal(phone_error_code(PHONE_OK), "ok");
	assert_string_equal(phone_error_code(PHONE_ERR_EMPTY), "empty");
	assert_string_equal(phone_error_code(PHONE_ERR_BAD_CHAR), "bad_char");
	assert_string_equal(phone_error_code(PHONE_ERR_TOO_SHORT), "too_short");
	assert_string_equal(phone_error_code(PHONE_ERR_TOO_LONG), "too_long");
	assert_string_equal(phone_error_code(PHONE_ERR_NOT_MOBILE), "not_mobile");
	assert_string_equal(phone_error_code(PHONE_ERR_NEED_COUNTRY), "need_country");
	assert_string_equal(phone_error_code((enum phone_error)99), "unknown");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(phone_normalize_should_be_idempotent_on_its_output),
	    cmocka_unit_test(phone_normalize_should_read_only_len_bytes),
	    cmocka_unit_test(phone_normalize_should_not_overflow_on_huge_input),
	    cmocka_unit_test(phone_error_code_should_name_every_error),
	};
	size_t nnorm, nfixed = sizeof fixed / sizeof fixed[0], i, k = 0;
	struct pcase *norm = load("cases.tsv", "phone_normalize", &nnorm);
	struct CMUnitTest *tests = calloc(nnorm + nfixed, sizeof *tests);
	int rc;

	for (i = 0; i < nnorm; i++) {
		tests[k].name = norm[i].name;
		tests[k].test_func = normalize_case;
		tests[k++].initial_state = &norm[i];
	}
	for (i = 0; i < nfixed; i++)
		tests[k++] = fixed[i];
	rc = _cmocka_run_group_tests("phone", tests, k, NULL, NULL);
	for (i = 0; i < nnorm; i++) {
		free(norm[i].input);
		free(norm[i].expected);
		free(norm[i].name);
	}
	free(norm);
	free(tests);
	return rc;
}
