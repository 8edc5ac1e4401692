/* replica: opening the local replica (directory, file modes, pragmas, schema migrations),
 * the statement cache, errors, transactions and the meta table. The schema is here; what
 * uses it is in replica_apply.c (pulls, snapshots), replica_outbox.c, replica_read.c and
 * replica_plans.c. */
#include "replica_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kt_i18n.h"

/* Schema migrations: entry i takes user_version i to i + 1, in one transaction. */
static const char *const migrations[] = {
	/* 1: feeds, rows, outbox, rejected ops. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE feed (code TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
	" level INTEGER NOT NULL DEFAULT 0, parent TEXT NOT NULL DEFAULT '',"
	" epoch INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0,"
	" last_seq INTEGER NOT NULL DEFAULT 0, scope TEXT NOT NULL DEFAULT '',"
	" resync INTEGER NOT NULL DEFAULT 0, snap_epoch INTEGER, snap_seq INTEGER,"
	" snap_gen INTEGER NOT NULL DEFAULT 0);"
	/* plan_id: the plan a row belongs to (its own id for a plan), for per-plan reads. */
	"CREATE TABLE row (entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, feed TEXT NOT NULL,"
	" seq INTEGER NOT NULL, row_version INTEGER NOT NULL, op TEXT NOT NULL,"
	" payload TEXT NOT NULL, plan_id TEXT, snap_gen INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (entity_type, entity_id));"
	"CREATE INDEX row_feed ON row(feed);"
	"CREATE INDEX row_plan ON row(entity_type, plan_id);"
	"CREATE TABLE outbox (client_seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" op_id TEXT NOT NULL UNIQUE, msg_type INTEGER NOT NULL, body BLOB NOT NULL,"
	" entity_type TEXT, entity_id TEXT,"
	" local_payload TEXT CHECK (local_payload IS NULL OR json_valid(local_payload)),"
	" summary TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);"
	"CREATE INDEX outbox_entity ON outbox(entity_type, entity_id);"
	"CREATE TABLE rejected (op_id TEXT PRIMARY KEY, client_seq INTEGER NOT NULL,"
	" msg_type INTEGER NOT NULL, summary TEXT NOT NULL, status INTEGER NOT NULL,"
	" message TEXT NOT NULL, at TEXT NOT NULL);",
	/* 2: the rows of an op that carries many (registry_rows): each row's entity and local
	 * payload, shown by the reads as a single op's are, gone with the op. */
	"CREATE TABLE outbox_row (op_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	" entity_type TEXT NOT NULL, entity_id TEXT NOT NULL,"
	" local_payload TEXT CHECK (local_payload IS NULL OR json_valid(local_payload)),"
	" PRIMARY KEY (op_id, idx)) WITHOUT ROWID;"
	"CREATE INDEX outbox_row_entity ON outbox_row(entity_type, entity_id);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The secondary indexes of row (as migration 1 made them), for replica_pull_bulk. */
#define ROW_INDEXES "CREATE INDEX IF NOT EXISTS row_feed ON row(feed);" \
	" CREATE INDEX IF NOT EXISTS row_plan ON row(entity_type, plan_id);"

/* The page cache of a connection (KiB, negative: SQLite's way), and of a bulk pull, whose random
 * inserts into the rows' primary key (entity ids are uuids) re-read its leaves from the WAL
 * when they do not fit (docs/performance.md, "The client's SQLite I/O in the federal import").
 * The WAL is checkpointed at RP_WAL_PAGES pages (SQLite's default 1,000: 16 MiB of the 16 KiB
 * pages a filled replica has) and cut back to RP_WAL_LIMIT bytes after. */
#define RP_CACHE_KIB "-16384"
#define RP_BULK_CACHE_KIB "-65536"
#define RP_WAL_PAGES "4096"
#define RP_WAL_LIMIT "67108864"

/* --- errors, statements, transactions ---------------------------------------------------- */

int rp_fail(struct replica *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return -1;
}

bool rp_disk_full(struct replica *r)
{
	int ec = sqlite3_extended_errcode(r->db) & 0xff, sys = sqlite3_system_errno(r->db);
	return ec == SQLITE_FULL || (ec == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT));
}

/* msg (SQLite's message for the last error on r when NULL), or the words for a full disk. */
static const char *db_message(struct replica *r, const char *msg, char *buf, size_t n)
{
	if (rp_disk_full(r)) {
		snprintf(buf, n, "no space left on the disk of the state dir %s (nothing was"
			" half-written: free some space and run the command again)", r->dir);
		return buf;
	}
	return msg ? msg : sqlite3_errmsg(r->db);
}

