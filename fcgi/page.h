/* Landing page handlers: render a page with a fresh form stamp, take submissions from
 * browsers (urlencoded, multipart) and API clients (JSON); traffic.h counts their views. */
#ifndef LANDFORM_PAGE_H
#define LANDFORM_PAGE_H

#include <stdbool.h>
#include <stddef.h>

struct request;
struct worker_ctx;

void page_handle_get(struct request *r);          /* GET  /p/<slug> */
void page_handle_thanks(struct request *r);       /* GET  /p/<slug>/thanks */
void page_handle_post(struct request *r);         /* POST /p/<slug> */
void page_handle_open(struct request *r);         /* POST /p/<slug>/open (beacon) */
void page_handle_api_submit(struct request *r);   /* POST /api/v1/pages/<slug>/submissions */
void page_handle_api_stamp(struct request *r);    /* GET  /api/v1/pages/<slug>/stamp */

struct site;

/* Render each page's fresh form once, kept for GET /p/<slug> (at worker start). */
void page_prepare_site(struct site *site);

/* A submission that passed its checks, held for the worker with its SQL call's arguments and
 * what its answer needs; opaque outside page.c, in the request arena. */
struct page_submission;

/* Store the submissions these requests left for the worker (request.submission), all in one
 * transaction when there are several, and write each request's answer. */
void page_store_submissions(struct worker_ctx *ctx, struct request *const *rs, size_t n);

#endif
