/* Unit tests for html.c: HTML and URL escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "html.h"
#include "arena_fixture.h"

static const char *
esc(const char *s)
{
	struct buf b;

	buf_init(&b, &arena, 16);
	html_escapes(&b, s);
	return b.data;
}

static const char *
uesc(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, &arena, 16);
	url_escape(&b, s, n);
	return b.data;
}

static void
html_escape_should_escape_script_tags(void **state)
{
	assert_string_equal(esc("<script>alert(1)</script>"),
	                    "&lt;script&gt;alert(1)&lt;/script&gt;");
}

static void
html_escape_should_escape_all_six_characters(void **state)
{
	assert_string_equal(esc("&<>\"'`"), "&amp;&lt;&gt;&quot;&#39;&#96;");
}

static void
html_escape_should_make_attribute_values_safe_in_any_quotes(void **state)
{
	assert_string_equal(esc("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
	assert_string_equal(esc("' onfocus='x"), "&#39; onfocus=&#39;x");
	assert_string_equal(esc("` x"), "&#96; x");
}

static void
html_escape_should_escape_the_ampersand_of_existing_entities(void **state)
{
	assert_string_equal(esc("&amp;"), "&amp;amp;");
}

static void
html_escape_should_pass_utf8_through(void **state)
{
	assert_string_equal(esc("着陆页 «ü» 😀"), "着陆页 «ü» 😀");
}

static void
html_escape_should_leave_other_ascii_alone(void **state)
{
	assert_string_equal(esc("a=b; c/d\\e {f} [g] (h) #i %j\t\n"),
	                    "a=b; c/d\\e {f} [g] (h) #i %j\t\n");
}

static void
html_escape_should_handle_empty_and_length_limited_input(void **state)
{
	struct buf b;

	assert_string_equal(esc(""), "");
	buf_init(&b, &arena, 4);
	html_escape(&b, "<a><b>", 3);
	assert_string_equal(b.data, "&lt;a&gt;");
	assert_int_equal(b.len, 9);
}

static void
html_escape_should_append_to_what_is_there(void **state)
{
	struct buf b;

	buf_init(&b, &arena, 4);
	buf_adds(&b, "<p>");
	html_escapes(&b, "1 < 2");
	buf_adds(&b, "</p>");
	assert_string_equal(b.data, "<p>1 &lt; 2</p>");
}

static void
url_escape_should_keep_unreserved_characters(void **state)
{
	const char *s = "AZaz09-._~";

	assert_string_equal(uesc(s, strlen(s)), s);
}

static void
url_escape_should_percent_encode_everything_else_in_upper_case(void **state)
{
	const char *s = "a b&c=d/e?f#g+h%";

	assert_string_equal(uesc(s, strlen(s)), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
}

static void
url_escape_should_encode_utf8_bytewise(void **state)
{
	assert_string_equal(uesc("微信", strlen("微信")), "%E5%BE%AE%E4%BF%A1");
}

static void
url_escape_should_encode_nul_and_high_bytes(void **state)
{
	assert_string_equal(uesc("\0\xff", 2), "%00%FF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(html_escape_should_escape_script_tags),
	    cmocka_unit_test(html_escape_should_escape_all_six_characters),
	    cmocka_unit_test(html_escape_should_make_attribute_values_safe_in_any_quotes),
	    cmocka_unit_test(html_escape_should_escape_the_ampersand_of_existing_entities),
	    cmocka_unit_test(html_escape_should_pass_utf8_through),
	    cmocka_unit_test(html_escape_should_leave_other_ascii_alone),
	    cmocka_unit_test(html_escape_should_handle_empty_and_length_limited_input),
	    cmocka_unit_test(html_escape_should_append_to_what_is_there),
	    cmocka_unit_test(url_escape_should_keep_unreserved_characters),
	    cmocka_unit_test(url_escape_should_percent_encode_everything_else_in_upper_case),
	    cmocka_unit_test(url_escape_should_encode_utf8_bytewise),
	    cmocka_unit_test(url_escape_should_encode_nul_and_high_bytes),
	};

	return cmocka_run_group_tests_name("html", tests, setup, teardown);
}
