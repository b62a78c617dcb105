/* Form stamps: "v1.<issued unix milliseconds>.<random hex>.<hmac hex>", HMAC-SHA-256 truncated to
 * 128 bits over "v1|slug|issued|random". Stateless, so every worker and host can check them. */
#include "stamp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAC_BYTES 16

static void
mac(const unsigned char key[SECRET_BYTES], const char *slug, const char *issued,
    const char *random_hex, unsigned char out[MAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char full[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"v1|", 3);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)slug, strlen(slug));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)issued, strlen(issued));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)random_hex, strlen(random_hex));
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(out, full, MAC_BYTES);
}

void
stamp_make(const unsigned char key[SECRET_BYTES], const char *slug, int64_t now_ms,
	   const unsigned char random[STAMP_RANDOM_BYTES], char out[STAMP_MAX])
{
	char issued[24], rhex[STAMP_RANDOM_BYTES * 2 + 1], mhex[MAC_BYTES * 2 + 1];
	unsigned char m[MAC_BYTES];

	snprintf(issued, sizeof(issued), "%lld", (long long)now_ms);
	sodium_bin2hex(rhex, sizeof(rhex), random, STAMP_RANDOM_BYTES);
	mac(key, slug, issued, rhex, m);
	sodium_bin2hex(mhex, sizeof(mhex), m, MAC_BYTES);
	snprintf(out, STAMP_MAX, "v1.%s.%s.%s", issued, rhex, mhex);
}

static bool
all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

enum stamp_result
stamp_check(const unsigned char key[SECRET_BYTES], const char *slug, const char *stamp,
	    int64_t now_ms, int64_t min_age_ms, int64_t max_age_ms)
{
	char issued[24], rhex[STAMP_RANDOM_BYTES * 2 + 1];
	unsigned char want[MAC_BYTES], got[MAC_BYTES];
	const char *p, *dot1, *dot2;
	size_t ilen;
	int64_t t = 0, age;

	if (stamp == NULL || *stamp == '\0')
		return STAMP_MISSING;
	if (strlen(stamp) >= STAMP_MAX || strncmp(stamp, "v1.", 3) != 0)
		return STAMP_MALFORMED;
	p = stamp + 3;
	dot1 = strchr(p, '.');
	if (dot1 == NULL)
		return STAMP_MALFORMED;
	ilen = (size_t)(dot1 - p);
	if (ilen == 0 || ilen > 15)
		return STAMP_MALFORMED;
	for (size_t i = 0; i < ilen; i++) {
		if (p[i] < '0' || p[i] > '9')
			return STAMP_MALFORMED;
		t = t * 10 + (p[i] - '0');
	}
	memcpy(issued, p, ilen);
	issued[ilen] = '\0';
	dot2 = strchr(dot1 + 1, '.');
	if (dot2 == NULL || (size_t)(dot2 - dot1 - 1) != STAMP_RANDOM_BYTES * 2 ||
	    !all_hex(dot1 + 1, STAMP_RANDOM_BYTES * 2) || strlen(dot2 + 1) != MAC_BYTES * 2 ||
	    !all_hex(dot2 + 1, MAC_BYTES * 2))
		return STAMP_MALFORMED;
	memcpy(rhex, dot1 + 1, STAMP_RANDOM_BYTES * 2);
	rhex[STAMP_RANDOM_BYTES * 2] = '\0';
	if (sodium_hex2bin(got, sizeof(got), dot2 + 1, MAC_BYTES * 2, NULL, NULL, NULL) != 0)
		return STAMP_MALFORMED;
	mac(key, slug, issued, rhex, want);
	if (sodium_memcmp(got, want, MAC_BYTES) != 0)
		return STAMP_FORGED;
	age = now_ms - t;
	if (age < min_age_ms)
		return STAMP_TOO_FAST;
	if (age > max_age_ms)
		return STAMP_EXPIRED;
	return STAMP_OK;
}

const char *
stamp_result_code(enum stamp_result r)
{
	switch (r) {
	case STAMP_OK: return "ok";
	case STAMP_MISSING: return "stamp_missing";
	case STAMP_MALFORMED: return "stamp_malformed";
	case STAMP_FORGED: return "stamp_forged";
	case STAMP_TOO_FAST: return "stamp_too_fast";
	case STAMP_EXPIRED: return "stamp_expired";
	}
	return "unknown";
}
