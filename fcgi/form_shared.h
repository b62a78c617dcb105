/* What the three body parsers (form_urlencoded.c, form_multipart.c, form_json.c) share, so a
 * rule for names, values and limits is written once; callers outside form*.c use form.h. */
#ifndef LANDFORM_FORM_SHARED_H
#define LANDFORM_FORM_SHARED_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "form.h"

/* A piece of the input, not NUL-terminated. */
struct form_slice {
	const char *p;
	size_t n;
};

/* Fields collected so far; grows by doubling in the arena, never past max. */
struct form_list {
	struct arena *a;
	struct form_field *v;
	size_t n;
	size_t cap;
	size_t max;
};

/* Step over k bytes the caller has already read. */
static inline void
form_advance(struct form_slice *s, size_t k)
{
	s->p += k;
	s->n -= k;
}

/* Fill err and return false, so a parser refuses in one statement. */
bool form_fail(struct form_error_info *err, enum form_error code, const char *field);
/* Empty out and err before any work, so a refusal never returns half a form. */
void form_begin(struct form *out, struct form_error_info *err);

/* An empty list that will take at most max fields. */
void form_list_init(struct form_list *l, struct arena *a, size_t max);
/* True once max fields are in: the caller refuses before pushing. */
bool form_list_full(const struct form_list *l);
/* Append a field; the caller has checked form_list_full first. */
void form_list_push(struct form_list *l, const char *name, const char *value, size_t vlen);
/* Hand the fields over to out (they stay in the arena). */
void form_list_done(struct form_list *l, struct form *out);

/* The rules every format shares for a name's and a value's decoded bytes, and for a name's
 * length (checked first, so nothing too long is ever copied or decoded). raw: see form.h. */
enum form_error form_check_name(bool raw, const char *s, size_t len);
enum form_error form_check_value(bool raw, const char *s, size_t len);
enum form_error form_check_name_len(size_t len, const struct form_limits *lim);

#endif
