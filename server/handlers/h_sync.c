/* h_sync: reading the change feeds (docs/sync.md).
 * Pull{cursors} → one ChangePage from karta_pull (sql/0006_sync.sql): the changes of every
 * feed the device may read past its cursors, at most page_bytes of payload, plus the state
 * of every feed that is new, moved, must resync or is gone; caught_up when nothing is left.
 * A caught-up Pull with subscribe=true subscribes the connection to its feeds (listen.c).
 * After a page that only moves feeds, the client's next Pull is known (its cursors moved by
 * the page's feed states, the same budget): karta_pull runs for it at once, while this page
 * is packed, sent and unpacked ("read ahead", one per session), and the Pull that then asks
 * exactly that is answered from it. SnapshotRequest → one keyset page of a feed's current
 * rows (resync). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_util.h"
#include "handlers.h"

#define MAX_CURSORS 100000
#define AHEAD_MAX_AGE_NS 5000000000ull /* a page read ahead older than 5 s is read again */

static const char pull_sql[] = "SELECT * FROM karta_pull($1, $2::jsonb, $3::int)";

struct cursor {
	char feed[33];
	uint32_t epoch;
	int64_t seq;
};

struct pull_state {
	struct cursor *cur; /* as the client sent them (valid UTF-8 codes only) */
	size_t n;
	bool sorted;        /* by code (strcmp), as the client sends them */
	json_t *pos;        /* subscribing: feed code → the seq the client holds after this page */
	char *cursors_json; /* the cursors as karta_pull's jsonb */
	char budget[24];
	bool subscribe;
};

static void pull_state_free(void *arg)
{
	struct pull_state *s = arg;
	if (!s)
		return;
	free(s->cur);
	json_decref(s->pos);
	free(s->cursors_json);
	free(s);
}

/* Whether s is UTF-8 (what PostgreSQL's jsonb takes; a code that is not names no feed). */
static bool utf8_ok(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 && *s >= 0xC2 ? 1 : (*s & 0xF0) == 0xE0 ? 2
			: (*s & 0xF8) == 0xF0 && *s <= 0xF4 ? 3 : -1;
		if (n < 0)
			return false;
		for (s++; n > 0; n--, s++)
			if ((*s & 0xC0) != 0x80)
				return false;
	}
	return true;
}

/* The cursors as a JSON array [{"feed":…,"epoch":…,"seq":…}, …] (malloc'd; NULL: no memory).
 * Written here rather than through jansson: a region's Pull names 1,066 feeds, and building
 * and dumping them as JSON values was a sixth of kartad's CPU in a fill. */
static char *cursors_json(const struct cursor *c, size_t n)
{
	size_t len = 3; /* a code's byte takes at most 6 (\u00XX), the rest of an entry 64 */
	for (size_t i = 0; i < n; i++)
		len += strlen(c[i].feed) * 6 + 64;
	char *out = malloc(len), *o = out;
	if (!out)
		return NULL;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		o += sprintf(o, "%s{\"feed\":\"", i ? "," : "");
		for (const unsigned char *f = (const unsigned char *)c[i].feed; *f; f++)
			if (*f == '"' || *f == '\\')
				o += sprintf(o, "\\%c", *f);
			else if (*f < 0x20)
				o += sprintf(o, "\\u%04x", *f);
			else
				*o++ = (char)*f;
		o += sprintf(o, "\",\"epoch\":%u", (unsigned)c[i].epoch);
		o += sprintf(o, ",\"seq\":%lld}", (long long)c[i].seq);
	}
	*o++ = ']';
	*o = '\0';
	return out;
}

static int cursor_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cursor *)a)->feed, ((const struct cursor *)b)->feed);
}

/* The next page read ahead: the Pull it answers (cursors, budget), its result once in. */
struct pull_ahead {
	char *cursors_json;      /* the Pull's cursors as pull_state has them */
	char budget[24];
	struct db_result *res;   /* NULL while the query runs */
	uint64_t t_done;         /* metrics_now_ns() when it came in */
	struct pending *waiter;  /* the Pull that arrived while the query ran */
	bool dropped;            /* no longer the session's: the query's callback frees it */
};

static void ahead_free(struct pull_ahead *a)
{
	if (!a)
		return;
	free(a->cursors_json);
	if (a->res)
		db_result_free(a->res);
	free(a);
}

static void no_free(void *arg) { (void)arg; }

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

static void ahead_start(struct pending *p, Karta__FeedState *const *fsp, size_t nf);

/* Answers p (its pull_state in p->extra) with karta_pull's rows, in no order: (kind, feed,
 * seq, entity_type, entity_id, op, row_version, changed_fields, payload, origin_op_id, epoch,
 * last_seq, action, scope, name, level, parent, caught_up). Frees p. */
