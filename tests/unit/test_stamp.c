/* Form stamps: round trip, ages, forgery, other pages, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "stamp.h"

static const unsigned char key[SECRET_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char rnd[STAMP_RANDOM_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static void
stamp_should_round_trip_within_its_age_window(void **state)
{
	char s[STAMP_MAX];

	stamp_make(key, "demo", 1700000000000, rnd, s);
	assert_int_equal(strncmp(s, "v1.1700000000000.0102030405060708090a0b0c.", 42), 0);
	assert_int_equal(strlen(s), 42 + 32);
	assert_int_equal(stamp_check(key, "demo", s, 1700000002000, 2000, 86400000), STAMP_OK);
	/* Milliseconds count: 1.999 s is too fast, whatever second the page was rendered in. */
	assert_int_equal(stamp_check(key, "demo", s, 1700000001999, 2000, 86400000), STAMP_TOO_FAST);
	assert_int_equal(stamp_check(key, "demo", s, 1699999999990, 2000, 86400000), STAMP_TOO_FAST);
	assert_int_equal(stamp_check(key, "demo", s, 1700000000000 + 86400000, 2000, 86400000), STAMP_OK);
	assert_int_equal(stamp_check(key, "demo", s, 1700000000000 + 86400001, 2000, 86400000), STAMP_EXPIRED);
}

static void
stamp_should_refuse_other_pages_keys_and_edits(void **state)
{
	char s[STAMP_MAX], t[STAMP_MAX];
	unsigned char other[SECRET_BYTES] = { 0 };

	stamp_make(key, "demo", 1000000, rnd, s);
	assert_int_equal(stamp_check(key, "ask", s, 1005000, 2000, 86400000), STAMP_FORGED);
	assert_int_equal(stamp_check(other, "demo", s, 1005000, 2000, 86400000), STAMP_FORGED);
	/* Backdating the time to get past the too-fast check breaks the signature. */
	strcpy(t, s);
	t[3] = '0';
	assert_int_equal(stamp_check(key, "demo", t, 1005000, 2000, 86400000), STAMP_FORGED);
	strcpy(t, s);
	t[strlen(t) - 1] = t[strlen(t) - 1] == '0' ? '1' : '0';
	assert_int_equal(stamp_check(key, "demo", t, 1005000, 2000, 86400000), STAMP_FORGED);
}

static void
stamp_should_call_garbage_malformed(void **state)
{
	static const char *const bad[] = {
		"x", "v1", "v1.", "v1..", "v1.123", "v1.123.", "v1.123.abc.def",
		"v1.-5.0102030405060708090a0b0c.00000000000000000000000000000000",
		"v1.1234567890123456.0102030405060708090a0b0c.00000000000000000000000000000000",
		"v1.1000000.0102030405060708090A0B0C.00000000000000000000000000000000",
		"v1.1000000.0102030405060708090a0b0c.0000000000000000000000000000000",
		"v1.1000000.0102030405060708090a0b0c.000000000000000000000000000000000",
		"v2.1000000.0102030405060708090a0b0c.00000000000000000000000000000000",
	};

	assert_int_equal(stamp_check(key, "demo", NULL, 0, 2, 10), STAMP_MISSING);
	assert_int_equal(stamp_check(key, "demo", "", 0, 2, 10), STAMP_MISSING);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(stamp_check(key, "demo", bad[i], 1005000, 2000, 86400000), STAMP_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stamp_should_round_trip_within_its_age_window),
		cmocka_unit_test(stamp_should_refuse_other_pages_keys_and_edits),
		cmocka_unit_test(stamp_should_call_garbage_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
