/* The admin dashboard (issue 6): /staff/reports (the funnel of a period as an SVG chart, the
 * channel and staff tables), the same as JSON under /api/v1/staff/reports, and each table as
 * CSV from /staff/reports.csv?table=funnel|channels|staff. One call to
 * landform.portal_reports per request; admins only (SQL decides). */
#ifndef LANDFORM_REPORTS_H
#define LANDFORM_REPORTS_H

#include <stdbool.h>

struct request;

void reports_handle_page(struct request *r); /* GET /staff/reports, /api/v1/staff/reports */
void reports_handle_csv(struct request *r);  /* GET /staff/reports.csv */

#endif
