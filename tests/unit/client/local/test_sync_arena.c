/* sync_arena: a pulled page unpacked into the arena reads the same as one unpacked by malloc;
 * the first page spills beside the buffer, the reset grows it, and the next page of the same
 * size fits in it whole; a reset frees what spilled (ASan: nothing leaks, nothing overlaps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "karta.pb-c.h"
#include "sync_arena.h"

#define NROWS 300

/* A packed ChangePage of NROWS changes with payloads of growing size. */
static uint8_t *packed_page(size_t *len)
{
	static Karta__Change c[NROWS];
	static Karta__Change *cp[NROWS];
	static char ids[NROWS][16], payloads[NROWS][400];
	for (size_t i = 0; i < NROWS; i++) {
		karta__change__init(&c[i]);
		snprintf(ids[i], sizeof ids[i], "e%zu", i);
		int n = snprintf(payloads[i], sizeof payloads[i], "{\"plan_id\": \"p%zu\", \"t\": \"", i);
		memset(payloads[i] + n, 'x', i % 300);
		strcpy(payloads[i] + n + i % 300, "\"}");
		c[i].feed = "reg";
		c[i].seq = (int64_t)i + 1;
		c[i].entity_type = "plan_item";
		c[i].entity_id = ids[i];
		c[i].op = "insert";
		c[i].payload = payloads[i];
		cp[i] = &c[i];
	}
	Karta__ChangePage pg = KARTA__CHANGE_PAGE__INIT;
	pg.changes = cp;
	pg.n_changes = NROWS;
	*len = karta__change_page__get_packed_size(&pg);
	uint8_t *buf = malloc(*len);
	assert_non_null(buf);
	karta__change_page__pack(&pg, buf);
	return buf;
}

static void same_page(const Karta__ChangePage *a, const Karta__ChangePage *b)
{
	assert_int_equal(a->n_changes, b->n_changes);
	for (size_t i = 0; i < a->n_changes; i++) {
		assert_string_equal(a->changes[i]->entity_id, b->changes[i]->entity_id);
		assert_string_equal(a->changes[i]->payload, b->changes[i]->payload);
		assert_int_equal(a->changes[i]->seq, b->changes[i]->seq);
	}
}

static void test_pages_in_arena(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = packed_page(&len);
	Karta__ChangePage *ref = karta__change_page__unpack(NULL, len, buf);
	assert_non_null(ref);
	struct sync_arena a;
	sync_arena_init(&a);
	Karta__ChangePage *pg = karta__change_page__unpack(&a.pa, len, buf);
	assert_non_null(pg);
	same_page(ref, pg);
	assert_true(a.spilled > 0); /* the first page: the empty buffer spilled */
	sync_arena_reset(&a);
	assert_true(a.size > 0);
	for (int round = 0; round < 3; round++) {
		pg = karta__change_page__unpack(&a.pa, len, buf);
		assert_non_null(pg);
		same_page(ref, pg);
		assert_int_equal(a.spilled, 0); /* the same size again: in the buffer, whole */
		assert_true(a.used > len);
		sync_arena_reset(&a);
		assert_int_equal(a.used, 0);
	}
	sync_arena_free(&a);
	assert_null(a.buf);
	karta__change_page__free_unpacked(ref, NULL);
	free(buf);
}

KT_UNIT_MAIN(NULL, NULL, cmocka_unit_test(test_pages_in_arena))
