/* sync: see sync.h. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "queue_view.h"
#include "rpc.h"
#include "sync_arena.h"
#include "sync_rows.h"
#include "kt_i18n.h"

#define UPLOAD_MAX_OPS 500
#define UPLOAD_MAX_BYTES (2u * 1024 * 1024)

/* Bench hook: KARTA_UPLOAD_TIMING set logs each Upload's timeline (a logfmt line on stderr:
 * the wall clock it was sent at, then milliseconds to its answer and to its results
 * recorded), to line up with kartad's debug line event=upload_timeline (docs/performance.md,
 * "Keeping the server busy"). */
static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const Karta__Limits *limits(struct rpc *r)
{
	const Karta__Welcome *w = rpc_welcome(r);
	return w ? w->limits : NULL;
}

static const char *level_name(Karta__OrgLevel l)
{
	return l == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ? "region"
		: l == KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY ? "municipality"
		: l == KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL ? "school" : "";
}

struct rpc *sync_connect(struct client *cl, bool quiet)
{
	struct rpc *r = quiet ? client_rpc_quiet(cl) : client_rpc(cl);
	struct replica *rep = client_replica(cl);
	if (!r || !rep)
		return NULL;
	const Karta__Welcome *w = rpc_welcome(r);
	char dev[80], org[64];
	if (replica_meta_get(rep, "device", dev, sizeof dev) == 0) {
		if (strcmp(dev, w->device_fingerprint) != 0) {
			replica_meta_get(rep, "org", org, sizeof org);
			fprintf(stderr, _("karta: the state dir holds the replica of another device "
					"(organization %s): give this device its own --state DIR\n"), org);
			return NULL;
		}
		return r;
	}
	if (replica_meta_set(rep, "device", w->device_fingerprint) != 0 ||
	    replica_meta_set(rep, "org", w->org ? w->org->code : "") != 0 ||
	    replica_meta_set(rep, "level", w->org ? level_name(w->org->level) : "") != 0) {
		fprintf(stderr, _("karta: cannot write the local replica: %s\n"), replica_error(rep));
		return NULL;
	}
	return r;
}

/* A server that is busy (its database restarting, a lock it waited too long for) is asked
 * again after 1, 2, 4, 8 and 16 s; then the sync gives up, nothing lost (the outbox keeps
 * what was not written, the cursors what was pulled). */
#define BUSY_RETRIES 5

/* Waits before busy retry number attempt (0-based); false when they are used up. */
static bool busy_wait(int attempt, const char *why)
{
	if (attempt >= BUSY_RETRIES)
		return false;
	fprintf(stderr, _("karta: %s — trying again in %d s\n"), why, 1 << attempt);
	sleep(1u << attempt);
	return true;
}

static int call(struct client *cl, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply)
{
	char err[512];
	for (int attempt = 0;; attempt++) {
		enum rpc_result rc = rpc_call(cl->rpc, req, desc, reply, err, sizeof err);
		if (rc == RPC_OK)
			return 0;
		if (rc == RPC_SERVER && rpc_last_status(cl->rpc) == KARTA__STATUS__STATUS_BUSY &&
		    busy_wait(attempt, err))
			continue;
		cl->transient = rpc_transient(cl->rpc);
		fprintf(stderr, "karta: %s\n", err);
		return -1;
	}
}

/* Test hook (KARTA_TEST_HANG_AFTER_UPLOAD set): sends the Upload and then waits, never
 * reading the answer, until killed — "the client died after the server committed and before
 * the reply arrived" (tests/integration/t_sync.sh). */
static void hang_after_send(struct client *cl, const ProtobufCMessage *req)
{
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t *buf = malloc(len ? len : 1);
	if (buf) {
		protobuf_c_message_pack(req, buf);
		rpc_send_raw(cl->rpc, KT_MSG_UPLOAD, 1, buf, (uint32_t)len);
	}
	fprintf(stderr, _("karta: test hook: upload sent, waiting to be killed\n"));
	for (;;)
		pause();
}

/* Test hook: KARTA_TEST_PAGE_DELAY_MS=N sleeps N ms after applying each page of a pull or of a
 * snapshot, so a test can kill the server mid-pull or write while the pages are read. */
