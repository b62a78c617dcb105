/* libFuzzer target: parse any bytes as an urlencoded body, check the promises, re-encode and
 * compare. */
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

/* Percent-encode every byte but unreserved ones; spaces as '+' half the time. */
static void
encode(struct buf *b, const char *s, size_t n, size_t salt)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_addc(b, (char)c);
		else if (c == ' ' && (salt & 1))
			buf_addc(b, '+');
		else
			buf_printf(b, (salt & 2) ? "%%%02X" : "%%%02x", c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	struct buf b;

	if (!oracle_parse(form_parse_urlencoded, data, size, &f))
		return 0;

	for (size_t i = 0; i < f.count; i++)
		if (form_get(&f, f.fields[i].name) == NULL || form_count(&f, f.fields[i].name) == 0)
			abort();
	/* Encoding what came out and parsing it again gives the same fields. */
	buf_init(&b, oracle_arena(), 64);
	for (size_t i = 0; i < f.count; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		encode(&b, f.fields[i].name, strlen(f.fields[i].name), i + size);
		buf_addc(&b, '=');
		encode(&b, f.fields[i].value, f.fields[i].value_len, i * 3 + size);
	}
	oracle_round_trip(form_parse_urlencoded, &b, &f);
	return 0;
}
