/* Lines for JSON values: cJSON keeps no positions, so the loaders that name "FILE:LINE" in
 * their messages scan the text beside the tree. Split out of schema.c, its one user. */
#include "jsonpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Offsets of every value in document order (a member's is its key's); cJSON's pre-order
 * walk visits values in the same order, so the i-th value walked is the i-th offset. */
static size_t
scan_offsets(const char *j, size_t len, size_t *offs, size_t max)
{
	size_t i = 0, n = 0, pending = SIZE_MAX, start, k;
	unsigned char c;

	if (len >= 3 && memcmp(j, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		c = (unsigned char)j[i];
		if (c <= 32 || c == '}' || c == ']' || c == ',' || c == ':') {
			i++;
			continue;
		}
		start = i;
		if (c == '"') {
			for (i++; i < len && j[i] != '"'; i++)
				if (j[i] == '\\')
					i++;
			i++;
			for (k = i; k < len && (unsigned char)j[k] <= 32; k++)
				;
			if (k < len && j[k] == ':') {
				pending = start;
				i = k + 1;
				continue;
			}
		} else if (c == '{' || c == '[') {
			i++;
		} else {
			while (i < len && (unsigned char)j[i] > 32 && j[i] != ',' && j[i] != '}' &&
			       j[i] != ']')
				i++;
		}
		if (n < max)
			offs[n] = pending != SIZE_MAX ? pending : start;
		n++;
		pending = SIZE_MAX;
	}
	return n;
}

/* Pre-order, children in document order: the order scan_offsets sees values in. */
static void
walk_items(const cJSON *it, const cJSON **items, size_t *n, size_t max)
{
	const cJSON *c;

	if (*n < max)
		items[*n] = it;
	(*n)++;
	for (c = it->child; c != NULL; c = c->next)
		walk_items(c, items, n, max);
}

/* Pairs tree items with offsets; a mismatch only costs line numbers, never correctness. */
void
jsonpos_build(struct jsonpos *pm, const char *j, size_t len, const cJSON *root)
{
	size_t max = len + 1, nscan, nwalk = 0;

	pm->items = calloc(max, sizeof(*pm->items));
	pm->offs = calloc(max, sizeof(*pm->offs));
	if (pm->items == NULL || pm->offs == NULL)
		abort();
	pm->json = j;
	pm->len = len;
	nscan = scan_offsets(j, len, pm->offs, max);
	walk_items(root, pm->items, &nwalk, max);
	pm->n = nwalk < max ? nwalk : max;
	pm->ok = nscan == nwalk && nwalk <= max;
}

/* The two tables are the only memory a map holds. */
void
jsonpos_free(struct jsonpos *pm)
{
	free(pm->items);
	free(pm->offs);
}

/* Lines are counted, not stored: only a failing load ever asks for one. */
size_t
jsonpos_line_at(const char *j, size_t len, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off && i < len; i++)
		if (j[i] == '\n')
			line++;
	return line;
}

/* The item's own line when the map is sound, else 1: a message never names a wrong line. */
size_t
jsonpos_line(const struct jsonpos *pm, const cJSON *it)
{
	size_t i;

	if (!pm->ok || it == NULL)
		return 1;
	for (i = 0; i < pm->n; i++)
		if (pm->items[i] == it)
			return jsonpos_line_at(pm->json, pm->len, pm->offs[i]);
	return 1;
}
