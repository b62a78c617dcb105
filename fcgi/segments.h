/* Segments in the staff portal (issue 16): GET /staff/segments.csv?name=<segment> downloads a
 * saved segment as CSV for admins (landform.portal_segment_export, sql/code/47_segments.sql:
 * full phones, every text cell already made formula-inert by SQL's _csv_inert, the rows a
 * \copy of segment_export writes). Who may, and what is in it, is decided in SQL. */
#ifndef LANDFORM_SEGMENTS_H
#define LANDFORM_SEGMENTS_H

struct request;

void segments_handle_csv(struct request *r); /* GET /staff/segments.csv?name= */

#endif
