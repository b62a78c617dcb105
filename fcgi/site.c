/* Landing pages are read once per worker start; requests only look them up. */
#include "site.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

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

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *text;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size > (1 << 20)) {
		fclose(f);
		return NULL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL || fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(f);
	text[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return text;
}

static int
cmp_pages(const void *a, const void *b)
{
	return strcmp(((const struct page *)a)->slug, ((const struct page *)b)->slug);
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
	s->pages = calloc(cap, sizeof(struct page));
	if (s == NULL || s->pages == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		struct page p = { 0 };
		char path[4096];

		if (e->d_name[0] == '.' || !valid_slug(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/page.html", dir, e->d_name);
		p.html = read_all(path, &p.html_len);
		if (p.html == NULL) {
			if (errno != ENOENT)
				log_error("%s: cannot read: %s", path, strerror(errno));
			continue;
		}
		p.slug = strdup(e->d_name);
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

	if (s == NULL)
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
		free(s->pages[i].html);
	}
	free(s->pages);
	free(s);
}
