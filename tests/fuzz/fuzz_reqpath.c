/* libFuzzer target for reqpath.c. The input is split at the first three NUL bytes into
 * DOCUMENT_URI, REQUEST_URI, SCRIPT_NAME and PATH_INFO. Oracles: a path found starts with '/',
 * holds no "//" and no "." or ".." segment unless DOCUMENT_URI gave it as sent, and finding the
 * path of that path again gives it unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reqpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when p has an empty, "." or ".." segment (a trailing slash aside). */
static int
has_odd_segment(const char *p)
{
	return strstr(p, "//") != NULL || strstr(p, "/./") != NULL || strstr(p, "/../") != NULL ||
	       (strlen(p) >= 2 && strcmp(p + strlen(p) - 2, "/.") == 0) ||
	       (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 4), *part[4];
	const char *got, *again;
	struct arena a;
	size_t at = 0;

	memcpy(s, data, size);
	memset(s + size, 0, 4);
	for (int i = 0; i < 4; i++) {
		part[i] = s + at;
		at += strlen(s + at) + (at < size ? 1 : 0);
		if (at > size)
			at = size;
	}
	arena_init(&a, 0);
	got = reqpath_from_params(&a, NULL, part[1], part[2], part[3]);
	if (got != NULL) {
		if (got[0] != '/' || has_odd_segment(got))
			abort();
		/* decoding again is not idempotent (a decoded '%'), so compare via SCRIPT_NAME */
		again = reqpath_from_params(&a, NULL, NULL, got, NULL);
		if (again == NULL || strcmp(again, got) != 0)
			abort();
	}
	got = reqpath_from_params(&a, part[0], part[1], part[2], part[3]);
	if (got != NULL && got[0] == '\0')
		abort();
	arena_free(&a);
	free(s);
	return 0;
}
