/* The route table: {method, path pattern, handler}; adding a page never touches the request loop. */
#ifndef LANDFORM_ROUTE_H
#define LANDFORM_ROUTE_H

#include <stddef.h>

#include "buf.h"

struct request;

typedef void (*route_handler)(struct request *r);

/* Pattern segments are literal, or "*" which captures one non-empty segment. */
struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Find the route for method and path. HEAD matches GET routes. On ROUTE_FOUND,
 * *found is set and params[] point into copies in the arena-less caller buffer
 * segbuf (size at least strlen(path) + 1). On ROUTE_BAD_METHOD, allow receives
 * the methods that would match ("GET, HEAD, POST"). */
enum route_result route_match(const struct route *table, size_t n, const char *method,
			      const char *path, char *segbuf, const char **params, size_t maxparams,
			      const struct route **found, struct buf *allow);

#endif