static void page_delay(void)
{
	const char *ms = getenv("KARTA_TEST_PAGE_DELAY_MS");
	if (ms && atoi(ms) > 0)
		usleep((useconds_t)atoi(ms) * 1000);
}

/* Test hook: KARTA_TEST_HANG_IN_SNAPSHOT=N, after the N-th page of a snapshot is applied,
 * says so on stderr and waits until killed — "the client died mid-snapshot", exactly
 * (tests/integration/t_fault_client.sh). */
static void snapshot_hang(int pages)
{
	const char *n = getenv("KARTA_TEST_HANG_IN_SNAPSHOT");
	if (!n || atoi(n) != pages)
		return;
	fprintf(stderr, _("karta: test hook: %d snapshot pages applied, waiting to be killed\n"), pages);
	for (;;)
		pause();
}

/* --- push ----------------------------------------------------------------------------------- */

/* An op found by its op_id (upload: results are matched to ops by key). */
struct op_key {
	const char *id;
	const struct replica_op *op;
};

static int op_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct op_key *)a)->id, ((const struct op_key *)b)->id);
}

/* Sends the Upload of ops[0..n) under a new request id (*id); its answer is read by upload(). */
static int upload_send(struct client *cl, struct replica_op *ops, size_t n, uint32_t *id,
	struct queue_progress *prog)
{
	Karta__Op *op = calloc(n, sizeof *op);
	Karta__Op **opp = calloc(n, sizeof *opp);
	if (!op || !opp) {
		free(op);
		free(opp);
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		karta__op__init(&op[i]);
		op[i].op_id = ops[i].op_id;
		op[i].client_seq = (uint64_t)ops[i].client_seq;
		op[i].msg_type = ops[i].msg_type;
		op[i].body.data = ops[i].body;
		op[i].body.len = ops[i].len;
		opp[i] = &op[i];
	}
	Karta__Upload req = KARTA__UPLOAD__INIT;
	req.n_ops = n;
	req.ops = opp;
	if (getenv("KARTA_TEST_HANG_AFTER_UPLOAD"))
		hang_after_send(cl, &req.base); /* fault injection for tests: never returns */
	char err[512];
	enum rpc_result rc = rpc_send(cl->rpc, &req.base, id, err, sizeof err);
	free(op);
	free(opp);
	if (rc != RPC_OK) {
		cl->transient = rpc_transient(cl->rpc);
		fprintf(stderr, "karta: %s\n", err);
		return -1;
	}
	queue_progress_sent(prog, (long)n);
	return 0;
}

/* The answer to the Upload id of ops[0..n); the results go to the replica and fn. 1 when one
 * must be retried later (or the server was too busy to answer the Upload: all stay queued). */
