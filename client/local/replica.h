/* replica: the client's local SQLite replica of the change feeds it reads, and its outbox of
 * local ops waiting to be uploaded (docs/sync.md). One file DIR/replica.db (WAL).
 *
 * - row: the newest known version of every synced entity (plan, plan_section, plan_item,
 *   abbreviation, conflict, and whatever types come later), stored generically: the server's
 *   payload JSON as received, keyed by (entity_type, entity_id), with the feed it came from.
 *   Newer wins: a higher row_version, or for rows without one (0: abbreviations) a higher seq.
 * - feed: one cursor (epoch, seq) per feed, written in the same local transaction as the
 *   page that moved it.
 * - outbox: local ops in client_seq order, each with the row as edited locally (for offline
 *   reads); rejected: ops the server refused, kept for `karta status`.
 *
 * Every function returns 0 on success and -1 on error (message from replica_error()) unless
 * it says otherwise. One struct replica belongs to one thread; several processes may open
 * the same directory (writes wait up to 5 s for each other). */
#ifndef KT_REPLICA_H
#define KT_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "karta.pb-c.h"

struct replica;

/* Meta keys the sync code shares (values are text). */
#define REPLICA_META_LAST_SYNC "last_sync" /* time of the last completed sync */
#define REPLICA_META_SERVER "server"       /* the server the replica mirrors */
#define REPLICA_META_ORG "org"             /* this device's organization code */
#define REPLICA_META_ORG_LEVEL "org_level" /* its level */

/* --- opening --------------------------------------------------------------------------- */

/* $XDG_STATE_HOME/karta, else $HOME/.local/state/karta. -1 when neither is set or it does
 * not fit. */
int replica_default_dir(char *buf, size_t n);

/* Opens (creating DIR 0700 and DIR/replica.db 0600 if missing) and brings the schema to
 * this build's version. On error *out is NULL and err says why. A handle is used by one
 * thread at a time (SQLite takes no mutex around its calls): a thread of its own opens its
 * own. */
int replica_open(const char *dir, struct replica **out, char *err, size_t errlen);
void replica_close(struct replica *r);

/* The last error of r ("" if none). Valid until the next call on r. */
const char *replica_error(const struct replica *r);

/* The ids (lower case) of rows and queued changes that start with prefix (case ignored), of
 * the entity types in types (",plan,plan_item,"; NULL: any), in order: up to max into ids,
 * *n how many there are (up to max + 1: more than max is "more"). replica_ids.c */
#define REPLICA_ID_LEN 37
int replica_ids_with_prefix(struct replica *r, const char *types, const char *prefix,
	char (*ids)[REPLICA_ID_LEN], size_t max, size_t *n);

/* 0 set; replica_meta_get: 0 found, 1 absent (buf = ""), -1 error or does not fit. */
int replica_meta_set(struct replica *r, const char *key, const char *value);
int replica_meta_get(struct replica *r, const char *key, char *buf, size_t n);

/* --- pulling ----------------------------------------------------------------------------- */

/* What an apply did, by entity kind. Functions taking a struct replica_stats ADD to it (zero
 * it first), and only when their transaction commits. */
/* The entity types a replica holds, once: the enum and replica_kind_name's names both come
 * from this list (the server's is karta_entity_types() in sql/functions/05_common.sql;
 * t_sqlfuncs compares them; test_terms checks each has its word in client/terms.c). */
#define REPLICA_KINDS(X) \
	X(PLAN, "plan") X(SECTION, "plan_section") X(ITEM, "plan_item") \
	X(ABBREVIATION, "abbreviation") X(CONFLICT, "conflict") X(ITEM_STATUS, "item_status") \
	X(REPORT_REQUEST, "report_request") X(REPORT_SUBMISSION, "report_submission") \
	X(PARTICIPANT, "participant") X(EXAM, "exam") X(EXAM_REGISTRATION, "exam_registration") \
	X(EXAM_POINT, "exam_point") X(AUDITORIUM, "auditorium") X(STAFF, "staff") \
	X(STAFF_POINT, "staff_point") X(EXAM_POINT_ASSIGNMENT, "exam_point_assignment") \
	X(EXAM_AUDITORIUM, "exam_auditorium") X(DISTRIBUTION, "distribution") \
	X(SEATING, "seating") X(STAFF_ASSIGNMENT, "staff_assignment") X(EXAM_LOCK, "exam_lock") \
	X(EXAM_PLAN_SETTING, "exam_plan_setting")
