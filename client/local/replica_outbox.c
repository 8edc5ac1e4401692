/* replica_outbox: local ops waiting for the server, and the ones it refused. An op is
 * committed here before anything is sent, and leaves only when the server has answered it. */
#include "replica_int.h"

#include <stdlib.h>
#include <string.h>

#include "karta.pb-c.h"
#include "kt_table.h"

int replica_outbox_add(struct replica *r, const char *op_id, uint32_t msg_type, const void *body,
	size_t len, const char *entity_type, const char *entity_id, const char *local_payload,
	const char *summary, int64_t *client_seq_out)
{
	sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_ADD,
		"INSERT INTO outbox(op_id, msg_type, body, entity_type, entity_id, local_payload,"
		" summary, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	sqlite3_bind_int64(s, 2, msg_type);
	sqlite3_bind_blob(s, 3, len ? body : "", (int)len, SQLITE_STATIC);
	rp_bind_text(s, 4, entity_type);
	rp_bind_text(s, 5, entity_id);
	rp_bind_text(s, 6, local_payload);
	/* a summary cut to its buffer may end in half a letter: the whole letters are kept */
	summary = summary ? summary : "";
	sqlite3_bind_text(s, 7, summary, (int)kt_utf8_fit(summary, strlen(summary)),
		SQLITE_TRANSIENT);
	if (rp_run(r, s, "replica: cannot queue the change"))
		return -1;
	if (client_seq_out)
		*client_seq_out = sqlite3_last_insert_rowid(r->db);
	return 0;
}

int replica_outbox_row_add(struct replica *r, const char *op_id, int idx, const char *entity_type,
	const char *entity_id, const char *local_payload)
{
	sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_ROW_ADD,
		"INSERT INTO outbox_row(op_id, idx, entity_type, entity_id, local_payload)"
		" VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	sqlite3_bind_int(s, 2, idx);
	rp_bind_text(s, 3, entity_type);
	rp_bind_text(s, 4, entity_id);
	rp_bind_text(s, 5, local_payload);
	return rp_run(r, s, "replica: cannot queue the change");
}

int replica_outbox_set_body(struct replica *r, const char *op_id, const void *body, size_t len,
	const char *summary)
{
	sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_BODY,
		"UPDATE outbox SET body = ?2, summary = ?3 WHERE op_id = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	sqlite3_bind_blob(s, 2, len ? body : "", (int)len, SQLITE_STATIC);
	summary = summary ? summary : "";
	sqlite3_bind_text(s, 3, summary, (int)kt_utf8_fit(summary, strlen(summary)),
		SQLITE_TRANSIENT);
	return rp_run(r, s, "replica: cannot queue the change");
}

static char *dup_text(sqlite3_stmt *s, int i)
{
	return strdup(rp_col_text(s, i));
}

int replica_outbox_pending(struct replica *r, size_t max_ops, size_t max_bytes,
	struct replica_op **ops, size_t *n)
{
	return replica_outbox_pending_after(r, 0, max_ops, max_bytes, ops, n);
}

int replica_outbox_pending_after(struct replica *r, int64_t after_seq, size_t max_ops,
	size_t max_bytes, struct replica_op **ops, size_t *n)
{
	*ops = NULL;
	*n = 0;
	sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_PENDING,
		"SELECT op_id, client_seq, msg_type, body, summary, coalesce(entity_type, ''),"
		" coalesce(entity_id, ''), attempts FROM outbox WHERE client_seq > ?1"
		" ORDER BY client_seq");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, after_seq);
	size_t cap = 0, bytes = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(s, 3);
		if (*n > 0 && ((max_ops && *n >= max_ops) || (max_bytes && bytes + len > max_bytes)))
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct replica_op *g = realloc(*ops, cap * sizeof *g);
			if (!g)
				goto oom;
			*ops = g;
		}
		struct replica_op *o = &(*ops)[*n];
		memset(o, 0, sizeof *o);
		snprintf(o->op_id, sizeof o->op_id, "%s", rp_col_text(s, 0));
		o->client_seq = sqlite3_column_int64(s, 1);
		o->msg_type = (uint32_t)sqlite3_column_int64(s, 2);
		o->len = len;
		o->body = malloc(len ? len : 1);
		o->summary = dup_text(s, 4);
		o->entity_type = dup_text(s, 5);
		o->entity_id = dup_text(s, 6);
		o->attempts = sqlite3_column_int(s, 7);
		(*n)++;
		if (!o->body || !o->summary || !o->entity_type || !o->entity_id)
			goto oom;
		if (len)
			memcpy(o->body, sqlite3_column_blob(s, 3), len);
		bytes += len;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	rp_dberr(r, "replica: cannot read the outbox");
	goto fail;
