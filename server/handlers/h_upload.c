/* h_upload: Upload{ops} → UploadResult, one result per op, in order.
 * Each op is checked and turned into karta_op_apply arguments here (ops.c); a malformed
 * op is REJECTED without reaching the database (but a registry_rows op's JSON, passed on
 * unparsed, is checked there, with the same words). The rest go to karta_upload_seq
 * (sql/functions/34_upload.sql: each op's JSON after an RS, parsed op by op) in one
 * transaction per run, which records (device, op_id) with each
 * change, so a retried batch is applied once. Item deadlines are normalized in C with
 * their plan's academic year: one query finds the years of the plans the ops name; a run
 * ends before an op whose plan is made by a derive earlier in the same batch (its year is
 * read after that run commits).
 * A client may send its next Uploads before the answer to the first (a pipeline): the
 * Uploads of one connection are applied in the order they came and answered in that order
 * (session.uploads). With [upload] parallel = 2 (the default) the next one is sent to the
 * database while the one before is still applied (session.uploads.par, start_beside) when
 * it is independent of it: both hold only item ops, or both only status ops, none of which
 * makes a plan or moves an item under another, and no item (or op id) is named by both — so
 * no op overtakes an op it depends on, and two independent ones may commit in either order,
 * as two devices' would. At most two at once, and only while the pool keeps a connection
 * free for other sessions. Each is its own karta_upload_seq, one transaction: kartad never
 * waits while one of its transactions holds locks; a wait between the two is PostgreSQL's
 * lock wait, a deadlock PostgreSQL's to break (that one answers RETRY_LATER). The second's
 * answer is held until the first is answered. Once an Upload leaves an op to retry
 * (RETRY_LATER, or no answer at all), every later Upload on that connection is answered
 * RETRY_LATER whole — without reaching the database, or, if it was applied beside it and
 * committed, all the same (sent again, its ops come back DUPLICATE, op_log) — so nothing
 * sent after an op is answered as written before it: the client sends them again on a new
 * connection. More than UPLOADS_WAITING_MAX waiting closes the connection (a client keeps a
 * few in flight; the outbox keeps the ops).
 * While one is applied, the next waiting Upload is made ready beside it when the one applied
 * cannot change a plan's academic year (only item, status and registry ops): the years of
 * its plans read on another pooled connection, its first run normalized and its JSON built,
 * so its karta_upload is sent the moment the one before ends — still after it, in order
 * (when it is not applied beside it instead). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../session.h"
#include "h_util.h"
#include "handlers.h"
#include "kt_jtext.h"
#include "kt_log.h"
#include "metrics.h"
#include "ops.h"
#include "up_pair.h"

#define UPLOADS_WAITING_MAX 8

struct up_op {
	char op_id[40];
	char digest[65];
	struct op_args args;
	Karta__OpResult res;
	bool resolved; /* res is final (refused here, or answered by the database) */
	bool refused;  /* refused here (malformed, too many): REJECTED whatever else happens */
};

struct upload {
	struct up_op *ops;
	size_t n, next, run_end;
	json_t *years; /* plan id → academic year (-1: made in this batch, year unknown yet) */
	char *ops_json, *keys;
	bool final;            /* answered, no op left to retry */
	struct pending *queued; /* the session's next waiting Upload */
	bool early;    /* being made ready before its turn: nothing is sent to karta_upload */
	bool prepping; /* an early years query is running */
	bool ready;    /* ops_json holds the run [next, run_end), to send at its turn */
	bool was_ready; /* its first run was made ready before its turn (the log says so) */
	bool was_par;  /* applied beside the one before it (session.uploads.par) */
	bool done;     /* every op resolved while applied beside the one before: its answer
	                * waits for that one's */
	json_t *names; /* the entities its ops name (independent()), made when first asked */
	/* its timeline, in metrics_now_ns() (the debug line event=upload_timeline): received
	 * (decoded), its ops checked and built, its turn, its first karta_upload sent, the last
	 * answered; the time of its JSON builds; its size */
	uint64_t t_recv, t_built, t_turn, t_db_sent, t_db_done, json_ns;
	size_t bytes;
};

