/* replica_read: what the replica shows — entities as this device sees them (pending local
 * edits laid over synced rows), status, feeds and the dump that compares two replicas. */
#include "replica_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int replica_get(struct replica *r, const char *entity_type, const char *entity_id,
	char **payload, bool *pending)
{
	*payload = NULL;
	if (pending)
		*pending = false;
	sqlite3_stmt *s = rp_stmt(r, RS_GET_LOCAL,
		"SELECT p FROM (SELECT local_payload AS p, client_seq * 100000 AS cs FROM outbox"
		" WHERE entity_type = ?1 AND entity_id = ?2 AND local_payload IS NOT NULL"
		" UNION ALL SELECT x.local_payload, b.client_seq * 100000 + x.idx FROM outbox_row x"
		" JOIN outbox b ON b.op_id = x.op_id WHERE x.entity_type = ?1 AND x.entity_id = ?2"
		" AND x.local_payload IS NOT NULL) ORDER BY cs DESC LIMIT 1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, entity_type);
	rp_bind_text(s, 2, entity_id);
	int rc = sqlite3_step(s);
	bool local = rc == SQLITE_ROW;
	if (!local) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return rp_dberr(r, "replica: cannot read the outbox");
		s = rp_stmt(r, RS_GET_ROW,
			"SELECT payload FROM row WHERE entity_type = ?1 AND entity_id = ?2");
		if (!s)
			return -1;
		rp_bind_text(s, 1, entity_type);
		rp_bind_text(s, 2, entity_id);
		rc = sqlite3_step(s);
	}
	int ret = 1;
	if (rc == SQLITE_ROW) {
		*payload = strdup(rp_col_text(s, 0));
		ret = *payload ? 0 : rp_fail(r, "replica: out of memory");
		if (pending)
			*pending = local;
	} else if (rc != SQLITE_DONE) {
		ret = rp_dberr(r, "replica: cannot read a row");
	}
	sqlite3_reset(s);
	return ret;
}

struct eff_ctx {
	rp_eff_cb cb;
	void *arg;
};

static int eff_row(void *ctx, sqlite3_stmt *s)
{
	struct eff_ctx *c = ctx;
	return c->cb(c->arg, rp_col_text(s, 0),
		sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL : rp_col_text(s, 1),
		rp_col_text(s, 3), sqlite3_column_int(s, 4) != 0);
}

int rp_eff_each(struct replica *r, const char *type, const char *plan_id, rp_eff_cb cb,
	void *arg)
{
	sqlite3_stmt *s = rp_prepare(r, RP_EFF_CTE "SELECT id, feed, plan_id, payload, pending"
		" FROM eff WHERE ?2 IS NULL OR plan_id = ?2 ORDER BY id");
	if (!s)
		return -1;
	rp_bind_text(s, 1, type);
	rp_bind_text(s, 2, plan_id);
	struct eff_ctx c = {cb, arg};
	return rp_each_row(r, s, eff_row, &c);
}

struct each_ctx {
	int (*cb)(void *arg, const char *entity_id, const char *payload, bool pending);
	void *arg;
};

static int each_eff(void *ctx, const char *id, const char *feed, const char *payload,
	bool pending)
{
	struct each_ctx *c = ctx;
	return c->cb(c->arg, id, payload, pending);
}

int replica_each(struct replica *r, const char *entity_type, const char *plan_id,
	int (*cb)(void *arg, const char *entity_id, const char *payload, bool pending), void *arg)
{
	struct each_ctx c = {cb, arg};
	return rp_eff_each(r, entity_type, plan_id, each_eff, &c);
}

struct ids_ctx {
	int (*cb)(void *arg, const char *entity_id);
	void *arg;
};

static int id_row(void *ctx, sqlite3_stmt *s)
{
	struct ids_ctx *c = ctx;
	return c->cb(c->arg, rp_col_text(s, 0));
}

