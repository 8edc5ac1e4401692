/* reg_batch: registry rows queued as ops of many rows (reg_batch.c). */
#ifndef KT_REG_BATCH_H
#define KT_REG_BATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry_rows.h"

struct replica;
struct replica_op;

struct rb_list {
	char *text; /* the rows as sent, JSON, comma-separated */
	size_t len, tcap;
	long *tags; /* each row's tag */
	size_t n, cap;
};

struct rb_op {
	char op_id[REG_ID_LEN];
	long *tags; /* the caller's tag of each row, in the op's row order */
	size_t n;
};

struct rb_held {
	char id[REG_ID_LEN];
	char *lp;
};

/* The op being filled */
struct rb_open {
	bool open;
	char op_id[REG_ID_LEN];
	char type[32];
	struct rb_list main, late;
	size_t bytes, nlocal;
	long first_n, last_n;
	struct rb_held *held; /* own_txn: its rows' entities and local payloads */
	size_t nheld, capheld;
};

/* own_txn: an op written (flushed) but not yet committed, with its rows */
struct rb_wop {
	char op_id[REG_ID_LEN];
	char type[32];
	uint8_t *body;
	size_t len;
	char *summary;
	struct rb_held *held;
	size_t n;
};

struct reg_batch {
	struct replica *r;
	const char *file, *unit; /* for the server's words: "FILE line N" */
	/* own_txn: the ops are held in memory when flushed and written, several in one short
	 * transaction of the batch's own, by reg_batch_commit (else: in the caller's) */
	bool own_txn;
	struct rb_wop *wops;  /* the ops flushed and not yet committed */
	size_t nwops, capwops;
	size_t held_rows;     /* the rows of the ops flushed and not yet committed */
	size_t done_ops, done_rows; /* the ops and rows committed */
	struct rb_open open; /* the op being filled */
	char *row;           /* scratch: a row's text as sent */
	size_t rowcap;
	/* the ops queued */
	struct rb_op *ops;
	size_t nops, capops;
	struct reg_map byop; /* op_id → index in ops */
};

/* file and unit ("line", "row") are borrowed for the batch's life. */
void reg_batch_init(struct reg_batch *b, struct replica *r, const char *file, const char *unit);
/* Queues one row: kind (registry_put, registry_delete, registry_gds_put), its table, id, base
 * version (0: create / no check), arguments ("type" and "id" added when they lack them),
 * local payload (NULL: none; args itself: args' members and "row_version": base — then args
 * must not hold "type"), its line or element number n and the caller's tag; late: after the
 * op's other rows. 0, or -1 (message printed). */
int reg_batch_add(struct reg_batch *b, const char *kind, const char *type, const char *id,
	long long base, const json_t *args, const json_t *local, long n, long tag, bool late);
/* reg_batch_add with the arguments as JSON text (len bytes, an object that names id as "id"
 * and holds no "type" or "base": kt_gds_to_text's), spliced, not parsed; local NULL: the
 * local payload is args' members and "row_version": base. */
int reg_batch_add_text(struct reg_batch *b, const char *kind, const char *type, const char *id,
	long long base, const char *args, size_t len, const json_t *local, long n, long tag, bool late);
/* Queues the op being filled (call once the rows are all added). 0, or -1 (printed). */
int reg_batch_flush(struct reg_batch *b);
/* own_txn: writes the ops flushed since the last commit in one local transaction (the op
 * being filled stays held). The number of ops committed, or -1 (printed; those ops are not
 * queued and are dropped: done_ops and done_rows say what is). */
long reg_batch_commit(struct reg_batch *b);
/* The tag of the row a result is about (op->row), -1 when not a row of this batch. */
long reg_batch_tag(const struct reg_batch *b, const struct replica_op *op);
void reg_batch_free(struct reg_batch *b);

#endif
