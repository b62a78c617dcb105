/* Parsers for submitted forms: urlencoded, multipart/form-data and JSON bodies (one file each,
 * form_urlencoded.c, form_multipart.c, form_json.c; what they share is in form.c).
 * Pure functions: bytes in, fields out; every result lives in the caller's arena.
 * Who frees what: every string and array handed out (fields, names, values, err->field)
 * is allocated from the arena passed in and dies with arena_reset; the body is only read
 * and may be freed as soon as the parse returns. cJSON's tree is freed before return. */
#ifndef LANDFORM_FORM_H
#define LANDFORM_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* One submitted name/value pair, decoded, valid UTF-8, NUL-terminated. Names hold no
 * control character at all and are never empty; values hold no NUL, no DEL and no C0
 * control other than tab, CR and LF, so value_len == strlen(value). */
struct form_field {
	const char *name;
	const char *value;
	size_t value_len;
};

/* Fields in the order they arrived; repeated names are kept (validation decides). */
struct form {
	struct form_field *fields;
	size_t count;
};

/* Limits checked before any work is done on a field. */
struct form_limits {
	size_t max_fields;    /* fields per submission; for JSON also members and array
	                       * elements, nulls included, counted before cJSON runs */
	size_t max_name_len;  /* bytes in a field name */
	size_t max_value_len; /* bytes in a decoded value */
	size_t max_depth;     /* JSON nesting depth: every '{' and '[' counts, so 1 = flat
	                       * object, 2 = an object holding arrays (checkbox groups) */
	bool raw;             /* urlencoded and multipart: names and values are left in the
	                       * bytes sent, not checked as UTF-8 (controls still are), for the
	                       * caller to convert from a declared charset (charset.h) */
};

enum form_error {
	FORM_OK = 0,
	FORM_ERR_TOO_MANY_FIELDS,
	FORM_ERR_NAME_TOO_LONG,
	FORM_ERR_VALUE_TOO_LONG,
	FORM_ERR_BAD_PERCENT, /* '%' not followed by two hex digits */
	FORM_ERR_BAD_UTF8,
	FORM_ERR_CONTROL_CHAR, /* NUL or another C0 control other than tab, CR, LF */
	FORM_ERR_EMPTY_NAME,
	FORM_ERR_NO_BOUNDARY,   /* Content-Type without a boundary, or with an empty one */
	FORM_ERR_BAD_MULTIPART, /* anything else malformed, including a boundary over 70 chars */
	FORM_ERR_FILE_PART,     /* a part with a filename: we take no files */
	FORM_ERR_BAD_JSON,
	FORM_ERR_NOT_OBJECT,
	FORM_ERR_TOO_DEEP,
	/* a JSON value that is not string, number, bool, null or an array of those */
	FORM_ERR_BAD_VALUE_TYPE
};

/* What went wrong and where; field is NULL when no single field is to blame. */
struct form_error_info {
	enum form_error code;
	const char *field;
};

/* Each returns true and fills out, or false and fills err (out is then empty: nothing
 * half-decoded is ever returned). err->field names the field to blame when its name was
 * readable, else NULL. lim must not be NULL. Limits are checked before the work they bound.
 *
 * urlencoded: '&'-separated pairs, '+' is a space, '%XX' needs two hex digits; empty pairs
 *   are skipped, a pair without '=' is a field with an empty value, an empty name is refused.
 *   Lengths are of the decoded bytes, measured before decoding.
 * multipart: content_type must be multipart/form-data with a boundary (quoted or not,
 *   1..70 RFC 2046 chars). Each part needs Content-Disposition: form-data; name=...;
 *   a filename (or filename*) parameter gives FORM_ERR_FILE_PART; a Content-Transfer-Encoding
 *   other than 7bit/8bit/binary is refused. Header names are case-insensitive, folded header
 *   lines are refused. Lines end in CRLF; a body whose first delimiter line ends in a bare LF
 *   is read with bare LF throughout (never a mix). Preamble and epilogue are ignored; a body
 *   without the close delimiter is refused. Names are taken as sent (no %22 decoding).
 * JSON: the top level must be an object. Before cJSON runs, the raw bytes are scanned for
 *   depth (FORM_ERR_TOO_DEEP), for "\u0000" and raw control bytes in strings, and for numbers
 *   that break RFC 8259. A string stays as is; a number is its exact source text ("1.50",
 *   "13800138000"); true/false are "true"/"false"; null gives no field; an array of those
 *   gives one field per element in order (a checkbox group; nulls in it give nothing);
 *   an object or an array inside an array is FORM_ERR_BAD_VALUE_TYPE. Duplicate keys are
 *   kept in order. Trailing bytes other than whitespace are refused. */
bool form_parse_urlencoded(struct arena *a, const char *body, size_t len,
                           const struct form_limits *lim, struct form *out,
                           struct form_error_info *err) __attribute__((warn_unused_result));
bool form_parse_multipart(struct arena *a, const char *content_type, const char *body, size_t len,
                          const struct form_limits *lim, struct form *out,
                          struct form_error_info *err) __attribute__((warn_unused_result));
bool form_parse_json(struct arena *a, const char *body, size_t len, const struct form_limits *lim,
                     struct form *out, struct form_error_info *err)
    __attribute__((warn_unused_result));

/* First value for name, or NULL. Linear: forms are small. */
const char *form_get(const struct form *f, const char *name);
/* How many times name was sent. */
size_t form_count(const struct form *f, const char *name);

/* Stable machine-readable code ("bad_utf8") for APIs and logs. */
const char *form_error_code(enum form_error e);

#endif
