/* libFuzzer target for schema.c, schema_html.c and schema_check.c. The first byte picks a mode:
 *   0: the rest is a form.json: load it, and when it loads, render it and validate an empty form;
 *   1: the rest is a submission ("name=value" pairs split on '&', raw bytes) against a fixed
 *      schema: validate, render with what was typed, check the output stays well-formed;
 *   2: the rest is a pattern: load a schema carrying it, then validate a fixed set of values.
 * Invariants: no crash, leak or sanitizer report; typed values never add markup; a valid
 * submission's fields_json is a JSON object; an error always names a code and a message;
 * every pattern the portability check accepts compiles. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_schema[] =
    "{\"kind\":\"consult\",\"title\":{\"zh-CN\":\"t\",\"en\":\"t\"},\"fields\":["
    "{\"name\":\"name\",\"type\":\"text\",\"role\":\"name\",\"required\":true,"
    "\"label\":{\"zh-CN\":\"姓名\",\"en\":\"Name\"},\"min_length\":2,\"max_length\":4},"
    "{\"name\":\"mobile\",\"type\":\"tel\",\"role\":\"phone\",\"required\":true,"
    "\"label\":{\"zh-CN\":\"手机号\",\"en\":\"Mobile\"}},"
    "{\"name\":\"email\",\"type\":\"email\",\"label\":{\"zh-CN\":\"邮箱\",\"en\":\"Email\"}},"
    "{\"name\":\"code\",\"type\":\"text\",\"label\":{\"zh-CN\":\"码\",\"en\":\"Code\"},"
    "\"pattern\":\"[A-Z]{2}[0-9]{4}|.{3}\"},"
    "{\"name\":\"size\",\"type\":\"select\",\"label\":{\"zh-CN\":\"规模\",\"en\":\"Size\"},"
    "\"options\":[{\"value\":\"a\",\"label\":{\"zh-CN\":\"甲\",\"en\":\"A\"}},"
    "{\"value\":\"b\\\"<\",\"label\":{\"zh-CN\":\"乙\",\"en\":\"B\"}}]},"
    "{\"name\":\"question\",\"type\":\"textarea\",\"role\":\"question\",\"required\":true,"
    "\"label\":{\"zh-CN\":\"问题\",\"en\":\"Question\"},\"max_length\":10},"
    "{\"name\":\"campaign\",\"type\":\"hidden\",\"value\":\"x\"},"
    "{\"name\":\"agree\",\"type\":\"checkbox\",\"role\":\"consent\",\"required\":true}],"
    "\"consent\":{\"zh-CN\":\"同意\",\"en\":\"Agree\"},"
    "\"thanks\":{\"zh-CN\":\"好\",\"en\":\"OK\"}}";

static size_t
count_lt(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == '<')
			n++;
	return n;
}

/* Validates in, renders with and without the typed values, checks the invariants. */
static void
exercise(const struct schema *s, const struct form *in, struct arena *a)
{
	struct schema_values v;
	struct schema_error e;
	struct buf with, without;
	enum lang l;
	cJSON *j;

	for (l = LANG_ZH_CN; l <= LANG_EN; l++) {
		if (schema_validate(s, in, l, a, &v, &e)) {
			if (v.phone == NULL || v.phone[0] != '+' || v.fields_json == NULL)
				abort();
			j = cJSON_Parse(v.fields_json);
			if (j == NULL || !cJSON_IsObject(j))
				abort();
			cJSON_Delete(j);
			buf_init(&with, a, 0);
			buf_init(&without, a, 0);
			schema_render_form(s, l, "/p/x", in, NULL, "st", NULL, &with);
			schema_render_form(s, l, "/p/x", NULL, NULL, "st", NULL, &without);
		} else {
			if (e.code == NULL || e.message == NULL || e.field == NULL)
				abort();
			buf_init(&with, a, 0);
			buf_init(&without, a, 0);
			schema_render_form(s, l, "/p/x", in, &e, "st", NULL, &with);
			schema_render_form(s, l, "/p/x", NULL, &e, "st", NULL, &without);
		}
		if (count_lt(with.data) != count_lt(without.data))
			abort();
	}
}