int replica_ids_each(struct replica *r, const char *entity_type,
	int (*cb)(void *arg, const char *entity_id), void *arg)
{
	sqlite3_stmt *s = rp_prepare(r, "SELECT entity_id FROM row WHERE entity_type = ?1"
		" UNION ALL SELECT entity_id FROM outbox WHERE entity_type = ?1 AND entity_id IS NOT NULL"
		" UNION ALL SELECT entity_id FROM outbox_row WHERE entity_type = ?1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, entity_type);
	struct ids_ctx c = {cb, arg};
	return rp_each_row(r, s, id_row, &c);
}

int replica_status(struct replica *r, struct replica_status *st)
{
	memset(st, 0, sizeof *st);
	st->feeds = rp_count(r, "SELECT count(*) FROM feed");
	st->rows = rp_count(r, "SELECT count(*) FROM row");
	st->outbox = rp_count(r, "SELECT count(*) FROM outbox");
	st->rejected = rp_count(r, "SELECT count(*) FROM rejected");
	st->conflicts_open = rp_count(r, "SELECT count(*) FROM row WHERE entity_type = 'conflict'"
		" AND json_extract(payload, '$.status') = 'open'");
	st->feeds_resync = rp_count(r, "SELECT count(*) FROM feed WHERE resync = 1");
	if (st->feeds < 0 || st->rows < 0 || st->outbox < 0 || st->rejected < 0 ||
	    st->conflicts_open < 0 || st->feeds_resync < 0)
		return -1;
	return replica_meta_get(r, REPLICA_META_LAST_SYNC, st->last_sync, sizeof st->last_sync) < 0
		? -1 : 0;
}

struct feed_ctx {
	int (*cb)(void *arg, const struct replica_feed *f);
	void *arg;
};

static int feed_row(void *ctx, sqlite3_stmt *s)
{
	struct feed_ctx *c = ctx;
	struct replica_feed f = {
		.code = rp_col_text(s, 0), .name = rp_col_text(s, 1), .parent = rp_col_text(s, 2),
		.scope = rp_col_text(s, 3), .level = sqlite3_column_int(s, 4),
		.epoch = (uint32_t)sqlite3_column_int64(s, 5), .seq = sqlite3_column_int64(s, 6),
		.last_seq = sqlite3_column_int64(s, 7), .resync = sqlite3_column_int(s, 8) != 0,
		.rows = (long)sqlite3_column_int64(s, 9),
	};
	return c->cb(c->arg, &f);
}

/* cb for each feed, its rows counted (rows) or not (0, resync_only: the marked feeds). */
static int feeds_each(struct replica *r, bool resync_only,
	int (*cb)(void *arg, const struct replica_feed *f), void *arg)
{
	sqlite3_stmt *s = rp_prepare(r, resync_only
		? "SELECT code, name, parent, scope, level, epoch, seq, last_seq, resync, 0"
		  " FROM feed WHERE resync = 1 ORDER BY code"
		: "SELECT code, name, parent, scope, level, epoch, seq, last_seq, resync,"
		  " (SELECT count(*) FROM row WHERE row.feed = feed.code) FROM feed ORDER BY code");
	struct feed_ctx c = {cb, arg};
	return s ? rp_each_row(r, s, feed_row, &c) : -1;
}

int replica_feed_each(struct replica *r, int (*cb)(void *arg, const struct replica_feed *f),
	void *arg)
{
	return feeds_each(r, false, cb, arg);
}

int replica_resync_each(struct replica *r, int (*cb)(void *arg, const struct replica_feed *f),
	void *arg)
{
	return feeds_each(r, true, cb, arg);
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int dump_row(void *ctx, sqlite3_stmt *s)
{
	const unsigned char *payload = sqlite3_column_text(s, 4);
	uint64_t h = fnv1a64(payload ? payload : (const unsigned char *)"",
		(size_t)sqlite3_column_bytes(s, 4));
	fprintf(ctx, "%s %s %s %" PRId64 " %016" PRIx64 "\n", rp_col_text(s, 0), rp_col_text(s, 1),
		rp_col_text(s, 2), (int64_t)sqlite3_column_int64(s, 3), h);
	return 0;
}

int replica_dump(struct replica *r, FILE *out)
{
	sqlite3_stmt *s = rp_prepare(r, "SELECT entity_type, entity_id, feed, row_version, payload"
		" FROM row ORDER BY entity_type, entity_id");
	return s ? rp_each_row(r, s, dump_row, out) : -1;
}
