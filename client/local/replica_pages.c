/* replica_pages: a new replica's pages made 16 KiB, and its first fill written once. With
 * SQLite's 4 KiB default a fill writes four times as many pages to the write-ahead log, and
 * reads and writes them again at each checkpoint: the kernel's work per page was 41 % of the
 * client's CPU in a region's fill (docs/performance.md, "The client's apply: 16 KiB pages at
 * the first fill").
 * A file's page size changes only when the file is rebuilt (VACUUM) out of WAL mode, and
 * leaving WAL mode needs the file to itself: so it is done while the replica holds no rows (a
 * rebuild of a few pages), at once or not at all — refused when another connection (another
 * karta) has the replica open, skipped on a disk with little room (an empty schema of 16 KiB
 * pages takes four times the room). A crash at any step loses nothing: VACUUM is one
 * transaction of the rollback journal, and every open puts the file back in WAL mode.
 * A replica file that does not exist yet is made with 16 KiB pages from the start (the same
 * room test): its first fill then needs no rebuild — the journal mode switches, the VACUUM
 * and their dozen fsyncs were 50–130 ms of a region's first sync.
 * A first fill is written in rollback-journal mode (TRUNCATE) when no other connection has the
 * replica open (the same refusal at once) and its disk has room (2 GiB), WAL mode again at its
 * end: in WAL mode every page
 * went to the log and, at the close's checkpoint, once more into the file — 37 MB copied and
 * synced after the last page of a region's fill (100–185 ms). The fill's commits then sync
 * the journal and the file (synchronous FULL: a crash or a power cut loses at most the pages
 * not yet committed, with their cursors); a karta that opens the replica meanwhile waits for
 * the commit under way and puts it back in WAL mode, and the fill goes on in it. */
#include "replica_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kt_i18n.h"

#define FILL_PAGE_SIZE 16384
/* Below this much free room on the state dir's disk the pages stay as they are. */
#define MIN_ROOM_BYTES (64LL << 20)
/* Below this much a first fill stays in WAL mode: a disk that fills up during a rollback-journal
 * commit leaves a hot journal that needs room to be played back (the replica cannot be read until
 * there is room again), where the WAL leaves the file readable (t_fault_disk). 2 GiB is three
 * times a replica of the whole federal package. */
#define MIN_ROLLBACK_ROOM_BYTES (2LL << 30)

/* Test hook: KARTA_TEST_HANG_IN_PAGE_SWITCH=STEP — 1 out of WAL mode, 2 inside the VACUUM,
 * 3 after it and before WAL mode again — says so on stderr and waits until killed
 * (tests/integration/t_replica_pages.sh). */
static void hang(int step)
{
	const char *s = getenv("KARTA_TEST_HANG_IN_PAGE_SWITCH");
	if (!s || atoi(s) != step)
		return;
	fprintf(stderr, _("karta: test hook: page size switch at step %d, waiting to be killed\n"), step);
	for (;;)
		pause();
}

static int hang_in_vacuum(void *arg)
{
	(void)arg;
	hang(2);
	return 0;
}

/* Whether the last error on r is another connection's lock. */
static bool busy(struct replica *r)
{
	int ec = sqlite3_extended_errcode(r->db) & 0xff;
	return ec == SQLITE_BUSY || ec == SQLITE_LOCKED;
}

/* The journal mode, lower case ("wal", "delete"), into buf; 0 or -1. */
static int journal_mode(struct replica *r, char *buf, size_t n)
{
	sqlite3_stmt *s = rp_prepare(r, "PRAGMA journal_mode");
	if (!s)
		return -1;
	int rc = rp_step(r, s);
	snprintf(buf, n, "%s", rc == 1 ? rp_col_text(s, 0) : "");
	rp_finalize(s);
	return rc == 1 ? 0 : -1;
}

/* Out of WAL mode, the page size set, the file rebuilt, WAL mode again. REPLICA_PAGES_SWITCHED,
 * _BUSY or _ROOM; -1 when the rebuild failed otherwise (error set; WAL mode again either way). */
