/* Signed referrals (see referral.h); pure, and fuzzed (tests/fuzz/fuzz_referral.c). */
#include "referral.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>


#define MAC_BYTES 16

static bool
token_ok(const char *t)
{
	if (t == NULL || strlen(t) != REFERRAL_TOKEN_LEN)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* HMAC over the fields joined by '|', truncated: the first field names the kind of value, so a
 * referral never passes for a thank-you value, nor another page's or token's for this one. */
static void
mac_fields(const unsigned char key[SECRET_BYTES], const char *const *field, size_t n,
	   unsigned char out[MAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char full[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, SECRET_BYTES);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)field[i], strlen(field[i]));
	}
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(out, full, MAC_BYTES);
}

/* A referral's: "r1|slug|token". */
static void
mac(const unsigned char key[SECRET_BYTES], const char *slug, const char *token, unsigned char out[MAC_BYTES])
{
	const char *field[3] = { "r1", slug, token };

	mac_fields(key, field, 3, out);
}

bool
referral_sign(const unsigned char key[SECRET_BYTES], const char *slug, const char *token,
	      char out[REFERRAL_SIGNED_MAX])
{
	unsigned char m[MAC_BYTES];

	if (!token_ok(token) || slug == NULL)
		return false;
	mac(key, slug, token, m);
	memcpy(out, "r1.", 3);
	memcpy(out + 3, token, REFERRAL_TOKEN_LEN);
	out[3 + REFERRAL_TOKEN_LEN] = '.';
	sodium_bin2hex(out + 4 + REFERRAL_TOKEN_LEN, MAC_BYTES * 2 + 1, m, MAC_BYTES);
	return true;
}

bool
referral_check(const unsigned char key[SECRET_BYTES], const char *slug, const char *s,
	       char token[REFERRAL_TOKEN_LEN + 1])
{
	unsigned char want[MAC_BYTES], got[MAC_BYTES];
	size_t binlen = 0;

	if (s == NULL || slug == NULL || strlen(s) != REFERRAL_SIGNED_MAX - 1 || strncmp(s, "r1.", 3) != 0 ||
	    s[3 + REFERRAL_TOKEN_LEN] != '.')
		return false;
	memcpy(token, s + 3, REFERRAL_TOKEN_LEN);
	token[REFERRAL_TOKEN_LEN] = '\0';
	if (!token_ok(token) ||
	    sodium_hex2bin(got, sizeof(got), s + 4 + REFERRAL_TOKEN_LEN, MAC_BYTES * 2, NULL, &binlen, NULL) != 0 ||
	    binlen != MAC_BYTES)
		goto refused;
	/* Upper-case hex would decode to the same bytes: accept only what referral_sign writes. */
	for (const char *p = s + 4 + REFERRAL_TOKEN_LEN; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			goto refused;
	mac(key, slug, token, want);
	if (sodium_memcmp(want, got, MAC_BYTES) == 0)
		return true;
refused:
	token[0] = '\0';
	return false;
}

/* The characters stamp_make writes; anything else is not a stamp of ours. */
static bool
stamp_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n == 95 || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
				 (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '.' || s[n] == '-'))
			return false;
	return n > 0;
}

/* A thank-you value's: "t1|slug|expires|stamp". */
static void
thanks_mac(const unsigned char key[SECRET_BYTES], const char *slug, const char *exp, const char *stamp,
	   unsigned char out[MAC_BYTES])
{
	const char *field[4] = { "t1", slug, exp, stamp };

	mac_fields(key, field, 4, out);
}

bool
referral_thanks_sign(const unsigned char key[SECRET_BYTES], const char *slug, const char *stamp,
		     int64_t expires_s, char out[REFERRAL_THANKS_MAX])
{
	unsigned char m[MAC_BYTES];
	char exp[24], hex[MAC_BYTES * 2 + 1];

	if (slug == NULL || stamp == NULL || !stamp_ok(stamp) || expires_s < 0)
		return false;
	snprintf(exp, sizeof(exp), "%lld", (long long)expires_s);
	thanks_mac(key, slug, exp, stamp, m);
	sodium_bin2hex(hex, sizeof(hex), m, MAC_BYTES);
	snprintf(out, REFERRAL_THANKS_MAX, "t1.%s.%s.%s", exp, hex, stamp);
	return true;
}

bool
referral_thanks_check(const unsigned char key[SECRET_BYTES], const char *slug, const char *s,
		      int64_t now_s, const char **stamp)
{
	unsigned char want[MAC_BYTES], got[MAC_BYTES];
	const char *exp, *dot, *hex;
	size_t binlen = 0, exp_len;
	long long e = 0;
	char exp_text[20];

	if (s == NULL || slug == NULL || strncmp(s, "t1.", 3) != 0)
		return false;
	exp = s + 3;
	for (dot = exp; *dot >= '0' && *dot <= '9' && dot - exp < 18; dot++)
		e = e * 10 + (*dot - '0');
	exp_len = (size_t)(dot - exp);
	/* Digits only, no leading zero, at most 18 of them (no overflow): as referral_thanks_sign
	 * writes it, so one value has one spelling. */
	if (*dot != '.' || exp_len == 0 || exp_len > 18 || (exp_len > 1 && exp[0] == '0') || e < now_s)
		return false;
	hex = dot + 1;
	if (strlen(hex) < MAC_BYTES * 2 + 2 || hex[MAC_BYTES * 2] != '.')
		return false;
	for (size_t i = 0; i < MAC_BYTES * 2; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	if (sodium_hex2bin(got, sizeof(got), hex, MAC_BYTES * 2, NULL, &binlen, NULL) != 0 || binlen != MAC_BYTES ||
	    !stamp_ok(hex + MAC_BYTES * 2 + 1))
		return false;
	memcpy(exp_text, exp, exp_len);
	exp_text[exp_len] = '\0';
	thanks_mac(key, slug, exp_text, hex + MAC_BYTES * 2 + 1, want);
	if (sodium_memcmp(want, got, MAC_BYTES) != 0)
		return false;
	*stamp = hex + MAC_BYTES * 2 + 1;
	return true;
}
