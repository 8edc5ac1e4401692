/* h_sync: reading the change feeds (docs/sync.md).
 * Pull{cursors} → one ChangePage from karta_pull (sql/0006_sync.sql): the changes of every
 * feed the device may read past its cursors, at most page_bytes of payload, plus the state
 * of every feed that is new, moved, must resync or is gone; caught_up when nothing is left.
 * A caught-up Pull with subscribe=true subscribes the connection to its feeds (listen.c).
 * SnapshotRequest → one keyset page of a feed's current rows (resync). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_util.h"
#include "handlers.h"

#define MAX_CURSORS 100000

struct pull_state {
	json_t *cursors; /* as the client sent them */
	json_t *pos;     /* feed code → the seq the client holds after this page */
	char *cursors_json;
	char budget[24];
	bool subscribe;
};

static void pull_state_free(void *arg)
{
	struct pull_state *s = arg;
	if (!s)
		return;
	json_decref(s->cursors);
	json_decref(s->pos);
	free(s->cursors_json);
	free(s);
}

static Karta__OrgLevel level_of(const char *s)
{
	return strcmp(s, "region") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_REGION
		: strcmp(s, "municipality") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY
		: strcmp(s, "school") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL
		: KARTA__ORG_LEVEL__ORG_LEVEL_UNSPECIFIED;
}

/* A PostgreSQL text[] literal of plain words ("{a,b}") split in place into v (at most n). */
static size_t split_array(char *lit, char **v, size_t n)
{
	size_t k = 0;
	if (*lit != '{')
		return 0;
	char *save = NULL;
	lit[strcspn(lit, "}")] = '\0';
	for (char *t = strtok_r(lit + 1, ",", &save); t && k < n; t = strtok_r(NULL, ",", &save))
		v[k++] = t;
	return k;
}

static void subscribe_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct pull_state *s = p->extra;
	if (pending_gone(p) || !db_result_ok(res))
		goto out;
	int n = db_result_rows(res);
	long long *ids = calloc((size_t)n + 1, sizeof *ids), *seqs = calloc((size_t)n + 1, sizeof *seqs);
	const char **codes = calloc((size_t)n + 1, sizeof *codes);
	if (ids && seqs && codes) {
		for (int r = 0; r < n; r++) {
			ids[r] = atoll(db_result_get(res, r, 0));
			codes[r] = db_result_get(res, r, 1);
			seqs[r] = json_integer_value(json_object_get(s->pos, codes[r]));
		}
		session_subscribe(p->sess, ids, codes, seqs, (size_t)n);
	}
	free(ids);
	free(seqs);
	free(codes);
out:
	pending_free(p);
}

/* The payload bytes of one page: the configured page_bytes, less if the client asks, and
 * at most three quarters of max_frame — the rest is for the page's other fields (a change
 * is counted as its payload + 64 bytes) and its feed states, so a page always fits a frame. */
static long page_budget(const struct session *sess, uint64_t asked)
{
	long budget = sess->cfg->page_bytes, frame = sess->cfg->max_frame / 4 * 3;
	if (asked && asked < (uint64_t)budget)
		budget = (long)asked;
	return budget < frame ? budget : frame;
}

/* A page's changes in (feed code, seq) order: karta_pull gives its rows in no order (sorting
 * them there copied every payload once more); here only the pointers move. */
