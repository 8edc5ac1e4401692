/* sync: see sync.h. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kt_msg.h"
#include "queue_view.h"
#include "rpc.h"
#include "sync_rows.h"
#include "kt_i18n.h"

#define UPLOAD_MAX_OPS 500
#define UPLOAD_MAX_BYTES (2u * 1024 * 1024)

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

/* One Upload of ops[0..n); their results go to the replica and fn. 1 when one must be
 * retried later. */
static int upload(struct client *cl, struct replica_op *ops, size_t n, struct sync_report *rep,
	sync_result_fn fn, void *arg, struct queue_progress *prog)
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
	ProtobufCMessage *m = NULL;
	queue_progress_sent(prog, (long)n);
	int rc = call(cl, &req.base, &karta__upload_result__descriptor, &m);
	free(op);
	free(opp);
	if (rc != 0)
		return -1;
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
	for (int busy = 0;;) {
		struct replica_op *ops = NULL;
		size_t n = 0;
		if (replica_outbox_pending(r, max_ops, max_bytes, &ops, &n) != 0) {
			queue_progress_end(&prog);
			fprintf(stderr, _("karta: cannot read the outbox: %s\n"), replica_error(r));
			return -1;
		}
		if (n == 0)
			break;
		int rc = upload(cl, ops, n, rep, fn, arg, &prog);
		replica_ops_free(ops, n);
		if (rc < 0) {
			queue_progress_end(&prog);
			return -1;
		}
		if (rc == 0) {
			busy = 0;
			continue;
		}
		/* some ops came back "retry later" (the server could not write them now): they
		 * stay queued; send them again after a pause, counted once in the summary */
		if (busy >= BUSY_RETRIES)
			break; /* they stay queued for the next sync */
		rep->sent -= rep->outcomes[KARTA__OP_OUTCOME__OP_RETRY_LATER];
		rep->outcomes[KARTA__OP_OUTCOME__OP_RETRY_LATER] = 0;
		busy_wait(busy++, _("the server could not write the changes now"));
	}
	queue_progress_end(&prog);
	return 0;
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

/* The codes of the feeds waiting for a resync (replica_feed_each). */
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

int sync_pull(struct client *cl, bool subscribe, struct sync_report *rep)
{
	struct replica *r = client_replica(cl);
	if (!r || !sync_connect(cl, false))
		return -1;
	const Karta__Limits *lim = limits(cl->rpc);
	for (;;) {
		Karta__FeedCursor **cur = NULL;
		size_t n = 0;
		if (replica_cursors(r, &cur, &n) != 0) {
			fprintf(stderr, _("karta: cannot read the cursors: %s\n"), replica_error(r));
			return -1;
		}
		Karta__Pull req = KARTA__PULL__INIT;
		req.cursors = cur;
		req.n_cursors = n;
		req.max_bytes = lim ? lim->page_bytes : 0;
		req.subscribe = subscribe;
		ProtobufCMessage *m = NULL;
		int rc = call(cl, &req.base, &karta__change_page__descriptor, &m);
		replica_cursors_free(cur, n);
		if (rc != 0)
			return -1;
		Karta__ChangePage *pg = (Karta__ChangePage *)m;
		if (replica_apply_page(r, pg, &rep->st) != 0) {
			fprintf(stderr, _("karta: cannot apply changes: %s\n"), replica_error(r));
			karta__change_page__free_unpacked(pg, NULL);
			return -1;
		}
		rep->pages++;
		rep->changes += (long)pg->n_changes;
		page_delay();
		bool done = pg->caught_up;
		karta__change_page__free_unpacked(pg, NULL);
		/* every feed marked for resync — by this page or by a snapshot a killed run left
		 * open — is snapshotted to its end before the pull goes on */
		struct codes todo = {0};
		if (replica_feed_each(r, add_resync, &todo) != 0)
			rc = -1;
		for (size_t i = 0; i < todo.n && rc == 0; i++) {
			rc = snapshot(cl, todo.v[i], rep);
			done = false; /* pull from the snapshot's cursor */
		}
		codes_free(&todo);
		if (rc != 0)
			return -1;
		if (done)
			break;
	}
	char now[32];
	time_t t = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (replica_meta_set(r, "last_sync", now) != 0) {
		fprintf(stderr, _("karta: cannot write the local replica: %s\n"), replica_error(r));
		return -1;
	}
	return 0;
}
