/* Escaping for the contexts landform writes into. */
#ifndef LANDFORM_HTML_H
#define LANDFORM_HTML_H

#include <stddef.h>

#include "buf.h"

/* Text or quoted attribute value: escapes & < > " ' and ` so the same call is safe in both. */
void html_escape(struct buf *out, const char *s, size_t n);
void html_escapes(struct buf *out, const char *s);

/* Percent-encodes everything but unreserved characters (RFC 3986), for URL query values. */
void url_escape(struct buf *out, const char *s, size_t n);

#endif