static int change_cmp(const void *a, const void *b)
{
	const Karta__Change *x = *(Karta__Change *const *)a, *y = *(Karta__Change *const *)b;
	int c = strcmp(x->feed, y->feed);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Rows, in no order: (kind, feed, seq, entity_type, entity_id, op, row_version, changed_fields,
 * payload, origin_op_id, epoch, last_seq, action, scope, name, level, parent, caught_up). */
static void pull_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct pull_state *s = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "pull");
		goto out;
	}
	size_t n = (size_t)db_result_rows(res), nc = 0, nf = 0;
	Karta__Change *ch = calloc(n + 1, sizeof *ch), **chp = calloc(n + 1, sizeof *chp);
	Karta__FeedState *fs = calloc(n + 1, sizeof *fs), **fsp = calloc(n + 1, sizeof *fsp);
	char **fields = calloc(n * 64 + 1, sizeof *fields);
	char **lits = calloc(n + 1, sizeof *lits);
	if (!ch || !chp || !fs || !fsp || !fields || !lits) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		goto done;
	}
	Karta__ChangePage page = KARTA__CHANGE_PAGE__INIT, *pg = &page;
	for (size_t r = 0; r < n; r++) {
		const char *kind = db_result_get(res, (int)r, 0);
#define COL(k) ((char *)db_result_get(res, (int)r, (k)))
		if (strcmp(kind, "change") == 0) {
			Karta__Change *c = &ch[nc];
			karta__change__init(c);
			c->feed = COL(1);
			c->seq = atoll(COL(2));
			c->entity_type = COL(3);
			c->entity_id = COL(4);
			c->op = COL(5);
			c->row_version = atoll(COL(6));
			if (!db_result_isnull(res, (int)r, 7) && (lits[r] = strdup(COL(7)))) {
				c->changed_fields = &fields[r * 64];
				c->n_changed_fields = split_array(lits[r], c->changed_fields, 64);
			}
			c->payload = COL(8);
			c->origin_op_id = COL(9);
			chp[nc++] = c;
		} else if (strcmp(kind, "feed") == 0) {
			Karta__FeedState *f = &fs[nf];
			karta__feed_state__init(f);
			f->feed = COL(1);
			f->seq = atoll(COL(2));
			f->epoch = (uint32_t)atol(COL(10));
			f->last_seq = atoll(COL(11));
			const char *act = COL(12);
			f->action = strcmp(act, "resync") == 0 ? KARTA__FEED_ACTION__FEED_RESYNC
				: strcmp(act, "gone") == 0 ? KARTA__FEED_ACTION__FEED_GONE
				: KARTA__FEED_ACTION__FEED_OK;
			f->scope = COL(13);
			f->name = COL(14);
			f->level = level_of(COL(15));
			f->parent = COL(16);
			fsp[nf++] = f;
			json_object_set_new(s->pos, f->feed, json_integer(f->seq));
		} else {
			pg->caught_up = strcmp(COL(17), "t") == 0;
		}
#undef COL
	}
	qsort(chp, nc, sizeof *chp, change_cmp);
	pg->n_changes = nc;
	pg->changes = chp;
	pg->n_feeds = nf;
	pg->feeds = fsp;
	if (session_reply(p->sess, p->rid, &pg->base) == 0 && s->subscribe && pg->caught_up) {
		const char *params[1] = {p->device};
		pending_query(p, "SELECT org_id, code FROM karta_feed_visible($1)", 1, params,
			subscribe_cb);
		p = NULL; /* subscribe_cb frees it (or pending_query did) */
	}
done:
	for (size_t r = 0; lits && r < n; r++)
		free(lits[r]);
	free(lits);
	free(fields);
	free(ch);
	free(chp);
	free(fs);
	free(fsp);
out:
	pending_free(p);
}

