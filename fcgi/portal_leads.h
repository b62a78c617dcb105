/* The staff portal's lead pages (portal_leads.c), for the route table. */
#ifndef LANDFORM_PORTAL_LEADS_H
#define LANDFORM_PORTAL_LEADS_H

struct request;

void portal_leads_home(struct request *r);         /* GET  /staff/, /api/v1/staff/leads */
void portal_leads_show(struct request *r);         /* GET  /staff/leads/<id>, /api/v1/staff/leads/<id> */
void portal_leads_action(struct request *r);       /* POST /staff/leads/<id>/<action>, and under /api */
void portal_leads_pool(struct request *r);         /* GET  /staff/pool, /api/v1/staff/pool */

#endif
