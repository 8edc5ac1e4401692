/* kt_grow: the array keeps its elements while it doubles from its first size, stays as it
 * is while there is room, and is left whole (capacity unchanged) when the size overflows;
 * kt_grow_to the same for many elements at once (doubled as often as needed, one realloc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_grow.h"

static void test_doubles_and_keeps(void **state)
{
	(void)state;
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 1000; i++) {
		size_t before = cap;
		int *g = kt_grow(v, &cap, n, sizeof *g, 4);
		assert_non_null(g);
		if (n < before)
			assert_ptr_equal(g, v); /* room left: the same array */
		v = g;
		assert_true(cap > n);
		assert_true(cap == 4 || cap == before || cap == before * 2);
		v[n++] = i;
	}
	assert_int_equal(cap, 1024);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	free(v);
}

static void test_overflow_refused(void **state)
{
	(void)state;
	char *v = malloc(8);
	assert_non_null(v);
	size_t cap = SIZE_MAX / 2 + 1, n = cap;
	assert_null(kt_grow(v, &cap, n, 1, 8)); /* twice the capacity does not fit a size_t */
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	cap = SIZE_MAX / 16;
	assert_null(kt_grow(v, &cap, cap, 64, 8)); /* nor does the byte count */
	assert_int_equal(cap, SIZE_MAX / 16);
	free(v);
}

static void test_grow_to(void **state)
{
	(void)state;
	char *v = NULL;
	size_t cap = 0;
	char *g = kt_grow_to(v, &cap, 10, 1, 64);
	assert_non_null(g);
	assert_int_equal(cap, 64); /* the first size holds it */
	g[9] = 'x';
	v = g;
	assert_ptr_equal(kt_grow_to(v, &cap, 64, 1, 64), v); /* room: the same buffer */
	g = kt_grow_to(v, &cap, 1000, 1, 64);
	assert_non_null(g);
	assert_int_equal(cap, 1024); /* 64 doubled four times, at once */
	assert_int_equal(g[9], 'x');
	v = g;
	assert_null(kt_grow_to(v, &cap, SIZE_MAX, 1, 64)); /* more than a size_t holds */
	assert_null(kt_grow_to(v, &cap, SIZE_MAX / 4, 8, 64)); /* the byte count overflows */
	assert_int_equal(cap, 1024);
	free(v);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_doubles_and_keeps),
	cmocka_unit_test(test_overflow_refused),
	cmocka_unit_test(test_grow_to))