static void upload_free(void *arg)
{
	struct upload *u = arg;
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		op_args_release(&u->ops[i].args);
		free(u->ops[i].res.message);
		free(u->ops[i].res.entity_id);
		free(u->ops[i].res.conflict_id);
		free(u->ops[i].res.detail);
	}
	free(u->ops);
	json_decref(u->years);
	json_decref(u->names);
	free(u->ops_json);
	free(u->keys);
	free(u);
}

static void resolve(struct up_op *o, Karta__OpOutcome out, Karta__Status st, const char *msg)
{
	o->res.outcome = out;
	o->res.status = st;
	free(o->res.message);
	o->res.message = strdup(msg ? msg : "");
	o->resolved = true;
}

static void digest_hex(const uint8_t *body, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (EVP_Digest(body, len, md, &n, EVP_sha256(), NULL) != 1)
		n = 0;
	for (unsigned i = 0; i < n && i < 32; i++)
		out[2 * i] = "0123456789abcdef"[md[i] >> 4], out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	out[2 * (n < 32 ? n : 32)] = '\0';
}

/* Debug: where an Upload's time went (docs/performance.md, "Keeping the server busy"):
 * milliseconds from its receipt (the frame decoded) to its ops built, to its turn (the one
 * before answered), to its first karta_upload sent, to the last one answered, to the answer
 * packed; the kartad CPU of its JSON; the wall clock of its receipt, so that the Uploads of
 * one run line up with the client's (KARTA_UPLOAD_TIMING). Sizes only, never a value. */
static void timeline(const struct session *sess, const struct upload *u)
{
	uint64_t now = metrics_now_ns(), r = u->t_recv;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	double recv_ms = (double)wall.tv_sec * 1e3 + (double)wall.tv_nsec / 1e6 - (double)(now - r) / 1e6;
#define MS(t) ((t) >= r ? (double)((t) - r) / 1e6 : -1.0)
	session_log(sess, KT_LOG_DEBUG,
		"event=upload_timeline ops=%zu bytes=%zu recv_unix_ms=%.1f built_ms=%.1f turn_ms=%.1f "
		"db_sent_ms=%.1f db_done_ms=%.1f replied_ms=%.1f json_ms=%.1f", u->n, u->bytes, recv_ms,
		MS(u->t_built), MS(u->t_turn), MS(u->t_db_sent), MS(u->t_db_done), MS(now),
		(double)u->json_ns / 1e6);
#undef MS
}

/* Every op not refused here becomes RETRY_LATER: an earlier Upload on the connection left an op
 * to retry. An Upload applied beside it may have committed: its ops come back DUPLICATE when
 * sent again (op_log). */
static void retry_all(struct upload *u)
{
	for (size_t i = 0; i < u->n; i++) {
		struct up_op *o = &u->ops[i];
		if (o->refused)
			continue;
		resolve(o, KARTA__OP_OUTCOME__OP_RETRY_LATER, KARTA__STATUS__STATUS_BUSY,
			"an earlier upload on this connection could not be written: "
			"send it again on a new connection");
		free(o->res.entity_id);
		free(o->res.conflict_id);
		free(o->res.detail);
		o->res.entity_id = o->res.conflict_id = o->res.detail = NULL;
		o->res.row_version = 0;
		o->res.merged = false;
		o->res.first_outcome = KARTA__OP_OUTCOME__OP_APPLIED;
	}
}

