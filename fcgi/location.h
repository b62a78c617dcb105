/* Where a redirect of landformd's may point: built here from parts SQL validated, each part
 * percent-encoded, so a Location is always a path on this site (never an open redirect). */
#ifndef LANDFORM_LOCATION_H
#define LANDFORM_LOCATION_H

#include <stdbool.h>

#include "buf.h"

/* The redirect target "/p/<slug>?<query>&ch=<code>" appended to out: slug, code and each key
 * and value of query ("k=v&k2=v2", as SQL keeps it) percent-encoded except RFC 3986
 * unreserved characters, so no input can add a scheme, host, path segment, or line break.
 * Without code (NULL) there is no ch=, and without pairs no "?".
 * False (out unchanged) when slug is NULL or empty, or code is empty. Pure. */
bool location_page(struct buf *out, const char *slug, const char *query, const char *code)
	__attribute__((warn_unused_result));

#endif
