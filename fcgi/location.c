/* Same-site redirect targets (see location.h); pure, and fuzzed (tests/fuzz/fuzz_location.c). */
#include "location.h"

#include <string.h>

#include "html.h"

bool
location_page(struct buf *out, const char *slug, const char *query, const char *code)
{
	const char *p, *amp, *eq;
	const char *sep = "?";

	if (slug == NULL || *slug == '\0' || (code != NULL && *code == '\0'))
		return false;
	buf_adds(out, "/p/");
	url_escape(out, slug, strlen(slug));
	/* Each pair's key and value escaped apart, so '=' and '&' keep their meaning only here. */
	for (p = query; p != NULL && *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if (amp == p)
			continue;
		buf_adds(out, sep);
		sep = "&";
		eq = memchr(p, '=', (size_t)(amp - p));
		url_escape(out, p, (size_t)((eq ? eq : amp) - p));
		buf_addc(out, '=');
		if (eq != NULL)
			url_escape(out, eq + 1, (size_t)(amp - eq - 1));
	}
	if (code != NULL) {
		buf_adds(out, sep);
		buf_adds(out, "ch=");
		url_escape(out, code, strlen(code));
	}
	return true;
}
