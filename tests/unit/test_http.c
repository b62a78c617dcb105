/* Request helpers: query values, cookies, JSON negotiation and error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http.h"

static const char *const *fake_params;

static const char *
fake_param(void *glue, const char *name)
{
	for (const char *const *p = fake_params; p[0] != NULL; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

static void
setup_request(struct request *r, struct arena *a, const char *path, const char *query,
	      const char *const *params)
{
	arena_init(a, 0);
	http_request_init(r, a);
	r->path = path;
	r->query = query;
	r->param = fake_param;
	fake_params = params;
}

static void
http_query_get_should_decode_and_treat_broken_queries_as_empty(void **state)
{
	static const char *const none[] = { NULL };
	struct arena a;
	struct request r;

	setup_request(&r, &a, "/p/demo", "ch=wx_01&lang=en&q=%E6%B1%89+x&empty=", none);
	assert_string_equal(http_query_get(&r, "ch"), "wx_01");
	assert_string_equal(http_query_get(&r, "lang"), "en");
	assert_string_equal(http_query_get(&r, "q"), "汉 x");
	assert_string_equal(http_query_get(&r, "empty"), "");
	assert_null(http_query_get(&r, "missing"));
	r.query = "ch=a%zz";
	assert_null(http_query_get(&r, "ch"));
	r.query = "";
	assert_null(http_query_get(&r, "ch"));
	arena_free(&a);
}

static void
http_cookie_get_should_find_exact_names(void **state)
{
	static const char *const params[] = { "HTTP_COOKIE", "a=1; lf_vid=abc; lf_vidx=no", NULL };
	struct arena a;
	struct request r;

	setup_request(&r, &a, "/", "", params);
	assert_string_equal(http_cookie_get(&r, "lf_vid"), "abc");
	assert_string_equal(http_cookie_get(&r, "a"), "1");
	assert_null(http_cookie_get(&r, "lf"));
	arena_free(&a);
}

static void
http_error_should_answer_json_to_api_paths_and_escape_html_otherwise(void **state)
{
	static const char *const html[] = { "HTTP_ACCEPT", "text/html", NULL };
	static const char *const json[] = { "HTTP_ACCEPT", "application/json", NULL };
	struct arena a;
	struct request r;

	setup_request(&r, &a, "/api/v1/x", "", html);
	http_error(&r, 404, "not_found", "say \"hi\"\n");
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "application/json");
	assert_string_equal(r.body_out.data,
			    "{\"error\":{\"code\":\"not_found\",\"message\":\"say \\\"hi\\\"\\n\"}}\n");
	arena_free(&a);

	setup_request(&r, &a, "/p/x", "", json);
	assert_true(http_wants_json(&r));
	arena_free(&a);

	setup_request(&r, &a, "/p/x", "", html);
	http_error(&r, 400, "bad", "<script>");
	assert_non_null(strstr(r.body_out.data, "&lt;script&gt;"));
	assert_null(strstr(r.body_out.data, "<script>"));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_query_get_should_decode_and_treat_broken_queries_as_empty),
		cmocka_unit_test(http_cookie_get_should_find_exact_names),
		cmocka_unit_test(http_error_should_answer_json_to_api_paths_and_escape_html_otherwise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
