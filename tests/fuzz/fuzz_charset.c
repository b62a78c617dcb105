/* libFuzzer target: any bytes as a Content-Type (charset_param), as a value in one of the known
 * charsets (charset_to_utf8), and as an urlencoded body parsed raw then converted
 * (charset_form_to_utf8, page.c's path); checks what charset.h promises of each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "charset.h"
#include "form.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct form_limits lim = {8, 16, 64, 3, true};

/* The first input byte picks one: every converter in the table, UTF-8, and unknown labels. */
static const char *const labels[] = { "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "euc-kr",
				      "windows-1252", "iso-8859-2", "iso-8859-5", "iso-8859-7",
				      "iso-8859-15", "windows-1250", "windows-1251", "koi8-r",
				      "utf-8", "x-unknown", "utf-7" };

static void
check_label(struct arena *a, const uint8_t *data, size_t size)
{
	char *ct = arena_strndup(a, (const char *)data, size);
	const char *l = charset_param(a, ct);

	if (l == NULL)
		return;
	if (strlen(l) == 0 || strlen(l) > CHARSET_LABEL_MAX)
		abort();
	for (const char *p = l; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._:-?", *p)))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static int ready;
	const char *label;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	char *out;
	size_t outlen;
	struct form f;
	struct form_error_info err;
	struct charset_loss loss;
	enum charset_result r;

	if (!ready) {
		arena_init(&a, 4096);
		ready = 1;
	}
	if (size == 0)
		return 0;
	check_label(&a, data, size);
	label = labels[data[0] % (sizeof(labels) / sizeof(labels[0]))];

	r = charset_to_utf8(&a, label, in, len, &out, &outlen);
	if (r == CHARSET_OK) {
		if (out == NULL || out[outlen] != '\0' || outlen > 4 * len || !utf8_valid(out, outlen))
			abort();
	} else if (out != NULL || outlen != 0 || (r == CHARSET_UNKNOWN) != !charset_known(label))
		abort();

	if (form_parse_urlencoded(&a, in, len, &lim, &f, &err)) {
		size_t before = f.count;
		bool all = charset_form_to_utf8(&a, label, &f, &loss);

		if (all != (loss.fields == 0) || f.count > before || before - f.count > loss.fields)
			abort();
		for (size_t i = 0; i < f.count; i++) {
			const struct form_field *fl = &f.fields[i];
			size_t n = strlen(fl->name);

			if (n == 0 || !utf8_valid(fl->name, n) || utf8_has_control(fl->name, n, false))
				abort();
			if (strlen(fl->value) != fl->value_len || fl->value_len > 4 * lim.max_value_len ||
			    !utf8_valid(fl->value, fl->value_len) ||
			    utf8_has_control(fl->value, fl->value_len, true))
				abort();
		}
	}
	arena_reset(&a);
	return 0;
}
