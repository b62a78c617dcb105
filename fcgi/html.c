/* Escaping for HTML text, quoted attributes and URL query values. */
#include "html.h"

#include <string.h>

/* Which bytes need a replacement (index into entities), 0 for bytes copied as they are. */
static const unsigned char special[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5, ['`'] = 6,
};
static const struct {
	const char *s;
	size_t n;
} entities[] = {
    {"", 0}, {"&amp;", 5}, {"&lt;", 4}, {"&gt;", 4}, {"&quot;", 6}, {"&#39;", 5}, {"&#96;", 5},
};

/* Copy runs of safe bytes in one go; why: most text has nothing to escape, rendering is per
 * request. */
void
html_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char k = special[u[i]];

		if (k == 0)
			continue;
		buf_add(out, s + start, i - start);
		buf_add(out, entities[k].s, entities[k].n);
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
