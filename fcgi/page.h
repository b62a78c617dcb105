/* Landing page handlers: render, accept submissions, count. */
#ifndef LANDFORM_PAGE_H
#define LANDFORM_PAGE_H

struct request;

void page_handle_get(struct request *r);

#endif
