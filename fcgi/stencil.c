/* A rendered text with holes: see stencil.h. */
#include "stencil.h"

#include <stdlib.h>
#include <string.h>

/* The earliest token at or after from: its index, and its offset in *at; -1 when none. */
static int
next_token(const char *text, size_t len, size_t from, const char *const *tokens, int ntokens,
	   size_t *at)
{
	int best = -1;

	for (int i = 0; i < ntokens; i++) {
		size_t tl = strlen(tokens[i]);
		const char *p = text + from, *end = text + len;

		while (tl > 0 && (size_t)(end - p) >= tl) {
			const char *q = memchr(p, tokens[i][0], (size_t)(end - p) - tl + 1);

			if (q == NULL)
				break;
			if (memcmp(q, tokens[i], tl) == 0) {
				if (best < 0 || (size_t)(q - text) < *at) {
					best = i;
					*at = (size_t)(q - text);
				}
				break;
			}
			p = q + 1;
		}
	}
	return best;
}

bool
stencil_make(struct stencil *st, const char *text, size_t len, const char *const *tokens,
	     int ntokens)
{
	size_t cap = 8, pos = 0;

	memset(st, 0, sizeof(*st));
	st->text = malloc(len + 1);
	st->parts = malloc(cap * sizeof(*st->parts));
	if (st->text == NULL || st->parts == NULL)
		goto fail;
	memcpy(st->text, text, len);
	st->text[len] = '\0';
	for (;;) {
		size_t at = 0;
		int t = next_token(text, len, pos, tokens, ntokens, &at);

		if (st->nparts == cap) {
			void *p = realloc(st->parts, cap * 2 * sizeof(*st->parts));

			if (p == NULL)
				goto fail;
			st->parts = p;
			cap *= 2;
		}
		if (t < 0) {
			st->parts[st->nparts++] = (struct stencil_part){ pos, len - pos, -1 };
			st->literal_len += len - pos;
			return true;
		}
		st->parts[st->nparts++] = (struct stencil_part){ pos, at - pos, t };
		st->literal_len += at - pos;
		pos = at + strlen(tokens[t]);
	}
fail:
	stencil_free(st);
	return false;
}

void
stencil_fill(const struct stencil *st, const char *const *values, struct buf *out)
{
	for (size_t i = 0; i < st->nparts; i++) {
		const struct stencil_part *p = &st->parts[i];

		buf_add(out, st->text + p->off, p->len);
		if (p->hole >= 0)
			buf_adds(out, values[p->hole]);
	}
}

void
stencil_free(struct stencil *st)
{
	free(st->text);
	free(st->parts);
	memset(st, 0, sizeof(*st));
}
