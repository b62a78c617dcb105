/* Escaping for HTML text, quoted attributes and URL query values. */
#include "html.h"

#include <string.h>

/* Replacement for each byte that needs one, NULL for bytes copied as they are. */
static const char *
entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '`':
		return "&#96;";
	}
	return NULL;
}

/* Copy runs of safe bytes in one go; why: most text has nothing to escape, rendering is per
 * request. */
void
html_escape(struct buf *out, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *e;

	for (i = 0; i < n; i++) {
		if ((e = entity((unsigned char)s[i])) == NULL)
			continue;
		buf_add(out, s + start, i - start);
		buf_adds(out, e);
		start = i + 1;
	}
	buf_add(out, s + start, n - start);
}

void
html_escapes(struct buf *out, const char *s)
{
	html_escape(out, s, strlen(s));
}

void
url_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addc(out, (char)c);
		} else {
			char pct[3] = {'%', hex[c >> 4], hex[c & 15]};

			buf_add(out, pct, 3);
		}
	}
}
