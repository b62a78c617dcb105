/* libFuzzer target: any bytes as a request path through log_path, at every small size: the
 * answer fits, is terminated, and keeps no run of 32 hex digits (a token) nor what followed
 * "/invite/". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longest run of hex digits in s. */
static size_t
hex_run(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s != '\0'; s++) {
		run = strchr("0123456789abcdefABCDEF", *s) != NULL ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, out[600];
	size_t sz;

	if (size > 2048)
		return 0;
	in = malloc(size + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	for (sz = 0; sz <= sizeof out; sz += sz < 40 ? 1 : 97) {
		char *p;

		memset(out, 'z', sizeof out);
		log_path(in, out, sz);
		if (sz == 0)
			continue;
		if (memchr(out, '\0', sz) == NULL || hex_run(out) >= 32)
			abort();
		if ((p = strstr(out, "/invite/")) != NULL && p[8] != '\0' && p[8] != '/' &&
		    strncmp(p + 8, "\xe2\x80\xa6", 3) != 0)
			abort();
	}
	free(in);
	return 0;
}