oom:
	sqlite3_reset(s);
	rp_fail(r, "replica: out of memory");
fail:
	replica_ops_free(*ops, *n);
	*ops = NULL;
	*n = 0;
	return -1;
}

void replica_ops_free(struct replica_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ops[i].body);
		free(ops[i].summary);
		free(ops[i].entity_type);
		free(ops[i].entity_id);
	}
	free(ops);
}

/* Moves a refused op to the rejected list (same transaction as its removal). */
static int reject(struct replica *r, const char *op_id, int status, const char *message)
{
	sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_REJECT,
		"INSERT OR REPLACE INTO rejected(op_id, client_seq, msg_type, summary, status, message, at)"
		" SELECT op_id, client_seq, msg_type, summary, ?2, ?3,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM outbox WHERE op_id = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	sqlite3_bind_int(s, 2, status);
	rp_bind_text(s, 3, message ? message : "");
	return rp_run(r, s, "replica: cannot record a refused change");
}

/* A refused row of an op of many rows: on the rejected list as "OP_ID:ROW". */
static int reject_row(struct replica *r, const char *op_id, const struct replica_row_refusal *x)
{
	sqlite3_stmt *s = rp_prepare(r,
		"INSERT OR REPLACE INTO rejected(op_id, client_seq, msg_type, summary, status, message, at)"
		" SELECT op_id || ':' || ?2, client_seq, msg_type, ?3, ?4, ?5,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM outbox WHERE op_id = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	sqlite3_bind_int(s, 2, x->idx);
	rp_bind_text(s, 3, x->summary ? x->summary : "");
	sqlite3_bind_int(s, 4, x->status);
	rp_bind_text(s, 5, x->message ? x->message : "");
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rp_dberr(r, "replica: cannot record a refused change");
}

/* The rows of an op of many rows (outbox_row) leave after the op, GONE_OPS ops at a time or
 * when the outbox is empty: the reads show a row of outbox_row only with its op in the outbox
 * (replica_get, RP_EFF_CTE), and each delete from outbox_row's uuid-keyed entity index
 * dirties a page of it — an Upload's 4,000 rows most of its leaves, rewritten at each
 * commit; GONE_OPS ops' rows deleted at once rewrite them once (docs/performance.md, "The
 * client's work in the federal import"). A kill before the sweep leaves those rows to the
 * next time the outbox is emptied. */
#define GONE_OPS 32

static int gone_add(struct replica *r, const char *op_id)
{
	if (r->ngone == r->capgone) {
		size_t cap = r->capgone ? r->capgone * 2 : GONE_OPS;
		char (*g)[REPLICA_OP_ID_LEN] = realloc(r->gone, cap * sizeof *g);
		if (!g)
			return rp_fail(r, "replica: out of memory");
		r->gone = g;
		r->capgone = cap;
	}
	snprintf(r->gone[r->ngone++], REPLICA_OP_ID_LEN, "%s", op_id);
	return 0;
}

/* Inside the caller's transaction: the rows of the ops gone deleted when it is time. 1 when
 * they were (r->ngone is cleared once that commits), 0 not yet, -1. */
static int gone_sweep(struct replica *r)
{
	if (!r->ngone)
		return 0;
	long any = rp_count(r, "SELECT EXISTS (SELECT 1 FROM outbox)");
	if (any < 0)
		return -1;
	if (!any) /* every row left is an answered op's (this handle's, or a killed client's) */
		return rp_exec(r, "DELETE FROM outbox_row", "replica: cannot update the outbox") ? -1 : 1;
	if (r->ngone < GONE_OPS)
		return 0;
	for (size_t i = 0; i < r->ngone; i++) {
		sqlite3_stmt *s = rp_stmt(r, RS_OUTBOX_ROW_DELETE, "DELETE FROM outbox_row WHERE op_id = ?1");
		if (!s)
			return -1;
		rp_bind_text(s, 1, r->gone[i]);
		if (rp_run(r, s, "replica: cannot update the outbox"))
			return -1;
	}
	return 1;
}

/* One op's answer inside the caller's transaction: 0, 1 when no such op is pending, -1. */
static int done_one(struct replica *r, const struct replica_done *d)
{
	const char *op_id = d->op_id, *message = d->message;
	int outcome = d->outcome, status = d->status;
	sqlite3_stmt *s;
	if (outcome != KARTA__OP_OUTCOME__OP_RETRY_LATER) {
		for (size_t i = 0; i < d->nrows; i++)
			if (reject_row(r, op_id, &d->rows[i]))
				return -1;
	}
	if (outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER) {
		s = rp_stmt(r, RS_OUTBOX_RETRY,
			"UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE op_id = ?1");
		if (!s)
			return -1;
		rp_bind_text(s, 2, message ? message : "");
	} else {
		if (outcome == KARTA__OP_OUTCOME__OP_REJECTED && reject(r, op_id, status, message))
			return -1;
		s = rp_stmt(r, RS_OUTBOX_DELETE, "DELETE FROM outbox WHERE op_id = ?1");
		if (!s)
			return -1;
	}
	rp_bind_text(s, 1, op_id);
	if (rp_run(r, s, "replica: cannot update the outbox"))
		return -1;
	if (sqlite3_changes(r->db) == 0)
		return 1;
	if (outcome != KARTA__OP_OUTCOME__OP_RETRY_LATER && gone_add(r, op_id) != 0)
		return -1;
	return 0;
}

int replica_outbox_done(struct replica *r, const char *op_id, int outcome, int status,
	const char *message)
{
	struct replica_done d = {op_id, outcome, status, message, NULL, 0};
	long n = replica_outbox_done_all(r, &d, 1);
	return n < 0 ? -1 : n == 1 ? 0 : 1;
}

long replica_outbox_done_all(struct replica *r, const struct replica_done *d, size_t n)
{
	long found = 0;
	size_t ngone = r->ngone; /* as it was, if this rolls back */
	if (rp_begin(r))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = done_one(r, &d[i]);
		if (rc < 0)
			goto fail;
		found += rc == 0;
	}
	int swept = gone_sweep(r);
	if (swept < 0 || rp_commit(r))
		goto fail;
	if (swept)
		r->ngone = 0;
	return found;
fail:
	rp_rollback(r);
	r->ngone = ngone;
	return -1;
}

