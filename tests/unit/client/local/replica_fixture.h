/* replica_fixture: a throwaway replica in a fresh /tmp directory for the unit tests that
 * read one (cmocka setup/teardown: *state is a struct replica_fixture), and synced rows
 * written straight into it (replica_fixture_put). Header-only; include it after cmocka.h. */
#ifndef KT_REPLICA_FIXTURE_H
#define KT_REPLICA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "replica_int.h"

struct replica_fixture {
	char dir[64];
	struct replica *r;
};

static inline int replica_fixture_setup(void **state)
{
	struct replica_fixture *f = calloc(1, sizeof *f);
	char err[256] = "out of memory";
	if (f)
		snprintf(f->dir, sizeof f->dir, "/tmp/kt_replica_test_XXXXXX");
	if (!f || !mkdtemp(f->dir) || replica_open(f->dir, &f->r, err, sizeof err) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int replica_fixture_teardown(void **state)
{
	struct replica_fixture *f = *state;
	replica_close(f->r);
	static const char *const files[] = {"replica.db", "replica.db-wal", "replica.db-shm"};
	char path[128];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A synced row (version 1, op insert, seq 1) written straight into the table: the pull path
 * is replica_apply's. plan_id may be NULL. */
static inline void replica_fixture_put(struct replica *r, const char *type, const char *id,
	const char *feed, const char *plan_id, const char *payload)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(r->db,
		"INSERT INTO row(entity_type, entity_id, feed, seq, row_version, op, payload, plan_id)"
		" VALUES (?1, ?2, ?3, 1, 1, 'insert', ?4, ?5)", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, plan_id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

#endif
