/* replica_apply and replica_pages over a throwaway replica:
 *  - a pulled row's plan is its payload's top-level "plan_id", found without SQLite's JSON
 *    parser where that is sure (a string without escapes) and by it otherwise: a "plan_id"
 *    nested deeper, inside a string, or as a string value is not taken; always the same as
 *    json_extract(payload, '$.plan_id');
 *  - a replica without rows is rebuilt with 16 KiB pages, whatever it holds kept; a second
 *    call, a replica with rows, and one another connection has open are left as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "replica_fixture.h"
#include "replica_int.h"

static const struct {
	const char *payload;
	const char *plan; /* NULL: none */
} cases[] = {
	{"{\"id\": \"i1\", \"plan_id\": \"p1\", \"title\": \"a\"}", "p1"},
	{"{\"a\": {\"plan_id\": \"wrong\"}, \"plan_id\": \"p2\"}", "p2"},
	{"{\"a\": \"plan_id\", \"plan_id\": \"p3\"}", "p3"},
	{"{\"t\": \"x\\\"plan_id\\\": \\\"wrong\", \"plan_id\": \"p4\"}", "p4"},
	{"{\"plan_id\": null, \"z\": 1}", NULL},
	{"{\"id\": \"i6\"}", NULL},
	{"{\"plan_id\": \"p\\u0037\"}", "p7"}, /* escaped: json_extract reads it */
	{"{\"l\": [{\"plan_id\": \"wrong\"}, [\"plan_id\"]], \"plan_id\" :  \"p8\"}", "p8"},
	{"{\"t\": \"a\\\\\", \"plan_id\": \"p9\"}", "p9"},
	{"{\"plan_id\": {\"x\": \"y\"}}", "{\"x\":\"y\"}"}, /* as json_extract has it */
	{"{\"title\": \"Мероприятие «plan_id»\", \"plan_id\": \"p11\"}", "p11"},
	{"{\"a\": [1, {\"b\": \"}\"}], \"c\": \"\\\\\"} ", NULL}, /* sure: none */
	{"  {\"plan_id\": \"p13\"}\n", "p13"},
	{"{}", NULL},
	/* as the server stores a payload since sql/0030 (to_json of the row: no spaces, columns
	 * in the table's order, a jsonb column's own text nested) */
	{"{\"id\":\"i15\",\"deadline\":{\"plan_id\": \"wrong\"},\"plan_id\":\"p15\"}", "p15"},
	{"{\"id\":\"i16\",\"plan_id\":\"p16\",\"targets\":[{\"k\": 1}]}", "p16"},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void test_plan_of_row(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	Karta__Change c[NCASES], *cp[NCASES];
	char ids[NCASES][8];
	for (size_t i = 0; i < NCASES; i++) {
		karta__change__init(&c[i]);
		snprintf(ids[i], sizeof ids[i], "e%zu", i);
		c[i].feed = "reg";
		c[i].seq = (int64_t)i + 1;
		c[i].entity_type = "plan_item";
		c[i].entity_id = ids[i];
		c[i].op = "insert";
		c[i].row_version = 1;
		c[i].payload = (char *)cases[i].payload;
		cp[i] = &c[i];
	}
	Karta__ChangePage pg = KARTA__CHANGE_PAGE__INIT;
	pg.changes = cp;
	pg.n_changes = NCASES;
	assert_int_equal(replica_apply_page(r, &pg, NULL), 0);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(r->db, "SELECT plan_id, json_extract(payload, '$.plan_id')"
		" FROM row WHERE entity_id = ?1", -1, &s, NULL), SQLITE_OK);
	for (size_t i = 0; i < NCASES; i++) {
		sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		const char *got = (const char *)sqlite3_column_text(s, 0);
		const char *json = (const char *)sqlite3_column_text(s, 1);
		if (!cases[i].plan) {
			assert_null(got);
			assert_null(json);
		} else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].plan);
			assert_string_equal(json, cases[i].plan);
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

/* A replica opened on a file of 4 KiB pages with nothing in it yet (as an earlier karta made
 * it): replica_open keeps its pages, replica_pages_fill has to rebuild it. */
static int old_file_setup(void **state)
{
	struct replica_fixture *f = calloc(1, sizeof *f);
	char err[256] = "out of memory", path[160];
	sqlite3 *db = NULL;
	if (f)
		snprintf(f->dir, sizeof f->dir, "/tmp/kt_replica_test_XXXXXX");
	if (!f || !mkdtemp(f->dir))
		goto fail;
	snprintf(path, sizeof path, "%s/replica.db", f->dir);
	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, "PRAGMA page_size = 4096;"
		" CREATE TABLE t(a); DROP TABLE t", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_close(db);
	db = NULL;
	if (replica_open(f->dir, &f->r, err, sizeof err) != 0)
		goto fail;
	*state = f;
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", err);
	sqlite3_close(db);
	free(f);
	return -1;
}

static void test_pages_new_file(void **state)
{
	/* a replica file made by replica_open has 16 KiB pages from the start (room on /tmp) */
	struct replica *r = ((struct replica_fixture *)*state)->r;
	assert_int_equal(rp_count(r, "PRAGMA page_size"), 16384);
	assert_int_equal(replica_pages_fill(r), REPLICA_PAGES_KEPT);
}

static void test_pages_switch(void **state)
{
	struct replica_fixture *f = *state;
	struct replica *r = f->r;
	assert_int_equal(rp_count(r, "PRAGMA page_size"), 4096);
	assert_int_equal(replica_meta_set(r, "device", "d1"), 0);
	/* another connection that has read the replica refuses the switch at once */
	char path[128];
	snprintf(path, sizeof path, "%s/replica.db", f->dir);
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM meta", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(replica_pages_fill(r), REPLICA_PAGES_BUSY);
	assert_int_equal(rp_count(r, "PRAGMA page_size"), 4096);
	sqlite3_close(other);
	/* alone: switched, in WAL mode, the meta kept */
	assert_int_equal(replica_pages_fill(r), REPLICA_PAGES_SWITCHED);
	assert_int_equal(rp_count(r, "PRAGMA page_size"), 16384);
	assert_int_equal(rp_count(r, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	char dev[16];
	assert_int_equal(replica_meta_get(r, "device", dev, sizeof dev), 0);
	assert_string_equal(dev, "d1");
	assert_int_equal(replica_pages_fill(r), REPLICA_PAGES_KEPT);
}

static void test_pages_kept_with_rows(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	replica_fixture_put(r, "plan", "p1", "reg", "p1", "{}");
	assert_int_equal(replica_pages_fill(r), REPLICA_PAGES_KEPT);
	assert_int_equal(rp_count(r, "PRAGMA page_size"), 4096);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_plan_of_row, replica_fixture_setup,
		replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_pages_new_file, replica_fixture_setup,
		replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_pages_switch, old_file_setup, replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_pages_kept_with_rows, old_file_setup,
		replica_fixture_teardown))
