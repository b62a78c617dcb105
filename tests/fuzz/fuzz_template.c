/* libFuzzer target: compile any bytes as a template, render the ones that compile, free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "buf.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
has_tag(const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (d[i] == '{' && d[i + 1] == '{')
			return 1;
	return 0;
}

/* Arrays of two everywhere, so sections repeat; and of one, for deeply nested inputs. */
static const char wide[] =
    "{\"name\":\"<x>&'\\\"\",\"n\":3,\"pi\":3.25,\"t\":true,\"f\":false,\"z\":null,"
    "\"s\":\"\",\"e\":[],\"items\":[{\"n\":1,\"name\":\"a\"},{\"n\":2}],"
    "\"o\":{\"a\":{\"b\":\"c\"}},\"xs\":[\"p\",[\"q\"]],\"cjk\":\"着陆页\"}";
static const char narrow[] =
    "{\"name\":\"<x>\",\"n\":3,\"t\":true,\"f\":false,\"z\":null,\"s\":\"\","
    "\"e\":[],\"items\":[{\"n\":1,\"name\":\"a\"}],\"o\":{\"a\":{\"b\":\"c\"}},"
    "\"xs\":[\"p\"]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *ctx_wide, *ctx_narrow;
	static struct arena arena;
	struct template *t;
	char *cause = NULL;
	struct buf b1, b2;
	size_t i, hashes = 0;

	if (ctx_wide == NULL) {
		ctx_wide = cJSON_Parse(wide);
		ctx_narrow = cJSON_Parse(narrow);
		if (ctx_wide == NULL || ctx_narrow == NULL)
			abort();
		arena_init(&arena, 16384);
	}
	t = template_compile((const char *)data, size, "fuzz.html", &cause);
	if (t == NULL) {
		/* every failure explains itself, naming the file */
		if (cause == NULL || strncmp(cause, "fuzz.html:", 10) != 0)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	/* Sections over two-element arrays nested n deep render 2^n times: a template author's
	 * choice, not a bug, so keep the wide context for inputs with few sections. */
	for (i = 0; i < size; i++)
		hashes += data[i] == '#';
	buf_init(&b1, &arena, 256);
	template_render(t, hashes <= 8 ? ctx_wide : ctx_narrow, &b1);
	buf_init(&b2, &arena, 256);
	template_render(t, hashes <= 8 ? ctx_wide : ctx_narrow, &b2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	/* without a tag, a template is its own output */
	if (!has_tag(data, size) && (b1.len != size || memcmp(b1.data, data, size) != 0))
		abort();
	template_render(t, NULL, &b1);
	template_free(t);
	arena_reset(&arena);
	return 0;
}
