/* Phone numbers as visitors type them (IME full-width digits too) to E.164. Masking them is
 * SQL's (landform.mask_phone, sql/code/15_mask.sql): one rule, not one per language. */
#include "phone.h"

#include <stdio.h>
#include <string.h>

/* More digits than any accepted spelling has ("00" + 15); beyond this we only count. */
#define MAXDIGITS 24

enum cls { C_DIGIT, C_PLUS, C_SEP, C_BAD };

/* Classify the character at p; why: one place knows every spelling an IME or a paste produces. */
static size_t
classify(const unsigned char *p, size_t left, enum cls *cls, char *digit)
{
	unsigned char c = p[0];

	if (c >= '0' && c <= '9') {
		*cls = C_DIGIT;
		*digit = (char)c;
		return 1;
	}
	switch (c) {
	case '+':
		*cls = C_PLUS;
		return 1;
	case ' ':
	case '\t':
	case '-':
	case '.':
	case '(':
	case ')':
		*cls = C_SEP;
		return 1;
	}
	if (c == 0xc2 && left >= 2 && p[1] == 0xa0) { /* U+00A0 no-break space */
		*cls = C_SEP;
		return 2;
	}
	if (c == 0xe3 && left >= 3 && p[1] == 0x80 && p[2] == 0x80) { /* U+3000 */
		*cls = C_SEP;
		return 3;
	}
	if (c == 0xef && left >= 3 && p[1] == 0xbc) { /* U+FF00..U+FF3F */
		if (p[2] >= 0x90 && p[2] <= 0x99) {
			*cls = C_DIGIT;
			*digit = (char)('0' + (p[2] - 0x90));
			return 3;
		}
		switch (p[2]) {
		case 0x8b: /* ＋ */
			*cls = C_PLUS;
			return 3;
		case 0x88: /* （ */
		case 0x89: /* ） */
		case 0x8d: /* － */
		case 0x8e: /* ． */
			*cls = C_SEP;
			return 3;
		}
	}
	*cls = C_BAD;
	return 1;
}

/* A number already known to be Chinese (country code gone): only mobiles are leads. */
static enum phone_error
china(const char *p, size_t n, char out[PHONE_E164_MAX])
{
	if (n == 0)
		return PHONE_ERR_TOO_SHORT;
	if (p[0] != '1' || (n >= 2 && p[1] < '3'))
		return PHONE_ERR_NOT_MOBILE; /* 10x..12x are landlines and service numbers */
	if (n < 11)
		return PHONE_ERR_TOO_SHORT;
	if (n > 11)
		return PHONE_ERR_TOO_LONG;
	memcpy(out, "+86", 3);
	memcpy(out + 3, p, 11);
	out[14] = '\0';
	return PHONE_OK;
}

/* Digits after an explicit international prefix: Chinese mobile or any plausible E.164. */
static enum phone_error
international(const char *p, size_t n, char out[PHONE_E164_MAX])
{
	if (n == 0)
		return PHONE_ERR_TOO_SHORT;
	if (p[0] == '0')
		return PHONE_ERR_NEED_COUNTRY; /* no country code starts with 0 */
	if (n >= 2 && p[0] == '8' && p[1] == '6')
		return china(p + 2, n - 2, out);
	if (n < 8)
		return PHONE_ERR_TOO_SHORT;
	if (n > 15)
		return PHONE_ERR_TOO_LONG;
	out[0] = '+';
	memcpy(out + 1, p, n);
	out[n + 1] = '\0';
	return PHONE_OK;
}

/* Why the prefix rules are ordered so: + and 00 are unambiguous, a bare 86 only when the
 * remaining 11 digits could be a mobile, anything else must look Chinese or is refused. */
static enum phone_error
decide(const char *d, size_t n, int plus, char out[PHONE_E164_MAX])
{
	if (plus)
		return international(d, n, out);
	if (n >= 2 && d[0] == '0' && d[1] == '0')
		return international(d + 2, n - 2, out);
	if (d[0] == '1')
		return china(d, n, out);
	if (n >= 12 && d[0] == '8' && d[1] == '6' && d[2] == '1')
		return china(d + 2, n - 2, out);
	if (d[0] == '0')
		return n < 8 ? PHONE_ERR_TOO_SHORT : PHONE_ERR_NOT_MOBILE; /* landline, trunk 0 */
	if (n == 10 && (memcmp(d, "400", 3) == 0 || memcmp(d, "800", 3) == 0))
		return PHONE_ERR_NOT_MOBILE; /* Chinese service numbers */
	return PHONE_ERR_NEED_COUNTRY;
}

enum phone_error
phone_normalize(const char *in, size_t len, char out[PHONE_E164_MAX])
{
	const unsigned char *p = (const unsigned char *)in;
	char d[MAXDIGITS];
	size_t i = 0, n = 0;
	int plus = 0;
	enum phone_error e;

	out[0] = '\0';
	while (i < len) {
		enum cls cls;
		char digit = 0;

		i += classify(p + i, len - i, &cls, &digit);
		switch (cls) {
		case C_DIGIT:
			if (n < MAXDIGITS)
				d[n] = digit;
			n++;
			break;
		case C_PLUS:
			if (plus || n > 0)
				return PHONE_ERR_BAD_CHAR;
			plus = 1;
			break;
		case C_SEP:
			break;
		case C_BAD:
			return PHONE_ERR_BAD_CHAR;
		}
	}
	if (n == 0)
		return PHONE_ERR_EMPTY;
	if (n > MAXDIGITS)
		return PHONE_ERR_TOO_LONG;
	e = decide(d, n, plus, out);
	if (e != PHONE_OK)
		out[0] = '\0';
	return e;
}

const char *
phone_error_code(enum phone_error e)
{
	switch (e) {
	case PHONE_OK:
		return "ok";
	case PHONE_ERR_EMPTY:
		return "empty";
	case PHONE_ERR_BAD_CHAR:
		return "bad_char";
	case PHONE_ERR_TOO_SHORT:
		return "too_short";
	case PHONE_ERR_TOO_LONG:
		return "too_long";
	case PHONE_ERR_NOT_MOBILE:
		return "not_mobile";
	case PHONE_ERR_NEED_COUNTRY:
		return "need_country";
	}
	return "unknown";
}
