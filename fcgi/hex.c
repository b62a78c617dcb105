/* Hex digits, for every reader of %XX and \xHH (hex.h), written once so they agree. */
#include "hex.h"

/* ASCII only, whatever the locale says isxdigit is. */
int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Stops at the first byte that is not a digit, so it never reads past a string's NUL. */
int
hex_byte(const char *s)
{
	int hi = hex_digit((unsigned char)s[0]), lo;

	if (hi < 0)
		return -1;
	lo = hex_digit((unsigned char)s[1]);
	if (lo < 0)
		return -1;
	return hi << 4 | lo;
}