static void reply(struct pending *p)
{
	struct upload *u = p->extra;
	if (p->sess->uploads.held)
		retry_all(u);
	Karta__OpResult **rp = calloc(u->n + 1, sizeof *rp);
	if (!rp) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		return;
	}
	size_t counts[5] = {0};
	for (size_t i = 0; i < u->n; i++) {
		rp[i] = &u->ops[i].res;
		counts[u->ops[i].res.outcome % 5]++;
	}
	u->final = counts[KARTA__OP_OUTCOME__OP_RETRY_LATER] == 0;
	Karta__UploadResult r = KARTA__UPLOAD_RESULT__INIT;
	r.n_results = u->n;
	r.results = rp;
	session_reply(p->sess, p->rid, &r.base);
	for (int k = 0; k < 5; k++)
		metrics_add(p->sess->metrics, (enum metric_counter)(M_UPLOAD_APPLIED + k), counts[k]);
	session_log(p->sess, KT_LOG_INFO,
		"event=upload ops=%zu applied=%zu duplicate=%zu conflict=%zu rejected=%zu retry=%zu early=%d"
		" parallel=%d", u->n, counts[0], counts[1], counts[2], counts[3], counts[4], u->was_ready,
		u->was_par);
	free(rp);
	timeline(p->sess, u);
}

static void run_next(struct pending *p);
static void upload_start(struct pending *p);
static void upload_go(struct pending *p);
static void upload_promote(struct pending *p);
static void line_kick(struct session *sess);

/* The session's next waiting Upload, out of the queue (NULL: none). */
static struct pending *dequeue(struct upload_line *l)
{
	struct pending *next = l->head;
	if (next) {
		l->head = ((struct upload *)next->extra)->queued;
		if (!l->head)
			l->tail = NULL;
		l->waiting--;
	}
	return next;
}

/* The end of an Upload — answered, failed, or its connection gone: the one applied beside it
 * (if any) or the session's next waiting Upload has its turn. The one applied beside another
 * ends before its turn only when its connection is gone. */
static void upload_end(struct pending *p)
{
	struct upload *u = p->extra;
	struct upload_line *l = &p->sess->uploads;
	if (p == l->par) {
		l->par = NULL;
		pending_free(p);
		return;
	}
	if (!u->final)
		l->held = true;
	struct pending *next = l->par;
	bool promoted = next != NULL;
	if (promoted)
		l->par = NULL;
	else
		next = dequeue(l);
	l->cur = next;
	l->busy = next != NULL;
	if (promoted)
		upload_promote(next);
	else if (next) /* first: its karta_upload goes out before this one's memory is freed */
		upload_start(next);
	pending_free(p);
}

/* Every op of p is resolved: answered now when its turn has come, else (applied beside the one
 * before) when that one is answered. */
static void upload_done(struct pending *p)
{
	struct upload *u = p->extra;
	if (p == p->sess->uploads.par) {
		u->done = true;
		return;
	}
	reply(p);
	upload_end(p);
}

/* p could not go on (the query queue full, out of memory): an Error answer — or, for an Upload
 * applied beside the one before (which must be answered first), RETRY_LATER for its ops left. */
static void upload_fail(struct pending *p, Karta__Status st, const char *msg)
{
	struct upload *u = p->extra;
	if (p != p->sess->uploads.par) {
		session_error(p->sess, p->rid, st, "%s", msg);
		upload_end(p);
		return;
	}
	for (size_t i = 0; i < u->n; i++)
		if (!u->ops[i].resolved)
			resolve(&u->ops[i], KARTA__OP_OUTCOME__OP_RETRY_LATER, KARTA__STATUS__STATUS_BUSY,
				"the upload could not be written now: send it again");
	upload_done(p);
}

/* pending_query, ending the Upload when the query cannot be queued. Returns false then:
 * p may be freed. */
static bool up_query(struct pending *p, const char *sql, int n, const char *const *params,
	db_cb cb)
{
	struct upload *u = p->extra;
	if (db_query(p->sess->db, sql, n, params, cb, p) == 0) {
		u->prepping = u->early;
		return true;
	}
	if (u->early)
		return false; /* made ready at its turn instead */
	upload_fail(p, KARTA__STATUS__STATUS_BUSY, "server busy: try again later");
	return false;
}

static char *dup_or_null(const struct db_result *res, int row, int col)
{
	return db_result_isnull(res, row, col) ? NULL : strdup(db_result_get(res, row, col));
}

