/* replica_apply: what a pull writes — pages of changes with their feed states, and the
 * snapshots that answer a resync. "Newer wins" lives in one place, put_row. */
#include "replica_int.h"

#include <stdlib.h>
#include <string.h>

const char *replica_kind_name(enum replica_kind k)
{
#define REPLICA_KIND_NAME(id, name) [REPLICA_##id] = name,
	static const char *const names[REPLICA_NKINDS] = {
		REPLICA_KINDS(REPLICA_KIND_NAME)[REPLICA_OTHER] = "other"};
#undef REPLICA_KIND_NAME
	return k < REPLICA_NKINDS ? names[k] : "other";
}

static enum replica_kind kind_of(const char *type)
{
	for (int k = 0; k < REPLICA_OTHER; k++)
		if (strcmp(type, replica_kind_name((enum replica_kind)k)) == 0)
			return (enum replica_kind)k;
	return REPLICA_OTHER;
}

enum what { INSERTED, UPDATED, UNCHANGED, DELETED };

static void bump(struct replica_count *c, enum what w)
{
	long *f[] = {&c->inserted, &c->updated, &c->unchanged, &c->deleted};
	(*f[w])++;
}

static void count(struct replica_stats *st, const char *type, enum what w)
{
	bump(&st->kind[kind_of(type)], w);
	bump(&st->total, w);
}

static void add_count(struct replica_count *to, const struct replica_count *c)
{
	to->inserted += c->inserted;
	to->updated += c->updated;
	to->unchanged += c->unchanged;
	to->deleted += c->deleted;
}

/* Adds what a committed transaction did to the caller's stats. */
static void stats_add(struct replica_stats *to, const struct replica_stats *st)
{
	if (!to)
		return;
	for (int k = 0; k < REPLICA_NKINDS; k++)
		add_count(&to->kind[k], &st->kind[k]);
	add_count(&to->total, &st->total);
	to->removed += st->removed;
	to->feeds_gone += st->feeds_gone;
	to->feeds_resync += st->feeds_resync;
}

/* The plan a row belongs to: its own id for a plan, else the payload's plan_id — as
 * top_plan_id found it (?9; ?10 set when it is sure), or as SQLite's JSON parser reads it. */
#define PLAN_ID_SQL "CASE WHEN ?2 = 'plan' THEN ?3 WHEN ?10 THEN ?9" \
	" ELSE json_extract(?7, '$.plan_id') END"

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The payload's top-level member "plan_id": 1 with it in out when it is a string without
 * escapes (a uuid); 1 with out NULL when the object has no such member; 0 when unsure (a JSON
 * null, an escape, another type, text that is not one whole object) — then json_extract
 * decides. SQLite parsing every pulled payload whole for this one member was a sixth of a
 * fill's client CPU (docs/performance.md). Strings are skipped with their escapes, nested
 * objects and arrays by depth: a "plan_id" deeper down, or a string value "plan_id", is not
 * it. */
static int top_plan_id(const char *p, char *out, size_t n, const char **found)
{
	static const char key[] = "\"plan_id\"";
	int depth = 0;
	*found = NULL;
	while (json_space(*p))
		p++;
	if (*p != '{')
		return 0;
	for (; *p; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				break;
		} else if (*p == '"') {
			const char *s = p++;
			while (*p && *p != '"')
				if (*p++ == '\\' && *p)
					p++;
			if (!*p)
				return 0;
			if (depth != 1 || (size_t)(p - s + 1) != sizeof key - 1 || memcmp(s, key, sizeof key - 1))
				continue;
			const char *v = p + 1;
			while (json_space(*v))
				v++;
			if (*v != ':')
				continue; /* a value "plan_id", not the key */
			for (v++; json_space(*v);)
				v++;
			if (*v++ != '"')
				return 0;
			size_t len = strcspn(v, "\"\\");
			if (v[len] != '"' || len >= n)
				return 0;
			memcpy(out, v, len);
			out[len] = '\0';
			*found = out;
			return 1;
		}
	}
	if (!*p) /* the object does not close */
		return 0;
	for (p++; json_space(*p);)
		p++;
	return *p == '\0';
}

/* The columns of row a change fills (?1 feed … ?8 snap_gen; ?9, ?10 what top_plan_id found),
 * bound to s; plan is the buffer ?9 points to until s is stepped. */
