/* kt_counts: add/remove, growth, and removal under collisions checked against a plain
 * array model (random operations on a small key space force long probe chains). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_counts.h"

static void test_basic(void **state)
{
	struct kt_counts m = {0};
	assert_int_equal(kt_counts_get(&m, 7), 0);
	assert_int_equal(kt_counts_add(&m, 7, 1), 1);
	assert_int_equal(kt_counts_add(&m, 7, 1), 2);
	assert_int_equal(kt_counts_add(&m, 8, 1), 1);
	assert_int_equal(kt_counts_add(&m, 7, -1), 1);
	assert_int_equal(kt_counts_add(&m, 7, -1), 0);
	assert_int_equal(kt_counts_get(&m, 7), 0);
	assert_int_equal(kt_counts_get(&m, 8), 1);
	assert_int_equal(m.used, 1);
	/* Removing what is absent changes nothing. */
	assert_int_equal(kt_counts_add(&m, 9, -1), 0);
	assert_int_equal(m.used, 1);
	kt_counts_release(&m);
	assert_int_equal(kt_counts_get(&m, 8), 0);
}

static void test_against_model(void **state)
{
	enum { KEYS = 3000, STEPS = 200000 };
	static long model[KEYS];
	struct kt_counts m = {0};
	srand(16);
	size_t live = 0;
	for (int s = 0; s < STEPS; s++) {
		uint64_t k = (uint64_t)(rand() % KEYS);
		/* Grow more often than shrink early, then drain: the map empties completely. */
		long d = (s < STEPS / 2 ? rand() % 3 != 0 : rand() % 3 == 0) ? 1 : -1;
		long want = model[k] + d < 0 ? 0 : model[k] + d;
		if (model[k] == 0 && want > 0)
			live++;
		if (model[k] > 0 && want == 0)
			live--;
		model[k] = want;
		assert_int_equal(kt_counts_add(&m, k * 0x100000000ULL, d), want);
		assert_int_equal(m.used, live);
	}
	for (uint64_t k = 0; k < KEYS; k++)
		assert_int_equal(kt_counts_get(&m, k * 0x100000000ULL), model[k]);
	for (uint64_t k = 0; k < KEYS; k++)
		if (model[k])
			assert_int_equal(kt_counts_add(&m, k * 0x100000000ULL, -model[k]), 0);
	assert_int_equal(m.used, 0);
	kt_counts_release(&m);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_basic),
	cmocka_unit_test(test_against_model))
