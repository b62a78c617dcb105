/* Traffic counters: batching, visitor dedup, channel folding when full. */
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
counters_should_batch_views_opens_spam_and_dedup_visitors(void **state)
{
	struct counters c;
	char *json;

	counters_init(&c);
	assert_false(counters_dirty(&c));
	counters_add(&c, COUNTER_VIEW, "demo", "wx", "aaaa", 100);
	counters_add(&c, COUNTER_VIEW, "demo", "wx", "aaaa", 100);
	counters_add(&c, COUNTER_VIEW, "demo", "wx", "bbbb", 100);
	counters_add(&c, COUNTER_VIEW, "demo", NULL, NULL, 100);
	counters_add(&c, COUNTER_OPEN, "demo", "wx", NULL, 100);
	counters_add(&c, COUNTER_SPAM, "ask", NULL, NULL, 100);
	assert_true(counters_dirty(&c));
	json = counters_json(&c, 101);
	assert_string_equal(json,
		"[{\"page\":\"demo\",\"channel\":\"wx\",\"at\":101,\"views\":3,\"opens\":1,\"spam\":0,"
		"\"visitors\":[\"aaaa\",\"bbbb\"]},"
		"{\"page\":\"demo\",\"channel\":null,\"at\":101,\"views\":1,\"opens\":0,\"spam\":0,\"visitors\":[]},"
		"{\"page\":\"ask\",\"channel\":null,\"at\":101,\"views\":0,\"opens\":0,\"spam\":1,\"visitors\":[]}]");
	free(json);
	counters_clear(&c);
	assert_false(counters_dirty(&c));
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
		counters_add(&c, COUNTER_VIEW, "demo", ch, NULL, 1);
	}
	assert_int_equal(c.count, COUNTER_MAX_KEYS - 16 + 1);
	json = counters_json(&c, 2);
	assert_non_null(strstr(json, "{\"page\":\"demo\",\"channel\":null,\"at\":2,\"views\":66,"));
	free(json);
	counters_free(&c);
}

static void
counters_should_be_full_after_enough_new_visitors(void **state)
{
	struct counters c;
	char id[COUNTER_VISITOR_LEN + 1];

	counters_init(&c);
	for (int i = 0; i < COUNTER_FLUSH_VISITORS - 1; i++) {
		snprintf(id, sizeof(id), "%032d", i);
		counters_add(&c, COUNTER_VIEW, "demo", NULL, id, 1);
		counters_add(&c, COUNTER_VIEW, "demo", NULL, id, 1); /* seen again: not new */
	}
	assert_false(counters_full(&c));
	counters_add(&c, COUNTER_VIEW, "demo", "wx", id, 1); /* same id, other channel: new there */
	assert_true(counters_full(&c));
	counters_clear(&c);
	assert_false(counters_full(&c));
	counters_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_should_batch_views_opens_spam_and_dedup_visitors),
		cmocka_unit_test(counters_should_fold_channels_into_none_when_full),
		cmocka_unit_test(counters_should_be_full_after_enough_new_visitors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
