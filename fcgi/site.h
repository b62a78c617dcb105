/* The landing pages a worker serves, loaded from landing_dir at start (and on reload). */
#ifndef LANDFORM_SITE_H
#define LANDFORM_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang.h"
#include "stencil.h"

struct template;
struct schema;

/* One landing page; everything malloc'd and owned by the site. */
struct page {
	char *slug;
	struct template *tpl;   /* page.html */
	struct schema *schema;  /* form.json */
	/* The page with a fresh form, per language, without and with a channel: holes for the
	 * stamp and the channel code (made by page_prepare_site; unused where fresh_ok is false). */
	struct stencil fresh[LANG_COUNT][2];
	bool fresh_ok[LANG_COUNT][2];
};

struct site {
	struct page *pages;
	size_t count;
};

/* Load every landing_dir/<slug>/ holding page.html and form.json. A broken page is logged with
 * file and line and skipped, the others load; NULL (with err) only when the folder itself cannot be read. Free with site_free. */
struct site *site_load(const char *dir, char *err, size_t errsz);
const struct page *site_find(const struct site *s, const char *slug);
void site_free(struct site *s);

#endif
