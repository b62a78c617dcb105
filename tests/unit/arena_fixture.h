/* A fresh arena per test case, for the unit tests of modules that write into arena buffers:
 * cmocka_unit_test_setup_teardown(name, setup, teardown). */
#ifndef LANDFORM_TEST_ARENA_FIXTURE_H
#define LANDFORM_TEST_ARENA_FIXTURE_H

#include "arena.h"

static struct arena arena;

static int
setup(void **state)
{
	(void)state;
	arena_init(&arena, 4096);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(&arena);
	return 0;
}

#endif
