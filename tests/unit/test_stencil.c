/* Unit tests for stencil.c: cutting a rendering at its tokens and filling the holes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "stencil.h"
#include "arena_fixture.h"

static const char *const tokens[2] = { "TOKSTAMP", "TOKCH" };

/* Make a stencil of text and fill it with values. */
static const char *
fill(const char *text, const char *const values[2], size_t *nparts)
{
	struct stencil st;
	struct buf out;

	assert_true(stencil_make(&st, text, strlen(text), tokens, 2));
	buf_init(&out, &arena, 16);
	stencil_fill(&st, values, &out);
	if (nparts != NULL)
		*nparts = st.nparts;
	stencil_free(&st);
	return out.data;
}

static void
stencil_should_replace_every_token_in_order(void **state)
{
	const char *const v[2] = { "v1.123.abc", "wx_0301" };
	size_t n;

	assert_string_equal(fill("<a href=\"/p/demo?lang=en&amp;ch=TOKCH\">x</a><input value=\"TOKSTAMP\">"
				 "TOKCH", v, &n),
			    "<a href=\"/p/demo?lang=en&amp;ch=wx_0301\">x</a><input value=\"v1.123.abc\">wx_0301");
	assert_int_equal(n, 4); /* three holes and the tail */
}

static void
stencil_should_keep_text_without_tokens(void **state)
{
	const char *const v[2] = { "S", "C" };
	size_t n;

	assert_string_equal(fill("", v, &n), "");
	assert_int_equal(n, 1);
	assert_string_equal(fill("no holes here, TOK and TOKC are not tokens", v, &n),
			    "no holes here, TOK and TOKC are not tokens");
	assert_int_equal(n, 1);
}

static void
stencil_should_handle_tokens_at_the_edges_and_side_by_side(void **state)
{
	const char *const v[2] = { "S", "" };

	assert_string_equal(fill("TOKSTAMPTOKCHTOKSTAMP", v, NULL), "SS");
	assert_string_equal(fill("TOKTOKSTAMP", v, NULL), "TOKS");
}

static void
stencil_should_handle_many_holes(void **state)
{
	const char *const v[2] = { "ab", "c" };
	char text[64 * 9 + 1] = "";
	char want[64 * 3 + 1] = "";

	for (int i = 0; i < 64; i++) {
		strcat(text, "-TOKSTAMP");
		strcat(want, "-ab");
	}
	assert_string_equal(fill(text, v, NULL), want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stencil_should_replace_every_token_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(stencil_should_keep_text_without_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(stencil_should_handle_tokens_at_the_edges_and_side_by_side,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stencil_should_handle_many_holes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
