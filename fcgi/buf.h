/* Growable byte buffer whose memory comes from an arena (dies with the request). */
#ifndef LANDFORM_BUF_H
#define LANDFORM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "arena.h"

struct buf {
	struct arena *arena;
	char *data;    /* always NUL-terminated after len bytes */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b, struct arena *a, size_t initial);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* s (valid UTF-8) as a JSON string literal: quotes, backslash and control characters escaped. */
void buf_json_string(struct buf *b, const char *s);

#endif
