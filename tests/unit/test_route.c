/* The route table: literal and captured segments, 404 versus 405 with Allow, HEAD as GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena_fixture.h"
#include "handlers.h"
#include "route.h"

static void h_a(struct request *r) { (void)r; }
static void h_b(struct request *r) { (void)r; }
static void h_c(struct request *r) { (void)r; }

static const struct route table[] = {
	{ "GET", "/healthz", h_a },
	{ "GET", "/p/*", h_b },
	{ "POST", "/p/*", h_c },
	{ "POST", "/api/v1/pages/*/submissions", h_c },
};

/* What the last match found: the route, its captures, and the Allow list of a 405. */
static const struct route *found;
static const char *params[4];
static struct buf allow;

/* Match against the table above, each time with an empty Allow list. */
static enum route_result
match(const char *method, const char *path)
{
	static char seg[128];

	buf_init(&allow, &arena, 32);
	return route_match(table, 4, method, path, seg, params, 4, &found, &allow);
}

static void
route_should_match_literal_and_captured_segments(void **state)
{
	assert_int_equal(match("GET", "/healthz"), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_a);
	assert_int_equal(match("GET", "/p/demo"), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_b);
	assert_string_equal(params[0], "demo");
	assert_int_equal(match("POST", "/p/demo"), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_c);
	assert_int_equal(match("POST", "/api/v1/pages/ask/submissions"), ROUTE_FOUND);
	assert_string_equal(params[0], "ask");
	assert_int_equal(match("HEAD", "/p/demo"), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_b);
}

static void
route_should_not_match_empty_extra_or_partial_segments(void **state)
{
	static const char *const paths[] = { "/p/", "/p", "/p/demo/", "/p/demo/x", "/healthz/",
					     "/healthzz", "/", "", "/api/v1/pages//submissions" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(match("GET", paths[i]), ROUTE_NOT_FOUND);
}

static void
route_should_answer_bad_method_with_allow_list(void **state)
{
	assert_int_equal(match("DELETE", "/p/demo"), ROUTE_BAD_METHOD);
	assert_string_equal(allow.data, "GET, HEAD, POST");
	assert_int_equal(match("POST", "/healthz"), ROUTE_BAD_METHOD);
	assert_string_equal(allow.data, "GET, HEAD");
}

static void
route_table_should_have_unique_method_and_pattern_pairs(void **state)
{
	for (size_t i = 0; i < handlers_route_count; i++)
		for (size_t j = i + 1; j < handlers_route_count; j++)
			assert_false(strcmp(handlers_routes[i].method, handlers_routes[j].method) == 0 &&
				     strcmp(handlers_routes[i].pattern, handlers_routes[j].pattern) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(route_should_match_literal_and_captured_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(route_should_not_match_empty_extra_or_partial_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(route_should_answer_bad_method_with_allow_list, setup, teardown),
		cmocka_unit_test(route_table_should_have_unique_method_and_pattern_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
