/* What schema.c (loading, accessors), schema_html.c (the form) and schema_check.c (the
 * submission) share: the loaded schema's layout and the helpers all three read it with. Only
 * schema*.c include this; every other module goes through schema.h. */
#ifndef LANDFORM_SCHEMA_INT_H
#define LANDFORM_SCHEMA_INT_H

#include <locale.h>
#include <regex.h>

#include "schema.h"

/* Text in every page language; t[0] == NULL means "not given". */
struct ltext {
	const char *t[LANG_COUNT];
};

struct option {
	const char *value;
	struct ltext label;
};

struct field {
	const char *name;
	enum schema_type type;
	enum schema_role role;
	struct ltext label; /* absent for hidden, optional for consent */
	struct ltext placeholder;
	struct ltext pattern_message; /* shown for a pattern mismatch, and as title="" */
	bool required;
	size_t min_length;   /* code points; 0 = none */
	size_t max_length;   /* code points; always set for text-like types */
	const char *pattern; /* as written: the HTML attribute */
	regex_t re;          /* ^(pattern)$, valid when pattern != NULL */
	const char *autocomplete;
	const char *value; /* hidden: the value sent when the visitor sent none */
	struct option *options;
	size_t noptions;
};

struct schema {
	struct arena arena; /* everything below but the regexes and loc */
	locale_t loc;       /* C.UTF-8, so regexes count code points; (locale_t)0 if unused */
	enum schema_kind kind;
	struct ltext title;
	struct ltext submit;
	struct ltext consent;
	struct ltext thanks;
	const char *redirect;
	struct field *fields;
	size_t nfields;
	size_t ncompiled; /* fields[0..ncompiled) may hold a compiled regex */
};

/* Field types by name, as form.json writes them and as the HTML type and class use them. */
extern const char *schema_type_names[];

/* What a checkbox value means (see schema_tick_of). */
enum schema_tick { SCHEMA_TICK_OFF, SCHEMA_TICK_ON, SCHEMA_TICK_BAD };

/* The text in language l (an unknown l reads as zh-CN); NULL when the text was not given. */
const char *schema_pick(const struct ltext *t, enum lang l);

/* The first value sent under name (NULL for none, or when in is NULL); *count, when count is
 * not NULL, gets how many were sent. */
const char *schema_sent_value(const struct form *in, const char *name, size_t *count);

/* The schema's field called name, or NULL. */
const struct field *schema_find_field(const struct schema *s, const char *name);

/* A checkbox value: on, off (NULL or empty included), or neither. */
enum schema_tick schema_tick_of(const char *v);

#endif
