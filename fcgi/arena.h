/* Per-request bump allocator: everything a request allocates dies with arena_reset. */
#ifndef LANDFORM_ARENA_H
#define LANDFORM_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;  /* current block, newest first */
	size_t block_size;         /* size of ordinary blocks */
	size_t used_total;         /* bytes handed out since the last reset */
};

/* Prepare an arena; no memory is taken until the first allocation. */
void arena_init(struct arena *a, size_t block_size);

/* Zeroed memory of n bytes, aligned for any type. Aborts on out-of-memory:
 * a worker that cannot allocate a few KB cannot answer anything anyway. */
void *arena_alloc(struct arena *a, size_t n);

/* Copies of strings; the result lives until the next reset. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Forget everything allocated; keeps the first block for the next request. */
void arena_reset(struct arena *a);

/* Give all memory back (worker exit). */
void arena_free(struct arena *a);

#endif
