/* libFuzzer: kartad's session layer and every handler's request checks, as an authenticated
 * peer reaches them. The input is a few control bytes then a byte stream of frames:
 *   byte 0  who the peer is (coordinator of the region, operator of a municipality or a
 *           school, a school's viewer device) and, in its top bit, whether Hello was
 *           already answered;
 *   byte 1  how the stubbed database answers every query (it never succeeds: a failure with
 *           one of a few SQLSTATEs or API words, so every handler's error path is walked);
 *   rest    frames, handed one after another to session_frame as conn.c would.
 * The stubs below stand in for conn.c (replies are packed into a buffer and checked to be
 * one frame within max_frame_bytes), db.c (queries are queued and answered after each
 * frame), listen.c and auth.c; session.c (the route table) and metrics.c are the real ones
 * (requests, replies and upload outcomes are counted as in kartad). Invariants checked: no
 * reply over the limit, every query answered once, and every session reference a handler
 * takes is given back. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "conn.h"
#include "db/db.h"
#include "kt_frame.h"
#include "kt_log.h"
#include "listen.h"
#include "metrics.h"
#include "server.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- db.c ---------------------------------------------------------------------------- */
struct db_result {
	const char *sqlstate, *message;
};

struct query {
	db_cb cb;
	void *arg;
};

static struct query queue[256];
static size_t nqueued;
static uint8_t db_mode;

int db_query(struct db_pool *pool, const char *sql, int nparams, const char *const *params,
	db_cb cb, void *arg)
{
	(void)pool;
	for (int i = 0; i < nparams; i++)
		if (params[i] && strlen(params[i]) > (64u << 20)) /* params are read as strings */
			abort();
	if (!sql || nqueued == sizeof queue / sizeof queue[0] || (db_mode & 0x80))
		return -1; /* a full queue: the handler answers BUSY */
	queue[nqueued++] = (struct query){cb, arg};
	return 0;
}

static const struct db_result failures[] = {
	{"", "connection to server lost"},
	{"57014", "canceling statement due to statement timeout"},
	{"40001", "could not serialize access"},
	{"23505", "duplicate key value violates unique constraint"},
	{"P0001", "denied:not your organization"},
	{"P0001", "conflict:row changed"},
	{"P0001", "not_found:no such plan"},
	{"P0001", "bad:deadline is not a date"},
};

static void db_answer_all(void)
{
	for (int rounds = 0; nqueued > 0 && rounds < 64; rounds++) {
		struct query q = queue[--nqueued];
		struct db_result res = failures[db_mode % (sizeof failures / sizeof failures[0])];
		q.cb(&res, q.arg);
	}
	if (nqueued != 0)
		abort(); /* a handler that queries forever */
}

struct db_result *db_result_take(struct db_result *res)
{
	struct db_result *r = malloc(sizeof *r);
	if (r)
		*r = *res;
	return r;
}
void db_result_free(struct db_result *res) { free(res); }
bool db_result_ok(const struct db_result *res) { return res->sqlstate == NULL; }
const char *db_result_error(const struct db_result *res) { return res->message; }
const char *db_result_message(const struct db_result *res) { return res->message; }
const char *db_result_sqlstate(const struct db_result *res) { return res->sqlstate; }
int db_result_rows(const struct db_result *res) { return 0; }
int db_result_cols(const struct db_result *res) { return 0; }
/* A failed result has no cells: a handler reading one has skipped its error check. */
const char *db_result_colname(const struct db_result *res, int col) { abort(); }
const char *db_result_get(const struct db_result *res, int row, int col) { abort(); }
bool db_result_isnull(const struct db_result *res, int row, int col) { abort(); }

/* what metrics.c reads at scrape time (never scraped here) */
void db_pool_stats(const struct db_pool *pool, struct db_pool_stats *st) { abort(); }
bool db_pool_up(const struct db_pool *pool) { abort(); }
void listen_stats(const struct listener *l, struct listen_stats *st) { abort(); }

/* ---- listen.c, auth.c ---------------------------------------------------------------- */
void listen_subscribe_at(struct listener *l, struct session *s, const long long *feed_ids,
	const char *const *codes, const long long *seqs, size_t n)
{
}
void listen_forget(struct listener *l, struct session *s) {}
void auth_start(struct session *s) { abort(); } /* the peer is authenticated already */