static void bind_row(sqlite3_stmt *s, const Karta__Change *c, const char *feed, int64_t gen,
	char plan[64])
{
	rp_bind_text(s, 1, feed);
	rp_bind_text(s, 2, c->entity_type);
	rp_bind_text(s, 3, c->entity_id);
	sqlite3_bind_int64(s, 4, c->seq);
	sqlite3_bind_int64(s, 5, c->row_version);
	rp_bind_text(s, 6, c->op);
	rp_bind_text(s, 7, c->payload[0] ? c->payload : "{}");
	sqlite3_bind_int64(s, 8, gen);
	const char *found = NULL;
	sqlite3_bind_int(s, 10, strcmp(c->entity_type, "plan") != 0 &&
		top_plan_id(c->payload[0] ? c->payload : "{}", plan, 64, &found));
	rp_bind_text(s, 9, found);
}

/* The insert of a change's row (bind_row); what it does to a row that exists follows. */
#define ROW_INSERT_SQL "INSERT INTO row(entity_type, entity_id, feed, seq, row_version, op," \
	" payload, plan_id, snap_gen) VALUES (?2, ?3, ?1, ?4, ?5, ?6, ?7, " PLAN_ID_SQL ", ?8)" \
	" ON CONFLICT(entity_type, entity_id) DO "

/* Stores change c by statement sql (ROW_INSERT_SQL and its action): 1 when a row was written,
 * 0 when none, -1 on error. */
static int store_row(struct replica *r, enum rp_slot slot, const char *sql, const Karta__Change *c,
	const char *feed, int64_t gen)
{
	sqlite3_stmt *s = rp_stmt(r, slot, sql);
	if (!s)
		return -1;
	char plan[64];
	bind_row(s, c, feed, gen, plan);
	if (rp_run(r, s, "replica: cannot store a row"))
		return -1;
	return sqlite3_changes(r->db) > 0;
}

/* Stores one change if it is newer than what the replica has. snapshot: the change comes from
 * a snapshot of generation gen — it also wins over an equal version, and the row (kept or
 * replaced) is marked seen. */
static int put_row(struct replica *r, const Karta__Change *c, const char *feed, bool snapshot,
	int64_t gen, struct replica_stats *st)
{
	if (!c->entity_type[0] || !c->entity_id[0])
		return rp_fail(r, "replica: a change without an entity type or id");
	/* a fill, a snapshot or an insert: most often a row the replica lacks, stored by one
	 * statement that does nothing when the row exists (then the versions are compared) */
	if (snapshot || strcmp(c->op, "snapshot") == 0 || strcmp(c->op, "insert") == 0) {
		int added = store_row(r, RS_ROW_ADD, ROW_INSERT_SQL "NOTHING", c, feed, gen);
		if (added < 0)
			return -1;
		if (added) {
			count(st, c->entity_type, INSERTED);
			return 0;
		}
	}
	sqlite3_stmt *s = rp_stmt(r, RS_ROW_LOOKUP,
		"SELECT row_version, seq FROM row WHERE entity_type = ?1 AND entity_id = ?2");
	if (!s)
		return -1;
	rp_bind_text(s, 1, c->entity_type);
	rp_bind_text(s, 2, c->entity_id);
	int rc = sqlite3_step(s);
	bool exists = rc == SQLITE_ROW;
	int64_t have_ver = exists ? sqlite3_column_int64(s, 0) : 0;
	int64_t have_seq = exists ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rp_dberr(r, "replica: cannot read a row");

	bool newer = !exists || c->row_version > have_ver ||
		(c->row_version == have_ver && (snapshot || (c->row_version == 0 && c->seq > have_seq)));
	if (!newer) {
		count(st, c->entity_type, UNCHANGED);
		if (!snapshot)
			return 0;
		s = rp_stmt(r, RS_ROW_MARK,
			"UPDATE row SET snap_gen = ?3 WHERE entity_type = ?1 AND entity_id = ?2");
		if (!s)
			return -1;
		rp_bind_text(s, 1, c->entity_type);
		rp_bind_text(s, 2, c->entity_id);
		sqlite3_bind_int64(s, 3, gen);
		return rp_run(r, s, "replica: cannot mark a row");
	}
	if (store_row(r, RS_ROW_INSERT, ROW_INSERT_SQL "UPDATE SET feed = excluded.feed,"
		" seq = excluded.seq, row_version = excluded.row_version, op = excluded.op,"
		" payload = excluded.payload, plan_id = excluded.plan_id, snap_gen = excluded.snap_gen",
		c, feed, gen) < 0)
		return -1;
	count(st, c->entity_type, exists ? UPDATED : INSERTED);
	if (strcmp(c->op, "delete") == 0)
		count(st, c->entity_type, DELETED);
	return 0;
}

