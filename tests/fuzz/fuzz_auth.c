/* libFuzzer target for auth.c's parsers: the origin check (Sec-Fetch-Site, Origin, Host,
 * public_url), the next= check, password rules and token shapes. Input: fields separated by NUL
 * bytes. Oracles: what is accepted has the shape the checks promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* auth.c is not among tests/fuzz/run's shared SOURCES (it needs libsodium's random and
 * hashing, which the other targets do not): it is compiled in here. */
#include "auth.c"

#define NFIELDS 6

static const unsigned char key[SECRET_BYTES] = "fuzz key fuzz key fuzz key fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *f[NFIELDS] = { 0 };
	size_t n = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	f[n++] = buf;
	for (size_t i = 0; i < size && n < NFIELDS; i++)
		if (buf[i] == '\0')
			f[n++] = buf + i + 1;
	/* A missing field is NULL: headers may be absent. */
	bool https = size > 0 && (data[0] & 1);
	bool ok = auth_same_origin(f[0], f[1], f[2], https, f[3]);

	if (ok && f[0] != NULL && *f[0] != '\0' && strcmp(f[0], "same-origin") != 0 && strcmp(f[0], "none") != 0)
		abort();
	if (ok && f[1] != NULL && *f[1] != '\0') {
		/* An accepted Origin is an http(s) origin without path, query or fragment. */
		const char *rest = strstr(f[1], "://");

		if (strncasecmp(f[1], "http", 4) != 0 || rest == NULL ||
		    strpbrk(rest + 3, "/?#@") != NULL)
			abort();
	}
	for (int i = 0; i < NFIELDS && f[i] != NULL; i++) {
		if (auth_safe_next(f[i]) &&
		    (strncmp(f[i], "/staff/", 7) != 0 || strstr(f[i], "//") || strstr(f[i], "/.") ||
		     strpbrk(f[i], "\"'<>\\` \r\n\t")))
			abort();
		if (auth_token_valid(f[i]) && strspn(f[i], "0123456789abcdef") != AUTH_TOKEN_HEX)
			abort();
	}
	(void)auth_password_check(f[4], f[5], f[2]);
	(void)auth_form_token_check(key, "login", f[4], f[5]);
	free(buf);
	return 0;
}
