/* libFuzzer target: normalize any bytes as a phone number and check what comes out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[PHONE_E164_MAX], again[PHONE_E164_MAX];
	enum phone_error e;
	size_t n;

	e = phone_normalize((const char *)data, size, out);
	if (phone_error_code(e) == NULL)
		abort();
	if (e != PHONE_OK) {
		if (out[0] != '\0')
			abort();
		return 0;
	}
	/* "+", a country code not starting with 0, 8..15 digits in all */
	n = strlen(out);
	if (out[0] != '+' || n < 9 || n > 16 || strspn(out + 1, "0123456789") != n - 1 ||
	    out[1] == '0')
		abort();
	if (strncmp(out, "+86", 3) == 0 && (n != 14 || out[3] != '1' || out[4] < '3'))
		abort();
	/* normalizing is idempotent */
	if (phone_normalize(out, n, again) != PHONE_OK || strcmp(out, again) != 0)
		abort();
	return 0;
}