/* ---- conn.c -------------------------------------------------------------------------- */
void conn_vlog(const struct conn *c, struct kt_log_limit *lim, int level, const char *fmt,
	va_list ap)
{
}
void *conn_up(struct conn *c) { return c->up; }
bool conn_closing(const struct conn *c) { return c->closing; }
bool conn_backlogged(const struct conn *c) { return false; }
struct conn *conn_new(struct server *s, int fd, const char *peer, const struct conn_cb *cb,
	size_t up_size)
{
	abort(); /* no listener here */
}
void conn_shutdown(struct conn *c, const char *why) { c->closing = true; }
void conn_ref(struct conn *c) { c->refs++; }
void conn_unref(struct conn *c)
{
	if (--c->refs < 0)
		abort();
}
void conn_close(struct conn *c, const char *why) { c->closing = true; }
void conn_established(struct conn *c) { c->state = CONN_READY; }

int conn_send_frame_with(struct conn *c, uint16_t type, uint32_t request_id, uint32_t len,
	void (*fill)(void *arg, uint8_t *dst), void *arg)
{
	if (c->closing)
		return -1;
	if (len > (uint32_t)c->srv->cfg.max_frame)
		abort(); /* session_reply must have refused it */
	uint8_t *buf = malloc((size_t)len + 1);
	if (!buf)
		return -1;
	if (len)
		fill(arg, buf);
	free(buf);
	return 0;
}

int conn_send_frame(struct conn *c, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len)
{
	return c->closing ? -1 : 0;
}

/* ---- the target ---------------------------------------------------------------------- */
static const struct {
	const char *code, *level, *parent, *role;
	enum session_role rank;
} peers[] = {
	{"reg", "region", "", "coordinator", ROLE_COORDINATOR},
	{"mun1", "municipality", "reg", "operator", ROLE_OPERATOR},
	{"sch11", "school", "mun1", "operator", ROLE_OPERATOR},
	{"sch11", "school", "mun1", "viewer", ROLE_VIEWER},
};

static struct server srv;

static struct conn *conn; /* with its session after it (conn_up) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv.cfg.listen) {
		kt_log_set_level(KT_LOG_ERROR + 1); /* quiet */
		if (kt_cfg_defaults(server_cfg_keys, &srv.cfg) != 0)
			abort();
		srv.cfg.max_frame = 1 << 20;
		srv.cfg.max_ops_per_upload = 50;
		srv.metrics = metrics_new();
		conn = malloc(sizeof *conn + sizeof(struct session));
		if (!srv.metrics || !conn)
			abort();
	}
	if (size < 2)
		return 0;
	memset(conn, 0, sizeof *conn + sizeof(struct session));
	struct conn *c = conn;
	c->srv = &srv;
	c->refs = 1;
	c->id = 1;
	struct session *s = conn_up(c);
	session_init(s, c, &srv);
	unsigned who = (data[0] & 0x7f) % (sizeof peers / sizeof peers[0]);
	c->state = data[0] & 0x80 ? CONN_READY : CONN_HELLO;
	s->welcomed = c->state == CONN_READY;
	s->proto = 1;
	snprintf(s->who.fingerprint, sizeof s->who.fingerprint, "%064d", 0);
	s->who.device_id = 7;
	s->who.org_id = (long long)who + 1;
	snprintf(s->who.org_code, sizeof s->who.org_code, "%s", peers[who].code);
	snprintf(s->who.org_name, sizeof s->who.org_name, "org %s", peers[who].code);
	snprintf(s->who.org_level, sizeof s->who.org_level, "%s", peers[who].level);
	snprintf(s->who.parent_code, sizeof s->who.parent_code, "%s", peers[who].parent);
	snprintf(s->who.role, sizeof s->who.role, "%s", peers[who].role);
	s->who.rank = peers[who].rank;
	db_mode = data[1];
	data += 2;
	size -= 2;
	while (size > 0 && !c->closing) {
		struct kt_frame_hdr h;
		const char *why;
		if (kt_frame_decode(data, size, (uint32_t)srv.cfg.max_frame, &h, &why) != KT_FRAME_OK)
			break;
		if (session_frame(s, &h, data + KT_FRAME_HDR_LEN) < 0)
			c->closing = true;
		db_answer_all();
		data += KT_FRAME_HDR_LEN + h.len;
		size -= KT_FRAME_HDR_LEN + h.len;
	}
	if (c->refs != 1)
		abort(); /* a pending request kept (or dropped twice) its connection reference */
	return 0;
}
