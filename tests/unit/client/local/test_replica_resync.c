/* replica_apply, resync rules (issue 16): a feed marked for resync keeps its cursor in the
 * Pull (the server answers resync again, never a replay from 0); FEED_OK does not clear the
 * mark; only a snapshot that completes does, dropping the rows it did not see — also when an
 * earlier snapshot of the feed was cut short. Over a throwaway replica. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "replica_fixture.h"
#include "replica_int.h"

#define ID_A "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c0001"
#define ID_B "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c0002"
#define ID_C "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c0003"

static Karta__Change change(const char *id, int64_t seq, int64_t ver)
{
	Karta__Change c = KARTA__CHANGE__INIT;
	c.feed = "reg";
	c.seq = seq;
	c.entity_type = "plan";
	c.entity_id = (char *)id;
	c.op = seq ? "insert" : "snapshot";
	c.row_version = ver;
	c.payload = "{}";
	return c;
}

static Karta__FeedState feed(uint32_t epoch, int64_t seq, Karta__FeedAction action)
{
	Karta__FeedState f = KARTA__FEED_STATE__INIT;
	f.feed = "reg";
	f.epoch = epoch;
	f.seq = f.last_seq = seq;
	f.action = action;
	f.scope = "all";
	return f;
}

static void apply(struct replica *r, Karta__Change *c, size_t nc, Karta__FeedState *fs)
{
	Karta__Change *cp[4];
	for (size_t i = 0; i < nc; i++)
		cp[i] = &c[i];
	Karta__FeedState *fp[1] = {fs};
	Karta__ChangePage pg = KARTA__CHANGE_PAGE__INIT;
	pg.changes = cp;
	pg.n_changes = nc;
	pg.feeds = fp;
	pg.n_feeds = 1;
	assert_int_equal(replica_apply_page(r, &pg, NULL), 0);
}

static long count(struct replica *r, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(r->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The cursors offered: the feed (epoch, seq) or none. */
static void cursor(struct replica *r, uint32_t *epoch, int64_t *seq, size_t *n)
{
	Karta__FeedCursor **c;
	assert_int_equal(replica_cursors(r, &c, n), 0);
	if (*n) {
		*epoch = c[0]->epoch;
		*seq = c[0]->seq;
	}
	replica_cursors_free(c, *n);
}

static void test_interrupted_snapshot(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	Karta__Change c[3] = {change(ID_A, 1, 1), change(ID_B, 2, 1), change(ID_C, 3, 1)};
	Karta__FeedState ok = feed(1, 3, KARTA__FEED_ACTION__FEED_OK);
	apply(r, c, 3, &ok);

	/* a rebuild: the server says resync; the feed keeps its old cursor in the Pull */
	Karta__FeedState rs = feed(2, 0, KARTA__FEED_ACTION__FEED_RESYNC);
	apply(r, NULL, 0, &rs);
	uint32_t e = 0;
	int64_t s = 0;
	size_t n = 0;
	cursor(r, &e, &s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(e, 1);
	assert_int_equal(s, 3);

	/* a snapshot starts (ID_B is all it sees) and the client dies before its end */
	Karta__FeedState snap = feed(2, 5, KARTA__FEED_ACTION__FEED_OK);
	assert_int_equal(replica_snapshot_begin(r, &snap), 0);
	Karta__Change row = change(ID_B, 0, 1);
	const Karta__Change *rows[1] = {&row};
	assert_int_equal(replica_snapshot_apply(r, "reg", rows, 1, NULL), 0);

	/* whatever the next Pull answers — even FEED_OK — the mark stays */
	apply(r, NULL, 0, &snap);
	assert_int_equal(count(r, "SELECT resync FROM feed WHERE code = 'reg'"), 1);
	assert_int_equal(count(r, "SELECT count(*) FROM row"), 3);

	/* a new snapshot from its start (it sees A and B), then its end: C is gone */
	assert_int_equal(replica_snapshot_begin(r, &snap), 0);
	Karta__Change rows2[2] = {change(ID_A, 0, 1), change(ID_B, 0, 1)};
	const Karta__Change *rp[2] = {&rows2[0], &rows2[1]};
	assert_int_equal(replica_snapshot_apply(r, "reg", rp, 2, NULL), 0);
	assert_int_equal(replica_snapshot_end(r, "reg"), 1);
	assert_int_equal(count(r, "SELECT resync FROM feed WHERE code = 'reg'"), 0);
	assert_int_equal(count(r, "SELECT count(*) FROM row WHERE entity_id = '" ID_C "'"), 0);
	assert_int_equal(count(r, "SELECT count(*) FROM row"), 2);
	cursor(r, &e, &s, &n);
	assert_int_equal(e, 2);
	assert_int_equal(s, 5);
}

/* A snapshot page's state names only the feed, its epoch and seq (h_snapshot): the name,
 * level, parent and scope the Pull gave the feed stay (print forms read a school's level and
 * parent from them; the demo's `feed rebuild school-n1` lost them). */
static void test_snapshot_keeps_description(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	Karta__FeedState ok = feed(1, 0, KARTA__FEED_ACTION__FEED_OK);
	ok.name = "Школа № 1";
	ok.level = KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL;
	ok.parent = "mun1";
	apply(r, NULL, 0, &ok);
	Karta__FeedState bare = KARTA__FEED_STATE__INIT;
	bare.feed = "reg";
	bare.epoch = 2;
	bare.seq = bare.last_seq = 4;
	assert_int_equal(replica_snapshot_begin(r, &bare), 0);
	assert_int_equal(count(r, "SELECT count(*) FROM feed WHERE code = 'reg' AND name = 'Школа № 1'"
		" AND parent = 'mun1' AND scope = 'all' AND level > 0"), 1);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_interrupted_snapshot, replica_fixture_setup,
		replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_snapshot_keeps_description, replica_fixture_setup,
		replica_fixture_teardown))
