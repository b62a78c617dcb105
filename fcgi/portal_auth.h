/* The staff portal's login, logout and invitation pages (portal_auth.c), for the route table. */
#ifndef LANDFORM_PORTAL_AUTH_H
#define LANDFORM_PORTAL_AUTH_H

struct request;

void portal_auth_login_form(struct request *r);    /* GET  /staff/login */
void portal_auth_login(struct request *r);         /* POST /staff/login, /api/v1/staff/login */
void portal_auth_logout(struct request *r);        /* POST /staff/logout, /api/v1/staff/logout */
void portal_auth_invite_form(struct request *r);   /* GET  /staff/invite/<token> */
void portal_auth_invite(struct request *r);        /* POST /staff/invite/<token> */

#endif
