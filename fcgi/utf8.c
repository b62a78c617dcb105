/* Strict UTF-8 validation and control-character checks for submitted text. */
#include "utf8.h"

#include <stdint.h>

/* Decide each sequence from its lead byte, with the second byte's range narrowed for the
 * leads (E0, ED, F0, F4) where RFC 3629 table 4 excludes overlongs, surrogates or >U+10FFFF. */
bool
utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;

	while (p < end) {
		uint8_t c = *p;
		uint8_t lo = 0x80, hi = 0xbf;
		size_t n;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* below is an overlong 3-byte form */
			else if (c == 0xed)
				hi = 0x9f; /* above is a surrogate */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* below is an overlong 4-byte form */
			else if (c == 0xf4)
				hi = 0x8f; /* above is past U+10FFFF */
		} else
			return false; /* continuation byte, C0/C1 overlong lead, F5..FF */
		if ((size_t)(end - p) <= n)
			return false;
		if (p[1] < lo || p[1] > hi)
			return false;
		for (size_t i = 2; i <= n; i++) {
			if (p[i] < 0x80 || p[i] > 0xbf)
				return false;
		}
		p += n + 1;
	}
	return true;
}

bool
utf8_has_control(const char *s, size_t len, bool multiline)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c == 0x7f)
			return true;
		if (c >= 0x20)
			continue;
		if (multiline && (c == '\t' || c == '\r' || c == '\n'))
			continue;
		return true;
	}
	return false;
}

size_t
utf8_count(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}
