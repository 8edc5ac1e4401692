/* replica_int: what the replica*.c files share and nobody else sees — the handle, the
 * prepared-statement cache, error and transaction helpers, and the "effective rows" query
 * (synced rows with pending local payloads laid over them). */
#ifndef KT_REPLICA_INT_H
#define KT_REPLICA_INT_H

#include <sqlite3.h>

#include "replica.h"

/* How long a statement waits for another connection's lock before it says "busy". */
#define RP_BUSY_TIMEOUT_MS 5000

/* Cached statements: one slot each, prepared on first use and kept for the handle's life.
 * Only statements run to completion (or reset) before the call returns are cached;
 * iterations that call back prepare their own, so callbacks can nest. */
enum rp_slot {
	RS_BEGIN,
	RS_COMMIT,
	RS_ROLLBACK,
	RS_META_SET,
	RS_META_GET,
	RS_ROW_LOOKUP,
	RS_ROW_INSERT,
	RS_ROW_ADD,
	RS_ROW_UPDATE,
	RS_ROW_MARK,
	RS_FEED_DESCRIBE,
	RS_FEED_MARK,
	RS_FEED_MOVE,
	RS_FEED_SNAP_BEGIN,
	RS_FEED_GONE_ROWS,
	RS_FEED_GONE,
	RS_OUTBOX_ADD,
	RS_OUTBOX_PENDING,
	RS_OUTBOX_DELETE,
	RS_OUTBOX_REJECT,
	RS_OUTBOX_RETRY,
	RS_GET_LOCAL,
	RS_GET_ROW,
	RS_OUTBOX_ROW_ADD,
	RS_OUTBOX_ROW_DELETE,
	RS_OUTBOX_BODY,
	RS__COUNT
};

struct replica {
	sqlite3 *db;
	sqlite3_stmt *st[RS__COUNT];
	char err[512];
	char dir[256]; /* the state dir, for messages */
	bool rollback_fill; /* a first fill in rollback-journal mode (replica_pages.c) */
	/* ops answered whose rows in outbox_row are not deleted yet (replica_outbox.c) */
	char (*gone)[REPLICA_OP_ID_LEN];
	size_t ngone, capgone;
};

/* Sets r's error (printf-style) and returns -1. */
int rp_fail(struct replica *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* rp_fail with SQLite's message: "<what>: <sqlite error>" — a full disk (SQLITE_FULL, or an
 * I/O error from ENOSPC/EDQUOT) is said as such, with the state dir. */
int rp_dberr(struct replica *r, const char *what);

/* Whether the last error on r is a full disk (SQLITE_FULL, or an I/O error from ENOSPC/EDQUOT). */
bool rp_disk_full(struct replica *r);

/* The cached statement of slot, reset and unbound; NULL (error set) if it does not prepare. */
sqlite3_stmt *rp_stmt(struct replica *r, enum rp_slot slot, const char *sql);
/* A statement of its own (finalize it); NULL on error. */
sqlite3_stmt *rp_prepare(struct replica *r, const char *sql);
/* sqlite3_exec of sql (statements without parameters): 0 or -1 (error: what, in rp_dberr's
 * words). */
int rp_exec(struct replica *r, const char *sql, const char *what);
/* A first fill's journal (replica_pages.c): rollback — TRUNCATE mode when no other connection
 * has the replica open and its disk has 2 GiB free (else it stays in WAL mode: 0 either way,
 * -1 on another error); not rollback — WAL mode again after such a fill (a failure is left to
 * the next open, but a full disk). */
int rp_fill_journal(struct replica *r, bool rollback);
/* A new, empty file's pages set to 16 KiB when its disk has room (replica_pages.c); before
 * anything is written to it. 0 or -1. */
int rp_pages_new(struct replica *r);
/* Steps s expecting no row (SQLITE_DONE), then resets it: 0 or -1 (error: what). */
int rp_run(struct replica *r, sqlite3_stmt *s, const char *what);

int rp_begin(struct replica *r);    /* BEGIN IMMEDIATE */
int rp_commit(struct replica *r);
void rp_rollback(struct replica *r); /* keeps the error already set */

/* Binds text, NULL pointer → SQL NULL. */
int rp_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Column text, NULL → "". */
const char *rp_col_text(sqlite3_stmt *s, int i);
/* Column integer, NULL → 0. */
long rp_col_long(sqlite3_stmt *s, int i);
/* One step of a cursor a caller walks itself: 1 a row, 0 the end, -1 a database error (set). */
int rp_step(struct replica *r, sqlite3_stmt *s);
/* Ends a statement from rp_prepare (NULL is fine). */
void rp_finalize(sqlite3_stmt *s);

/* The first column of the first row of sql (an integer), or -1. */
long rp_count(struct replica *r, const char *sql);
/* Steps s (its own statement) to the end calling each per row, then finalizes it; a nonzero
 * return from each stops and is returned; -1 on a database error. */
int rp_each_row(struct replica *r, sqlite3_stmt *s, int (*each)(void *ctx, sqlite3_stmt *s),
	void *ctx);

/* The effective rows of one entity type (?1): each synced row with the local payload of its
 * newest pending op laid over it, plus entities only the outbox has. Columns of eff: id,
 * feed (NULL for outbox-only), plan_id, payload, pending. */
#define RP_EFF_CTE \
	"WITH ob AS (SELECT entity_id, local_payload AS p, client_seq * 100000 AS cs FROM outbox" \
	"  WHERE entity_type = ?1 AND local_payload IS NOT NULL" \
	"  UNION ALL SELECT x.entity_id, x.local_payload, b.client_seq * 100000 + x.idx" \
	"  FROM outbox_row x JOIN outbox b ON b.op_id = x.op_id" \
	"  WHERE x.entity_type = ?1 AND x.local_payload IS NOT NULL)," \
	" o AS (SELECT entity_id, p, max(cs) AS cs FROM ob GROUP BY entity_id)," \
	" eff AS (SELECT r.entity_id AS id, r.feed AS feed, r.plan_id AS plan_id," \
	"  coalesce(o.p, r.payload) AS payload, o.entity_id IS NOT NULL AS pending" \
	"  FROM row r LEFT JOIN o ON o.entity_id = r.entity_id WHERE r.entity_type = ?1" \
	"  UNION ALL SELECT o.entity_id, NULL," \
	"  CASE WHEN ?1 = 'plan' THEN o.entity_id ELSE json_extract(o.p, '$.plan_id') END, o.p, 1" \
	"  FROM o WHERE NOT EXISTS (SELECT 1 FROM row r" \
	"  WHERE r.entity_type = ?1 AND r.entity_id = o.entity_id)) "

/* Calls cb for each effective row of type (of plan_id, or all when NULL), ordered by id. */
typedef int (*rp_eff_cb)(void *arg, const char *id, const char *feed, const char *payload,
	bool pending);
int rp_eff_each(struct replica *r, const char *type, const char *plan_id, rp_eff_cb cb,
	void *arg);

#endif
