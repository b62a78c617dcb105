/* Landing pages are read once per worker start; requests only look them up. */
#include "site.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "log.h"
#include "schema.h"
#include "template.h"

/* Slugs become URL segments and folder names: keep them boring. */
static int
valid_slug(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

static int
cmp_pages(const void *a, const void *b)
{
	return strcmp(((const struct page *)a)->slug, ((const struct page *)b)->slug);
}

/* Compile one page; false (logged with file and line) when anything in it is broken. */
static bool
load_page(const char *dir, const char *slug, struct page *p)
{
	char path[4096];
	char *text, *cause = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/page.html", dir, slug);
	text = file_read(path, 1 << 20, &len);
	if (text == NULL) {
		if (errno != ENOENT)
			log_error("%s: cannot read: %s", path, strerror(errno));
		return false;
	}
	p->tpl = template_compile(text, len, path, &cause);
	free(text);
	if (p->tpl == NULL)
		goto broken;
	snprintf(path, sizeof(path), "%s/%s/form.json", dir, slug);
	text = file_read(path, 1 << 20, &len);
	if (text == NULL) {
		log_error("%s: cannot read: %s; page '%s' skipped", path, strerror(errno), slug);
		template_free(p->tpl);
		return false;
	}
	p->schema = schema_load(text, len, path, &cause);
	free(text);
	if (p->schema == NULL)
		goto broken;
	p->slug = strdup(slug);
	if (p->slug == NULL)
		abort();
	return true;
broken:
	log_error("%s; page '%s' skipped", cause ? cause : "broken page", slug);
	free(cause);
	template_free(p->tpl);
	p->tpl = NULL;
	return false;
}

struct site *
site_load(const char *dir, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct site *s;
	size_t cap = 8;

	if (d == NULL) {
		snprintf(err, errsz, "cannot open landing_dir %s: %s", dir, strerror(errno));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->pages = calloc(cap, sizeof(struct page))) == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		struct page p = { 0 };

		if (e->d_name[0] == '.' || !valid_slug(e->d_name))
			continue;
		if (!load_page(dir, e->d_name, &p))
			continue;
		if (s->count == cap) {
			cap *= 2;
			s->pages = realloc(s->pages, cap * sizeof(struct page));
			if (s->pages == NULL)
				abort();
		}
		s->pages[s->count++] = p;
	}
	closedir(d);
	qsort(s->pages, s->count, sizeof(struct page), cmp_pages);
	log_info("%zu landing page(s) loaded from %s", s->count, dir);
	return s;
}

const struct page *
site_find(const struct site *s, const char *slug)
{
	struct page key = { .slug = (char *)slug };

	if (s == NULL || slug == NULL)
		return NULL;
	return bsearch(&key, s->pages, s->count, sizeof(struct page), cmp_pages);
}

void
site_free(struct site *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->count; i++) {
		free(s->pages[i].slug);
		template_free(s->pages[i].tpl);
		schema_free(s->pages[i].schema);
		for (int l = 0; l < LANG_COUNT; l++)
			for (int c = 0; c < 2; c++)
				stencil_free(&s->pages[i].fresh[l][c]);
	}
	free(s->pages);
	free(s);
}
