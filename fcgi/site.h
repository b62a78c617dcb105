/* The landing pages a worker serves, loaded from landing_dir at start (and on reload). */
#ifndef LANDFORM_SITE_H
#define LANDFORM_SITE_H

#include <stddef.h>

struct template;
struct schema;

/* One landing page; everything malloc'd and owned by the site. */
struct page {
	char *slug;
	struct template *tpl;   /* page.html */
	struct schema *schema;  /* form.json */
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
