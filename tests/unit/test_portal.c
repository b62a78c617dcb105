/* Unit tests for portal_view.c, what the staff pages show: countdown and waiting texts, timestamps as SQL's
 * jsonb writes them, phone display. tests/data/portal/{left,time,phone}.tsv give one test per line.
 * And the shaping of SQL's answers for the pages, fed the answers SQL gave for a known story
 * (tests/data/portal/fixtures/NAME.json, written and checked by tests/sql/58_portal_fixtures.sh):
 * a change of SQL's contract fails here instead of being absorbed by a tolerant reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "http.h"
#include "portal_view.h"
#include "tsv_cases.h"

static void
left_case(void **state)
{
	struct tcase *c = *state;
	enum lang l = strcmp(c->cols[2], "en") == 0 ? LANG_EN : LANG_ZH_CN;
	long long s = strtoll(c->cols[3], NULL, 10);
	struct arena a;
	struct buf b;

	arena_init(&a, 256);
	buf_init(&b, &a, 16);
	if (strcmp(c->cols[1], "left") == 0)
		portal_view_left_text(l, s, &b);
	else if (strcmp(c->cols[1], "waited") == 0)
		portal_view_waited_text(l, s, &b);
	else
		portal_view_span_text(l, s, &b);
	assert_string_equal(b.data, c->cols[4]);
	arena_free(&a);
}

static void
time_case(void **state)
{
	struct tcase *c = *state;
	char out[17];
	bool ok = strcmp(c->cols[2], "-") != 0;

	assert_int_equal(portal_view_time_text(c->cols[1], false, out), ok);
	assert_string_equal(out, ok ? c->cols[2] : "");
	assert_int_equal(portal_view_time_text(c->cols[1], true, out), ok);
	assert_string_equal(out, ok ? c->cols[3] : "");
}

static void
phone_case(void **state)
{
	struct tcase *c = *state;
	struct arena a;
	struct buf b;

	arena_init(&a, 256);
	buf_init(&b, &a, 16);
	portal_view_phone_text(c->cols[1], &b);
	assert_string_equal(b.data, c->cols[2]);
	assert_int_equal(portal_view_phone_callable(c->cols[1]), strcmp(c->cols[3], "1") == 0);
	arena_free(&a);
}

static void
time_should_refuse_null(void **state)
{
	char out[17] = "x";

	assert_false(portal_view_time_text(NULL, true, out));
	assert_string_equal(out, "");
	assert_false(portal_view_phone_callable(NULL));
}

/* ---- shaping, fed SQL's fixtures ------------------------------------------------------- */

struct shaping {
	struct arena a;
	struct request r;
	struct pctx p;
	struct portal *pt;
};

static int
shaping_setup(void **state)
{
	struct shaping *sh = calloc(1, sizeof(*sh));
	char err[512];

	arena_init(&sh->a, 16384);
	http_request_init(&sh->r, &sh->a);
	sh->r.path = "/staff/";
	sh->r.query = "";
	sh->pt = portal_load(TEST_DATA_DIR "/../../landing", err, sizeof(err));
	if (sh->pt == NULL) {
		fprintf(stderr, "portal_load: %s\n", err);
		return -1;
	}
	sh->p = (struct pctx){ .r = &sh->r, .pt = sh->pt, .lang = LANG_ZH_CN };
	*state = sh;
	return 0;
}

static int
shaping_teardown(void **state)
{
	struct shaping *sh = *state;

	arena_free(&sh->a);
	portal_free(sh->pt);
	free(sh);
	return 0;
}

/* A fixture as SQL wrote it; the request frees it. */
static cJSON *
fixture(struct shaping *sh, const char *name)
{
	char path[1024];
	FILE *f;
	long n;
	char *text;
	cJSON *o;

	snprintf(path, sizeof(path), TEST_DATA_DIR "/portal/fixtures/%s.json", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = arena_alloc(&sh->a, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	o = portal_owned(&sh->r, cJSON_Parse(text));
	assert_non_null(o);
	return o;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* Each option list holds every choice SQL gave, valued and labelled as the page submits them. */
static void
assert_options(const cJSON *opts, const char *values, const char *labels)
{
	char got_v[256] = "", got_l[256] = "";
	const cJSON *o;

	cJSON_ArrayForEach(o, opts) {
		snprintf(got_v + strlen(got_v), sizeof(got_v) - strlen(got_v), "%s|", str(o, "value"));
		snprintf(got_l + strlen(got_l), sizeof(got_l) - strlen(got_l), "%s|", str(o, "label"));
	}
	assert_string_equal(got_v, values);
	assert_string_equal(got_l, labels);
}

static void
shape_home_should_read_sql_s_answer_for_the_story(void **state)
{
	struct shaping *sh = *state;
	cJSON *res = fixture(sh, "home"), *filters = portal_owned(&sh->r, cJSON_CreateObject());
	const cJSON *it, *w;

	portal_view_home(&sh->p, res, filters);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "mine"))
		assert_string_equal(str(it, "stage_name"), str(it, "stage"));
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "mine"), 0), "stage_name"),
			    "初步沟通");
	assert_options(cJSON_GetObjectItemCaseSensitive(res, "stage_options"), "1|2|3|4|5|",
		       "新客户|初步沟通|意向客户|成交|无意向|");
	assert_options(cJSON_GetObjectItemCaseSensitive(res, "tag_options"), "vip|", "vip|");
	assert_options(cJSON_GetObjectItemCaseSensitive(res, "channel_options"), "wx|", "wx|");
	assert_options(cJSON_GetObjectItemCaseSensitive(res, "page_options"), "demo|", "Demo|");
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "waiting"), 0);
	assert_string_equal(str(w, "left_text"), "还剩 10 分钟");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(w, "urgent")));
	assert_string_equal(str(w, "page_label"), "Ask us");
	assert_null(cJSON_GetObjectItemCaseSensitive(res, "more_url"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "groups")), 1);
}

