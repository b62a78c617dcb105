/* The pure half of notification delivery: the zh-CN text of a notice, the request bodies for
 * WeCom group robots and signed webhooks, the signature, retry delays, and what counts as
 * delivered. No I/O; everything returned lives in the caller's arena. */
#ifndef LANDFORM_NOTICE_H
#define LANDFORM_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum notice_target {
	NOTICE_WECOM, /* 企业微信群机器人: {"msgtype":"markdown",...}, answers {"errcode":0} */
	NOTICE_WEBHOOK /* any receiver: JSON body signed with HMAC-SHA256 */
};

/* "sha256=" + 64 hex digits + NUL */
#define NOTICE_SIGNATURE_MAX 72
/* WeCom refuses markdown content over 4096 bytes; the text stays below with room to spare. */
#define NOTICE_TEXT_MAX 3800

/* "wecom" or "webhook"; false for anything else. */
bool notice_target_parse(const char *s, enum notice_target *out)
    __attribute__((warn_unused_result));

/* The message for a notice as landform.notify_claim returns it (sql/code/75_notify.sql):
 * {"id","kind","created_at","payload":{...},"tz_offset":s,"staff":{"name","wecom_userid",..},
 *  "lead":{"id","name","phone","stage","page","channel",..},"member":{"name"}}; every part
 * but kind optional. member is whose offer an expiring/expired notice to a manager is about.
 * markdown: WeCom markdown (bold title, <@userid> mention, link); else plain text. Text that
 * came from visitors is cleaned so it cannot mention anyone or inject links; lead.phone comes
 * masked by SQL (landform.mask_phone) and is shown as is, or as "***" when it does not look
 * masked. public_url ("" or NULL: no link) is where the portal's lead links point.
 * Returns NULL when json is not an object with a string kind. */
char *notice_text(struct arena *a, const char *json, size_t len, bool markdown,
                  const char *public_url);

/* The body to POST for target kind t. WeCom: {"msgtype":"markdown","markdown":{"content":
 * text}}. Webhook: {"delivery":key,"timestamp":ts,"id","kind","created_at","text",
 * "staff":{...},"lead":{... phone masked, "url"},"payload":{...}}, which carries the
 * timestamp inside the signed bytes. NULL as notice_text. */
char *notice_body(struct arena *a, enum notice_target t, const char *json, size_t len,
                  const char *key, long long timestamp, const char *public_url);

/* X-Landform-Signature for body: "sha256=" + hex HMAC-SHA256(secret, body). */
void notice_sign(const char *secret, const char *body, size_t len, char out[NOTICE_SIGNATURE_MAX]);

/* Milliseconds to wait after failed attempt number attempt (1 = the first): base doubled
 * per attempt, capped at max, then jittered down by up to half with random so receivers
 * coming back are not hit by everyone at once. Never below 1. */
long long notice_backoff_ms(int attempt, long base_ms, long max_ms, uint32_t random);

/* Did the target take it? Webhook: any 2xx. WeCom: 200 and {"errcode":0} (it answers 200
 * with an errcode for refusals such as rate limits). When not, why says so in a few
 * words (status, errcode and errmsg; never the body of a webhook's answer). */
bool notice_accepted(enum notice_target t, long status, const char *body, size_t len, char *why,
                     size_t whysz) __attribute__((warn_unused_result));

#endif
