/* libFuzzer target: parse any bytes as a JSON body, check the promises, write the fields back
 * as a JSON object of strings and compare; every field must be what cJSON's tree says. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "form_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A JSON string literal: escape '"', '\' and the control characters a value may hold. */
static void
jstring(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		default:
			buf_addc(b, s[i]);
			break;
		}
	}
	buf_addc(b, '"');
}

/* The fields cJSON's own tree implies, in order, compared with what the parser gave:
 * strings equal, numbers read back (strtod, as cJSON does) to the same double. */
static void
check_scalar(const struct form *f, size_t *k, const char *name, const cJSON *v)
{
	const struct form_field *fl;

	if (cJSON_IsNull(v))
		return;
	if (*k >= f->count)
		abort();
	fl = &f->fields[(*k)++];
	if (strcmp(fl->name, name) != 0)
		abort();
	if (cJSON_IsString(v)) {
		if (strcmp(fl->value, v->valuestring) != 0)
			abort();
	} else if (cJSON_IsNumber(v)) {
		double d = strtod(fl->value, NULL);

		if (d != v->valuedouble && !(isnan(d) && isnan(v->valuedouble)))
			abort();
	} else if (cJSON_IsTrue(v)) {
		if (strcmp(fl->value, "true") != 0)
			abort();
	} else if (cJSON_IsFalse(v)) {
		if (strcmp(fl->value, "false") != 0)
			abort();
	} else
		abort();
}

static void
check_against_cjson(const struct form *f, const char *data, size_t size)
{
	char *copy = malloc(size + 1);
	cJSON *j;
	size_t k = 0;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	j = cJSON_ParseWithLength(copy, size);
	if (j == NULL || !cJSON_IsObject(j))
		abort(); /* we accepted what cJSON refuses */
	for (const cJSON *c = j->child; c != NULL; c = c->next) {
		if (cJSON_IsArray(c)) {
			for (const cJSON *e = c->child; e != NULL; e = e->next)
				check_scalar(f, &k, c->string, e);
		} else
			check_scalar(f, &k, c->string, c);
	}
	if (k != f->count)
		abort();
	cJSON_Delete(j);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	struct buf b;

	if (!oracle_parse(form_parse_json, data, size, &f))
		return 0;

	check_against_cjson(&f, (const char *)data, size);

	buf_init(&b, oracle_arena(), 256);
	buf_addc(&b, '{');
	for (size_t i = 0; i < f.count; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		jstring(&b, f.fields[i].name, strlen(f.fields[i].name));
		buf_addc(&b, ':');
		jstring(&b, f.fields[i].value, f.fields[i].value_len);
	}
	buf_addc(&b, '}');
	oracle_round_trip(form_parse_json, &b, &f);
	return 0;
}