static int upload(struct client *cl, uint32_t id, struct replica_op *ops, size_t n,
	struct sync_report *rep, sync_result_fn fn, void *arg, struct queue_progress *prog,
	double sent_ms)
{
	ProtobufCMessage *m = NULL;
	char err[512];
	enum rpc_result rr = rpc_recv(cl->rpc, id, &karta__upload_result__descriptor, &m, err,
		sizeof err);
	double answered_ms = wall_ms();
	if (rr == RPC_SERVER && rpc_last_status(cl->rpc) == KARTA__STATUS__STATUS_BUSY)
		return 1;
	if (rr != RPC_OK) {
		cl->transient = rpc_transient(cl->rpc);
		fprintf(stderr, "karta: %s\n", err);
		return -1;
	}
	int rc = 0;
	Karta__UploadResult *res = (Karta__UploadResult *)m;
	struct replica *r = client_replica(cl);
	/* results matched to ops by op_id (a sorted index), recorded in one transaction */
	struct op_key *keys = calloc(n + 1, sizeof *keys);
	const struct replica_op **q = calloc(res->n_results + 1, sizeof *q);
	struct replica_done *done = calloc(res->n_results + 1, sizeof *done);
	struct sync_rows *rows = calloc(res->n_results + 1, sizeof *rows);
	size_t nd = 0;
	if (!keys || !q || !done || !rows) {
		fprintf(stderr, _("karta: out of memory\n"));
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct op_key){ops[i].op_id, &ops[i]};
	qsort(keys, n, sizeof *keys, op_key_cmp);
	for (size_t i = 0; i < res->n_results; i++) {
		const Karta__OpResult *o = res->results[i];
		struct op_key want = {o->op_id, NULL};
		const struct op_key *k = bsearch(&want, keys, n, sizeof *keys, op_key_cmp);
		if (!k)
			continue;
		q[i] = k->op;
		/* an op of many rows: its refused rows go on the rejected list one by one */
		if (sync_rows_parse(k->op, o, &rows[i]) < 0) {
			fprintf(stderr, _("karta: out of memory\n"));
			rc = -1;
			goto out;
		}
		done[nd++] = (struct replica_done){o->op_id, (int)o->outcome, (int)o->status, o->message,
			rows[i].ref, rows[i].nref};
	}
	if (replica_outbox_done_all(r, done, nd) < 0) {
		fprintf(stderr, _("karta: cannot update the outbox: %s\n"), replica_error(r));
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < res->n_results; i++) {
		const Karta__OpResult *o = res->results[i];
		if (!q[i])
			continue;
		if (o->outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER)
			rc = 1;
		if (rows[i].r) { /* counted and answered row by row */
			sync_rows_report(&rows[i], q[i], o, rep, fn, arg);
			continue;
		}
		rep->sent++;
		rep->outcomes[o->outcome % 5]++;
		if (fn)
			fn(arg, q[i], o);
	}
	queue_progress_acked(prog, (long)nd);
	if (getenv("KARTA_UPLOAD_TIMING")) {
		size_t bytes = 0;
		for (size_t i = 0; i < n; i++)
			bytes += ops[i].len;
		kt_log(KT_LOG_INFO, "event=upload_timing ops=%zu bytes=%zu sent_unix_ms=%.1f answered_ms=%.1f "
			"recorded_ms=%.1f", n, bytes, sent_ms, answered_ms - sent_ms, wall_ms() - sent_ms);
	}
out:
	for (size_t i = 0; rows && i < res->n_results; i++)
		sync_rows_free(&rows[i]);
	free(rows);
	free(keys);
	free(q);
	free(done);
	karta__upload_result__free_unpacked(res, NULL);
	return rc;
}

/* Uploads in flight at once: the next ones are read from the outbox, sent and applied by the
 * server while the answer to the first is recorded (the server applies a connection's Uploads
 * one at a time, in order). */
#define UPLOAD_WINDOW 4

struct flight {
	struct replica_op *ops;
	size_t n;
	uint32_t id;
	double sent_ms; /* wall clock (KARTA_UPLOAD_TIMING) */
};