static int switch_pages(struct replica *r)
{
	char mode[16] = "";
	/* another karta's lock is a refusal at once, not something to wait for */
	sqlite3_busy_timeout(r->db, 0);
	int rc = rp_exec(r, "PRAGMA journal_mode = DELETE", "replica: cannot leave WAL mode");
	if (rc == 0)
		rc = journal_mode(r, mode, sizeof mode);
	if (rc == 0 && strcmp(mode, "delete") != 0)
		rc = rp_fail(r, "replica: cannot leave WAL mode (%s)", mode);
	if (rc != 0) {
		sqlite3_busy_timeout(r->db, RP_BUSY_TIMEOUT_MS);
		return busy(r) || strcmp(mode, "wal") == 0 ? REPLICA_PAGES_BUSY : -1;
	}
	hang(1);
	if (getenv("KARTA_TEST_HANG_IN_PAGE_SWITCH"))
		sqlite3_progress_handler(r->db, 100, hang_in_vacuum, NULL);
	int out = REPLICA_PAGES_SWITCHED;
	if (rp_exec(r, "PRAGMA page_size = 16384; VACUUM", "replica: cannot rebuild the file"))
		out = busy(r) ? REPLICA_PAGES_BUSY : rp_disk_full(r) ? REPLICA_PAGES_ROOM : -1;
	sqlite3_progress_handler(r->db, 0, NULL, NULL);
	hang(3);
	sqlite3_busy_timeout(r->db, RP_BUSY_TIMEOUT_MS);
	char keep[sizeof r->err];
	memcpy(keep, r->err, sizeof keep);
	if (rp_exec(r, "PRAGMA journal_mode = WAL", "replica: cannot return to WAL mode"))
		return -1;
	if (out < 0)
		memcpy(r->err, keep, sizeof keep);
	return out;
}

/* Whether the state dir's disk has at least need bytes free (or cannot say). */
static bool room_for(const struct replica *r, long long need)
{
	struct statvfs fs;
	return !(statvfs(r->dir, &fs) == 0 && (long long)fs.f_bavail * (long long)fs.f_frsize < need);
}

/* Whether the state dir's disk has room for 16 KiB pages. */
static bool room(const struct replica *r)
{
	return room_for(r, MIN_ROOM_BYTES);
}

int rp_fill_journal(struct replica *r, bool rollback)
{
	if (!rollback) {
		if (!r->rollback_fill)
			return 0;
		r->rollback_fill = false;
		/* another karta may have done it already; if it cannot be done now, the next open does */
		if (rp_exec(r, "PRAGMA journal_mode = WAL", "replica: cannot return to WAL mode"))
			return rp_disk_full(r) ? -1 : 0;
		return 0;
	}
	if (!room_for(r, MIN_ROLLBACK_ROOM_BYTES))
		return 0;
	char mode[16] = "";
	sqlite3_busy_timeout(r->db, 0);
	int rc = rp_exec(r, "PRAGMA journal_mode = TRUNCATE", "replica: cannot leave WAL mode");
	sqlite3_busy_timeout(r->db, RP_BUSY_TIMEOUT_MS);
	if (rc == 0 && journal_mode(r, mode, sizeof mode) != 0)
		return -1;
	if (rc == 0 && strcmp(mode, "truncate") == 0) {
		r->rollback_fill = true;
		return 0;
	}
	/* refused (another connection has it open): filled in WAL mode */
	return rc != 0 && !busy(r) ? -1 : 0;
}

int rp_pages_new(struct replica *r)
{
	return room(r) ? rp_exec(r, "PRAGMA page_size = 16384", "replica: cannot set the page size") : 0;
}

int replica_pages_fill(struct replica *r)
{
	long size = rp_count(r, "PRAGMA page_size");
	long rows = size < 0 ? -1 : rp_count(r, "SELECT EXISTS (SELECT 1 FROM row)");
	if (rows < 0)
		return -1;
	if (rows > 0 || size >= FILL_PAGE_SIZE)
		return REPLICA_PAGES_KEPT;
	if (!room(r))
		return REPLICA_PAGES_ROOM;
	int out = switch_pages(r);
	if (out != REPLICA_PAGES_SWITCHED)
		return out;
	/* another karta that opened the replica between the steps put it back in WAL mode before
	 * the rebuild: it kept its pages */
	size = rp_count(r, "PRAGMA page_size");
	return size < 0 ? -1 : size >= FILL_PAGE_SIZE ? REPLICA_PAGES_SWITCHED : REPLICA_PAGES_BUSY;
}
