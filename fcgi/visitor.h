/* The visitor cookie (lf_vid): a random id, and the page x channel pairs this browser was
 * already counted for as a unique visitor today, so unique visitors are counted without a
 * table of everyone seen. Value: "<32 hex>" or "<32 hex>.<day>.<8 hex>[.<8 hex>...]". */
#ifndef LANDFORM_VISITOR_H
#define LANDFORM_VISITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VISITOR_ID_LEN 32
#define VISITOR_MAX_MARKS 16
/* id, '.', day (at most 10 digits), marks of '.' and 8 hex, NUL */
#define VISITOR_VALUE_MAX (VISITOR_ID_LEN + 1 + 10 + VISITOR_MAX_MARKS * 9 + 1)

struct visitor {
	char id[VISITOR_ID_LEN + 1];
	long day;                          /* of the marks; 0: none */
	uint32_t marks[VISITOR_MAX_MARKS]; /* oldest first */
	int nmarks;
};

/* Read a cookie value; false (and v cleared) unless it starts with a well-formed id. Marks
 * that do not parse are dropped, so a damaged tail only means being counted again. */
bool visitor_parse(const char *value, struct visitor *v);

/* A fresh visitor with the given id (VISITOR_ID_LEN lowercase hex). */
void visitor_init(struct visitor *v, const char *id);

/* The day (days since 1970-01-01) of a moment, in a zone offset_s seconds east of UTC. */
long visitor_day(int64_t unix_s, long offset_s);

/* True the first time this page x channel (channel may be NULL) is seen on this day: then
 * it is marked (marks of earlier days are dropped, the oldest goes when full). */
bool visitor_count(struct visitor *v, long day, const char *slug, const char *channel);

/* The cookie value, into out (VISITOR_VALUE_MAX bytes). */
void visitor_format(const struct visitor *v, char *out);

#endif
