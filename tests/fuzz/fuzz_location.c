/* libFuzzer target for location_page: whatever slug, query and code, the Location stays a
 * path on this site, in URL-safe characters (aborts otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "location.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	char *s = malloc(size + 1), *parts[3] = { s, NULL, NULL };
	struct buf out;

	memcpy(s, data, size);
	s[size] = '\0';
	/* The first two NUL bytes split the input into slug, query and code. */
	for (int i = 1; i < 3; i++) {
		char *z = parts[i - 1] + strlen(parts[i - 1]);

		parts[i] = (size_t)(z - s) < size ? z + 1 : z;
	}
	arena_init(&a, 4096);
	buf_init(&out, &a, 64);
	if (location_page(&out, parts[0], parts[1], parts[2])) {
		if (strncmp(out.data, "/p/", 3) != 0 || out.data[3] == '/' || strstr(out.data, "//") != NULL)
			abort();
		if (strspn(out.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/?&=") !=
		    out.len)
			abort();
		if (strchr(out.data + 3, '/') != NULL)
			abort();
	}
	free(s);
	arena_free(&a);
	return 0;
}
