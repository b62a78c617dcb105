/* Signed referrals (see referral.h); pure, and fuzzed (tests/fuzz/fuzz_referral.c). */
#include "referral.h"

#include <sodium.h>
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

/* HMAC over "r1|slug|token": another page or another token is another signature. */
static void
mac(const unsigned char key[SECRET_BYTES], const char *slug, const char *token, unsigned char out[MAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char full[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"r1|", 3);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)slug, strlen(slug));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, strlen(token));
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(out, full, MAC_BYTES);
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
