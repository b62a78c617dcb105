/* Unit tests for notice.c (message texts) and notice_wire.c (bodies, signatures, delays and
 * answers), each case of the tests/data/notice tables as its own named test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arena.h"
#include "notice.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

/* A case from a table: up to four fields, and the name cmocka shows. */
struct tcase {
	char *f[4];
	size_t len[4];
	char *name;
	cJSON *json; /* text.json cases */
};

static char *
slurp(const char *file)
{
	char path[1024];
	FILE *f;
	char *text;
	long n;

	snprintf(path, sizeof path, "%s/notice/%s", TEST_DATA_DIR, file);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Decode \xNN so any byte can live in a text file. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (r[0] == '\\' && r[1] == 'x' && r[2] != '\0' && r[3] != '\0') {
			char hex[3] = {r[2], r[3], '\0'};

			*w++ = (char)strtoul(hex, NULL, 16);
			r += 4;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* Tab-separated lines, # comments; "-" alone is an empty field. Each case is named
 * prefix_<field a>_mid_<field b (none when b < 0)>_<line number among cases>. */
static struct tcase *
load_tsv(const char *file, const char *prefix, int a, const char *mid, int b, size_t *count)
{
	char *text = slurp(file), *line, *save = NULL;
	struct tcase *cases = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct tcase *c;
		char *p = line;
		size_t len;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		cases = realloc(cases, (n + 1) * sizeof *cases);
		c = &cases[n++];
		memset(c, 0, sizeof *c);
		for (int i = 0; i < 4 && p != NULL; i++) {
			char *tab = strchr(p, '\t');

			if (tab != NULL)
				*tab = '\0';
			c->f[i] = strdup(strcmp(p, "-") == 0 ? "" : p);
			c->len[i] = unescape(c->f[i]);
			p = tab ? tab + 1 : NULL;
		}
		len = strlen(prefix) + strlen(mid) + 100;
		c->name = malloc(len);
		snprintf(c->name, len, "%s_%.40s_%s_%.40s_%zu", prefix, c->f[a] ? c->f[a] : "", mid,
		         b >= 0 && c->f[b] ? c->f[b] : "", n);
		for (char *q = c->name; *q != '\0'; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9')))
				*q = '_';
	}
	free(text);
	*count = n;
	return cases;
}

static struct tcase *
load_text(size_t *count)
{
	char *text = slurp("text.json");
	cJSON *all = cJSON_Parse(text), *it;
	struct tcase *cases;
	size_t n = 0;

	free(text);
	if (!cJSON_IsArray(all)) {
		fprintf(stderr, "text.json is not a JSON array\n");
		exit(1);
	}
	cases = calloc((size_t)cJSON_GetArraySize(all), sizeof *cases);
	cJSON_ArrayForEach(it, all)
	{
		cases[n].json = cJSON_Duplicate(it, true);
		cases[n].name = strdup(cJSON_GetObjectItem(it, "name")->valuestring);
		n++;
	}
	cJSON_Delete(all);
	*count = n;
	return cases;
}

static void
text_case(void **state)
{
	const struct tcase *c = *state;
	const cJSON *url = cJSON_GetObjectItem(c->json, "public_url");
	char *notice = cJSON_PrintUnformatted(cJSON_GetObjectItem(c->json, "notice"));
	struct arena a;
	char *got;

	arena_init(&a, 4096);
	got = notice_text(&a, notice, strlen(notice),
	                  cJSON_IsTrue(cJSON_GetObjectItem(c->json, "markdown")),
	                  cJSON_IsString(url) ? url->valuestring : NULL);
	assert_non_null(got);
	assert_string_equal(got, cJSON_GetObjectItem(c->json, "text")->valuestring);
	cJSON_free(notice);
	arena_free(&a);
}

static void
accepted_case(void **state)
{
	const struct tcase *c = *state;
	enum notice_target t;
	char why[200];
	bool ok;

	assert_true(notice_target_parse(c->f[0], &t));
	ok = notice_accepted(t, strtol(c->f[1], NULL, 10), c->len[2] ? c->f[2] : NULL, c->len[2],
	                     why, sizeof why);
	if (strcmp(c->f[3], "ok") == 0) {
		assert_true(ok);
		assert_string_equal(why, "");
	} else {
		assert_false(ok);
		assert_string_equal(why, c->f[3]);
	}
}

static void
sign_case(void **state)
{
	const struct tcase *c = *state;
	char sig[NOTICE_SIGNATURE_MAX];

	notice_sign(c->f[0], c->f[1], c->len[1], sig);
	assert_string_equal(sig, c->f[2]);
}

static const char assigned[] =
    "{\"id\":7,\"kind\":\"assigned\",\"created_at\":\"2024-05-01T02:00:00+00:00\","
    "\"tz_offset\":28800,\"payload\":{\"deadline\":\"2024-05-01T02:25:00+00:00\"},"
    "\"staff\":{\"id\":3,\"name\":\"李娜\",\"wecom_userid\":\"LiNa\"},"
    "\"lead\":{\"id\":42,\"name\":\"王先生\",\"phone\":\"138****5678\"}}";

static void
notice_body_should_wrap_markdown_for_wecom(void **state)
{
	struct arena a;
	char *body, *text;
	cJSON *j;

	arena_init(&a, 4096);
	body = notice_body(&a, NOTICE_WECOM, assigned, strlen(assigned), "7.1", 1714530000,
	                   "https://x.cn");
	text = notice_text(&a, assigned, strlen(assigned), true, "https://x.cn");
	assert_non_null(body);
	j = cJSON_Parse(body);
	assert_string_equal(cJSON_GetObjectItem(j, "msgtype")->valuestring, "markdown");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "markdown"), "content")->valuestring, text);
	assert_non_null(strstr(text, "<@LiNa>"));
	assert_null(strstr(body, "13812345678"));
	cJSON_Delete(j);
	arena_free(&a);
}