/* Splits raw bytes into NUL-terminated fields the way a form parser would hand them over. */
static void
split_form(struct arena *a, const char *p, size_t n, struct form *out)
{
	struct form_field *fs = arena_alloc(a, (n + 2) * sizeof(*fs)); /* n bytes: at most n + 1 fields */
	size_t i = 0, start, eq;

	out->fields = fs;
	out->count = 0;
	while (i < n) {
		start = i;
		while (i < n && p[i] != '&')
			i++;
		for (eq = start; eq < i && p[eq] != '='; eq++)
			;
		fs[out->count].name = arena_strndup(a, p + start, eq - start);
		fs[out->count].value = eq < i ? arena_strndup(a, p + eq + 1, i - eq - 1) : "";
		fs[out->count].value_len = strlen(fs[out->count].value);
		out->count++;
		i++;
	}
}

static struct schema *
load_fixed(void)
{
	static struct schema *s;
	char *cause = NULL;

	if (s == NULL) {
		s = schema_load(fixed_schema, sizeof(fixed_schema) - 1, "fixed", &cause);
		if (s == NULL) {
			fprintf(stderr, "%s\n", cause);
			abort();
		}
	}
	return s;
}

static void
fuzz_pattern(const char *p, size_t n, struct arena *a)
{
	static const char *values[] = {"", "a", "AB1234", "张三", "13800138000", "a.b", "(("};
	struct buf json;
	struct form_field fs[2] = {{"m", "13800138000", 11}, {"x", NULL, 0}};
	struct form in = {fs, 2};
	struct schema *s;
	char *cause = NULL;
	size_t i;

	buf_init(&json, a, 0);
	buf_adds(&json,
	         "{\"kind\":\"lead\",\"title\":{\"zh-CN\":\"t\",\"en\":\"t\"},\"fields\":["
	         "{\"name\":\"m\",\"type\":\"tel\",\"role\":\"phone\",\"required\":true,"
	         "\"label\":{\"zh-CN\":\"t\",\"en\":\"t\"}},{\"name\":\"x\",\"type\":\"text\","
	         "\"label\":{\"zh-CN\":\"t\",\"en\":\"t\"},\"pattern\":\"");
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_addc(&json, '\\');
		if ((unsigned char)p[i] < 0x20)
			buf_printf(&json, "\\u%04x", (unsigned char)p[i]);
		else
			buf_addc(&json, p[i]);
	}
	buf_adds(&json, "\"}],\"redirect\":\"/\"}");
	s = schema_load(json.data, json.len, "pattern", &cause);
	if (s == NULL) {
		/* what the portability check lets through, regcomp must compile */
		if (cause == NULL || strstr(cause, "does not compile") != NULL)
			abort();
		free(cause);
		return;
	}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		fs[1].value = values[i];
		fs[1].value_len = strlen(values[i]);
		exercise(s, &in, a);
	}
	schema_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	struct schema *s;
	struct arena a;
	struct form in;
	char *cause = NULL;

	if (size < 1)
		return 0;
	arena_init(&a, 0);
	switch (data[0] % 3) {
	case 0:
		s = schema_load(p, size - 1, "fuzz", &cause);
		if (s == NULL) {
			if (cause == NULL || strncmp(cause, "fuzz:", 5) != 0)
				abort();
			free(cause);
			break;
		}
		in.fields = NULL;
		in.count = 0;
		exercise(s, &in, &a);
		schema_free(s);
		break;
	case 1:
		split_form(&a, p, size - 1, &in);
		exercise(load_fixed(), &in, &a);
		break;
	case 2:
		fuzz_pattern(p, size - 1, &a);
		break;
	}
	arena_free(&a);
	return 0;
}
