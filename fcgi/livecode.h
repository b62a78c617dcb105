/* Live channel codes (渠道活码): GET /c/<code> answers 302 to the page the channel points at
 * today (landform.channel_visit decides and counts the scan), or a friendly page in the
 * visitor's language when the code is unknown or stopped. The Location is always a path on
 * this site that landformd builds itself, every part percent-encoded: never an open redirect. */
#ifndef LANDFORM_LIVECODE_H
#define LANDFORM_LIVECODE_H

#include <stdbool.h>

#include "buf.h"
#include "lang.h"

struct request;

void livecode_handle(struct request *r);          /* GET /c/<code> */
void livecode_handle_referral(struct request *r); /* GET /r/<token>: see referral.h */
void livecode_handle_nowhere(struct request *r);  /* GET /c/, /c/<a>/<b>, ...: the friendly page */

/* Is s a channel code: 1-32 of [A-Za-z0-9_-]? SQL's rule (channel_target_problem's
 * code_invalid), checked here only where a code is used before SQL sees it (a page's ?ch=,
 * written into its links) or dropped from a filter; one table of cases for both sides:
 * tests/data/livecode/codes.tsv. */
bool livecode_code_ok(const char *s);

/* The friendly page for a code that leads nowhere, in language l, linking to the page with
 * slug fallback (escaped) when it is not NULL. Pure. */
void livecode_friendly_page(struct buf *out, enum lang l, const char *fallback);

#endif