int sync_push(struct client *cl, struct sync_report *rep, sync_result_fn fn, void *arg)
{
	struct replica *r = client_replica(cl);
	if (!r || !sync_connect(cl, false))
		return -1;
	const Karta__Limits *lim = limits(cl->rpc);
	size_t max_ops = lim && lim->max_ops_per_upload ? lim->max_ops_per_upload : UPLOAD_MAX_OPS;
	size_t max_bytes = UPLOAD_MAX_BYTES;
	if (lim && lim->max_frame && lim->max_frame / 2 < max_bytes)
		max_bytes = lim->max_frame / 2;
	if (getenv("KARTA_TEST_IGNORE_LIMITS"))
		max_ops = 0; /* test hook: one upload of everything, to see the server refuse it */
	struct queue_progress prog;
	queue_progress_begin(&prog, replica_outbox_count(r));
	struct flight fl[UPLOAD_WINDOW];
	size_t head = 0, count = 0;
	int64_t after = 0;  /* the last op sent */
	bool retry = false; /* an answer left ops to send again: send no more, then start over */
	int rc = 0;
	for (int busy = 0;;) {
		while (!retry && count < UPLOAD_WINDOW) {
			struct flight *f = &fl[(head + count) % UPLOAD_WINDOW];
			if (replica_outbox_pending_after(r, after, max_ops, max_bytes, &f->ops, &f->n) != 0) {
				fprintf(stderr, _("karta: cannot read the outbox: %s\n"), replica_error(r));
				rc = -1;
				goto out;
			}
			if (f->n == 0)
				break;
			if (upload_send(cl, f->ops, f->n, &f->id, &prog) != 0) {
				replica_ops_free(f->ops, f->n);
				rc = -1;
				goto out;
			}
			after = f->ops[f->n - 1].client_seq;
			f->sent_ms = wall_ms();
			count++;
		}
		if (count == 0) {
			if (!retry)
				break;
			/* some ops came back "retry later" (the server could not write them now): they
			 * stay queued; send them again after a pause, counted once in the summary, on
			 * a new connection (the old one answers every later Upload "retry later") */
			if (busy >= BUSY_RETRIES)
				break; /* they stay queued for the next sync */
			rep->sent -= rep->outcomes[KARTA__OP_OUTCOME__OP_RETRY_LATER];
			rep->outcomes[KARTA__OP_OUTCOME__OP_RETRY_LATER] = 0;
			busy_wait(busy++, _("the server could not write the changes now"));
			rpc_close(cl->rpc);
			cl->rpc = NULL;
			if (!sync_connect(cl, false)) {
				rc = -1;
				goto out;
			}
			after = 0;
			retry = false;
			continue;
		}
		struct flight *f = &fl[head];
		int up = upload(cl, f->id, f->ops, f->n, rep, fn, arg, &prog, f->sent_ms);
		replica_ops_free(f->ops, f->n);
		head = (head + 1) % UPLOAD_WINDOW;
		count--;
		if (up < 0) {
			rc = -1;
			goto out;
		}
		if (up == 1)
			retry = true;
		else if (!retry)
			busy = 0;
	}
out:
	for (; count > 0; count--, head = (head + 1) % UPLOAD_WINDOW)
		replica_ops_free(fl[head].ops, fl[head].n);
	queue_progress_end(&prog);
	return rc;
}

/* --- pull ----------------------------------------------------------------------------------- */

/* Takes a snapshot of feed (resync): every current row, then the cursor the snapshot was
 * read at; rows of the feed the snapshot did not have are dropped (replica_snapshot_end). */
static int snapshot(struct client *cl, const char *feed, struct sync_report *rep)
{
	struct replica *r = client_replica(cl);
	char after_type[40] = "", after_id[40] = "";
	bool first = true, more = true;
	int pages = 0;
	while (more) {
		Karta__SnapshotRequest req = KARTA__SNAPSHOT_REQUEST__INIT;
		req.feed = (char *)feed;
		req.after_type = after_type;
		req.after_id = after_id;
		ProtobufCMessage *m = NULL;
		if (call(cl, &req.base, &karta__snapshot_page__descriptor, &m) != 0)
			return -1;
		Karta__SnapshotPage *pg = (Karta__SnapshotPage *)m;
		int rc = 0;
		if (first && pg->feed)
			rc = replica_snapshot_begin(r, pg->feed);
		first = false;
		if (rc == 0)
			rc = replica_snapshot_apply(r, feed, (const Karta__Change *const *)pg->rows,
				pg->n_rows, &rep->st);
		if (pg->n_rows) {
			snprintf(after_type, sizeof after_type, "%s", pg->rows[pg->n_rows - 1]->entity_type);
			snprintf(after_id, sizeof after_id, "%s", pg->rows[pg->n_rows - 1]->entity_id);
		}
		more = pg->more;
		karta__snapshot_page__free_unpacked(pg, NULL);
		if (rc != 0) {
			fprintf(stderr, _("karta: cannot apply a snapshot of %s: %s\n"), feed, replica_error(r));
			return -1;
		}
		snapshot_hang(++pages);
		page_delay();
	}
	if (replica_snapshot_end(r, feed) < 0) {
		fprintf(stderr, _("karta: cannot finish the snapshot of %s: %s\n"), feed, replica_error(r));
		return -1;
	}
	rep->snapshots++;
	return 0;
}

/* The codes of the feeds waiting for a resync (replica_resync_each). */
struct codes {
	char **v;
	size_t n;
};

static int add_resync(void *arg, const struct replica_feed *f)
{
	struct codes *c = arg;
	if (!f->resync)
		return 0;
	char **v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v || !(v[c->n] = strdup(f->code))) {
		if (v)
			c->v = v;
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	c->v = v;
	c->n++;
	return 0;
}

