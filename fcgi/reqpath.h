/* The request path from the CGI parameters a FastCGI front-end sends. nginx sends DOCUMENT_URI
 * (decoded and normalized); Apache httpd, lighttpd and Caddy send REQUEST_URI (raw, with the
 * query) and split the path into SCRIPT_NAME and PATH_INFO as each one sees fit; Caddy sends
 * DOCUMENT_URI empty. Pure: strings in, a string in the arena out; no I/O. */
#ifndef LANDFORM_REQPATH_H
#define LANDFORM_REQPATH_H

#include "arena.h"

/* The path routes match, from the first of these that gives one:
 *   document_uri   when non-empty, as sent (nginx's $uri is already decoded and normalized);
 *   request_uri    cut at '?' or '#', percent-decoded, then normalized as nginx normalizes
 *                  $uri: "//" merged, "." and ".." segments resolved;
 *   script_name + path_info, concatenated (either may be NULL or empty), normalized the same
 *                  way but not decoded again (the front-end decoded them).
 * A candidate is unusable when it does not start with '/', holds a bad %-escape, a NUL byte
 * (%00) or a ".." above the root. Any argument may be NULL (the parameter was not sent).
 * Returns a string in the arena, or NULL when no candidate is usable. */
const char *reqpath_from_params(struct arena *a, const char *document_uri, const char *request_uri,
				const char *script_name, const char *path_info);

#endif
