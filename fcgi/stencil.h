/* A rendered text with holes: made once from a rendering whose per-request values were
 * unique tokens, filled per request by copying bytes instead of rendering again. */
#ifndef LANDFORM_STENCIL_H
#define LANDFORM_STENCIL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct stencil_part {
	size_t off, len; /* literal bytes of text before the hole */
	int hole;        /* which value fills the hole after them, -1 for none (the tail) */
};

struct stencil {
	char *text;                 /* malloc'd */
	struct stencil_part *parts; /* malloc'd */
	size_t nparts;
	size_t literal_len; /* bytes of text in all, for sizing the output */
};

/* Cut text at every occurrence of tokens[0..ntokens-1] (each non-empty, none a prefix of
 * another). False on out of memory. Free with stencil_free. */
bool stencil_make(struct stencil *st, const char *text, size_t len, const char *const *tokens,
		  int ntokens);
/* Append the text with each hole replaced by values[hole]. */
void stencil_fill(const struct stencil *st, const char *const *values, struct buf *out);
void stencil_free(struct stencil *st);

#endif
