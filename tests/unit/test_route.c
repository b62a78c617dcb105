/* The route table: literal and captured segments, 404 versus 405 with Allow, HEAD as GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"
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

static enum route_result
match(const char *method, const char *path, const struct route **found, const char **params,
      struct buf *allow, char *seg)
{
	return route_match(table, 4, method, path, seg, params, 4, found, allow);
}

static void
route_should_match_literal_and_captured_segments(void **state)
{
	struct arena a;
	struct buf allow;
	const struct route *found = NULL;
	const char *params[4] = { 0 };
	char seg[128];

	arena_init(&a, 0);
	buf_init(&allow, &a, 32);
	assert_int_equal(match("GET", "/healthz", &found, params, &allow, seg), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_a);
	assert_int_equal(match("GET", "/p/demo", &found, params, &allow, seg), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_b);
	assert_string_equal(params[0], "demo");
	assert_int_equal(match("POST", "/p/demo", &found, params, &allow, seg), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_c);
	assert_int_equal(match("POST", "/api/v1/pages/ask/submissions", &found, params, &allow, seg),
			 ROUTE_FOUND);
	assert_string_equal(params[0], "ask");
	assert_int_equal(match("HEAD", "/p/demo", &found, params, &allow, seg), ROUTE_FOUND);
	assert_ptr_equal(found->handler, h_b);
	arena_free(&a);
}

static void
route_should_not_match_empty_extra_or_partial_segments(void **state)
{
	struct arena a;
	struct buf allow;
	const struct route *found = NULL;
	const char *params[4] = { 0 };
	char seg[128];
	static const char *const paths[] = { "/p/", "/p", "/p/demo/", "/p/demo/x", "/healthz/",
					     "/healthzz", "/", "", "/api/v1/pages//submissions" };

	arena_init(&a, 0);
	buf_init(&allow, &a, 32);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(match("GET", paths[i], &found, params, &allow, seg),
				 ROUTE_NOT_FOUND);
	arena_free(&a);
}

static void
route_should_answer_bad_method_with_allow_list(void **state)
{
	struct arena a;
	struct buf allow;
	const struct route *found = NULL;
	const char *params[4] = { 0 };
	char seg[128];

	arena_init(&a, 0);
	buf_init(&allow, &a, 32);
	assert_int_equal(match("DELETE", "/p/demo", &found, params, &allow, seg), ROUTE_BAD_METHOD);
	assert_string_equal(allow.data, "GET, HEAD, POST");
	buf_reset(&allow);
	assert_int_equal(match("POST", "/healthz", &found, params, &allow, seg), ROUTE_BAD_METHOD);
	assert_string_equal(allow.data, "GET, HEAD");
	arena_free(&a);
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
		cmocka_unit_test(route_should_match_literal_and_captured_segments),
		cmocka_unit_test(route_should_not_match_empty_extra_or_partial_segments),
		cmocka_unit_test(route_should_answer_bad_method_with_allow_list),
		cmocka_unit_test(route_table_should_have_unique_method_and_pattern_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