static void codes_free(struct codes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

/* A Pull and the cursors it carries, sorted by feed code (as replica_cursors gives them). */
struct pull_req {
	Karta__FeedCursor **cur;
	size_t n;
	uint32_t id; /* of the request in flight */
	uint64_t max_bytes;
	bool subscribe;
};

static int pull_send(struct client *cl, struct pull_req *q)
{
	Karta__Pull req = KARTA__PULL__INIT;
	req.cursors = q->cur;
	req.n_cursors = q->n;
	req.max_bytes = q->max_bytes;
	req.subscribe = q->subscribe;
	char err[512];
	if (rpc_send(cl->rpc, &req.base, &q->id, err, sizeof err) == RPC_OK)
		return 0;
	cl->transient = rpc_transient(cl->rpc);
	fprintf(stderr, "karta: %s\n", err);
	return -1;
}

/* The page answering q, unpacked into arena a (freed by its reset); a busy server is asked
 * again as call() does. NULL on failure. */
static Karta__ChangePage *pull_recv(struct client *cl, struct pull_req *q, struct sync_arena *a)
{
	char err[512];
	for (int attempt = 0;; attempt++) {
		ProtobufCMessage *m = NULL;
		enum rpc_result rc = rpc_recv_in(cl->rpc, q->id, &karta__change_page__descriptor, &a->pa,
			&m, err, sizeof err);
		if (rc == RPC_OK)
			return (Karta__ChangePage *)m;
		if (rc == RPC_SERVER && rpc_last_status(cl->rpc) == KARTA__STATUS__STATUS_BUSY &&
		    busy_wait(attempt, err)) {
			if (pull_send(cl, q) != 0)
				return NULL;
			continue;
		}
		cl->transient = rpc_transient(cl->rpc);
		fprintf(stderr, "karta: %s\n", err);
		return NULL;
	}
}

/* Whether the cursors after pg are known before it is applied: it is not the last page and
 * only moves feeds (no resync to take, no feed gone). */
static bool pipelinable(const Karta__ChangePage *pg)
{
	if (pg->caught_up)
		return false;
	for (size_t i = 0; i < pg->n_feeds; i++)
		if (pg->feeds[i]->action != KARTA__FEED_ACTION__FEED_OK)
			return false;
	return true;
}

static int cursor_cmp(const void *a, const void *b)
{
	return strcmp((*(Karta__FeedCursor *const *)a)->feed, (*(Karta__FeedCursor *const *)b)->feed);
}

/* q's cursors moved as applying pg (pipelinable) will move the replica's: each feed state's
 * epoch and seq, a feed new to the replica added. 0 or -1 (out of memory). */
static int cursors_move(struct pull_req *q, const Karta__ChangePage *pg)
{
	size_t n0 = q->n;
	Karta__FeedCursor **v = realloc(q->cur, (q->n + pg->n_feeds + 1) * sizeof *v);
	if (!v)
		return -1;
	q->cur = v;
	for (size_t i = 0; i < pg->n_feeds; i++) {
		const Karta__FeedState *f = pg->feeds[i];
		Karta__FeedCursor want = {.feed = f->feed}, *wp = &want, **c = NULL;
		c = bsearch(&wp, q->cur, n0, sizeof *q->cur, cursor_cmp);
		if (!c) {
			Karta__FeedCursor *nc = malloc(sizeof *nc);
			char *code = nc ? strdup(f->feed) : NULL;
			if (!code) {
				free(nc);
				return -1;
			}
			karta__feed_cursor__init(nc);
			nc->feed = code;
			q->cur[q->n] = nc;
			c = &q->cur[q->n++];
		}
		(*c)->epoch = f->epoch;
		(*c)->seq = f->seq;
	}
	if (q->n > n0)
		qsort(q->cur, q->n, sizeof *q->cur, cursor_cmp);
	return 0;
}

/* Bench hook: KARTA_PULL_TIMING set logs, at the end of a pull, the time spent waiting for
 * pages and applying them (a logfmt line on stderr: bench/sync.sh, docs/performance.md). */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Pulls until caught up. A page that only moves feeds is followed at once by the Pull of the
 * next one, sent before the page is applied: the server reads the next page while this one
 * is written to the replica. After any other page, the cursors are read back from the
 * replica and every feed marked for resync is snapshotted first. */
static int pull_pages(struct client *cl, struct replica *r, struct pull_req *q,
	struct sync_arena *arena, struct sync_report *rep, double *wait_ms, double *apply_ms)
{
	bool sent = false;
	for (;;) {
		if (!sent) {
			replica_cursors_free(q->cur, q->n);
			q->cur = NULL;
			q->n = 0;
			if (replica_cursors(r, &q->cur, &q->n) != 0) {
				fprintf(stderr, _("karta: cannot read the cursors: %s\n"), replica_error(r));
				return -1;
			}
			if (pull_send(cl, q) != 0)
				return -1;
		}
		double t0 = now_ms();
		Karta__ChangePage *pg = pull_recv(cl, q, arena);
		*wait_ms += now_ms() - t0;
		if (!pg)
			return -1;
		sent = false;
		if (pipelinable(pg)) {
			if (cursors_move(q, pg) != 0) {
				fprintf(stderr, _("karta: out of memory\n"));
				sync_arena_reset(arena);
				return -1;
			}
			if (pull_send(cl, q) != 0) {
				sync_arena_reset(arena);
				return -1;
			}
			sent = true;
		}
		t0 = now_ms();
		if (replica_apply_page(r, pg, &rep->st) != 0) {
			fprintf(stderr, _("karta: cannot apply changes: %s\n"), replica_error(r));
			sync_arena_reset(arena);
			return -1;
		}
		*apply_ms += now_ms() - t0;
		rep->pages++;
		rep->changes += (long)pg->n_changes;
		page_delay();
		bool done = pg->caught_up;
		sync_arena_reset(arena);
		if (sent)
			continue;
		/* every feed marked for resync — by this page or by a snapshot a killed run left
		 * open — is snapshotted to its end before the pull goes on */
		struct codes todo = {0};
		int rc = replica_resync_each(r, add_resync, &todo);
		for (size_t i = 0; i < todo.n && rc == 0; i++) {
			rc = snapshot(cl, todo.v[i], rep);
			done = false; /* pull from the snapshot's cursor */
		}
		codes_free(&todo);
		if (rc != 0)
			return -1;
		if (done)
			return 0;
	}
}

int sync_pull(struct client *cl, bool subscribe, struct sync_report *rep)
{
	struct replica *r = client_replica(cl);
	if (!r || !sync_connect(cl, false))
		return -1;
	const Karta__Limits *lim = limits(cl->rpc);
	struct pull_req q = {.max_bytes = lim ? lim->page_bytes : 0, .subscribe = subscribe};
	int pages = replica_pages_fill(r);
	if (pages == REPLICA_PAGES_BUSY)
		fprintf(stderr, _("karta: the local replica is open in another karta: it is filled with"
				" small pages, more slowly (close the other one before a first sync)\n"));
	if (pages < 0 || replica_pull_bulk(r, true) != 0) {
		fprintf(stderr, _("karta: cannot write the local replica: %s\n"), replica_error(r));
		return -1;
	}
	double wait_ms = 0, apply_ms = 0, t0 = now_ms();
	struct sync_arena arena;
	sync_arena_init(&arena);
	int rc = pull_pages(cl, r, &q, &arena, rep, &wait_ms, &apply_ms);
	sync_arena_free(&arena);
	replica_cursors_free(q.cur, q.n);
	if (getenv("KARTA_PULL_TIMING"))
		kt_log(KT_LOG_INFO, "event=pull_timing pages=%ld ms=%.0f wait_ms=%.0f apply_ms=%.0f",
			rep->pages, now_ms() - t0, wait_ms, apply_ms);
	if (replica_pull_bulk(r, false) != 0 && rc == 0) {
		fprintf(stderr, _("karta: cannot write the local replica: %s\n"), replica_error(r));
		return -1;
	}
	if (rc != 0)
		return -1;
	char now[32];
	time_t t = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (replica_meta_set(r, "last_sync", now) != 0) {
		fprintf(stderr, _("karta: cannot write the local replica: %s\n"), replica_error(r));
		return -1;
	}
	return 0;
}