static Karta__OpOutcome outcome_of(const char *w)
{
	static const char *const words[] = {"applied", "duplicate", "conflict", "rejected",
		"retry_later"};
	for (int i = 0; i < 5; i++)
		if (strcmp(w, words[i]) == 0)
			return (Karta__OpOutcome)i;
	return KARTA__OP_OUTCOME__OP_REJECTED;
}

/* Rows of karta_upload: (op_id, outcome, status, message, entity_id, row_version,
 * conflict_id, detail, merged, first_outcome), one per op sent, in order. */
static void upload_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct upload *u = p->extra;
	u->t_db_done = metrics_now_ns();
	if (pending_gone(p)) {
		upload_end(p);
		return;
	}
	bool ok = db_result_ok(res);
	if (!ok)
		session_log(p->sess, KT_LOG_WARN, "event=upload_failed sqlstate=%s",
			db_result_sqlstate(res));
	int row = 0;
	for (size_t i = u->next; i < u->run_end; i++) {
		struct up_op *o = &u->ops[i];
		if (o->resolved)
			continue;
		if (!ok || row >= db_result_rows(res)) {
			resolve(o, KARTA__OP_OUTCOME__OP_RETRY_LATER, KARTA__STATUS__STATUS_BUSY,
				"the upload could not be written now: send it again");
			continue;
		}
		resolve(o, outcome_of(db_result_get(res, row, 1)), api_status(db_result_get(res, row, 2)),
			db_result_get(res, row, 3));
		o->res.entity_id = dup_or_null(res, row, 4);
		o->res.row_version = atoll(db_result_get(res, row, 5));
		o->res.conflict_id = dup_or_null(res, row, 6);
		o->res.detail = dup_or_null(res, row, 7);
		o->res.merged = strcmp(db_result_get(res, row, 8), "t") == 0;
		if (!db_result_isnull(res, row, 9))
			o->res.first_outcome = outcome_of(db_result_get(res, row, 9));
		row++;
	}
	u->next = u->run_end;
	run_next(p);
}

/* Sends the run [next, run_end) whose JSON is built to karta_upload; the next waiting Upload
 * is made ready meanwhile when this one cannot change a plan's year. */
static void send_ready(struct pending *p)
{
	struct upload *u = p->extra;
	const char *params[2] = {p->device, u->ops_json};
	u->ready = false;
	if (!u->t_db_sent)
		u->t_db_sent = metrics_now_ns();
	if (up_query(p, "SELECT * FROM karta_upload_seq($1, $2)", 2, params, upload_cb))
		line_kick(p->sess); /* (not when the query failed: p may be gone) */
}

/* Op o as an element of karta_upload_seq's text: RS, then {"op_id", "digest", "kind", "a"} —
 * a registry_rows op's arguments as the client sent them, unparsed (ops.c checked them for
 * UTF-8 and RS; op_id a checked UUID, digest hex, kind letters and _: nothing to escape; the
 * database reads this head back when the arguments are no JSON), else written out from the
 * parsed arguments, an item_put's straight from its message (ops.c op_text). */
static void text_op(struct kt_jtext *t, const struct up_op *o)
{
	size_t n;
	char *d = op_text(&o->args, o->op_id, o->digest, &n); /* (ops.c) */
	if (!d) {
		t->failed = true;
		return;
	}
	kt_jtext_lit(t, "\x1e");
	kt_jtext_raw(t, d, n);
	free(d);
}

/* Picks the run starting at u->next (every op's year known), normalizes its items and sends
 * it to karta_upload (early: keeps it for its turn); replies when every op is resolved. */