#define REPLICA_KIND_ENUM(id, name) REPLICA_##id,
enum replica_kind {
	REPLICA_KINDS(REPLICA_KIND_ENUM)
	REPLICA_OTHER,
	REPLICA_NKINDS
};
#undef REPLICA_KIND_ENUM
struct replica_count {
	long inserted;  /* new rows */
	long updated;   /* rows replaced by a newer version */
	long unchanged; /* re-delivered, older or identical: nothing written */
	long deleted;   /* of inserted + updated: changes with op "delete" (soft deletes) */
};
struct replica_stats {
	struct replica_count kind[REPLICA_NKINDS];
	struct replica_count total;
	long removed;      /* rows dropped: a feed gone */
	long feeds_gone;   /* FEED_GONE states applied */
	long feeds_resync; /* FEED_RESYNC states applied */
};
/* The entity type's name ("plan", "plan_section", …, "staff_point"), "other" for the rest. */
const char *replica_kind_name(enum replica_kind k);

/* Cursors of every known feed, ordered by feed code — a feed waiting for a resync too, with
 * the cursor it had before: the server answers resync (or gone) again, never a replay from 0
 * that would leave the rows the interrupted snapshot had not reached. The array and its
 * cursors are malloc'd: free with replica_cursors_free. */
int replica_cursors(struct replica *r, Karta__FeedCursor ***out, size_t *n);
void replica_cursors_free(Karta__FeedCursor **c, size_t n);

/* Pulled pages are committed without waiting for the disk (synchronous = NORMAL: WAL, each
 * commit atomic, a crash of the program loses nothing, a power cut at most the last pages —
 * pulled again, since their cursors go with them) while bulk is set, and with a sync of the
 * disk at each commit (FULL, the outbox's rule) otherwise; while bulk is set the
 * connection's page cache is 64 MiB instead of 16. sync_pull sets it around a pull;
 * nothing but pulled rows and cursors is written meanwhile. An empty replica is filled
 * without the rows' secondary indexes: unsetting bulk builds them (so does replica_open, when
 * a pull was killed before); and, when no other connection has it open, in rollback-journal
 * mode with a sync at each commit (FULL), WAL mode again when bulk is unset (or at the next
 * open). */
int replica_pull_bulk(struct replica *r, bool bulk);

/* What replica_pages_fill did. */
enum replica_pages {
	REPLICA_PAGES_KEPT,     /* the replica has rows, or large pages already */
	REPLICA_PAGES_SWITCHED, /* its pages are 16 KiB now */
	REPLICA_PAGES_BUSY,     /* refused: another connection (karta) has the replica open */
	REPLICA_PAGES_ROOM,     /* not done: the state dir's disk has little room */
};

/* Before a new replica's first fill (no rows yet): its file rebuilt with 16 KiB pages instead
 * of SQLite's 4 KiB (a fill then costs about a fifth less CPU: fewer pages to the WAL and
 * through the checkpoints), or left as it is — at once, never waiting for another karta that
 * has the replica open. Whatever it keeps is kept (meta, outbox, rejected ops: the rebuild is
 * one transaction), and the file is in WAL mode afterwards. A REPLICA_PAGES_* or -1 (error
 * set). Called outside a transaction. */
int replica_pages_fill(struct replica *r);

/* One local transaction: every change (newer wins; equal versions are a no-op), then every
 * feed state: FEED_OK moves the cursor (and stores name, level, parent, last_seq, scope;
 * a resync mark stays); FEED_RESYNC marks the feed until a snapshot of it completes (an
 * interrupted one is taken again from its start); FEED_GONE drops the feed and all its rows.
 * On error nothing is written. */
int replica_apply_page(struct replica *r, const Karta__ChangePage *pg, struct replica_stats *st);

/* Resync of one feed: begin with the first SnapshotPage's FeedState (records its epoch and
 * seq as where to pull from afterwards, starts a new snapshot generation, marks the feed as
 * resyncing); apply each page's rows (one transaction each; the snapshot's row wins over an
 * equal or older one, a newer local row is kept; either way the row counts as seen); end
 * (one transaction): rows of the feed not seen in this snapshot are removed, the cursor is
 * set to the recorded (epoch, seq) and the resync mark cleared. replica_snapshot_end returns
 * the number of rows removed, or -1. A pull between begin and end is fine: a new begin
 * starts over, and every row it does not see again is removed at its end. */
int replica_snapshot_begin(struct replica *r, const Karta__FeedState *fs);
int replica_snapshot_apply(struct replica *r, const char *feed, const Karta__Change *const *rows,
	size_t n, struct replica_stats *st);
long replica_snapshot_end(struct replica *r, const char *feed);

/* --- outbox ---------------------------------------------------------------------------- */

#define REPLICA_OP_ID_LEN 37 /* a UUID and its NUL */

/* Appends an op (committed before returning). entity_type/entity_id name what it edits
 * (NULL: nothing in particular); local_payload is the row as edited here, JSON, shown by the
 * reads below until the op leaves the outbox (NULL: none); summary is one line for people
 * ("item edit 1.2"). *client_seq_out (may be NULL) gets the op's client_seq. */
