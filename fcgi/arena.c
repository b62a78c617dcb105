/* Per-request bump allocator, so a request never leaks and never frees piecemeal. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	max_align_t data[]; /* aligned start of the usable bytes */
};

struct arena_deferred {
	struct arena_deferred *next;
	void (*fn)(void *);
	void *ptr;
};

#define ALIGN (_Alignof(max_align_t))

void
arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->deferred = NULL;
	a->block_size = block_size ? block_size : 16384;
	a->used_total = 0;
}

static struct arena_block *
block_new(size_t size, struct arena_block *next)
{
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		abort();
	b->next = next;
	b->size = size;
	b->used = 0;
	return b;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
	void *p;

	if (need < n)
		abort();
	if (b == NULL || b->size - b->used < need) {
		if (need > a->block_size / 2) {
			/* Large pieces get their own block behind the current one
			 * so the current block's free space is not wasted. */
			struct arena_block *big = block_new(need, NULL);

			if (b == NULL) {
				a->head = big;
			} else {
				big->next = b->next;
				b->next = big;
			}
			big->used = need;
			a->used_total += need;
			memset(big->data, 0, need);
			return big->data;
		}
		b = block_new(a->block_size, a->head);
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	a->used_total += need;
	memset(p, 0, need);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Measured first, then written once into exactly the room it needs. */
char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *d;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	d = arena_alloc(a, (size_t)n + 1);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

/* The variadic face of arena_vprintf, for callers that format in place. */
char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	d = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct arena_deferred *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->ptr = ptr;
	d->next = a->deferred;
	a->deferred = d;
}

/* The cleanups run before the blocks holding their records go. */
static void
run_deferred(struct arena *a)
{
	struct arena_deferred *d = a->deferred;

	a->deferred = NULL;
	for (; d != NULL; d = d->next)
		d->fn(d->ptr);
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	run_deferred(a);
	if (a->head == NULL)
		return;
	/* Keep the oldest ordinary block: the common request fits in it. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = b;
	if (b->size != a->block_size) {
		free(b);
		a->head = NULL;
	} else {
		b->used = 0;
	}
	a->used_total = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	run_deferred(a);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used_total = 0;
}
