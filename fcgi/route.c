/* Path matching for the route table; patterns are tiny so a linear scan is fastest. */
#include "route.h"

#include <stdbool.h>
#include <string.h>

/* Match pattern against path segment by segment; captures go into segbuf/params. */
static bool
path_matches(const char *pattern, const char *path, char *segbuf, const char **params,
	     size_t maxparams, size_t *nparams)
{
	const char *p = pattern, *s = path;
	char *out = segbuf;

	*nparams = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '*') {
			size_t len = strcspn(s, "/");

			if (len == 0 || *nparams == maxparams)
				return false;
			memcpy(out, s, len);
			out[len] = '\0';
			params[(*nparams)++] = out;
			out += len + 1;
			s += len;
			p++;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

enum route_result
route_match(const struct route *table, size_t n, const char *method, const char *path,
	    char *segbuf, const char **params, size_t maxparams, const struct route **found,
	    struct buf *allow)
{
	bool path_known = false;
	size_t np;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (size_t i = 0; i < n; i++) {
		if (!path_matches(table[i].pattern, path, segbuf, params, maxparams, &np))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			*found = &table[i];
			return ROUTE_FOUND;
		}
		path_known = true;
	}
	if (!path_known)
		return ROUTE_NOT_FOUND;
	/* Same path, other method: list what is allowed, as RFC 9110 asks of a 405. */
	for (size_t i = 0; i < n; i++) {
		if (!path_matches(table[i].pattern, path, segbuf, params, maxparams, &np))
			continue;
		if (allow->len > 0)
			buf_adds(allow, ", ");
		buf_adds(allow, table[i].method);
		if (strcmp(table[i].method, "GET") == 0)
			buf_adds(allow, ", HEAD");
	}
	return ROUTE_BAD_METHOD;
}