int replica_outbox_add(struct replica *r, const char *op_id, uint32_t msg_type, const void *body,
	size_t len, const char *entity_type, const char *entity_id, const char *local_payload,
	const char *summary, int64_t *client_seq_out);

/* An op of many rows (RecordOp registry_rows): the op goes in with an empty body and each row
 * with replica_outbox_row_add (idx from 1; the reads show its local payload as a single op's),
 * then replica_outbox_set_body gives the op its body and summary once its rows are known.
 * The rows leave with the op. */
int replica_outbox_row_add(struct replica *r, const char *op_id, int idx, const char *entity_type,
	const char *entity_id, const char *local_payload);
int replica_outbox_set_body(struct replica *r, const char *op_id, const void *body, size_t len,
	const char *summary);

struct replica_op {
	char op_id[REPLICA_OP_ID_LEN];
	int64_t client_seq;
	uint32_t msg_type;
	uint8_t *body;
	size_t len;
	char *summary;
	char *entity_type, *entity_id; /* "" when the op named none */
	long attempts;                 /* RETRY_LATER answers so far */
	int row;                       /* a result of one row of an op of many rows (from 1), or 0 */
};

/* The oldest pending ops in client_seq order: at most max_ops ops and max_bytes of bodies
 * (0: no limit), but at least one op if any is pending. Free with replica_ops_free. */
int replica_outbox_pending(struct replica *r, size_t max_ops, size_t max_bytes,
	struct replica_op **ops, size_t *n);
void replica_ops_free(struct replica_op *ops, size_t n);
/* The same after client_seq after_seq: the next Upload while the ones before are in flight. */
int replica_outbox_pending_after(struct replica *r, int64_t after_seq, size_t max_ops,
	size_t max_bytes, struct replica_op **ops, size_t *n);

/* The server's answer to an op (outcome: a Karta__OpOutcome). APPLIED, DUPLICATE, CONFLICT:
 * the op leaves the outbox; REJECTED: it moves to the rejected list with status and
 * message; RETRY_LATER: it stays, attempts + 1, last_error = message. Returns 0, 1 when no
 * such op is pending, -1 on error. */
int replica_outbox_done(struct replica *r, const char *op_id, int outcome, int status,
	const char *message);

/* The answers to a whole Upload, as replica_outbox_done each, in one transaction (one fsync
 * for the Upload): every one recorded or none. Returns how many were pending, -1 on error. */
struct replica_row_refusal {
	int idx;             /* the row's place in its op, from 1 */
	const char *summary; /* "registry_put participant: FILE line N" */
	int status;          /* Karta__Status */
	const char *message;
};
struct replica_done {
	const char *op_id;
	int outcome, status; /* Karta__OpOutcome, Karta__Status */
	const char *message;
	/* an op of many rows: its refused rows, each put on the rejected list as "OP_ID:ROW" */
	const struct replica_row_refusal *rows;
	size_t nrows;
};
long replica_outbox_done_all(struct replica *r, const struct replica_done *d, size_t n);

/* Pending ops, or -1. */
long replica_outbox_count(struct replica *r);

/* Many ops in one local transaction (BEGIN IMMEDIATE … COMMIT): one fsync for a whole file
 * of registry rows, and all or nothing. Between the two, replica_outbox_add and the reads
 * run inside the transaction (the reads see the ops added so far). end: commit, or roll back
 * everything added since begin (commit false, or a failed commit). */
int replica_batch_begin(struct replica *r);
int replica_batch_end(struct replica *r, bool commit);
/* The page cache of r's connection, KiB: a writer of many ops in one transaction keeps the
 * pages of the outbox's entity index it dirties (registry_gds.c). 0, or -1. */
int replica_outbox_cache(struct replica *r, long kib);

/* The iterations below call cb once per entry; a nonzero return from cb stops and is
 * returned as is. They return 0 when done, -1 on a database error. cb may call other
 * replica functions that read, but must not write. */
struct replica_pending {
	const char *op_id;
	int64_t client_seq;
	uint32_t msg_type;
	const char *summary, *entity_type, *entity_id, *created_at;
	long attempts;
	const char *last_error; /* "" if none */
};
int replica_outbox_each(struct replica *r, int (*cb)(void *arg, const struct replica_pending *p),
	void *arg);

/* The pending ops counted by kind ("item add", "registry_put", …), most first: cb(kind, n). */
int replica_outbox_kinds(struct replica *r, int (*cb)(void *arg, const char *kind, long n),
	void *arg);

struct replica_rejected {
	const char *op_id;
	int64_t client_seq;
	uint32_t msg_type;
	const char *summary;
	int status; /* Karta__Status */
	const char *message, *at;
};
/* Oldest first. */
int replica_rejected_each(struct replica *r,
	int (*cb)(void *arg, const struct replica_rejected *rj), void *arg);
