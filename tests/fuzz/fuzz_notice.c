/* libFuzzer target: any bytes as a notice from notify_claim, rendered for both targets, and
 * as a WeCom answer and a timestamp. Oracles: texts are valid UTF-8 under the WeCom limit,
 * markdown holds no '<' but a well-formed mention, bodies parse back as JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "notice.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *t, bool md)
{
	size_t n;

	if (t == NULL)
		return;
	n = strlen(t);
	if (n > NOTICE_TEXT_MAX || !utf8_valid(t, n))
		abort();
	for (const char *p = t; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && !(md && *p == '\n'))
			abort();
		if (md && *p == '<') {
			/* only "<@userid>" */
			size_t k = 2;

			if (p[1] != '@')
				abort();
			while (p[k] != '\0' && p[k] != '>' && strchr("<[]() \n", p[k]) == NULL)
				k++;
			if (p[k] != '>' || k == 2)
				abort();
		}
	}
}

static void
check_body(const char *b)
{
	cJSON *j;

	if (b == NULL)
		return;
	j = cJSON_Parse(b);
	if (j == NULL)
		abort();
	cJSON_Delete(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static int ready;
	const char *json = (const char *)data;
	char why[200];

	if (!ready) {
		arena_init(&a, 65536);
		ready = 1;
	}
	check_text(notice_text(&a, json, size, true, "https://crm.example.cn/"), true);
	check_text(notice_text(&a, json, size, false, NULL), false);
	check_body(notice_body(&a, NOTICE_WECOM, json, size, "1.2", 1714530300, ""));
	check_body(notice_body(&a, NOTICE_WEBHOOK, json, size, "1.2", 1714530300,
	                       "http://127.0.0.1:8080"));
	if (notice_accepted(NOTICE_WECOM, 200, json, size, why, sizeof why) && why[0] != '\0')
		abort();
	if (strlen(why) >= sizeof why)
		abort();
	arena_reset(&a);
	return 0;
}
