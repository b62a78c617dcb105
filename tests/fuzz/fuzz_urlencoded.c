/* libFuzzer target: parse any bytes as an urlencoded body, check the promises, re-encode and
 * compare. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct form_limits lim = {8, 16, 64, 3, false};

/* What form.h promises of every parsed form. */
static void
check_form(const struct form *f)
{
	if (f->count > lim.max_fields)
		abort();
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *fl = &f->fields[i];
		size_t n = strlen(fl->name);

		if (n == 0 || n > lim.max_name_len || !utf8_valid(fl->name, n) ||
		    utf8_has_control(fl->name, n, false))
			abort();
		if (fl->value_len > lim.max_value_len || strlen(fl->value) != fl->value_len ||
		    !utf8_valid(fl->value, fl->value_len) ||
		    utf8_has_control(fl->value, fl->value_len, true))
			abort();
	}
}

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
	static struct arena a;
	static int ready;
	struct form f, g;
	struct form_error_info err;
	struct buf b;

	if (!ready) {
		arena_init(&a, 4096);
		ready = 1;
	}
	if (!form_parse_urlencoded(&a, (const char *)data, size, &lim, &f, &err)) {
		if (err.code == FORM_OK || f.count != 0 || f.fields != NULL)
			abort();
		if (strcmp(form_error_code(err.code), "unknown") == 0)
			abort();
		arena_reset(&a);
		return 0;
	}
	check_form(&f);

	/* Encoding what came out and parsing it again gives the same fields. */
	buf_init(&b, &a, 64);
	for (size_t i = 0; i < f.count; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		encode(&b, f.fields[i].name, strlen(f.fields[i].name), i + size);
		buf_addc(&b, '=');
		encode(&b, f.fields[i].value, f.fields[i].value_len, i * 3 + size);
	}
	if (!form_parse_urlencoded(&a, b.data, b.len, &lim, &g, &err) || g.count != f.count)
		abort();
	for (size_t i = 0; i < f.count; i++) {
		if (strcmp(f.fields[i].name, g.fields[i].name) != 0 ||
		    f.fields[i].value_len != g.fields[i].value_len ||
		    memcmp(f.fields[i].value, g.fields[i].value, f.fields[i].value_len) != 0)
			abort();
		if (form_get(&f, f.fields[i].name) == NULL || form_count(&f, f.fields[i].name) == 0)
			abort();
	}
	arena_reset(&a);
	return 0;
}
