/* libFuzzer: a hostile server's ChangePages and SnapshotPages applied to a real replica
 * (client/local/replica_apply.c), as sync.c applies them. Input:
 *  - first byte 1 or 2: the rest is one packed ChangePage (1) or SnapshotPage (2);
 *  - otherwise lines of '|'-separated fields, built into messages here so the fuzzer
 *    reaches the apply logic with hostile values rather than bad encodings:
 *      c|feed|seq|type|id|op|version|payload   a change (or snapshot row) for the next call
 *      f|feed|epoch|seq|action|scope|last_seq  a feed state for the next page
 *      P                                       apply the page so far
 *      B|feed|epoch|seq  A|feed  E|feed        snapshot begin, apply the rows so far, end
 * A call that fails leaves the replica exactly as it was (its dump unchanged); one that
 * succeeds leaves it readable (cursors, dump); a snapshot that ended leaves its feed out of
 * resync. The replica (on /dev/shm) is opened once and emptied before each input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "karta.pb-c.h"
#include "replica_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct replica *rep;
static char dir[] = "/dev/shm/fuzz_replica.XXXXXX";

static void cleanup(void)
{
	char p[sizeof dir + 16];
	replica_close(rep);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/replica.db%s", dir, (const char *[]){"", "-wal", "-shm"}[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void open_once(void)
{
	if (rep)
		return;
	char err[256];
	char *d = mkdtemp(dir);
	if (!d) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_replica.XXXXXX"); /* no /dev/shm */
		d = mkdtemp(dir);
	}
	if (d)
		atexit(cleanup);
	if (!d || replica_open(d, &rep, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_replica_page: cannot open a replica: %s\n", d ? err : "mkdtemp");
		abort();
	}
	/* a scratch replica: durability (an fsync per commit) and a 16 MiB page cache (ASan
	 * fills each allocation) would only slow the fuzzer down */
	if (sqlite3_exec(rep->db, "PRAGMA synchronous = OFF; PRAGMA cache_size = 64", NULL, NULL,
		NULL) != SQLITE_OK)
		abort();
}

/* The whole replica as text (malloc'd), to compare before and after a call. */
static char *dump(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	if (replica_dump(rep, f) != 0)
		__builtin_trap(); /* a replica stays readable */
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(rep->db, "SELECT code, epoch, seq, resync, snap_gen FROM feed ORDER BY code",
		    -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			fprintf(f, "%s %lld %lld %d %lld\n", sqlite3_column_text(s, 0),
				sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
				sqlite3_column_int(s, 3), sqlite3_column_int64(s, 4));
		sqlite3_finalize(s);
	}
	fclose(f);
	return buf;
}

/* rc < 0 must have changed nothing. */
static void after(long rc, char *before)
{
	char *now = dump();
	if (rc < 0 && strcmp(before, now) != 0)
		__builtin_trap(); /* a failed call wrote something */
	free(before);
	free(now);
	Karta__FeedCursor **cur;
	size_t n;
	if (replica_cursors(rep, &cur, &n) != 0)
		__builtin_trap();
	replica_cursors_free(cur, n);
}

static void apply_page(const Karta__ChangePage *pg)
{
	char *before = dump();
	struct replica_stats st = {0};
	after(replica_apply_page(rep, pg, &st), before);
}

static void snapshot_end(const char *feed)
{
	char *before = dump();
	long rc = replica_snapshot_end(rep, feed);
	after(rc, before);
	if (rc >= 0) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(rep->db, "SELECT resync FROM feed WHERE code = ?1", -1, &s,
			    NULL) != SQLITE_OK)
			abort();
		sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) != 0)
			__builtin_trap(); /* an ended snapshot leaves its feed out of resync */
		sqlite3_finalize(s);
	}
}

