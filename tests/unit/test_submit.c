/* Unit tests for submit.c's pure parts: the JSON a batch is sent as (read back with cJSON, so
 * every byte a visitor typed arrives as typed) and how the batch's answer rows reach the items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "submit.h"
#include "arena_fixture.h"

static const char *const key_names[SUBMIT_NPARAMS] = {
	"page", "channel", "phone", "name", "question", "fields", "consent", "idem_key",
	"client_addr", "user_agent", "lang", "received_at", "referral",
};

static cJSON *
encode(struct submit_item *const *items, size_t n)
{
	struct buf b;
	cJSON *doc;

	buf_init(&b, &arena, 64);
	submit_batch_json(items, n, &b);
	doc = cJSON_ParseWithLength(b.data, b.len);
	if (doc == NULL)
		fail_msg("not JSON: %s", b.data);
	return doc;
}

static void
batch_json_should_carry_every_argument_by_name(void **state)
{
	struct submit_item a = { .params = {
		"demo", "wx", "+8613800000001", "张三", NULL, "{\"name\":\"张三\",\"agree\":true}",
		"我同意", "v1.1.aa.bb", "203.0.113.9", "Mozilla/5.0", "zh-CN", "2026-12-07T02:30:00.123Z",
		"0123456789abcdef0123456789abcdef" } };
	struct submit_item b = { .params = { "ask", NULL, "+447911123456", NULL, "How much?", "{}",
					     NULL, "k2", NULL, NULL, "en" } };
	struct submit_item *items[] = { &a, &b };
	cJSON *doc = encode(items, 2);

	(void)state;
	assert_true(cJSON_IsArray(doc));
	assert_int_equal(cJSON_GetArraySize(doc), 2);
	for (int i = 0; i < 2; i++) {
		cJSON *o = cJSON_GetArrayItem(doc, i);

		assert_int_equal(cJSON_GetArraySize(o), SUBMIT_NPARAMS);
		for (int k = 0; k < SUBMIT_NPARAMS; k++) {
			const char *want = items[i]->params[k];
			cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key_names[k]);

			assert_non_null(v);
			if (want == NULL) {
				assert_true(cJSON_IsNull(v));
			} else if (k == SUBMIT_FIELDS) {
				char *got;

				assert_true(cJSON_IsObject(v)); /* inserted as JSON, not as a string */
				got = cJSON_PrintUnformatted(v);
				assert_string_equal(got, want);
				cJSON_free(got);
			} else {
				assert_true(cJSON_IsString(v));
				assert_string_equal(v->valuestring, want);
			}
		}
	}
	cJSON_Delete(doc);
}

static void
batch_json_should_keep_every_byte_typed(void **state)
{
	static const char *const texts[] = {
		"O'Brien \"the\" \\ back\\slash", "<script>alert(1)</script> & co",
		"two\nlines\tand\rreturn", "\x01\x1f\x7f controls", "李雷 🚀 😀", "", "}],{\"page\":\"x\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct submit_item it = { .params = { "demo", NULL, "+8613800000001", texts[i],
						      texts[i], "{}", texts[i], "k", NULL, texts[i], "en" } };
		struct submit_item *items[] = { &it };
		cJSON *doc = encode(items, 1), *o = cJSON_GetArrayItem(doc, 0);

		assert_int_equal(cJSON_GetArraySize(doc), 1);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring, texts[i]);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "question")->valuestring, texts[i]);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "consent")->valuestring, texts[i]);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "user_agent")->valuestring, texts[i]);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "page")->valuestring, "demo");
		cJSON_Delete(doc);
	}
}

static void
batch_json_should_write_an_empty_array_for_no_items(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, &arena, 8);
	submit_batch_json(NULL, 0, &b);
	assert_string_equal(b.data, "[]");
}

/* Rows as db.c copies them: values[row * ncols + col]. */
static struct db_rows
rows_of(const char **values, int nrows, int ncols)
{
	struct db_rows r = { .nrows = nrows, .ncols = ncols, .values = values };

	return r;
}

static void
batch_results_should_answer_items_by_ord(void **state)
{
	/* Answered in phone order, not in the items' order. */
	const char *values[] = {
		"3", "30", "300", "t", "f",
		"1", "10", "100", "f", "t",
		"2", "20", "100", "f", "f",
	};
	struct db_rows rows = rows_of(values, 3, 5);
	struct submit_item a = { 0 }, b = { 0 }, c = { 0 };
	struct submit_item *items[] = { &a, &b, &c };

	(void)state;
	assert_true(submit_batch_results(items, 3, &rows));
	assert_true(a.stored && b.stored && c.stored);
	assert_string_equal(a.submission_id, "10");
	assert_true(a.replayed && !a.new_lead);
	assert_string_equal(b.submission_id, "20");
	assert_string_equal(b.lead_id, "100");
	assert_true(!b.replayed && !b.new_lead);
	assert_string_equal(c.submission_id, "30");
	assert_string_equal(c.lead_id, "300");
	assert_true(c.new_lead && !c.replayed);
}

static void
batch_results_should_fail_items_left_unanswered(void **state)
{
	const char *values[] = { "2", "20", "200", "t", "f" };
	struct db_rows rows = rows_of(values, 1, 5);
	struct submit_item a = { 0 }, b = { 0 };
	struct submit_item *items[] = { &a, &b };

	(void)state;
	assert_false(submit_batch_results(items, 2, &rows));
	assert_false(a.stored);
	assert_int_equal(a.err.status, DB_ERROR);
	assert_true(b.stored);
	assert_string_equal(b.submission_id, "20");
}

static void
batch_results_should_refuse_rows_that_do_not_match_the_items(void **state)
{
	static const char *const bad_ords[] = { "0", "3", "-1", "1x", "", "18446744073709551617" };
	struct submit_item a = { 0 }, b = { 0 };
	struct submit_item *items[] = { &a, &b };

	(void)state;
	for (size_t i = 0; i < sizeof(bad_ords) / sizeof(bad_ords[0]); i++) {
		const char *values[] = { "1", "10", "100", "t", "f", bad_ords[i], "20", "200", "t", "f" };
		struct db_rows rows = rows_of(values, 2, 5);

		if (submit_batch_results(items, 2, &rows))
			fail_msg("ord [%s] was taken", bad_ords[i]);
		assert_true(a.stored);
		assert_false(b.stored);
	}
	{
		/* One item answered twice, the other not at all. */
		const char *values[] = { "1", "10", "100", "t", "f", "1", "11", "100", "t", "f" };
		struct db_rows rows = rows_of(values, 2, 5);

		assert_false(submit_batch_results(items, 2, &rows));
		assert_string_equal(a.submission_id, "10");
		assert_false(b.stored);
	}
	{
		/* A NULL ord, and a result of the wrong shape. */
		const char *values[] = { NULL, "10", "100", "t", "f", "2", "20", "200", "t", "f" };
		struct db_rows rows = rows_of(values, 2, 5), narrow = rows_of(values + 1, 2, 4);

		assert_false(submit_batch_results(items, 2, &rows));
		assert_false(a.stored);
		assert_true(b.stored);
		assert_false(submit_batch_results(items, 2, &narrow));
		assert_false(a.stored || b.stored);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(batch_json_should_carry_every_argument_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_json_should_keep_every_byte_typed, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_json_should_write_an_empty_array_for_no_items, setup, teardown),
		cmocka_unit_test(batch_results_should_answer_items_by_ord),
		cmocka_unit_test(batch_results_should_fail_items_left_unanswered),
		cmocka_unit_test(batch_results_should_refuse_rows_that_do_not_match_the_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
