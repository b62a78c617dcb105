/* libFuzzer target for the stamp checker: any bytes sent as _stamp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[SECRET_BYTES] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	(void)stamp_check(key, "demo", s, 1700000000000, 2000, 86400000);
	free(s);
	return 0;
}
