/* kt_grow: the array keeps its elements while it doubles from its first size, stays as it
 * is while there is room, and is left whole (capacity unchanged) when the size overflows. */
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

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_doubles_and_keeps),
	cmocka_unit_test(test_overflow_refused))
