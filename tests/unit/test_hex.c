/* Unit tests for hex.c: every byte and every pair of bytes against a reading written apart
 * (a digit is its place in a table of digits), since the parsers and the tests rely on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"

/* The other reading: a digit's value is its place in one table or the other, case apart. */
static int
table_digit(int c)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *p;

	if (c == '\0')
		return -1;
	if ((p = memchr(lower, c, 16)) != NULL)
		return (int)(p - lower);
	if ((p = memchr(upper, c, 16)) != NULL)
		return (int)(p - upper);
	return -1;
}

static void
hex_digit_should_read_exactly_the_22_hex_digits(void **state)
{
	int digits = 0;

	(void)state;
	for (int c = 0; c < 256; c++) {
		assert_int_equal(hex_digit(c), table_digit(c));
		digits += hex_digit(c) >= 0;
	}
	assert_int_equal(digits, 22);
	assert_int_equal(hex_digit(-1), -1); /* EOF, or a negative char */
	assert_int_equal(hex_digit((char)0xc1), -1);
}

static void
hex_byte_should_spell_every_byte_from_every_pair_of_digits(void **state)
{
	(void)state;
	for (int a = 1; a < 256; a++)
		for (int b = 1; b < 256; b++) {
			char s[3] = { (char)a, (char)b, '\0' };
			int hi = table_digit(a), lo = table_digit(b);

			assert_int_equal(hex_byte(s), hi < 0 || lo < 0 ? -1 : hi * 16 + lo);
		}
	assert_int_equal(hex_byte("fF"), 255);
	assert_int_equal(hex_byte("00"), 0);
}

/* The decoders call it on "%X" and "%" at a string's end: it must stop at the NUL. */
static void
hex_byte_should_refuse_a_string_that_ends_before_two_digits(void **state)
{
	(void)state;
	assert_int_equal(hex_byte(""), -1);
	assert_int_equal(hex_byte("a"), -1);
	assert_int_equal(hex_byte("g"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hex_digit_should_read_exactly_the_22_hex_digits),
	    cmocka_unit_test(hex_byte_should_spell_every_byte_from_every_pair_of_digits),
	    cmocka_unit_test(hex_byte_should_refuse_a_string_that_ends_before_two_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
