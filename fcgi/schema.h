/* Landing-page form schemas (landing/<slug>/form.json): load, render the form, validate a
 * submission. The HTML attributes and the server checks come from the same struct, so they
 * cannot disagree. */
#ifndef LANDFORM_SCHEMA_H
#define LANDFORM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "lang.h"

/* Hidden inputs landform adds to every form; every name starting with '_' is reserved. */
#define SCHEMA_STAMP_FIELD "_stamp"
#define SCHEMA_HONEYPOT_FIELD "_website"
#define SCHEMA_REF_FIELD "_ref" /* a signed referral (fcgi/referral.h) */

/* Upper bounds a form.json must stay within. */
#define SCHEMA_MAX_FIELDS 40
#define SCHEMA_MAX_OPTIONS 100
#define SCHEMA_MAX_NAME 32      /* bytes in a field name */
#define SCHEMA_MAX_LENGTH 20000 /* largest max_length, in code points */
#define SCHEMA_MAX_TEXT 8000    /* bytes in one label, title, consent or thanks text */

enum schema_kind {
	SCHEMA_KIND_LEAD = 0,
	SCHEMA_KIND_CONSULT,
};

enum schema_type {
	SCHEMA_TEXT = 0,
	SCHEMA_TEL,
	SCHEMA_EMAIL,
	SCHEMA_TEXTAREA,
	SCHEMA_SELECT,
	SCHEMA_CHECKBOX,
	SCHEMA_HIDDEN,
};

/* What landform does with a field beyond storing it in the submission's fields. */
enum schema_role {
	SCHEMA_ROLE_NONE = 0,
	SCHEMA_ROLE_NAME,     /* the lead's name */
	SCHEMA_ROLE_PHONE,    /* the dedup key: exactly one per form, type tel, required */
	SCHEMA_ROLE_QUESTION, /* the consultation text; required by kind consult */
	SCHEMA_ROLE_CONSENT,  /* checkbox; checking it records the consent text */
};

struct schema;

/* Why a submission was refused. field is the schema field's name (or the unknown name sent);
 * code is a stable machine-readable word ("required", "too_long", "not_mobile", ...);
 * message is a sentence in the page language naming the field by its label.
 * field and message live in the arena given to schema_validate, code is static. */
struct schema_error {
	const char *field;
	const char *code;
	const char *message;
};

/* A valid submission, normalized. Every string lives in the arena given to schema_validate. */
struct schema_values {
	const char *phone;    /* E.164, never NULL after success */
	const char *name;     /* role name value, or NULL when absent or no such field */
	const char *question; /* role question value, or NULL */
	const char
	    *fields_json;    /* JSON object of the schema's fields only: strings trimmed,
	                      * tel fields in E.164, checkboxes true/false, empty ones left out */
	const char *consent; /* the consent text in the page language when the consent box
	                      * was checked, else NULL; points into the schema */
};

/* Parses and checks a form.json held in json[0..len) (need not be NUL-terminated).
 * Returns a schema the caller frees with schema_free, or NULL with *cause set to
 * "FILENAME:LINE: message", which the caller frees with free(). */
struct schema *schema_load(const char *json, size_t len, const char *filename, char **cause)
    __attribute__((warn_unused_result));

/* Frees a schema and everything in it; NULL is fine. */
void schema_free(struct schema *s);

/* Accessors. Strings point into the schema and live as long as it does. */
enum schema_kind schema_kind(const struct schema *s);
const char *schema_kind_name(enum schema_kind k);                     /* "lead", "consult" */
const char *schema_title(const struct schema *s, enum lang l);        /* never NULL */
const char *schema_thanks(const struct schema *s, enum lang l);       /* NULL when not given */
const char *schema_redirect(const struct schema *s);                  /* NULL when not given */
/* What staff read for a submitted field and value: the form's label for the field, and for a
 * value of a select or checkbox group its option's label; NULL when the form has none. */
const char *schema_field_label(const struct schema *s, const char *name, enum lang l);
const char *schema_option_label(const struct schema *s, const char *name, const char *value,
				enum lang l);

/* Appends the whole <form> element to out. typed is the submission to put back (NULL for
 * a fresh form), err the error to show beside its field and in a summary (NULL if none),
 * stamp the value of the hidden _stamp input (NULL to leave it out), ref that of the hidden
 * _ref input (a signed referral, NULL for none). Every byte taken from the schema, the visitor
 * or the arguments is escaped. */
void schema_render_form(const struct schema *s, enum lang l, const char *action,
                        const struct form *typed, const struct schema_error *err, const char *stamp,
                        const char *ref, struct buf *out);

/* Checks a parsed submission against the schema, in a fixed order: unknown fields (in the
 * order sent, names starting with '_' are skipped as landform's own), then each schema field
 * in schema order. Returns true and fills out, or false and fills err with the first
 * problem found. Both results are allocated from a. */
bool schema_validate(const struct schema *s, const struct form *in, enum lang l, struct arena *a,
                     struct schema_values *out, struct schema_error *err)
    __attribute__((warn_unused_result));

#endif