long replica_outbox_count(struct replica *r)
{
	return rp_count(r, "SELECT count(*) FROM outbox");
}

struct pending_ctx {
	int (*cb)(void *arg, const struct replica_pending *p);
	void *arg;
};

static int pending_row(void *ctx, sqlite3_stmt *s)
{
	struct pending_ctx *c = ctx;
	struct replica_pending p = {
		.op_id = rp_col_text(s, 0), .client_seq = sqlite3_column_int64(s, 1),
		.msg_type = (uint32_t)sqlite3_column_int64(s, 2), .summary = rp_col_text(s, 3),
		.entity_type = rp_col_text(s, 4), .entity_id = rp_col_text(s, 5),
		.created_at = rp_col_text(s, 6), .attempts = sqlite3_column_int(s, 7),
		.last_error = rp_col_text(s, 8),
	};
	return c->cb(c->arg, &p);
}

int replica_outbox_each(struct replica *r, int (*cb)(void *arg, const struct replica_pending *p),
	void *arg)
{
	sqlite3_stmt *s = rp_prepare(r, "SELECT op_id, client_seq, msg_type, summary, entity_type,"
		" entity_id, created_at, attempts, last_error FROM outbox ORDER BY client_seq");
	struct pending_ctx c = {cb, arg};
	return s ? rp_each_row(r, s, pending_row, &c) : -1;
}