/* Name, level, parent and scope of a feed, creating it if new. */
static int feed_describe(struct replica *r, const Karta__FeedState *fs)
{
	sqlite3_stmt *s = rp_stmt(r, RS_FEED_DESCRIBE,
		"INSERT INTO feed(code, name, level, parent, scope, last_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(code) DO UPDATE SET"
		/* a snapshot page's state carries only the feed, epoch and seq: what it lacks is kept */
		" name = CASE WHEN excluded.name = '' THEN feed.name ELSE excluded.name END,"
		" level = CASE WHEN excluded.level = 0 THEN feed.level ELSE excluded.level END,"
		" parent = CASE WHEN excluded.level = 0 THEN feed.parent ELSE excluded.parent END,"
		" scope = CASE WHEN excluded.scope = '' THEN feed.scope ELSE excluded.scope END,"
		" last_seq = excluded.last_seq");
	if (!s)
		return -1;
	rp_bind_text(s, 1, fs->feed);
	rp_bind_text(s, 2, fs->name);
	sqlite3_bind_int(s, 3, (int)fs->level);
	rp_bind_text(s, 4, fs->parent);
	rp_bind_text(s, 5, fs->scope);
	sqlite3_bind_int64(s, 6, fs->last_seq);
	return rp_run(r, s, "replica: cannot store a feed");
}

/* Runs a one-statement update of feed ?1 (with ?2, ?3 as the caller binds them). */
static int feed_set(struct replica *r, enum rp_slot slot, const char *sql, const char *feed,
	int64_t a, int64_t b)
{
	sqlite3_stmt *s = rp_stmt(r, slot, sql);
	if (!s)
		return -1;
	rp_bind_text(s, 1, feed);
	sqlite3_bind_int64(s, 2, a);
	sqlite3_bind_int64(s, 3, b);
	return rp_run(r, s, "replica: cannot update a feed");
}

static int feed_gone(struct replica *r, const char *feed, struct replica_stats *st)
{
	if (feed_set(r, RS_FEED_GONE_ROWS, "DELETE FROM row WHERE feed = ?1 AND ?2 = ?3", feed, 0, 0))
		return -1;
	st->removed += sqlite3_changes(r->db);
	return feed_set(r, RS_FEED_GONE, "DELETE FROM feed WHERE code = ?1 AND ?2 = ?3", feed, 0, 0);
}

static int apply_state(struct replica *r, const Karta__FeedState *fs, struct replica_stats *st)
{
	switch (fs->action) {
	case KARTA__FEED_ACTION__FEED_GONE:
		st->feeds_gone++;
		return feed_gone(r, fs->feed, st);
	case KARTA__FEED_ACTION__FEED_RESYNC:
		st->feeds_resync++;
		return feed_describe(r, fs) ||
			feed_set(r, RS_FEED_MARK, "UPDATE feed SET resync = 1 WHERE code = ?1 AND ?2 = ?3",
				fs->feed, 0, 0);
	default: /* a resync mark stays until the feed's snapshot completes (replica_snapshot_end) */
		return feed_describe(r, fs) ||
			feed_set(r, RS_FEED_MOVE, "UPDATE feed SET epoch = ?2, seq = ?3"
				" WHERE code = ?1", fs->feed, fs->epoch, fs->seq);
	}
}

int replica_apply_page(struct replica *r, const Karta__ChangePage *pg, struct replica_stats *st)
{
	struct replica_stats local = {0};
	if (rp_begin(r))
		return -1;
	for (size_t i = 0; i < pg->n_changes; i++)
		if (put_row(r, pg->changes[i], pg->changes[i]->feed, false, 0, &local))
			goto fail;
	for (size_t i = 0; i < pg->n_feeds; i++)
		if (apply_state(r, pg->feeds[i], &local))
			goto fail;
	if (rp_commit(r))
		goto fail;
	stats_add(st, &local);
	return 0;
fail:
	rp_rollback(r);
	return -1;
}

