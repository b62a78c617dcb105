/* Notices on the wire: the bodies POSTed to WeCom robots and webhooks, their signature, the
 * delays between attempts, and what counts as delivered. Split out of notice.c, which writes
 * the text these bodies carry. Pure: no I/O; strings in the caller's arena. */
#include "notice.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "notice_int.h"

/* "wecom" and "webhook" are the names targets carry in SQL (landform.notify_targets). */
bool
notice_target_parse(const char *s, enum notice_target *out)
{
	if (s != NULL && strcmp(s, "wecom") == 0)
		*out = NOTICE_WECOM;
	else if (s != NULL && strcmp(s, "webhook") == 0)
		*out = NOTICE_WEBHOOK;
	else
		return false;
	return true;
}

/* cJSON's printed text, moved into the arena. */
static char *
print(struct arena *a, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	char *copy;

	if (s == NULL)
		return NULL;
	copy = arena_strdup(a, s);
	cJSON_free(s);
	return copy;
}

/* Copy of o (or an empty object) added to to under key; NULL when there is nothing. */
static cJSON *
copy_into(cJSON *to, const char *key, const cJSON *o)
{
	cJSON *c;

	if (o == NULL)
		return NULL;
	c = cJSON_Duplicate(o, true);
	if (c == NULL)
		return NULL;
	cJSON_AddItemToObject(to, key, c);
	return c;
}

/* The generic webhook body: what we know, with the phone masked and a link to the lead. */
static cJSON *
webhook_json(const cJSON *root, const char *text, const char *key, long long ts,
             const char *public_url)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
	cJSON *lead;
	long long lead_id;

	cJSON_AddStringToObject(out, "delivery", key ? key : "");
	cJSON_AddNumberToObject(out, "timestamp", (double)ts);
	if (cJSON_IsNumber(id))
		cJSON_AddNumberToObject(out, "id", id->valuedouble);
	cJSON_AddStringToObject(out, "kind", notice_str(root, "kind"));
	if (notice_str(root, "created_at") != NULL)
		cJSON_AddStringToObject(out, "created_at", notice_str(root, "created_at"));
	cJSON_AddStringToObject(out, "text", text);
	copy_into(out, "staff", notice_obj(root, "staff"));
	copy_into(out, "member", notice_obj(root, "member"));
	lead = copy_into(out, "lead", notice_obj(root, "lead"));
	if (lead != NULL) {
		const char *phone = notice_str(lead, "phone");

		if (phone != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(
			    lead, "phone", cJSON_CreateString(notice_masked_phone(phone)));
		if (public_url != NULL && *public_url != '\0' && strlen(public_url) < 1024 &&
		    notice_num(lead, "id", &lead_id)) {
			char url[1100];
			size_t n = strlen(public_url);

			while (n > 0 && public_url[n - 1] == '/')
				n--;
			snprintf(url, sizeof(url), "%.*s/staff/leads/%lld", (int)n, public_url,
			         lead_id);
			cJSON_AddStringToObject(lead, "url", url);
		}
	}
	copy_into(out, "payload", notice_obj(root, "payload"));
	return out;
}

/* The text rendered once, wrapped as the target reads it. */
char *
notice_body(struct arena *a, enum notice_target t, const char *json, size_t len, const char *key,
            long long timestamp, const char *public_url)
{
	cJSON *root = notice_parse(json, len), *out = NULL;
	struct buf b;
	char *body = NULL;

	if (root == NULL)
		return NULL;
	buf_init(&b, a, 256);
	if (!notice_render(&b, root, t == NOTICE_WECOM, public_url))
		goto done;
	if (t == NOTICE_WECOM) {
		cJSON *md;

		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "msgtype", "markdown");
		md = cJSON_AddObjectToObject(out, "markdown");
		cJSON_AddStringToObject(md, "content", b.data);
	} else {
		out = webhook_json(root, b.data, key, timestamp, public_url);
	}
	body = print(a, out);
done:
	cJSON_Delete(out);
	cJSON_Delete(root);
	return body;
}

/* HMAC-SHA256 over the exact bytes sent; the state is wiped as it held the key. */
void
notice_sign(const char *secret, const char *body, size_t len, char out[NOTICE_SIGNATURE_MAX])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, NOTICE_SIGNATURE_MAX - 7, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

/* Failing receivers get time to recover, and not all retries at the same moment. */
long long
notice_backoff_ms(int attempt, long base_ms, long max_ms, uint32_t random)
{
	long long d = base_ms > 0 ? base_ms : 1, half;

	if (max_ms < 1)
		max_ms = 1;
	for (int i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* Equal jitter: between half the delay and all of it. */
	half = d / 2;
	d = d - half + (half > 0 ? (long long)(random % (uint64_t)(half + 1)) : 0);
	return d > 0 ? d : 1;
}

/* Copy at most n bytes of s into why, printable ASCII and whole UTF-8 only. */
static void
add_safe(char *why, size_t whysz, const char *s, size_t n)
{
	size_t w = strlen(why);

	for (size_t i = 0; i < n && s[i] != '\0' && w + 4 < whysz;) {
		size_t k = notice_seq_len((const unsigned char *)s + i, n - i);

		if (k == 0 || (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))) {
			why[w++] = '?';
			i++;
			continue;
		}
		memcpy(why + w, s + i, k);
		w += k;
		i += k;
	}
	why[w] = '\0';
}

/* WeCom answers 200 even when it refuses: its errcode decides. */
bool
notice_accepted(enum notice_target t, long status, const char *body, size_t len, char *why,
                size_t whysz)
{
	cJSON *root = NULL;
	const cJSON *code, *msg;
	bool ok = false;

	if (whysz > 0)
		why[0] = '\0';
	if (status < 200 || status > 299) {
		snprintf(why, whysz, "HTTP %ld", status);
		return false;
	}
	if (t == NOTICE_WEBHOOK)
		return true;
	root = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	code = cJSON_GetObjectItemCaseSensitive(root, "errcode");
	msg = cJSON_GetObjectItemCaseSensitive(root, "errmsg");
	if (!cJSON_IsNumber(code)) {
		snprintf(why, whysz, "HTTP %ld without a WeCom errcode", status);
	} else if (code->valuedouble == 0) {
		ok = true;
	} else {
		snprintf(why, whysz, "WeCom errcode %.0f", code->valuedouble);
		if (cJSON_IsString(msg) && strlen(why) + 3 < whysz) {
			strcat(why, ": ");
			add_safe(why, whysz > 200 ? 200 : whysz, msg->valuestring,
			         strlen(msg->valuestring));
		}
	}
	cJSON_Delete(root);
	return ok;
}
