/* The staff pages' view of SQL's answers: what the templates see, shaped in place; pure, so the
 * fixture tests (tests/unit/test_portal.c) run it without a database. */
#ifndef LANDFORM_PORTAL_VIEW_H
#define LANDFORM_PORTAL_VIEW_H

#include <stdbool.h>

#include "buf.h"
#include "lang.h"
#include "portal.h"

struct cJSON;

/* What the HTML pages add to portal_home's, portal_lead's and portal_pool's answers before the
 * templates see them (texts, times, option lists), in place; exported for the fixture tests
 * (tests/data/portal/fixtures, written by tests/sql/58_portal_fixtures.sh). */
void portal_view_home(struct pctx *p, struct cJSON *res, const struct cJSON *filters);
void portal_view_lead(struct pctx *p, struct cJSON *res);
void portal_view_pool(struct pctx *p, struct cJSON *res);

/* Pure helpers, exported for tests. */

/* A deadline as people read it: "还剩 12 分钟" / "12 min left", "已超时" / "overdue" at or below 0. */
void portal_view_left_text(enum lang l, long long seconds, struct buf *out);

/* How long something has waited: "已等待 3 小时" / "waiting 3 h". */
void portal_view_waited_text(enum lang l, long long seconds, struct buf *out);

/* A span without direction: "15 分钟" / "15 min", "2 小时 5 分钟" / "2 h 5 min". */
void portal_view_span_text(enum lang l, long long seconds, struct buf *out);

/* A timestamp as SQL writes it (isotime.h) shown in its own offset: "05-01 18:25", or "2024-05-01 18:25" with_year;
 * false (out empty) when it is not one. out holds at least 17 bytes. */
bool portal_view_time_text(const char *iso, bool with_year, char out[17]);

/* A phone for display: "+8613812345678" -> "138 1234 5678", anything else as it is. */
void portal_view_phone_text(const char *phone, struct buf *out);

/* True for a full E.164 number ("+" and 8-15 digits), the only kind that gets a tel: link. */
bool portal_view_phone_callable(const char *phone);

#endif