int h_pull(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__Pull *req = (const Karta__Pull *)msg;
	if (req->n_cursors > MAX_CURSORS)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST,
			"too many cursors (at most %d)", MAX_CURSORS), 0;
	struct pending *p = pending_new(sess, rid);
	struct pull_state *s = calloc(1, sizeof *s);
	if (!p || !s || !(s->cursors = json_array()) || !(s->pos = json_object())) {
		pull_state_free(s);
		pending_free(p);
		return -1;
	}
	p->extra = s;
	p->extra_free = pull_state_free;
	for (size_t i = 0; i < req->n_cursors; i++) {
		const Karta__FeedCursor *fc = req->cursors[i];
		if (!*fc->feed || strlen(fc->feed) > 32 || fc->seq < 0 ||
		    json_object_get(s->pos, fc->feed)) {
			session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST,
				"cursor %zu: a feed is an organization code named once, and seq is 0 or more",
				i);
			pending_free(p);
			return 0;
		}
		json_array_append_new(s->cursors, json_pack("{s:s,s:I,s:I}", "feed", fc->feed,
			"epoch", (json_int_t)fc->epoch, "seq", (json_int_t)fc->seq));
		json_object_set_new(s->pos, fc->feed, json_integer(fc->seq));
	}
	snprintf(s->budget, sizeof s->budget, "%ld", page_budget(sess, req->max_bytes));
	s->subscribe = req->subscribe;
	if (!(s->cursors_json = json_dumps(s->cursors, JSON_COMPACT))) {
		pending_free(p);
		return -1;
	}
	const char *params[3] = {p->device, s->cursors_json, s->budget};
	pending_query(p, "SELECT * FROM karta_pull($1, $2::jsonb, $3::int)", 3, params, pull_cb);
	return 0;
}

/* --- snapshot --------------------------------------------------------------------------------- */

/* Rows: (entity_type, entity_id, row_version, payload, epoch, last_seq, more); the last row
 * has no entity and says whether more follow. No rows: the feed is not readable. */
static void snapshot_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "snapshot");
		goto out;
	}
	size_t n = (size_t)db_result_rows(res), m = 0;
	if (n == 0) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_PERMISSION_DENIED,
			"no access to feed %s", p->id);
		goto out;
	}
	Karta__Change *ch = calloc(n, sizeof *ch), **chp = calloc(n, sizeof *chp);
	if (!ch || !chp) {
		free(ch);
		free(chp);
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		goto out;
	}
	Karta__SnapshotPage pg = KARTA__SNAPSHOT_PAGE__INIT;
	Karta__FeedState fs = KARTA__FEED_STATE__INIT;
	for (size_t r = 0; r < n; r++) {
#define COL(k) ((char *)db_result_get(res, (int)r, (k)))
		if (db_result_isnull(res, (int)r, 0)) {
			pg.more = strcmp(COL(6), "t") == 0;
			fs.epoch = (uint32_t)atol(COL(4));
			fs.seq = fs.last_seq = atoll(COL(5));
			continue;
		}
		karta__change__init(&ch[m]);
		ch[m].feed = p->id;
		ch[m].entity_type = COL(0);
		ch[m].entity_id = COL(1);
		ch[m].op = "snapshot";
		ch[m].row_version = atoll(COL(2));
		ch[m].payload = COL(3);
		chp[m] = &ch[m];
		m++;
#undef COL
	}
	fs.feed = p->id;
	pg.feed = &fs;
	pg.n_rows = m;
	pg.rows = chp;
	session_reply(p->sess, p->rid, &pg.base);
	free(ch);
	free(chp);
out:
	pending_free(p);
}

int h_snapshot(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__SnapshotRequest *req = (const Karta__SnapshotRequest *)msg;
	const char *bad = NULL;
	if (!*req->feed || strlen(req->feed) > 32)
		bad = "feed must be an organization code";
	else if (*req->after_id)
		bad = check_uuid("after_id", req->after_id);
	if (!bad && strlen(req->after_type) > 32)
		bad = "after_type is an entity type";
	if (bad)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = pending_new(sess, rid);
	if (!p)
		return -1;
	snprintf(p->id, sizeof p->id, "%s", req->feed);
	snprintf(p->base, sizeof p->base, "%ld", page_budget(sess, req->max_bytes));
	const char *params[5] = {p->device, p->id, req->after_type, req->after_id, p->base};
	pending_query(p,
		"SELECT * FROM karta_snapshot($1, $2, nullif($3, ''), nullif($4, '')::uuid, $5::int)",
		5, params, snapshot_cb);
	return 0;
}