int rp_dberr(struct replica *r, const char *what)
{
	char buf[400];
	return rp_fail(r, "%s: %s", what, db_message(r, NULL, buf, sizeof buf));
}

const char *replica_error(const struct replica *r)
{
	return r ? r->err : "no replica";
}

sqlite3_stmt *rp_prepare(struct replica *r, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rp_dberr(r, "replica: bad statement");
		return NULL;
	}
	return s;
}

sqlite3_stmt *rp_stmt(struct replica *r, enum rp_slot slot, const char *sql)
{
	sqlite3_stmt *s = r->st[slot];
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		rp_dberr(r, "replica: bad statement");
		return NULL;
	}
	r->st[slot] = s;
	return s;
}

int rp_run(struct replica *r, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rp_dberr(r, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int rp_begin(struct replica *r)
{
	sqlite3_stmt *s = rp_stmt(r, RS_BEGIN, "BEGIN IMMEDIATE");
	return s ? rp_run(r, s, "replica: cannot begin a transaction") : -1;
}

int rp_commit(struct replica *r)
{
	sqlite3_stmt *s = rp_stmt(r, RS_COMMIT, "COMMIT");
	return s ? rp_run(r, s, "replica: cannot commit") : -1;
}

void rp_rollback(struct replica *r)
{
	if (sqlite3_get_autocommit(r->db))
		return; /* SQLite rolled back already (e.g. after SQLITE_FULL) */
	char keep[sizeof r->err];
	memcpy(keep, r->err, sizeof keep);
	sqlite3_stmt *s = rp_stmt(r, RS_ROLLBACK, "ROLLBACK");
	if (s)
		rp_run(r, s, "rollback");
	memcpy(r->err, keep, sizeof keep);
}

int rp_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

const char *rp_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

long rp_col_long(sqlite3_stmt *s, int i)
{
	return (long)sqlite3_column_int64(s, i);
}

int rp_step(struct replica *r, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : rp_dberr(r, "replica: cannot read");
}

void rp_finalize(sqlite3_stmt *s)
{
	sqlite3_finalize(s);
}

/* The first column of the first row of sql, or -1. */
long rp_count(struct replica *r, const char *sql)
{
	sqlite3_stmt *s = rp_prepare(r, sql);
	if (!s)
		return -1;
	long v = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	if (v < 0)
		rp_dberr(r, "replica: cannot count");
	sqlite3_finalize(s);
	return v;
}

/* Steps s to the end, calling each(row) per row; a nonzero return stops and is returned. */
int rp_each_row(struct replica *r, sqlite3_stmt *s, int (*each)(void *ctx, sqlite3_stmt *s),
	void *ctx)
{
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ret = each(ctx, s);
	if (ret == 0 && rc != SQLITE_DONE)
		ret = rp_dberr(r, "replica: cannot read");
	sqlite3_finalize(s);
	return ret;
}

/* --- opening ------------------------------------------------------------------------------ */

int replica_default_dir(char *buf, size_t n)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int len;
	if (xdg && xdg[0] == '/')
		len = snprintf(buf, n, "%s/karta", xdg);
	else if (home && *home)
		len = snprintf(buf, n, "%s/.local/state/karta", home);
	else
		return -1;
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		snprintf(err, errlen, _("replica: directory name too long: %s"), dir);
		return -1;
	}
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, _("replica: cannot create %s: %s"), path, strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, _("replica: %s is not a directory"), dir);
		return -1;
	}
	return 0;
}

int rp_exec(struct replica *r, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	char buf[400];
	rp_fail(r, "%s: %s", what, db_message(r, msg, buf, sizeof buf));
	sqlite3_free(msg);
	return -1;
}

static int user_version(struct replica *r)
{
	sqlite3_stmt *s = rp_prepare(r, "PRAGMA user_version");
	if (!s)
		return -1;
	int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	if (v < 0)
		rp_dberr(r, "replica: cannot read the schema version");
	sqlite3_finalize(s);
	return v;
}

/* Applies the missing migrations, each with its version bump in one transaction. */
static int migrate(struct replica *r)
{
	for (;;) {
		if (rp_begin(r))
			return -1;
		int v = user_version(r);
		if (v < 0)
			goto fail;
		if (v > SCHEMA_VERSION) {
			rp_fail(r, "replica: schema version %d is newer than this karta knows (%d)",
				v, SCHEMA_VERSION);
			goto fail;
		}
		if (v == SCHEMA_VERSION)
			return rp_commit(r);
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
		if (rp_exec(r, migrations[v], "replica: schema upgrade failed") ||
			rp_exec(r, bump, "replica: schema upgrade failed") || rp_commit(r))
			goto fail;
	}
fail:
	rp_rollback(r);
	return -1;
}

