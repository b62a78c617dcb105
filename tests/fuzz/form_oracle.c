/* The checks the body-format fuzzers share, in one place so a promise is checked the same way
 * for every format. */
#include "form_oracle.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

const struct form_limits oracle_limits = {8, 16, 64, 3, false};

/* Static: libFuzzer calls the target many times in one process; one arena serves them all. */
struct arena *
oracle_arena(void)
{
	static struct arena a;
	static int ready;

	if (!ready) {
		arena_init(&a, 4096);
		ready = 1;
	}
	return &a;
}

/* A caller must never see half a form, nor a refusal it cannot name to the visitor. */
static void
check_refused(const struct form *f, const struct form_error_info *err)
{
	if (err->code == FORM_OK || f->count != 0 || f->fields != NULL)
		abort();
	if (strcmp(form_error_code(err->code), "unknown") == 0)
		abort();
}

/* Everything downstream (schema, SQL, HTML) relies on these, whichever format the body had. */
static void
check_form(const struct form *f)
{
	const struct form_limits *lim = &oracle_limits;

	if (f->count > lim->max_fields)
		abort();
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *fl = &f->fields[i];
		size_t n = strlen(fl->name);

		if (n == 0 || n > lim->max_name_len || !utf8_valid(fl->name, n) ||
		    utf8_has_control(fl->name, n, false))
			abort();
		if (fl->value_len > lim->max_value_len || strlen(fl->value) != fl->value_len ||
		    !utf8_valid(fl->value, fl->value_len) ||
		    utf8_has_control(fl->value, fl->value_len, true))
			abort();
	}
}

/* Each target checks the same things after its parser ran, whichever way it went. */
bool
oracle_check_parse(bool parsed, const struct form *f, const struct form_error_info *err)
{
	if (parsed) {
		check_form(f);
		return true;
	}
	check_refused(f, err);
	arena_reset(oracle_arena());
	return false;
}

/* Writing the fields out and parsing them again loses, adds or changes nothing. */
void
oracle_check_same(const struct form *f, const struct form *g)
{
	if (g->count != f->count)
		abort();
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, g->fields[i].name) != 0 ||
		    f->fields[i].value_len != g->fields[i].value_len ||
		    memcmp(f->fields[i].value, g->fields[i].value, f->fields[i].value_len) != 0)
			abort();
	}
}

/* The start every body-only format's target shares. */
bool
oracle_parse(oracle_parse_fn parse, const uint8_t *data, size_t size, struct form *f)
{
	struct form_error_info err;
	bool parsed = parse(oracle_arena(), (const char *)data, size, &oracle_limits, f, &err);

	return oracle_check_parse(parsed, f, &err);
}

/* The end every body-only format's target shares: a body written from a parsed form must
 * parse, to the same fields. */
void
oracle_round_trip(oracle_parse_fn parse, const struct buf *b, const struct form *f)
{
	struct form g;
	struct form_error_info err;

	if (!parse(oracle_arena(), b->data, b->len, &oracle_limits, &g, &err))
		abort();
	oracle_check_same(f, &g);
	arena_reset(oracle_arena());
}
