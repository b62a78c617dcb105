/* Where each value of a parsed JSON text starts, so errors can name a line although cJSON
 * keeps no positions. The map borrows the text and the tree; jsonpos_free frees its tables. */
#ifndef LANDFORM_JSONPOS_H
#define LANDFORM_JSONPOS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct jsonpos {
	const char *json; /* the text given to jsonpos_build, borrowed */
	size_t len;
	const cJSON **items;
	size_t *offs;
	size_t n;
	bool ok; /* false when the scan and the tree disagree: lines fall back to 1 */
};

/* Pairs the values of root, parsed from j[0..len), with their offsets in j. Aborts when out
 * of memory; the caller frees with jsonpos_free. */
void jsonpos_build(struct jsonpos *pm, const char *j, size_t len, const cJSON *root);

void jsonpos_free(struct jsonpos *pm);

/* The 1-based line of it (a member: its key's line); 1 when unknown. */
size_t jsonpos_line(const struct jsonpos *pm, const cJSON *it);

/* The 1-based line of byte off in j[0..len). */
size_t jsonpos_line_at(const char *j, size_t len, size_t off);

#endif