/* Forgets one rejected op (op_id) or all (NULL); returns how many, or -1. */
long replica_rejected_clear(struct replica *r, const char *op_id);

/* --- reads (offline) ------------------------------------------------------------------- */

/* The entity as this device sees it: the local payload of its newest pending op that has
 * one (*pending = true), else the synced row's payload. 0 found (*payload malloc'd: free
 * it), 1 not found, -1 error. pending may be NULL. */
int replica_get(struct replica *r, const char *entity_type, const char *entity_id,
	char **payload, bool *pending);

/* Every entity of a type (of one plan, or all when plan_id is NULL), ordered by id, with
 * pending local payloads laid over the rows, plus entities only the outbox knows (created
 * offline, with a local payload). */
int replica_each(struct replica *r, const char *entity_type, const char *plan_id,
	int (*cb)(void *arg, const char *entity_id, const char *payload, bool pending), void *arg);

/* The id of every entity of a type the replica knows — synced rows and queued changes — in
 * no order, an id possibly more than once; no payload is read (a bulk import's "do I hold
 * it?" set). cb's non-zero return stops and is returned. */
int replica_ids_each(struct replica *r, const char *entity_type,
	int (*cb)(void *arg, const char *entity_id), void *arg);

struct replica_status {
	long feeds, rows, outbox, rejected;
	long conflicts_open;  /* conflict rows whose payload status is "open" */
	long feeds_resync;    /* feeds waiting for a snapshot */
	char last_sync[64];   /* meta last_sync, "" if never */
};
int replica_status(struct replica *r, struct replica_status *st);

struct replica_feed {
	const char *code, *name, *parent, *scope;
	int level; /* Karta__OrgLevel */
	uint32_t epoch;
	int64_t seq, last_seq;
	bool resync;
	long rows;
};
/* Ordered by code. */
int replica_feed_each(struct replica *r, int (*cb)(void *arg, const struct replica_feed *f),
	void *arg);
/* The same for the feeds marked for resync only, without counting rows (rows is 0): what a
 * pull asks after its pages. */
int replica_resync_each(struct replica *r, int (*cb)(void *arg, const struct replica_feed *f),
	void *arg);

/* Every row, one line each, ordered by (entity_type, entity_id):
 * "<entity_type> <entity_id> <feed> <row_version> <16 hex digits: FNV-1a 64 of payload>".
 * Seq and op are left out: two replicas that converged print the same, however they got
 * there (pulls or snapshots). */
int replica_dump(struct replica *r, FILE *out);

/* --- protobuf for offline display (replica_proto.c, replica_plans.c) ------------------- */

/* Owns the strings and messages the functions below make; free everything with one
 * replica_arena_free. Start from REPLICA_ARENA_INIT. */
struct replica_arena {
	struct replica_arena_block *head;
};
#define REPLICA_ARENA_INIT {0}
void *replica_arena_alloc(struct replica_arena *a, size_t n); /* zeroed; NULL if out of memory */
char *replica_arena_strdup(struct replica_arena *a, const char *s);
void replica_arena_free(struct replica_arena *a);

/* A row's payload (keys = SQL columns) → the message the server would send, as in
 * server/handlers/h_rows.c: jsonb columns re-serialized compactly, item.deleted = deleted_at
 * not null, updated_at as YYYY-MM-DDTHH:MM:SSZ (UTC). What the payload cannot say is left
 * at its default: plan item_count 0 and writable false, item updated_by "" (the payload
 * holds a device id). -1 when json is not a JSON object or memory runs out. */
int replica_plan_from_json(const char *json, const char *owner_code, Karta__Plan *out,
	struct replica_arena *a);
int replica_section_from_json(const char *json, Karta__Section *out, struct replica_arena *a);
int replica_item_from_json(const char *json, Karta__Item *out, struct replica_arena *a);

/* Every plan (owner_code = its feed; a plan created offline gets meta org), item_count =
 * its items not deleted, ordered as the server lists them (level, owner, year desc, title).
 * *plans and the messages live in a. */
int replica_plan_list(struct replica *r, Karta__Plan ***plans, size_t *n,
	struct replica_arena *a);

/* One plan with its sections (by ordinal, id) and items, deleted ones included (by section
 * ordinal, item ordinal, id). 0 found, 1 no such plan, -1 error. */
int replica_plan_get(struct replica *r, const char *plan_id, Karta__Plan *plan,
	Karta__Section ***sections, size_t *n_sections, Karta__Item ***items, size_t *n_items,
	struct replica_arena *a);

/* One item: 0 found, 1 not found, -1 error. */
int replica_item_get(struct replica *r, const char *item_id, Karta__Item *out,
	struct replica_arena *a);

#endif
