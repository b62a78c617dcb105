/* libFuzzer target: "content type\nbody" parsed as multipart/form-data; promises checked, then
 * the fields are written back as multipart and must parse to the same list. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem */
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "form_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A name as a quoted-string: backslash before '"' and '\'. */
static void
quote(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char bnd[] = "=_rt.Bnd_7f3a";
	struct arena *a = oracle_arena();
	const char *nl = memchr(data, '\n', size);
	const char *body;
	char *ctype;
	size_t len;
	struct form f, g;
	struct form_error_info err;
	struct buf b;
	bool parsed;

	/* Before the first newline: the Content-Type (cut at a NUL, as a C string would be). */
	if (nl == NULL)
		return 0;
	ctype = arena_strndup(a, (const char *)data, (size_t)(nl - (const char *)data));
	body = nl + 1;
	len = size - (size_t)(body - (const char *)data);

	parsed = form_parse_multipart(a, ctype, body, len, &oracle_limits, &f, &err);
	if (!oracle_check_parse(parsed, &f, &err))
		return 0;

	/* Round trip, unless a value happens to hold our boundary. */
	for (size_t i = 0; i < f.count; i++) {
		if (memmem(f.fields[i].value, f.fields[i].value_len, bnd, sizeof(bnd) - 1) !=
		    NULL) {
			arena_reset(a);
			return 0;
		}
	}
	buf_init(&b, a, 256);
	buf_adds(&b, "preamble\r\n");
	for (size_t i = 0; i < f.count; i++) {
		buf_printf(&b, "--%s\r\ncontent-disposition: form-data; name=", bnd);
		quote(&b, f.fields[i].name);
		buf_adds(&b, "\r\n\r\n");
		buf_add(&b, f.fields[i].value, f.fields[i].value_len);
		buf_adds(&b, "\r\n");
	}
	buf_printf(&b, "--%s--\r\n", bnd);
	if (!form_parse_multipart(a, "multipart/form-data; boundary=\"=_rt.Bnd_7f3a\"", b.data,
	                          b.len, &oracle_limits, &g, &err))
		abort();
	oracle_check_same(&f, &g);
	arena_reset(a);
	return 0;
}