struct kinds_ctx {
	int (*cb)(void *arg, const char *kind, long n);
	void *arg;
};

static int kinds_row(void *ctx, sqlite3_stmt *s)
{
	struct kinds_ctx *c = ctx;
	return c->cb(c->arg, rp_col_text(s, 0), (long)sqlite3_column_int64(s, 1));
}

int replica_outbox_kinds(struct replica *r, int (*cb)(void *arg, const char *kind, long n),
	void *arg)
{
	/* the summary's first two words ("item add", "plan derive", "plan import:"), a record
	 * op's kind, "conflict resolve" (its summary starts with the conflict's id) */
	sqlite3_stmt *s = rp_prepare(r, "WITH o AS (SELECT msg_type, entity_type, summary,"
		" instr(summary || ' ', ' ') AS w1 FROM outbox),"
		" k AS (SELECT CASE WHEN msg_type = 50 THEN coalesce(nullif(entity_type, ''), 'record')"
		"  WHEN msg_type = 46 THEN 'conflict resolve'"
		"  ELSE rtrim(substr(summary, 1, w1 - 1 + instr(substr(summary, w1 + 1) || ' ', ' ')),"
		"   ': ') END AS kind FROM o)"
		" SELECT kind, count(*) FROM k GROUP BY kind ORDER BY count(*) DESC, kind");
	struct kinds_ctx c = {cb, arg};
	return s ? rp_each_row(r, s, kinds_row, &c) : -1;
}

struct rejected_ctx {
	int (*cb)(void *arg, const struct replica_rejected *rj);
	void *arg;
};

static int rejected_row(void *ctx, sqlite3_stmt *s)
{
	struct rejected_ctx *c = ctx;
	struct replica_rejected rj = {
		.op_id = rp_col_text(s, 0), .client_seq = sqlite3_column_int64(s, 1),
		.msg_type = (uint32_t)sqlite3_column_int64(s, 2), .summary = rp_col_text(s, 3),
		.status = sqlite3_column_int(s, 4), .message = rp_col_text(s, 5),
		.at = rp_col_text(s, 6),
	};
	return c->cb(c->arg, &rj);
}

int replica_rejected_each(struct replica *r,
	int (*cb)(void *arg, const struct replica_rejected *rj), void *arg)
{
	sqlite3_stmt *s = rp_prepare(r, "SELECT op_id, client_seq, msg_type, summary, status, message,"
		" at FROM rejected ORDER BY client_seq");
	struct rejected_ctx c = {cb, arg};
	return s ? rp_each_row(r, s, rejected_row, &c) : -1;
}

long replica_rejected_clear(struct replica *r, const char *op_id)
{
	sqlite3_stmt *s = rp_prepare(r, "DELETE FROM rejected WHERE ?1 IS NULL OR op_id = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, op_id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rp_dberr(r, "replica: cannot forget refused changes");
	return sqlite3_changes(r->db);
}

int replica_outbox_cache(struct replica *r, long kib)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%ld", kib);
	return rp_exec(r, sql, "replica: cannot configure the database");
}

int replica_batch_begin(struct replica *r)
{
	return rp_begin(r);
}

int replica_batch_end(struct replica *r, bool commit)
{
	if (commit && rp_commit(r) == 0)
		return 0;
	rp_rollback(r);
	return commit ? -1 : 0;
}