static void send_run(struct pending *p)
{
	struct upload *u = p->extra;
	uint64_t t0 = metrics_now_ns();
	struct kt_jtext batch = {0}; /* the run's ops, each an RS (0x1e) and its JSON object */
	size_t i = u->next;
	for (; i < u->n; i++) {
		struct up_op *o = &u->ops[i];
		if (o->resolved)
			continue;
		json_t *y = *o->args.year_plan ? json_object_get(u->years, o->args.year_plan) : NULL;
		if (y && json_integer_value(y) < 0 && i > u->next)
			break; /* its plan is made earlier in this run: read its year afterwards */
		if (*o->args.year_plan)
			op_args_normalize(&o->args,
				y && json_integer_value(y) >= 0 ? (int)json_integer_value(y) : 0);
		if (*o->args.new_plan) {
			op_args_normalize(&o->args, o->args.new_plan_year);
			json_object_set_new(u->years, o->args.new_plan,
				json_integer(o->args.derives ? -1 : o->args.new_plan_year));
		}
		text_op(&batch, o);
	}
	u->run_end = i;
	free(u->ops_json);
	u->ops_json = kt_jtext_take(&batch, NULL); /* (an empty run: "", not NULL) */
	u->json_ns += metrics_now_ns() - t0;
	if (!u->ops_json) {
		if (u->early)
			return;
		upload_fail(p, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		return;
	}
	if (u->early) {
		u->ready = true;
		session_log(p->sess, KT_LOG_DEBUG, "event=upload_ready ops=%zu", u->run_end - u->next);
		return;
	}
	send_ready(p);
}

static void years_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct upload *u = p->extra;
	bool early = u->early, was_prep = u->prepping;
	u->prepping = false;
	if (pending_gone(p)) {
		if (!early) /* else its turn ends it */
			upload_end(p);
		return;
	}
	if (!db_result_ok(res)) {
		if (early) /* read again at its turn */
			return;
		if (p == p->sess->uploads.par) {
			upload_fail(p, KARTA__STATUS__STATUS_BUSY, "");
			return;
		}
		reply_db_error(p, res, "upload_years");
		upload_end(p);
		return;
	}
	for (int r = 0; r < db_result_rows(res); r++)
		json_object_set_new(u->years, db_result_get(res, r, 0),
			json_integer(atoi(db_result_get(res, r, 1))));
	if (was_prep && !early)
		upload_go(p); /* its turn came while the years were read */
	else
		send_run(p);
}

/* Reads the years of the plans the remaining ops name but the map lacks (or holds as
 * unknown), then sends the next run. */
