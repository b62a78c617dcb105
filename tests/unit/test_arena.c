/* The per-request arena and the buffer built on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

static void
arena_should_align_zero_and_survive_large_allocations(void **state)
{
	struct arena a;
	char *small, *big;

	arena_init(&a, 1024);
	small = arena_alloc(&a, 3);
	assert_int_equal((uintptr_t)small % _Alignof(max_align_t), 0);
	big = arena_alloc(&a, 100000);
	for (size_t i = 0; i < 100000; i++)
		assert_int_equal(big[i], 0);
	memset(big, 'x', 100000);
	small = arena_alloc(&a, 10);
	assert_int_equal(small[0], 0);
	arena_reset(&a);
	assert_int_equal(a.used_total, 0);
	small = arena_alloc(&a, 10);
	assert_non_null(small);
	arena_free(&a);
}

static void
arena_printf_and_strndup_should_copy(void **state)
{
	struct arena a;

	arena_init(&a, 0);
	assert_string_equal(arena_printf(&a, "%s-%d", "req", 42), "req-42");
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
}

static void
buf_should_grow_and_stay_terminated(void **state)
{
	struct arena a;
	struct buf b;

	arena_init(&a, 0);
	buf_init(&b, &a, 4);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	buf_adds(&b, "汉字");
	assert_string_equal(b.data, "汉字");
	arena_free(&a);
}

static void
buf_json_string_should_escape_only_what_json_needs(void **state)
{
	struct arena a;
	struct buf b;

	arena_init(&a, 0);
	buf_init(&b, &a, 4);
	buf_json_string(&b, "a\"b\\c\nd\te\x01\x7f 汉字😀 <script>");
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f 汉字😀 <script>\"");
	buf_reset(&b);
	buf_json_string(&b, "");
	assert_string_equal(b.data, "\"\"");
	arena_free(&a);
}

/* Records each cleanup's argument in order, so the test sees which ran and when. */
static char ran[8];

static void
note_run(void *p)
{
	size_t n = strlen(ran);

	ran[n] = *(const char *)p;
	ran[n + 1] = '\0';
}

static void
arena_defer_should_run_newest_first_at_reset_and_once(void **state)
{
	struct arena a;
	static const char x = 'x', y = 'y', z = 'z';

	(void)state;
	ran[0] = '\0';
	arena_init(&a, 256);
	arena_defer(&a, note_run, (void *)&x);
	(void)arena_alloc(&a, 1000); /* a block of its own: the records must survive it */
	arena_defer(&a, note_run, (void *)&y);
	assert_string_equal(ran, "");
	arena_reset(&a);
	assert_string_equal(ran, "yx");
	arena_reset(&a);
	assert_string_equal(ran, "yx");
	arena_defer(&a, note_run, (void *)&z);
	arena_free(&a);
	assert_string_equal(ran, "yxz");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_should_align_zero_and_survive_large_allocations),
		cmocka_unit_test(arena_printf_and_strndup_should_copy),
		cmocka_unit_test(buf_should_grow_and_stay_terminated),
		cmocka_unit_test(buf_json_string_should_escape_only_what_json_needs),
		cmocka_unit_test(arena_defer_should_run_newest_first_at_reset_and_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
