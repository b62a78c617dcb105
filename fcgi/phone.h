/* Phone number normalization to E.164, the key leads are deduplicated by. */
#ifndef LANDFORM_PHONE_H
#define LANDFORM_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* "+" then at most 15 digits, NUL. */
#define PHONE_E164_MAX 17

enum phone_error {
	PHONE_OK = 0,
	/* no digit at all (only blanks and separators) */
	PHONE_ERR_EMPTY,
	/* something other than digits, blanks, dashes, dots, parentheses, a leading + */
	PHONE_ERR_BAD_CHAR,
	PHONE_ERR_TOO_SHORT,
	PHONE_ERR_TOO_LONG,
	/* Chinese number that is not a mobile (1[3-9]x, 11 digits) */
	PHONE_ERR_NOT_MOBILE,
	/* not Chinese and no leading + country code (or a country code starting with 0) */
	PHONE_ERR_NEED_COUNTRY
};

/* Chinese mobiles with or without +86 / 0086 / 86 (the bare 86 only on 13 digits), become
 * +86XXXXXXXXXXX; other countries only with a leading + (or 00) and 8..15 digits in all.
 * Spaces, tabs, dashes, dots and parentheses are dropped. Full-width forms from Chinese
 * input methods are accepted: digits U+FF10..U+FF19, plus U+FF0B, hyphen U+FF0D, full stop
 * U+FF0E, parentheses U+FF08/U+FF09, ideographic space U+3000; also no-break space U+00A0.
 * in need not be NUL-terminated; len bytes are read and a NUL among them is a bad char.
 * Returns PHONE_OK and writes out, or an error and leaves out as an empty string. Pure. */
enum phone_error phone_normalize(const char *in, size_t len, char out[PHONE_E164_MAX])
    __attribute__((warn_unused_result));

/* Stable machine-readable code ("not_mobile"); a static string, never freed. */
const char *phone_error_code(enum phone_error e);


#endif
