/* Live codes: the redirect Location (location.c) stays on this site whatever the parts say,
 * and the friendly page (livecode.c) speaks the visitor's language and escapes its link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "livecode.h"
#include "location.h"
#include "tsv_cases.h"

static const char *
loc(struct arena *a, const char *slug, const char *query, const char *code)
{
	struct buf b;

	buf_init(&b, a, 64);
	if (!location_page(&b, slug, query, code))
		return NULL;
	return b.data;
}

static void
location_should_build_the_page_path_with_query_and_channel(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(loc(&a, "demo", NULL, "poster1"), "/p/demo?ch=poster1");
	assert_string_equal(loc(&a, "demo", "utm_source=wx&x=1", "p-2"), "/p/demo?utm_source=wx&x=1&ch=p-2");
	assert_string_equal(loc(&a, "demo", "flag", "a"), "/p/demo?flag=&ch=a");
	assert_null(loc(&a, "", NULL, "a"));
	assert_string_equal(loc(&a, "demo", NULL, NULL), "/p/demo");
	assert_string_equal(loc(&a, "demo", "ref=r1.x", NULL), "/p/demo?ref=r1.x");
	assert_null(loc(&a, "demo", NULL, ""));
	arena_free(&a);
}

/* Each row: slug, query, code, the Location expected. */
static const char *const hostile[][4] = {
	{ "//evil", NULL, "a", "/p/%2F%2Fevil?ch=a" },
	{ "\\\\evil", NULL, "a", "/p/%5C%5Cevil?ch=a" },
	{ "%2F%2Fevil", NULL, "a", "/p/%252F%252Fevil?ch=a" },
	{ "demo\r\nSet-Cookie: x=1", NULL, "a", "/p/demo%0D%0ASet-Cookie%3A%20x%3D1?ch=a" },
	{ "user@evil.com", NULL, "a", "/p/user%40evil.com?ch=a" },
	{ "demo", "next=http://evil.com/&u=//evil", "a", "/p/demo?next=http%3A%2F%2Fevil.com%2F&u=%2F%2Fevil&ch=a" },
	{ "demo", "a=b\r\nLocation: //evil", "a", "/p/demo?a=b%0D%0ALocation%3A%20%2F%2Fevil&ch=a" },
	{ "demo", "ch=other&&x=1#frag", "a", "/p/demo?ch=other&x=1%23frag&ch=a" },
	{ "demo", NULL, "a/../../x?y=1", "/p/demo?ch=a%2F..%2F..%2Fx%3Fy%3D1" },
	{ "https://evil.com", NULL, "@evil", "/p/https%3A%2F%2Fevil.com?ch=%40evil" },
};

static void
location_should_escape_hostile_parts(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *got = loc(&a, hostile[i][0], hostile[i][1], hostile[i][2]);

		assert_non_null(got);
		assert_string_equal(got, hostile[i][3]);
		assert_null(strchr(got + 3, '/'));
	}
	arena_free(&a);
}

static void
friendly_page_should_speak_the_language_and_escape_its_link(void **state)
{
	struct arena a;
	struct buf b;

	(void)state;
	arena_init(&a, 4096);
	buf_init(&b, &a, 256);
	livecode_friendly_page(&b, LANG_EN, "spring\"><script>");
	assert_non_null(strstr(b.data, "<html lang=\"en\">"));
	assert_non_null(strstr(b.data, "no longer active"));
	assert_non_null(strstr(b.data, "href=\"/p/spring%22%3E%3Cscript%3E\""));
	assert_null(strstr(b.data, "<script>"));
	buf_init(&b, &a, 256);
	livecode_friendly_page(&b, LANG_ZH_CN, NULL);
	assert_non_null(strstr(b.data, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(b.data, "二维码"));
	assert_null(strstr(b.data, "<a "));
	arena_free(&a);
}

/* One line of tests/data/livecode/codes.tsv, the table SQL's rule is checked against too. */
static void
code_case(void **state)
{
	const struct tcase *c = *state;
	const char *code = strcmp(c->cols[1], "<empty>") == 0 ? "" : c->cols[1];

	assert_int_equal(livecode_code_ok(code), strcmp(c->cols[2], "1") == 0);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(location_should_build_the_page_path_with_query_and_channel),
		cmocka_unit_test(location_should_escape_hostile_parts),
		cmocka_unit_test(friendly_page_should_speak_the_language_and_escape_its_link),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n;
	struct tcase *cases = tsv_load("livecode", "codes.tsv", 3, NULL, &n);
	struct CMUnitTest *tests = calloc(nfixed + n, sizeof(*tests));
	int rc;

	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < n; i++)
		tests[nfixed + i] = (struct CMUnitTest){ .name = cases[i].cols[0], .test_func = code_case,
							 .initial_state = &cases[i] };
	assert_false(livecode_code_ok(NULL));
	rc = _cmocka_run_group_tests("livecode", tests, nfixed + n, NULL, NULL);
	tsv_free(cases, n);
	free(tests);
	return rc;
}
