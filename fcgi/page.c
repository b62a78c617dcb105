/* Landing page handlers. */
#include "page.h"

#include "http.h"
#include "site.h"
#include "worker.h"

void
page_handle_get(struct request *r)
{
	const struct page *p = site_find(r->ctx->site, r->params[0]);

	if (p == NULL) {
		http_error(r, 404, "no_such_page", "There is no landing page at this address.");
		return;
	}
	/* WeChat's in-app browser keeps stale pages unless told to revalidate. */
	http_header(r, "Cache-Control", "no-cache");
	http_begin(r, 200, "text/html; charset=utf-8");
	buf_add(&r->body_out, p->html, p->html_len);
}