static void
shape_lead_should_read_sql_s_answer_for_an_accepted_lead(void **state)
{
	struct shaping *sh = *state;
	cJSON *res = fixture(sh, "lead"), *lead = cJSON_GetObjectItemCaseSensitive(res, "lead");
	const cJSON *st;
	int current = 0;

	portal_view_lead(&sh->p, res);
	assert_string_equal(str(lead, "stage_name"), "初步沟通");
	cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(res, "stages"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "current"))) {
			current++;
			assert_string_equal(str(st, "name"), "初步沟通");
		}
	assert_int_equal(current, 1);
	assert_string_equal(str(lead, "tel"), "+8613900000001");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lead, "contacted")));
	assert_null(cJSON_GetObjectItemCaseSensitive(lead, "left_text"));
}

static void
shape_lead_should_count_down_an_offer_from_seconds_left(void **state)
{
	struct shaping *sh = *state;
	cJSON *res = fixture(sh, "offer"), *lead = cJSON_GetObjectItemCaseSensitive(res, "lead");

	portal_view_lead(&sh->p, res);
	assert_string_equal(str(lead, "left_text"), "还剩 10 分钟");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lead, "masked")));
	assert_null(cJSON_GetObjectItemCaseSensitive(lead, "tel"));
}

static void
shape_pool_should_read_sql_s_answer_for_the_open_pool(void **state)
{
	struct shaping *sh = *state;
	cJSON *res = fixture(sh, "pool");

	portal_view_pool(&sh->p, res);
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(res, "count")->valuedouble, 1);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "leads"), 0), "waited_text"),
			    "已等待 1 小时");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(time_should_refuse_null),
		cmocka_unit_test_setup_teardown(shape_home_should_read_sql_s_answer_for_the_story,
						shaping_setup, shaping_teardown),
		cmocka_unit_test_setup_teardown(shape_lead_should_read_sql_s_answer_for_an_accepted_lead,
						shaping_setup, shaping_teardown),
		cmocka_unit_test_setup_teardown(shape_lead_should_count_down_an_offer_from_seconds_left,
						shaping_setup, shaping_teardown),
		cmocka_unit_test_setup_teardown(shape_pool_should_read_sql_s_answer_for_the_open_pool,
						shaping_setup, shaping_teardown),
	};
	struct {
		const char *file;
		size_t ncols;
		void (*fn)(void **);
		struct tcase *cases;
		size_t n;
	} sets[] = {
		{ "left.tsv", 5, left_case, NULL, 0 },
		{ "time.tsv", 4, time_case, NULL, 0 },
		{ "phone.tsv", 4, phone_case, NULL, 0 },
	};
	size_t total = sizeof(fixed) / sizeof(fixed[0]), n = 0;
	struct CMUnitTest *tests;
	int rc;

	for (size_t s = 0; s < 3; s++) {
		sets[s].cases = tsv_load("portal", sets[s].file, sets[s].ncols, NULL, &sets[s].n);
		total += sets[s].n;
	}
	tests = calloc(total, sizeof *tests);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	for (size_t s = 0; s < 3; s++)
		for (size_t i = 0; i < sets[s].n; i++)
			tests[n++] = (struct CMUnitTest){ .name = sets[s].cases[i].cols[0],
							  .test_func = sets[s].fn,
							  .initial_state = &sets[s].cases[i] };
	rc = _cmocka_run_group_tests("portal", tests, n, NULL, NULL);
	for (size_t s = 0; s < 3; s++)
		tsv_free(sets[s].cases, sets[s].n);
	free(tests);
	return rc;
}