int replica_cursors(struct replica *r, Karta__FeedCursor ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = rp_prepare(r,
		"SELECT code, epoch, seq FROM feed ORDER BY code");
	if (!s)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			Karta__FeedCursor **g = realloc(*out, cap * sizeof *g);
			if (!g)
				goto oom;
			*out = g;
		}
		Karta__FeedCursor *c = malloc(sizeof *c);
		char *code = c ? strdup(rp_col_text(s, 0)) : NULL;
		if (!code) {
			free(c);
			goto oom;
		}
		karta__feed_cursor__init(c);
		c->feed = code;
		c->epoch = (uint32_t)sqlite3_column_int64(s, 1);
		c->seq = sqlite3_column_int64(s, 2);
		(*out)[(*n)++] = c;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	rp_dberr(r, "replica: cannot read the cursors");
	replica_cursors_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
oom:
	sqlite3_finalize(s);
	replica_cursors_free(*out, *n);
	*out = NULL;
	*n = 0;
	return rp_fail(r, "replica: out of memory");
}

void replica_cursors_free(Karta__FeedCursor **c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i]->feed);
		free(c[i]);
	}
	free(c);
}

/* --- snapshots --------------------------------------------------------------------------- */

int replica_snapshot_begin(struct replica *r, const Karta__FeedState *fs)
{
	if (rp_begin(r))
		return -1;
	/* a SnapshotPage's feed state carries the position only: the name, level, parent and
	 * scope the RESYNC state described stay (describing it again from the page wiped them:
	 * a municipality no longer knew its rebuilt school as its own) */
	if ((*fs->scope && feed_describe(r, fs)) ||
	    feed_set(r, RS_FEED_SNAP_BEGIN, "UPDATE feed SET resync = 1, snap_epoch = ?2, snap_seq = ?3,"
		" snap_gen = snap_gen + 1 WHERE code = ?1", fs->feed, fs->epoch, fs->seq) ||
	    rp_commit(r)) {
		rp_rollback(r);
		return -1;
	}
	return 0;
}

static int64_t snap_gen(struct replica *r, const char *feed)
{
	sqlite3_stmt *s = rp_prepare(r, "SELECT snap_gen FROM feed WHERE code = ?1 AND resync = 1");
	if (!s)
		return -1;
	rp_bind_text(s, 1, feed);
	int64_t g = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	if (g < 0)
		rp_fail(r, "replica: no snapshot of %s is open", feed);
	return g;
}

int replica_snapshot_apply(struct replica *r, const char *feed, const Karta__Change *const *rows,
	size_t n, struct replica_stats *st)
{
	struct replica_stats local = {0};
	if (rp_begin(r))
		return -1;
	int64_t gen = snap_gen(r, feed);
	if (gen < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (put_row(r, rows[i], feed, true, gen, &local))
			goto fail;
	if (rp_commit(r))
		goto fail;
	stats_add(st, &local);
	return 0;
fail:
	rp_rollback(r);
	return -1;
}

long replica_snapshot_end(struct replica *r, const char *feed)
{
	if (rp_begin(r))
		return -1;
	long removed = -1;
	int64_t gen = snap_gen(r, feed);
	sqlite3_stmt *del = gen < 0 ? NULL
		: rp_prepare(r, "DELETE FROM row WHERE feed = ?1 AND snap_gen <> ?2");
	sqlite3_stmt *mv = del ? rp_prepare(r, "UPDATE feed SET epoch = snap_epoch, seq = snap_seq,"
		" resync = 0, snap_epoch = NULL, snap_seq = NULL WHERE code = ?1") : NULL;
	if (mv) {
		rp_bind_text(del, 1, feed);
		sqlite3_bind_int64(del, 2, gen);
		rp_bind_text(mv, 1, feed);
		if (rp_run(r, del, "replica: cannot drop rows the snapshot lacks") == 0) {
			removed = sqlite3_changes(r->db);
			if (rp_run(r, mv, "replica: cannot move a cursor") || rp_commit(r))
				removed = -1;
		}
	}
	sqlite3_finalize(del);
	sqlite3_finalize(mv);
	if (removed < 0)
		rp_rollback(r);
	return removed;
}
