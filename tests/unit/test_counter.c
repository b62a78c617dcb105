/* Traffic counters: batching, unique visitors, channel folding when full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

static void
counters_should_batch_views_opens_spam_and_unique_visitors(void **state)
{
	struct counters c;
	char *json;

	counters_init(&c);
	assert_false(counters_dirty(&c));
	counters_add(&c, COUNTER_VIEW, "demo", "wx", true, 100);
	counters_add(&c, COUNTER_VIEW, "demo", "wx", false, 100);
	counters_add(&c, COUNTER_VIEW, "demo", "wx", true, 100);
	counters_add(&c, COUNTER_VIEW, "demo", NULL, false, 100);
	counters_add(&c, COUNTER_OPEN, "demo", "wx", false, 100);
	counters_add(&c, COUNTER_SPAM, "ask", NULL, false, 100);
	assert_true(counters_dirty(&c));
	json = counters_json(&c, 101);
	assert_string_equal(json,
		"[{\"page\":\"demo\",\"channel\":\"wx\",\"at\":101,\"views\":3,\"opens\":1,\"spam\":0,"
		"\"visitors\":2},"
		"{\"page\":\"demo\",\"channel\":null,\"at\":101,\"views\":1,\"opens\":0,\"spam\":0,\"visitors\":0},"
		"{\"page\":\"ask\",\"channel\":null,\"at\":101,\"views\":0,\"opens\":0,\"spam\":1,\"visitors\":0}]");
	free(json);
	counters_clear(&c);
	assert_false(counters_dirty(&c));
	counters_free(&c);
}

static void
counters_should_count_stamp_refusals_apart_from_spam_by_reason(void **state)
{
	struct counters c;
	char *json;

	counters_init(&c);
	counters_add(&c, COUNTER_STAMP_FORGED, "demo", NULL, false, 100);
	counters_add(&c, COUNTER_STAMP_FORGED, "demo", NULL, false, 100);
	counters_add(&c, COUNTER_STAMP_MISSING, "demo", NULL, false, 100);
	counters_add(&c, COUNTER_STAMP_TOO_FAST, "ask", "wx", false, 100);
	counters_add(&c, COUNTER_STAMP_MALFORMED, "ask", "wx", false, 100);
	json = counters_json(&c, 101);
	assert_string_equal(json,
		"[{\"page\":\"demo\",\"channel\":null,\"at\":101,\"views\":0,\"opens\":0,\"spam\":0,"
		"\"visitors\":0,\"refused\":{\"stamp_missing\":1,\"stamp_forged\":2}},"
		"{\"page\":\"ask\",\"channel\":\"wx\",\"at\":101,\"views\":0,\"opens\":0,\"spam\":0,"
		"\"visitors\":0,\"refused\":{\"stamp_malformed\":1,\"stamp_too_fast\":1}}]");
	free(json);
	counters_free(&c);
}

static void
counters_should_fold_channels_into_none_when_full(void **state)
{
	struct counters c;
	char ch[16], *json;

	counters_init(&c);
	for (int i = 0; i < COUNTER_MAX_KEYS + 50; i++) {
		snprintf(ch, sizeof(ch), "c%d", i);
		counters_add(&c, COUNTER_VIEW, "demo", ch, false, 1);
	}
	assert_int_equal(c.count, COUNTER_MAX_KEYS - 16 + 1);
	json = counters_json(&c, 2);
	assert_non_null(strstr(json, "{\"page\":\"demo\",\"channel\":null,\"at\":2,\"views\":66,"));
	free(json);
	counters_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_should_batch_views_opens_spam_and_unique_visitors),
		cmocka_unit_test(counters_should_count_stamp_refusals_apart_from_spam_by_reason),
		cmocka_unit_test(counters_should_fold_channels_into_none_when_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
