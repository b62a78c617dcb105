/* Unit tests for visitor.c: the visitor cookie, what it was counted for today, its days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "visitor.h"

#define ID "0123456789abcdef0123456789abcdef"
#define SHANGHAI (8 * 3600)

static void
visitor_should_count_each_page_and_channel_once_a_day(void **state)
{
	struct visitor v;
	long day = 19724; /* 2024-01-02 */

	visitor_init(&v, ID);
	assert_true(visitor_count(&v, day, "demo", NULL));
	assert_false(visitor_count(&v, day, "demo", NULL));
	assert_true(visitor_count(&v, day, "demo", "wx"));   /* another channel */
	assert_true(visitor_count(&v, day, "ask", NULL));    /* another page */
	assert_false(visitor_count(&v, day, "demo", "wx"));
	assert_true(visitor_count(&v, day + 1, "demo", "wx")); /* the next day counts again... */
	assert_int_equal(v.nmarks, 1);                          /* ...and forgets the day before */
	assert_true(visitor_count(&v, day + 1, "demo", NULL));
}

static void
visitor_should_survive_its_own_cookie(void **state)
{
	struct visitor v, back;
	char value[VISITOR_VALUE_MAX];

	visitor_init(&v, ID);
	visitor_format(&v, value);
	assert_string_equal(value, ID); /* nothing counted yet: the id alone */
	visitor_count(&v, 19724, "demo", "wx");
	visitor_count(&v, 19724, "ask", NULL);
	visitor_format(&v, value);
	assert_int_equal(strlen(value), 32 + 1 + 5 + 2 * 9);
	assert_true(visitor_parse(value, &back));
	assert_string_equal(back.id, ID);
	assert_false(visitor_count(&back, 19724, "demo", "wx"));
	assert_false(visitor_count(&back, 19724, "ask", NULL));
	assert_true(visitor_count(&back, 19724, "demo", NULL));
}

static void
visitor_should_keep_the_newest_marks_when_full(void **state)
{
	struct visitor v, back;
	char value[VISITOR_VALUE_MAX], slug[8];

	visitor_init(&v, ID);
	for (int i = 0; i < VISITOR_MAX_MARKS + 3; i++) {
		slug[0] = 'p';
		slug[1] = (char)('a' + i);
		slug[2] = '\0';
		assert_true(visitor_count(&v, 5, slug, NULL));
	}
	assert_int_equal(v.nmarks, VISITOR_MAX_MARKS);
	visitor_format(&v, value);
	assert_true(strlen(value) < VISITOR_VALUE_MAX);
	assert_true(visitor_parse(value, &back));
	assert_int_equal(back.nmarks, VISITOR_MAX_MARKS);
	assert_false(visitor_count(&back, 5, "ps", NULL)); /* the newest is kept */
	assert_true(visitor_count(&back, 5, "pa", NULL));  /* the oldest went */
}

static void
visitor_parse_should_take_only_its_own_shape(void **state)
{
	static const char *const foreign[] = {
		NULL, "", "0123456789abcdef", ID "0", "0123456789ABCDEF0123456789abcdef",
		"0123456789abcdef0123456789abcdeg", ID ";x", " " ID,
	};
	/* an id with a damaged tail: the id stays, the marks go (counted again, never wrongly not) */
	static const char *const damaged[] = {
		ID ".", ID ".x", ID ".0.00000001", ID ".19724.", ID ".19724.0000001", ID ".19724.0000000g",
		ID ".19724.00000001x", ID ".12345678901.00000001",
		ID ".1.00000001.00000002.00000003.00000004.00000005.00000006.00000007.00000008.00000009"
		   ".0000000a.0000000b.0000000c.0000000d.0000000e.0000000f.00000010.00000011",
	};
	struct visitor v;

	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		assert_false(visitor_parse(foreign[i], &v));
		assert_string_equal(v.id, "");
	}
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		assert_true(visitor_parse(damaged[i], &v));
		assert_string_equal(v.id, ID);
		assert_int_equal(v.nmarks, 0);
	}
	assert_true(visitor_parse(ID, &v));
	assert_int_equal(v.nmarks, 0);
	assert_true(visitor_parse(ID ".19724.00000001.ffffffff", &v));
	assert_int_equal(v.day, 19724);
	assert_int_equal(v.nmarks, 2);
	assert_int_equal(v.marks[1], 0xffffffffu);
}

static void
visitor_day_should_follow_the_zone(void **state)
{
	/* 2024-01-01 16:30 UTC is 2024-01-02 00:30 in Shanghai */
	assert_int_equal(visitor_day(1704126600, 0), 19723);
	assert_int_equal(visitor_day(1704126600, SHANGHAI), 19724);
	assert_int_equal(visitor_day(1704124799, SHANGHAI), 19723); /* 23:59:59 */
	assert_int_equal(visitor_day(1704124800, SHANGHAI), 19724); /* 00:00:00 */
	assert_int_equal(visitor_day(0, -3600), -1);                /* before 1970 in the west */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(visitor_should_count_each_page_and_channel_once_a_day),
		cmocka_unit_test(visitor_should_survive_its_own_cookie),
		cmocka_unit_test(visitor_should_keep_the_newest_marks_when_full),
		cmocka_unit_test(visitor_parse_should_take_only_its_own_shape),
		cmocka_unit_test(visitor_day_should_follow_the_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