static void run_next(struct pending *p)
{
	struct upload *u = p->extra;
	while (u->next < u->n && u->ops[u->next].resolved)
		u->next++;
	if (u->next == u->n) {
		if (u->early)
			return; /* answered at its turn */
		upload_done(p);
		return;
	}
	json_t *keys = json_array(), *seen = json_object(); /* each plan once */
	for (size_t i = u->next; i < u->n; i++) {
		const char *k = u->ops[i].args.year_plan;
		json_t *y = *k ? json_object_get(u->years, k) : NULL;
		if (*k && !u->ops[i].resolved && (!y || json_integer_value(y) < 0) &&
		    !json_object_get(seen, k)) {
			json_object_set_new(seen, k, json_true());
			json_array_append_new(keys, json_string(k));
		}
	}
	json_decref(seen);
	if (json_array_size(keys) == 0) {
		json_decref(keys);
		send_run(p);
		return;
	}
	free(u->keys);
	u->keys = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	if (!u->keys) {
		if (u->early)
			return;
		upload_fail(p, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		return;
	}
	const char *params[1] = {u->keys};
	up_query(p,
		"SELECT p.id::text, p.academic_year FROM plan p"
		" WHERE p.id IN (SELECT k::uuid FROM jsonb_array_elements_text($1::jsonb) k)",
		1, params, years_cb);
}

int h_upload(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__Upload *req = (const Karta__Upload *)msg;
	struct pending *p = pending_new(sess, rid);
	struct upload *u = calloc(1, sizeof *u);
	if (!p || !u || !(u->ops = calloc(req->n_ops + 1, sizeof *u->ops)) ||
	    !(u->years = json_object())) {
		upload_free(u);
		pending_free(p);
		return -1;
	}
	p->extra = u;
	p->extra_free = upload_free;
	u->t_recv = metrics_now_ns();
	u->n = req->n_ops;
	long max = sess->cfg->max_ops_per_upload;
	char why[128];
	snprintf(why, sizeof why, "upload too large: %zu ops, at most %ld per upload (nothing applied)",
		req->n_ops, max);
	for (size_t i = 0; i < u->n; i++) {
		const Karta__Op *op = req->ops[i];
		struct up_op *o = &u->ops[i];
		karta__op_result__init(&o->res);
		/* heap strings or NULL (packs as ""), never protobuf-c's static "" we would free */
		o->res.message = o->res.entity_id = o->res.conflict_id = o->res.detail = NULL;
		snprintf(o->op_id, sizeof o->op_id, "%.39s", op->op_id);
		o->res.op_id = o->op_id;
		const char *bad = (long)u->n > max ? why : check_uuid("op_id", op->op_id);
		if (!bad)
			bad = op_build(op->msg_type, op->body.data, op->body.len, &o->args);
		if (bad) {
			resolve(o, KARTA__OP_OUTCOME__OP_REJECTED, KARTA__STATUS__STATUS_BAD_REQUEST, bad);
			o->refused = true;
			continue;
		}
		digest_hex(op->body.data, op->body.len, o->digest);
		u->bytes += op->body.len;
	}
	u->t_built = metrics_now_ns();
	struct upload_line *l = &sess->uploads;
	if (!l->busy) {
		l->busy = true;
		l->cur = p;
		upload_start(p);
		return 0;
	}
	if (l->waiting >= UPLOADS_WAITING_MAX) {
		session_log(sess, KT_LOG_WARN, "event=uploads_waiting_max waiting=%d", l->waiting);
		pending_free(p);
		return -1;
	}
	if (l->tail)
		((struct upload *)l->tail->extra)->queued = p;
	else
		l->head = p;
	l->tail = p;
	l->waiting++;
	session_log(sess, KT_LOG_INFO, "event=upload_queued ops=%zu waiting=%d", u->n, l->waiting);
	line_kick(sess);
	return 0;
}

/* An op after which the years of plans read beforehand still hold: it creates or changes no
 * plan (refused ops reach no database). */
static bool year_neutral(const struct up_op *o)
{
	static const char *const kinds[] = {"item_put", "item_move", "item_delete", "status_set",
		"registry_put", "registry_delete", "registry_rows"};
	if (o->resolved)
		return true;
	if (o->args.derives || *o->args.new_plan)
		return false;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(o->args.kind, kinds[i]) == 0)
			return true;
	return false;
}

/* Makes the session's next waiting Upload ready (years read, first run's JSON built) while the
 * one being applied cannot change a plan's year (uploads.prep_ok, set at its start). */
static void prepare_next(struct session *sess)
{
	struct upload_line *l = &sess->uploads;
	struct pending *p = l->head;
	if (!l->busy || !l->prep_ok || l->held || l->par || !p)
		return;
	struct upload *u = p->extra;
	if (u->early || u->ready || pending_gone(p))
		return;
	u->early = true;
	run_next(p);
}

/* The pairing rules of up_pair.h over u's ops (refused ones reach no database): its class
 * (UP_PAIR_NONE when an op may not be applied beside another Upload's) and the entities its
 * ops name, made once. */
static int pair_class(const struct upload *u)
{
	int c = 0;
	for (size_t i = 0; i < u->n; i++) {
		if (u->ops[i].refused)
			continue;
		int k = up_pair_kind(&u->ops[i].args);
		if (k == UP_PAIR_NONE)
			return UP_PAIR_NONE;
		c |= k;
	}
	return c ? c : UP_PAIR_EMPTY;
}

static json_t *names_of(struct upload *u)
{
	if (!u->names && (u->names = json_object()))
		for (size_t i = 0; i < u->n; i++)
			if (!u->ops[i].refused)
				up_pair_names(u->names, u->ops[i].op_id, &u->ops[i].args);
	return u->names;
}