/* fresh: the file was made empty by this open (its pages are chosen before it is written). */
static int configure(struct replica *r, bool fresh)
{
	sqlite3_busy_timeout(r->db, RP_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(r->db, 1);
	if ((fresh && rp_pages_new(r)) ||
	    rp_exec(r, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = " RP_CACHE_KIB
		"; PRAGMA wal_autocheckpoint = " RP_WAL_PAGES "; PRAGMA journal_size_limit = " RP_WAL_LIMIT,
		"replica: cannot configure the database"))
		return -1;
	/* the row indexes a killed first pull left dropped (replica_pull_bulk) come back */
	return migrate(r) || rp_exec(r, ROW_INDEXES, "replica: cannot index the rows");
}

/* SQLite's memory statistics off, before its first use: with them on, every allocation of
 * every connection takes one process-wide mutex. Nothing here reads them. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* too late (SQLite in use): stays on */
}

int replica_open(const char *dir, struct replica **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	char path[PATH_MAX];
	if (make_dirs(dir, err, errlen))
		return -1;
	if (snprintf(path, sizeof path, "%s/replica.db", dir) >= (int)sizeof path) {
		snprintf(err, errlen, _("replica: directory name too long: %s"), dir);
		return -1;
	}
	/* Created here, so it gets 0600; SQLite gives its -wal and -shm files the same mode. */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, _("replica: cannot open %s: %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	struct replica *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, _("replica: out of memory"));
		return -1;
	}
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	/* a handle is used by one thread at a time (each thread of an import opens its own):
	 * no mutex around each of its calls */
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, _("replica: cannot open %s: %s"), path,
			r->db ? sqlite3_errmsg(r->db) : "out of memory");
		replica_close(r);
		return -1;
	}
	if (configure(r, sb.st_size == 0)) {
		snprintf(err, errlen, "%s (%s)", r->err, path);
		replica_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

void replica_close(struct replica *r)
{
	if (!r)
		return;
	for (int i = 0; i < RS__COUNT; i++)
		sqlite3_finalize(r->st[i]);
	sqlite3_close(r->db);
	free(r->gone);
	free(r);
}

/* --- meta ------------------------------------------------------------------------------- */

int replica_pull_bulk(struct replica *r, bool bulk)
{
	if (!bulk)
		return rp_exec(r, ROW_INDEXES "PRAGMA synchronous = FULL; PRAGMA cache_size = "
			RP_CACHE_KIB, "replica: cannot index the rows") || rp_fill_journal(r, false);
	/* an empty replica is filled without its secondary indexes: built once at the end (or at
	 * the next open, if this pull is killed) instead of kept up row by row, and in
	 * rollback-journal mode when it can be (written once, not to the WAL and again) */
	long have = rp_count(r, "SELECT EXISTS (SELECT 1 FROM row)");
	if (have < 0 || (have == 0 && (rp_exec(r, "DROP INDEX IF EXISTS row_feed;"
		" DROP INDEX IF EXISTS row_plan", "replica: cannot configure the database") ||
		rp_fill_journal(r, true))))
		return -1;
	return rp_exec(r, r->rollback_fill ? "PRAGMA synchronous = FULL; PRAGMA cache_size = "
		RP_BULK_CACHE_KIB : "PRAGMA synchronous = NORMAL; PRAGMA cache_size = " RP_BULK_CACHE_KIB,
		"replica: cannot configure the database");
}

int replica_meta_set(struct replica *r, const char *key, const char *value)
{
	sqlite3_stmt *s = rp_stmt(r, RS_META_SET,
		"INSERT INTO meta(key, value) VALUES (?1, ?2)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!s)
		return -1;
	rp_bind_text(s, 1, key);
	rp_bind_text(s, 2, value ? value : "");
	return rp_run(r, s, "replica: cannot store a setting");
}

int replica_meta_get(struct replica *r, const char *key, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	sqlite3_stmt *s = rp_stmt(r, RS_META_GET, "SELECT value FROM meta WHERE key = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, key);
	int rc = sqlite3_step(s), ret = 1;
	if (rc == SQLITE_ROW) {
		const char *v = rp_col_text(s, 0);
		ret = strlen(v) < n ? 0 : rp_fail(r, "replica: setting %s is too long", key);
		if (ret == 0)
			memcpy(buf, v, strlen(v) + 1);
	} else if (rc != SQLITE_DONE) {
		ret = rp_dberr(r, "replica: cannot read a setting");
	}
	sqlite3_reset(s);
	return ret;
}
