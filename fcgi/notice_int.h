/* What notice.c (the text) and notice_wire.c (the bodies) share: reading the notice JSON
 * and rendering its text. Only notice*.c include this; others go through notice.h. */
#ifndef LANDFORM_NOTICE_INT_H
#define LANDFORM_NOTICE_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* json[0..len) parsed, when it is a JSON object; the caller frees with cJSON_Delete. */
cJSON *notice_parse(const char *json, size_t len);

/* Writes the notice's text (markdown when md) into b, with a link to the lead under public_url
 * when both are known; false when root has no string kind. */
bool notice_render(struct buf *b, const cJSON *root, bool md, const char *public_url);

/* Member k of o when it is an object, else NULL (o may be NULL). */
const cJSON *notice_obj(const cJSON *o, const char *k);

/* Member k of o when it is a non-empty string, else NULL (o may be NULL). */
const char *notice_str(const cJSON *o, const char *k);

/* Member k of o as a whole number when it is a number within +-1e15; false otherwise. */
bool notice_num(const cJSON *o, const char *k, long long *out) __attribute__((warn_unused_result));

/* Bytes in the valid UTF-8 sequence at s (at most left bytes looked at), or 0. */
size_t notice_seq_len(const unsigned char *s, size_t left);

/* The phone as SQL masked it, "***" when it does not look masked, NULL for NULL. */
const char *notice_masked_phone(const char *phone);

#endif
