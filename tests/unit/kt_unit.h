/* kt_unit: the main of every unit test program — KT_UNIT_MAIN(SETUP, TEARDOWN, TESTS…) runs
 * the cmocka tests TESTS… as one group, SETUP and TEARDOWN (NULL: none) around it. Include it
 * after <cmocka.h>. */
#ifndef KT_UNIT_H
#define KT_UNIT_H

#define KT_UNIT_MAIN(setup, teardown, ...) \
	int main(void) \
	{ \
		const struct CMUnitTest tests[] = {__VA_ARGS__}; \
		return cmocka_run_group_tests(tests, setup, teardown); \
	}

#endif