static void pull_answer(struct pending *p, struct db_result *res)
{
	struct pull_state *s = p->extra;
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
			if (s->pos)
				json_object_set_new(s->pos, f->feed, json_integer(f->seq));
		} else {
			pg->caught_up = strcmp(COL(17), "t") == 0;
		}
#undef COL
	}
	if (!s->subscribe && !pg->caught_up)
		ahead_start(p, fsp, nf); /* before this page is packed and sent */
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
	pending_free(p);
}

static void pull_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		pending_free(p);
	else if (!db_result_ok(res)) {
		reply_db_error(p, res, "pull");
		pending_free(p);
	} else
		pull_answer(p, res);
}

/* --- the next page read ahead ----------------------------------------------------------- */

/* Drops the session's page read ahead (a Pull waiting for it is not dropped: see h_pull). */
static void ahead_drop(struct session *sess)
{
	struct pull_ahead *a = sess->pull_ahead;
	if (!a)
		return;
	metrics_inc(sess->metrics, M_PULL_AHEAD_DROPPED);
	sess->pull_ahead = NULL;
	if (a->res)
		ahead_free(a);
	else
		a->dropped = true;
}

void h_pull_forget(struct session *sess)
{
	struct pull_ahead *a = sess->pull_ahead;
	if (a && a->waiter) {
		pending_free(a->waiter);
		a->waiter = NULL;
	}
	ahead_drop(sess);
}

static void ahead_cb(struct db_result *res, void *arg)
{
	struct pending *q = arg;
	struct pull_ahead *a = q->extra;
	struct session *sess = q->sess;
	if (a->dropped || pending_gone(q)) {
		if (!a->dropped)
			h_pull_forget(sess);
		ahead_free(a);
		pending_free(q);
		return;
	}
	struct pending *w = a->waiter;
	if (w || !db_result_ok(res) || !(a->res = db_result_take(res))) {
		sess->pull_ahead = NULL;
		ahead_free(a);
	} else
		a->t_done = metrics_now_ns();
	pending_free(q);
	if (!w)
		return;
	if (db_result_ok(res)) {
		pull_answer(w, res);
		return;
	}
	struct pull_state *s = w->extra; /* the read ahead failed: ask as the Pull did */
	const char *params[3] = {w->device, s->cursors_json, s->budget};
	pending_query(w, pull_sql, 3, params, pull_cb);
}

/* The client's cursors after a page that only moves feeds (sync.c's cursors_move): each feed
 * state's epoch and seq, a feed new to it added, in code order. As JSON; NULL when not
 * known (the client's cursors were not in code order) or out of memory. */
static char *cursors_after(const struct pull_state *s, Karta__FeedState *const *fsp, size_t nf)
{
	struct cursor *st = calloc(nf + 1, sizeof *st), *out = calloc(s->n + nf + 1, sizeof *out);
	char *json = NULL;
	if (!st || !out || !s->sorted)
		goto done;
	for (size_t i = 0; i < nf; i++) {
		if (strlen(fsp[i]->feed) >= sizeof st[i].feed)
			goto done;
		strcpy(st[i].feed, fsp[i]->feed);
		st[i].epoch = fsp[i]->epoch;
		st[i].seq = fsp[i]->seq;
	}
	qsort(st, nf, sizeof *st, cursor_cmp);
	size_t i = 0, j = 0, k = 0;
	while (i < s->n || j < nf) {
		int c = i == s->n ? 1 : j == nf ? -1 : strcmp(s->cur[i].feed, st[j].feed);
		out[k++] = c < 0 ? s->cur[i] : st[j];
		i += c <= 0;
		j += c >= 0;
	}
	json = cursors_json(out, k);
done:
	free(st);
	free(out);
	return json;
}

/* After page p (not caught up, not subscribing): when it only moves feeds, runs karta_pull for
 * the client's next Pull — its cursors moved by the page's feed states, the same budget. */
static void ahead_start(struct pending *p, Karta__FeedState *const *fsp, size_t nf)
{
	struct pull_state *s = p->extra;
	if (p->sess->pull_ahead)
		return; /* one at a time (another Pull waits for the one there) */
	for (size_t i = 0; i < nf; i++)
		if (fsp[i]->action != KARTA__FEED_ACTION__FEED_OK)
			return;
	struct pull_ahead *a = calloc(1, sizeof *a);
	if (!a || !(a->cursors_json = cursors_after(s, fsp, nf))) {
		ahead_free(a);
		return;
	}
	snprintf(a->budget, sizeof a->budget, "%s", s->budget);
	struct pending *q = pending_new(p->sess, 0);
	if (!q) {
		ahead_free(a);
		return;
	}
	q->extra = a;
	q->extra_free = no_free;
	p->sess->pull_ahead = a;
	const char *params[3] = {q->device, a->cursors_json, a->budget};
	if (db_query(p->sess->db, pull_sql, 3, params, ahead_cb, q) != 0) {
		p->sess->pull_ahead = NULL; /* the queue is full: the Pull will ask itself */
		ahead_free(a);
		pending_free(q);
	}
}

