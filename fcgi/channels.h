/* The admins' live-code pages (渠道活码): GET /staff/channels lists every channel with its
 * target, the period's scans, visitors, leads, won and spend, its QR code and a form to point
 * it elsewhere (POST /staff/channels/<code>/target); the same as JSON under /api/v1/staff/;
 * GET /staff/channels/<code>/qr.svg and qr.png?size=N draw public_url + /c/<code>.
 * Admins only, decided in SQL (landform.portal_channels and friends, sql/code/66_channels.sql). */
#ifndef LANDFORM_CHANNELS_H
#define LANDFORM_CHANNELS_H

struct request;

void channels_handle_page(struct request *r);   /* GET  /staff/channels, /api/v1/staff/channels */
void channels_handle_target(struct request *r); /* POST /staff/channels/<code>/target, and under /api */
void channels_handle_qr(struct request *r);     /* GET  /staff/channels/<code>/qr.svg, qr.png */

#endif
