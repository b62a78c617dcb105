/* Unit tests for chart.c: the funnel as inline SVG (bars, labels, rates, escaping, no script). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "chart.h"
#include "arena_fixture.h"

static const struct chart_bar steps[] = {
	{ "访问", 200, 0, false },
	{ "访客", 100, 0, false },
	{ "提交", 40, 0.4, true },
	{ "新线索", 10, 0.25, true },
	{ "成交", 0, 0, true },
};

static const char *
draw(const struct chart_bar *b, size_t n)
{
	struct buf out;

	buf_init(&out, &arena, 256);
	chart_funnel_svg(&out, "funnel", "漏斗 <test>", "转化率", b, n);
	return out.data;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void
chart_funnel_should_draw_one_bar_per_step(void **state)
{
	const char *svg = draw(steps, 5);

	assert_int_equal(count(svg, "<g class=\"bar\""), 5);
	assert_int_equal(count(svg, "<rect "), 5);
	assert_non_null(strstr(svg, ">访问</text>"));
	assert_non_null(strstr(svg, ">新线索</text>"));
	assert_true(strncmp(svg, "<svg ", 5) == 0);
	assert_non_null(strstr(svg, "</svg>"));
}

static void
chart_funnel_should_scale_bars_to_the_largest_value(void **state)
{
	const char *svg = draw(steps, 5);
	char want[64];

	/* 640 - 150 - 150 = 340 px for the largest; half of it for half the value. */
	snprintf(want, sizeof(want), "width=\"%d\" height=\"22\"", 340);
	assert_non_null(strstr(svg, want));
	assert_non_null(strstr(svg, "width=\"170\" height=\"22\""));
	assert_non_null(strstr(svg, "width=\"68\" height=\"22\""));
	assert_non_null(strstr(svg, "width=\"0\" height=\"22\"")); /* won: 0 */
}

static void
chart_funnel_should_keep_tiny_values_visible(void **state)
{
	const struct chart_bar b[] = { { "a", 1000000, 0, false }, { "b", 1, 0, false } };
	const char *svg = draw(b, 2);

	assert_non_null(strstr(svg, "width=\"1\" height=\"22\""));
}

static void
chart_funnel_should_show_rates_only_where_given(void **state)
{
	const char *svg = draw(steps, 5);

	assert_int_equal(count(svg, "class=\"rate\""), 3);
	assert_non_null(strstr(svg, ">40.0%</text>"));
	assert_non_null(strstr(svg, ">25.0%</text>"));
	assert_non_null(strstr(svg, ">0.0%</text>"));
	assert_non_null(strstr(svg, "提交 40 (转化率 40.0%)"));
}

static void
chart_funnel_should_escape_text(void **state)
{
	const struct chart_bar b[] = { { "<script>alert(1)</script>", 1, 0, false },
				       { "a\"b&c", 2, 0, false } };
	const char *svg = draw(b, 2);

	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "a\"b"));
	assert_non_null(strstr(svg, "&lt;script&gt;"));
	assert_non_null(strstr(svg, "&lt;test&gt;"));
	assert_non_null(strstr(svg, "a&quot;b&amp;c"));
}

static void
chart_funnel_should_be_accessible_and_fixed_in_size(void **state)
{
	const char *svg = draw(steps, 5);
	char want[80];

	assert_non_null(strstr(svg, "role=\"img\""));
	assert_non_null(strstr(svg, "aria-labelledby=\"funnel-title funnel-desc\""));
	assert_non_null(strstr(svg, "<title id=\"funnel-title\">"));
	assert_non_null(strstr(svg, "<desc id=\"funnel-desc\">"));
	snprintf(want, sizeof(want), "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"", CHART_WIDTH,
		 chart_funnel_height(5), CHART_WIDTH, chart_funnel_height(5));
	assert_non_null(strstr(svg, want));
	assert_null(strstr(svg, "style="));
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, " on"));   /* no event handler attributes */
}

static void
chart_funnel_should_treat_negatives_and_all_zero_as_empty_bars(void **state)
{
	const struct chart_bar b[] = { { "a", -5, 0, false }, { "b", 0, 0, false } };
	const char *svg = draw(b, 2);

	assert_int_equal(count(svg, "width=\"0\" height=\"22\""), 2);
	assert_non_null(strstr(svg, "data-value=\"0\""));
	assert_null(strstr(svg, "-5"));
}

static void
chart_funnel_should_draw_at_most_the_maximum_bars(void **state)
{
	struct chart_bar b[CHART_MAX_BARS + 4];

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		b[i] = (struct chart_bar){ "x", (long long)i, 0, false };
	assert_int_equal(count(draw(b, sizeof(b) / sizeof(b[0])), "<rect "), CHART_MAX_BARS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(chart_funnel_should_draw_one_bar_per_step, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_scale_bars_to_the_largest_value, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_keep_tiny_values_visible, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_show_rates_only_where_given, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_escape_text, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_be_accessible_and_fixed_in_size, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_treat_negatives_and_all_zero_as_empty_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(chart_funnel_should_draw_at_most_the_maximum_bars, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