/* True when the Upload b may be applied beside a, the one before it (up_pair.h). */
static bool independent(struct upload *a, struct upload *b)
{
	if (!up_pair_classes_ok(pair_class(a), pair_class(b)))
		return false;
	json_t *na = names_of(a), *nb = names_of(b);
	return !na || !nb ? false : up_pair_disjoint(na, nb);
}

/* Starts the session's next waiting Upload beside the one being applied (upload.parallel = 2)
 * when it is independent of it, no earlier one left an op to retry, and the pool has a
 * connection free besides the one it takes (other sessions are never starved of one: else the
 * Upload waits its turn, as with parallel = 1). Its own karta_upload_seq is a transaction of
 * its own: any wait on the one before is PostgreSQL's lock wait, a deadlock PostgreSQL's to
 * break (RETRY_LATER). Returns true when started. */
static bool start_beside(struct session *sess)
{
	struct upload_line *l = &sess->uploads;
	struct pending *p = l->head;
	if (sess->cfg->upload_parallel < 2 || !l->busy || !l->cur || l->par || l->held || !p ||
	    pending_gone(p) || pending_gone(l->cur))
		return false;
	struct upload *u = p->extra;
	if (!independent(l->cur->extra, u))
		return false;
	struct db_pool_stats st;
	db_pool_stats(sess->db, &st);
	if (st.up - st.busy - st.queued < 2)
		return false;
	dequeue(l);
	l->par = p;
	u->was_par = true;
	u->t_turn = metrics_now_ns();
	u->early = false;
	session_log(sess, KT_LOG_DEBUG, "event=upload_beside ops=%zu ready=%d", u->n, u->ready);
	if (u->prepping)
		return true; /* years_cb goes on (upload_go) */
	upload_go(p);
	return true;
}

/* Something changed on the session's line of Uploads: the next waiting one is started beside
 * the one applied, or else made ready for its turn. */
static void line_kick(struct session *sess)
{
	if (!start_beside(sess))
		prepare_next(sess);
}

/* The Upload p, applied beside the one before, has its turn (that one answered): its answer
 * goes now if every op is resolved (RETRY_LATER whole if the one before left an op to retry),
 * else when its karta_upload_seq answers. The next waiting one may start beside it. */
static void upload_promote(struct pending *p)
{
	struct upload *u = p->extra;
	struct upload_line *l = &p->sess->uploads;
	l->prep_ok = true;
	for (size_t i = 0; i < u->n && l->prep_ok; i++)
		l->prep_ok = year_neutral(&u->ops[i]);
	if (pending_gone(p) && u->done) {
		upload_end(p);
		return;
	}
	if (u->done) {
		reply(p);
		upload_end(p);
		return;
	}
	line_kick(p->sess);
}

/* Its turn: the Upload p is applied (once its early years query, if any, has answered). */
static void upload_start(struct pending *p)
{
	struct upload *u = p->extra;
	struct upload_line *l = &p->sess->uploads;
	u->t_turn = metrics_now_ns();
	l->prep_ok = true;
	for (size_t i = 0; i < u->n && l->prep_ok; i++)
		l->prep_ok = year_neutral(&u->ops[i]);
	u->early = false;
	if (u->prepping)
		return; /* years_cb goes on */
	upload_go(p);
}

/* Applies the Upload p whose turn it is — or, when an earlier one on the connection left an op
 * to retry, answers every op of it RETRY_LATER. */
static void upload_go(struct pending *p)
{
	struct upload *u = p->extra;
	if (pending_gone(p)) {
		upload_end(p);
		return;
	}
	if (p->sess->uploads.held) {
		reply(p); /* every op RETRY_LATER (reply) */
		upload_end(p);
		return;
	}
	if (u->ready) {
		u->was_ready = true;
		send_ready(p);
	} else {
		run_next(p);
	}
}
