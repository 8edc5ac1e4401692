/* replica_fixture: a throwaway replica in a fresh /tmp directory for the unit tests that
 * read one (cmocka setup/teardown: *state is a struct replica_fixture). Header-only. */
#ifndef KT_REPLICA_FIXTURE_H
#define KT_REPLICA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "replica.h"

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

#endif
