/* libFuzzer target for the referral checkers: any bytes sent as ?ref= or _ref, or as the
 * thank-you page's ?t=. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "referral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[SECRET_BYTES] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
	char token[REFERRAL_TOKEN_LEN + 1], *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	/* Nothing but a signature we made may pass. */
	if (referral_check(key, "demo", s, token)) {
		char again[REFERRAL_SIGNED_MAX];

		if (!referral_sign(key, "demo", token, again) || strcmp(again, s) != 0)
			abort();
	}
	/* The same for the thank-you value: only what referral_thanks_sign writes passes. */
	{
		const char *stamp = NULL;

		if (referral_thanks_check(key, "demo", s, 0, &stamp)) {
			char again[REFERRAL_THANKS_MAX];
			long long exp = strtoll(s + 3, NULL, 10);

			if (!referral_thanks_sign(key, "demo", stamp, exp, again) || strcmp(again, s) != 0)
				abort();
		}
	}
	free(s);
	return 0;
}