/* A Pull the page read ahead answers: the same cursors and budget, not subscribing. 1 when
 * it did (p answered now or when the query is in), 0 when p must be asked for itself. */
static int ahead_take(struct pending *p)
{
	struct pull_state *s = p->extra;
	struct pull_ahead *a = p->sess->pull_ahead;
	if (!a || a->waiter)
		return 0;
	if (s->subscribe || strcmp(a->budget, s->budget) != 0 ||
	    strcmp(a->cursors_json, s->cursors_json) != 0 ||
	    (a->res && metrics_now_ns() - a->t_done > AHEAD_MAX_AGE_NS)) {
		ahead_drop(p->sess);
		return 0;
	}
	metrics_inc(p->sess->metrics, M_PULL_AHEAD_USED);
	if (!a->res) {
		a->waiter = p;
		return 1;
	}
	p->sess->pull_ahead = NULL;
	pull_answer(p, a->res);
	ahead_free(a);
	return 1;
}

/* The Pull's cursors into s->cur (a code that is not UTF-8 names no feed: left out, as
 * jansson left it out before), noting whether they come in code order. 0; 1 with *bad the
 * first cursor refused (empty or long code, negative seq, a feed named again); -1 (memory). */
static int cursors_read(struct pull_state *s, const Karta__Pull *req, size_t *bad)
{
	json_t *seen = NULL; /* the codes met, once out of order (a feed named twice?) */
	int rc = 0;
	s->sorted = true;
	for (size_t i = 0; i < req->n_cursors && rc == 0; i++) {
		const Karta__FeedCursor *fc = req->cursors[i];
		struct cursor *c = &s->cur[s->n];
		if (!*fc->feed || strlen(fc->feed) > 32 || fc->seq < 0) {
			*bad = i;
			rc = 1;
			break;
		}
		if (!utf8_ok((const unsigned char *)fc->feed))
			continue;
		if (s->sorted && s->n > 0 && strcmp(c[-1].feed, fc->feed) >= 0) {
			s->sorted = false; /* the codes before are distinct: met */
			if (!(seen = json_object()))
				return -1;
			for (size_t k = 0; k < s->n; k++)
				json_object_set_new(seen, s->cur[k].feed, json_true());
		}
		if (seen && json_object_get(seen, fc->feed)) {
			*bad = i;
			rc = 1;
		} else if (seen && json_object_set_new(seen, fc->feed, json_true()) != 0)
			rc = -1;
		strcpy(c->feed, fc->feed);
		c->epoch = fc->epoch;
		c->seq = fc->seq;
		s->n++;
	}
	json_decref(seen);
	return rc;
}

int h_pull(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__Pull *req = (const Karta__Pull *)msg;
	if (req->n_cursors > MAX_CURSORS)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST,
			"too many cursors (at most %d)", MAX_CURSORS), 0;
	struct pending *p = pending_new(sess, rid);
	struct pull_state *s = calloc(1, sizeof *s);
	struct cursor *c = calloc(req->n_cursors + 1, sizeof *c);
	if (!p || !s || !c || (req->subscribe && !(s->pos = json_object()))) {
		free(c);
		pull_state_free(s);
		pending_free(p);
		return -1;
	}
	p->extra = s;
	p->extra_free = pull_state_free;
	s->cur = c;
	size_t bad;
	int rc = cursors_read(s, req, &bad);
	if (rc < 0) {
		pending_free(p);
		return -1;
	}
	if (rc > 0) {
		session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST,
			"cursor %zu: a feed is an organization code named once, and seq is 0 or more", bad);
		pending_free(p);
		return 0;
	}
	for (size_t i = 0; s->pos && i < s->n; i++)
		json_object_set_new(s->pos, c[i].feed, json_integer(c[i].seq));
	snprintf(s->budget, sizeof s->budget, "%ld", page_budget(sess, req->max_bytes));
	s->subscribe = req->subscribe;
	if (!(s->cursors_json = cursors_json(s->cur, s->n))) {
		pending_free(p);
		return -1;
	}
	if (ahead_take(p))
		return 0;
	const char *params[3] = {p->device, s->cursors_json, s->budget};
	pending_query(p, pull_sql, 3, params, pull_cb);
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