static void raw(uint8_t kind, const uint8_t *p, size_t n)
{
	if (kind == 1) {
		Karta__ChangePage *pg = karta__change_page__unpack(NULL, n, p);
		if (pg)
			apply_page(pg);
		karta__change_page__free_unpacked(pg, NULL);
		return;
	}
	Karta__SnapshotPage *pg = karta__snapshot_page__unpack(NULL, n, p);
	if (!pg)
		return;
	const char *feed = pg->feed && *pg->feed->feed ? pg->feed->feed : "f";
	char *before = dump();
	after(pg->feed ? replica_snapshot_begin(rep, pg->feed) : 0, before);
	before = dump();
	struct replica_stats st = {0};
	after(replica_snapshot_apply(rep, feed, (const Karta__Change *const *)pg->rows, pg->n_rows,
		      &st), before);
	snapshot_end(feed);
	karta__snapshot_page__free_unpacked(pg, NULL);
}

/* A ChangePage of the changes and feed states built from the text, applied. */
static void apply_built(Karta__Change **chp, size_t nc, Karta__FeedState **fsp, size_t nf)
{
	Karta__ChangePage pg = KARTA__CHANGE_PAGE__INIT;
	pg.changes = chp;
	pg.n_changes = nc;
	pg.feeds = fsp;
	pg.n_feeds = nf;
	apply_page(&pg);
}

#define MAXN 64

static int64_t num(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static void text(char *buf)
{
	Karta__Change ch[MAXN], *chp[MAXN];
	Karta__FeedState fs[MAXN], *fsp[MAXN];
	size_t nc = 0, nf = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *f[8] = {0};
		int k = 0;
		for (char *p = line; p && k < 8; k++) {
			f[k] = p;
			p = strchr(p, '|');
			if (p)
				*p++ = '\0';
		}
		const char *s1 = f[1] ? f[1] : "";
		switch (f[0][0]) {
		case 'c':
			if (nc == MAXN)
				break;
			karta__change__init(&ch[nc]);
			ch[nc].feed = (char *)s1;
			ch[nc].seq = num(f[2]);
			ch[nc].entity_type = f[3] ? f[3] : "";
			ch[nc].entity_id = f[4] ? f[4] : "";
			ch[nc].op = f[5] ? f[5] : "";
			ch[nc].row_version = num(f[6]);
			ch[nc].payload = f[7] ? f[7] : "";
			chp[nc] = &ch[nc];
			nc++;
			break;
		case 'f':
		case 'B':
			if (nf == MAXN)
				break;
			karta__feed_state__init(&fs[nf]);
			fs[nf].feed = (char *)s1;
			fs[nf].epoch = (uint32_t)num(f[2]);
			fs[nf].seq = num(f[3]);
			fs[nf].action = (Karta__FeedAction)(num(f[4]) & 3);
			fs[nf].scope = f[5] ? f[5] : "";
			fs[nf].last_seq = num(f[6]);
			if (f[0][0] == 'B') {
				char *before = dump();
				after(replica_snapshot_begin(rep, &fs[nf]), before);
			} else {
				fsp[nf] = &fs[nf];
				nf++;
			}
			break;
		case 'P':
			apply_built(chp, nc, fsp, nf);
			nc = nf = 0;
			break;
		case 'A': {
			char *before = dump();
			struct replica_stats st = {0};
			after(replica_snapshot_apply(rep, s1, (const Karta__Change *const *)chp, nc, &st),
				before);
			nc = 0;
			break;
		}
		case 'E':
			snapshot_end(s1);
			break;
		default:
			break;
		}
	}
	if (nc || nf)
		apply_built(chp, nc, fsp, nf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	open_once();
	if (size == 0 || size > 16384)
		return 0;
	if (sqlite3_exec(rep->db, "DELETE FROM row; DELETE FROM feed", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	if (data[0] == 1 || data[0] == 2) {
		raw(data[0], data + 1, size - 1);
		return 0;
	}
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	text(buf);
	free(buf);
	return 0;
}