static void
notice_body_should_sign_what_a_webhook_needs_and_keep_the_masked_phone(void **state)
{
	struct arena a;
	char *body;
	cJSON *j, *lead;

	arena_init(&a, 4096);
	body = notice_body(&a, NOTICE_WEBHOOK, assigned, strlen(assigned), "7.2", 1714530000,
	                   "https://x.cn/");
	assert_non_null(body);
	assert_null(strstr(body, "13812345678"));
	j = cJSON_Parse(body);
	assert_string_equal(cJSON_GetObjectItem(j, "delivery")->valuestring, "7.2");
	assert_int_equal((long long)cJSON_GetObjectItem(j, "timestamp")->valuedouble, 1714530000);
	assert_int_equal((int)cJSON_GetObjectItem(j, "id")->valuedouble, 7);
	assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "assigned");
	assert_string_equal(cJSON_GetObjectItem(j, "text")->valuestring,
	                    "【新线索】新线索 王先生 138****5678 已分配给 李娜，请在 5月1日 10:25 "
	                    "前接受。 查看：https://x.cn/staff/leads/42");
	lead = cJSON_GetObjectItem(j, "lead");
	assert_string_equal(cJSON_GetObjectItem(lead, "phone")->valuestring, "138****5678");
	assert_string_equal(cJSON_GetObjectItem(lead, "url")->valuestring,
	                    "https://x.cn/staff/leads/42");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "payload"), "deadline")->valuestring,
	    "2024-05-01T02:25:00+00:00");
	cJSON_Delete(j);
	arena_free(&a);
}

static void
notice_text_should_refuse_what_is_not_a_notice(void **state)
{
	static const char *bad[] = {"",
	                            "[]",
	                            "{}",
	                            "{\"kind\":3}",
	                            "{\"kind\":\"\"}",
	                            "{\"kind\":\"assigned\"",
	                            "null",
	                            "\"assigned\""};
	struct arena a;

	arena_init(&a, 1024);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(notice_text(&a, bad[i], strlen(bad[i]), true, ""));
		assert_null(notice_body(&a, NOTICE_WEBHOOK, bad[i], strlen(bad[i]), "1.1", 0, ""));
	}
	arena_free(&a);
}

static void
notice_text_should_stay_under_the_wecom_limit(void **state)
{
	struct arena a;
	cJSON *n = cJSON_CreateObject(), *p;
	char *json, *text, key[32];

	cJSON_AddStringToObject(n, "kind", "daily_summary");
	p = cJSON_AddObjectToObject(n, "payload");
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof key, "counter_number_%d", i);
		cJSON_AddNumberToObject(p, key, i);
	}
	json = cJSON_PrintUnformatted(n);
	arena_init(&a, 4096);
	text = notice_text(&a, json, strlen(json), true, "https://x.cn");
	assert_non_null(text);
	assert_true(strlen(text) <= NOTICE_TEXT_MAX);
	cJSON_free(json);
	cJSON_Delete(n);
	arena_free(&a);
}

static void
notice_text_should_replace_broken_utf8(void **state)
{
	static const char json[] = "{\"kind\":\"expired\",\"lead\":{\"name\":\"a\xff\xc3(b\"}}";
	struct arena a;
	char *text;

	arena_init(&a, 1024);
	text = notice_text(&a, json, sizeof json - 1, false, NULL);
	assert_non_null(text);
	assert_string_equal(text, "【线索已超时】线索 a?"
	                          "?(b 未按时接受，已收回。");
	arena_free(&a);
}

