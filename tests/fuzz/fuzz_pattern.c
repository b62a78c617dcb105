/* libFuzzer target for pattern.c: any UTF-8 text of a form.json pattern's size is checked for
 * portability; whatever the check lets through, regcomp must compile (else a form.json that
 * passed the check would fail to load), and matching it against a few values must not crash.
 * The same rule also holds inside schema.c's loader (fuzz_schema mode 2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *probes[] = {"", "a", "AB1234", "张三", "13800138000", "a.b", "((", "-"};
	static locale_t loc;
	char *p, err[128];
	regex_t re;
	size_t i;

	/* What schema.c hands over: at most 512 bytes of UTF-8 without NUL. */
	if (size > 512 || !utf8_valid((const char *)data, size) || memchr(data, '\0', size) != NULL)
		return 0;
	if (loc == (locale_t)0 && (loc = pattern_locale()) == (locale_t)0)
		abort();
	if ((p = malloc(size + 1)) == NULL)
		abort();
	memcpy(p, data, size);
	p[size] = '\0';
	if (pattern_unportable(p) == NULL) {
		if (!pattern_compile(&re, loc, p, err, sizeof(err)))
			abort();
		for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			(void)pattern_match(&re, loc, probes[i]);
		(void)pattern_match(&re, loc, p);
		regfree(&re);
	}
	free(p);
	return 0;
}
