/* Per-request bump allocator: everything a request allocates dies with arena_reset. */
#ifndef LANDFORM_ARENA_H
#define LANDFORM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_deferred;

struct arena {
	struct arena_block *head;  /* current block, newest first */
	struct arena_deferred *deferred; /* cleanups to run at the next reset, newest first */
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
/* The same with a va_list (ap is consumed), for functions that take a format of their own. */
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Run fn(ptr) at the next arena_reset or arena_free, newest first (as lwan's defer): for what a
 * request holds outside the arena (cJSON trees, malloc'd text), so no exit path frees by hand.
 * The record lives in the arena; fn must not allocate from it. */
void arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

/* Forget everything allocated, after running the deferred cleanups; keeps the first block for
 * the next request. */
void arena_reset(struct arena *a);

/* Run the deferred cleanups and give all memory back (worker exit). */
void arena_free(struct arena *a);

#endif