static void
notice_backoff_should_double_up_to_the_cap_with_jitter(void **state)
{
	/* random 0 gives the low end (half), a random that is a multiple of half+1 as well */
	assert_int_equal(notice_backoff_ms(1, 1000, 600000, 0), 500);
	assert_int_equal(notice_backoff_ms(1, 1000, 600000, 500), 1000);
	assert_int_equal(notice_backoff_ms(2, 1000, 600000, 1000), 2000);
	assert_int_equal(notice_backoff_ms(3, 1000, 600000, 0), 2000);
	assert_int_equal(notice_backoff_ms(3, 1000, 600000, 2000), 4000);
	assert_int_equal(notice_backoff_ms(11, 1000, 600000, 300000), 600000);
	assert_int_equal(notice_backoff_ms(100, 1000, 600000, 0), 300000);
	assert_int_equal(notice_backoff_ms(2147483647, 1000, 600000, UINT32_MAX) <= 600000, 1);
	for (uint32_t r = 0; r < 5000; r += 7) {
		long long d = notice_backoff_ms(4, 1000, 600000, r);

		assert_true(d >= 4000 && d <= 8000);
	}
}

static void
notice_backoff_should_never_be_zero(void **state)
{
	assert_int_equal(notice_backoff_ms(1, 1, 1, 0), 1);
	assert_int_equal(notice_backoff_ms(0, 0, 0, 0), 1);
	assert_int_equal(notice_backoff_ms(-5, 10, 100000, 0), 5);
	assert_int_equal(notice_backoff_ms(3, 5000, 100, 0), 50);
}

static void
notice_target_parse_should_know_two_kinds(void **state)
{
	enum notice_target t;

	assert_true(notice_target_parse("wecom", &t));
	assert_int_equal(t, NOTICE_WECOM);
	assert_true(notice_target_parse("webhook", &t));
	assert_int_equal(t, NOTICE_WEBHOOK);
	assert_false(notice_target_parse("WeCom", &t));
	assert_false(notice_target_parse("", &t));
	assert_false(notice_target_parse(NULL, &t));
}

static void
free_cases(struct tcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < 4; j++)
			free(cases[i].f[j]);
		free(cases[i].name);
		cJSON_Delete(cases[i].json);
	}
	free(cases);
}

/* Append one CMUnitTest per case. */
static void
add_cases(struct CMUnitTest **tests, size_t *n, struct tcase *cases, size_t count,
          CMUnitTestFunction fn)
{
	*tests = realloc(*tests, (*n + count) * sizeof **tests);
	for (size_t i = 0; i < count; i++) {
		struct CMUnitTest t = {cases[i].name, fn, NULL, NULL, &cases[i]};

		(*tests)[(*n)++] = t;
	}
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(notice_body_should_wrap_markdown_for_wecom),
	    cmocka_unit_test(notice_body_should_sign_what_a_webhook_needs_and_keep_the_masked_phone),
	    cmocka_unit_test(notice_text_should_refuse_what_is_not_a_notice),
	    cmocka_unit_test(notice_text_should_stay_under_the_wecom_limit),
	    cmocka_unit_test(notice_text_should_replace_broken_utf8),
	    cmocka_unit_test(notice_backoff_should_double_up_to_the_cap_with_jitter),
	    cmocka_unit_test(notice_backoff_should_never_be_zero),
	    cmocka_unit_test(notice_target_parse_should_know_two_kinds),
	};
	struct CMUnitTest *tests = NULL;
	size_t n = 0, nt, na, ns;
	struct tcase *text = load_text(&nt);
	struct tcase *acc = load_tsv("accepted.tsv", "notice_accepted_should_say", 3, "to", 0, &na);
	struct tcase *sigs =
	    load_tsv("hmac.tsv", "notice_sign_should_match_the_vector_for", 1, "", -1, &ns);
	int rc;

	for (size_t i = 0; i < nt; i++) {
		char *name = malloc(strlen(text[i].name) + 16);

		sprintf(name, "notice_text_%s", text[i].name);
		free(text[i].name);
		text[i].name = name;
	}
	add_cases(&tests, &n, text, nt, text_case);
	add_cases(&tests, &n, acc, na, accepted_case);
	add_cases(&tests, &n, sigs, ns, sign_case);
	tests = realloc(tests, (n + sizeof fixed / sizeof fixed[0]) * sizeof *tests);
	memcpy(tests + n, fixed, sizeof fixed);
	n += sizeof fixed / sizeof fixed[0];
	rc = _cmocka_run_group_tests("notice", tests, n, NULL, NULL);
	free(tests);
	free_cases(text, nt);
	free_cases(acc, na);
	free_cases(sigs, ns);
	return rc;
}
