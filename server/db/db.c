/* db: asynchronous libpq pool (see db.h) over db_link connections (db_link.c).
 * Invariant: a connection whose link is LINK_BUSY owns exactly one job; its callback runs
 * after the link is back to LINK_IDLE, so a callback may queue the next query at once. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_link.h"
#include "kt_log.h"
#include "metrics.h"

#define DB_MAX_PARAMS 64
#define DB_BACKOFF_MIN_MS 1000
#define DB_BACKOFF_MAX_MS 5000 /* a failover's new primary is found within this */
#define SQLSTATE_READ_ONLY "25006" /* the server we hold became a standby */

struct db_job {
	struct db_job *next;
	const char *sql;
	int nparams;
	char **params; /* nparams strings in one allocation after the job */
	db_cb cb;
	void *arg;
	uint64_t t_queued, t_sent; /* metrics_now_ns() when queued / sent */
};

struct db_result {
	PGresult *pg;   /* NULL when the connection failed */
	const char *error;
};

struct db_conn {
	struct db_pool *pool;
	int index;
	struct db_link link; /* LINK_BUSY exactly while job is set */
	struct db_job *job;
};

struct db_pool {
	struct event_base *base;
	char *conninfo;
	char setup_sql[160];
	int queue_max;
	int queued;
	struct db_job *head, *tail;
	int nconns;
	struct db_conn *conns;
	unsigned long long queries, errors, refused, connects, losses;
	struct metrics_hist wait, query;
};

static void pool_kick(struct db_pool *pool);

/* --- results ------------------------------------------------------------------------ */

bool db_result_ok(const struct db_result *res)
{
	if (!res->pg)
		return false;
	ExecStatusType st = PQresultStatus(res->pg);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

const char *db_result_error(const struct db_result *res)
{
	if (res->error)
		return res->error;
	return res->pg ? PQresultErrorMessage(res->pg) : "no result";
}

const char *db_result_message(const struct db_result *res)
{
	const char *m = res->pg ? PQresultErrorField(res->pg, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	return m ? m : db_result_error(res);
}

/* No result at all: the connection was lost mid-query or none could be had (db_down) —
 * connection_failure, 08006, which callers answer as BUSY (try again), not INTERNAL. */
const char *db_result_sqlstate(const struct db_result *res)
{
	if (!res->pg)
		return "08006";
	const char *s = PQresultErrorField(res->pg, PG_DIAG_SQLSTATE);
	return s ? s : "";
}

int db_result_rows(const struct db_result *res)
{
	return res->pg && PQresultStatus(res->pg) == PGRES_TUPLES_OK ? PQntuples(res->pg) : 0;
}

int db_result_cols(const struct db_result *res)
{
	return res->pg && PQresultStatus(res->pg) == PGRES_TUPLES_OK ? PQnfields(res->pg) : 0;
}

const char *db_result_colname(const struct db_result *res, int col)
{
	return col < db_result_cols(res) ? PQfname(res->pg, col) : "";
}

const char *db_result_get(const struct db_result *res, int row, int col)
{
	if (row >= db_result_rows(res) || col >= PQnfields(res->pg))
		return "";
	return PQgetvalue(res->pg, row, col);
}

bool db_result_isnull(const struct db_result *res, int row, int col)
{
	if (row >= db_result_rows(res) || col >= PQnfields(res->pg))
		return true;
	return PQgetisnull(res->pg, row, col);
}

/* --- jobs ---------------------------------------------------------------------------- */

/* Calls back; the result is cleared afterwards unless the callback took it. */
static void job_finish(struct db_pool *pool, struct db_job *job, PGresult *pg, const char *error)
{
	struct db_result res = {.pg = pg, .error = error};
	pool->queries++;
	if (!db_result_ok(&res))
		pool->errors++;
	if (job->t_sent)
		metrics_hist_observe(&pool->query, (double)(metrics_now_ns() - job->t_sent) / 1e9);
	job->cb(&res, job->arg);
	free(job);
	PQclear(res.pg);
}

struct db_result *db_result_take(struct db_result *res)
{
	struct db_result *kept = malloc(sizeof *kept);
	if (!kept)
		return NULL;
	*kept = *res;
	res->pg = NULL;
	return kept;
}

void db_result_free(struct db_result *res)
{
	if (!res)
		return;
	PQclear(res->pg);
	free(res);
}

int db_query(struct db_pool *pool, const char *sql, int nparams, const char *const *params,
	db_cb cb, void *arg)
{
	if (pool->queued >= pool->queue_max || nparams < 0 || nparams > DB_MAX_PARAMS) {
		pool->refused++;
		return -1;
	}
	size_t need = sizeof(struct db_job) + (size_t)nparams * sizeof(char *);
	for (int i = 0; i < nparams; i++)
		need += params[i] ? strlen(params[i]) + 1 : 0;
	struct db_job *job = malloc(need);
	if (!job)
		return -1;
	job->next = NULL;
	job->sql = sql;
	job->nparams = nparams;
	job->params = (char **)(job + 1);
	char *p = (char *)(job->params + nparams);
	for (int i = 0; i < nparams; i++) {
		if (!params[i]) {
			job->params[i] = NULL; /* SQL NULL */
			continue;
		}
		size_t n = strlen(params[i]) + 1;
		memcpy(p, params[i], n);
		job->params[i] = p;
		p += n;
	}
	job->cb = cb;
	job->arg = arg;
	job->t_queued = metrics_now_ns();
	job->t_sent = 0;
	if (pool->tail)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pool->queued++;
	pool_kick(pool);
	return 0;
}

static struct db_job *pool_pop(struct db_pool *pool)
{
	struct db_job *job = pool->head;
	if (job) {
		pool->head = job->next;
		if (!pool->head)
			pool->tail = NULL;
		pool->queued--;
	}
	return job;
}

/* Fails every queued job: used when no connection can be had, so callers get an answer
 * (BUSY/INTERNAL) instead of waiting forever. */
static void pool_fail_queue(struct db_pool *pool, const char *why)
{
	struct db_job *job;
	while ((job = pool_pop(pool)) != NULL)
		job_finish(pool, job, NULL, why);
}

static bool pool_any_up(const struct db_pool *pool)
{
	for (int i = 0; i < pool->nconns; i++)
		if (pool->conns[i].link.state != LINK_DOWN)
			return true;
	return false;
}

bool db_pool_idle(const struct db_pool *pool)
{
	if (pool->queued)
		return false;
	for (int i = 0; i < pool->nconns; i++)
		if (pool->conns[i].link.state == LINK_BUSY)
			return false;
	return true;
}

void db_pool_stats(const struct db_pool *pool, struct db_pool_stats *st)
{
	*st = (struct db_pool_stats){.size = pool->nconns, .queued = pool->queued,
		.queries = pool->queries, .errors = pool->errors, .refused = pool->refused,
		.connects = pool->connects, .losses = pool->losses, .wait = &pool->wait,
		.query = &pool->query};
	for (int i = 0; i < pool->nconns; i++) {
		st->up += pool->conns[i].link.state >= LINK_IDLE;
		st->busy += pool->conns[i].link.state == LINK_BUSY;
	}
}

bool db_pool_up(const struct db_pool *pool)
{
	for (int i = 0; i < pool->nconns; i++)
		if (pool->conns[i].link.state >= LINK_IDLE)
			return true;
	return false;
}

/* --- the pool's connections (db_link.c runs each one) -------------------------------- */

static void slot_up(void *arg)
{
	struct db_conn *dc = arg;
	dc->pool->connects++;
	kt_log(KT_LOG_INFO, "event=db_up slot=%d", dc->index);
	pool_kick(dc->pool);
}

static void slot_down(void *arg, const char *why, bool was_up, int retry_ms)
{
	struct db_conn *dc = arg;
	kt_log(KT_LOG_WARN, "event=db_down slot=%d reason=\"%.*s\"", dc->index,
		(int)strcspn(why, "\n"), why);
	dc->pool->losses++;
	struct db_job *job = dc->job;
	dc->job = NULL;
	if (job)
		job_finish(dc->pool, job, NULL, "database connection lost");
	if (!pool_any_up(dc->pool))
		pool_fail_queue(dc->pool, "database unavailable");
}

/* The query is complete and the connection free again: the next queued query starts before
 * this one's callback runs. */
static void slot_done(void *arg, PGresult *r)
{
	struct db_conn *dc = arg;
	struct db_job *job = dc->job;
	dc->job = NULL;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && strcmp(state, SQLSTATE_READ_ONLY) == 0) {
		/* A demoted primary: drop it, reconnect (target_session_attrs finds the new one). */
		db_link_down(&dc->link, "the database server is read-only (a standby now)");
	}
	pool_kick(dc->pool);
	if (job)
		job_finish(dc->pool, job, r, r ? NULL : "no result");
	else
		PQclear(r);
}

static const struct db_link_hooks slot_hooks = {slot_up, slot_done, slot_down, NULL};

static void conn_send(struct db_conn *dc, struct db_job *job)
{
	dc->job = job;
	job->t_sent = metrics_now_ns();
	metrics_hist_observe(&dc->pool->wait, (double)(job->t_sent - job->t_queued) / 1e9);
	db_link_send(&dc->link, job->sql, job->nparams, (const char *const *)job->params);
	/* -1: the link went down and slot_down answered the job */
}

static void pool_kick(struct db_pool *pool)
{
	for (int i = 0; i < pool->nconns && pool->head; i++)
		if (pool->conns[i].link.state == LINK_IDLE)
			conn_send(&pool->conns[i], pool_pop(pool));
}

/* --- pool --------------------------------------------------------------------------- */

struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_cfg *cfg)
{
	struct db_pool *pool = calloc(1, sizeof *pool);
	if (!pool)
		return NULL;
	pool->base = base;
	pool->conninfo = strdup(cfg->conninfo ? cfg->conninfo : "");
	snprintf(pool->setup_sql, sizeof pool->setup_sql,
		"SET statement_timeout = %d; SET application_name = 'kartad'; SET TIME ZONE 'UTC'",
		cfg->statement_timeout);
	pool->queue_max = cfg->queue_max;
	pool->nconns = cfg->size > 0 ? cfg->size : 1;
	pool->conns = calloc((size_t)pool->nconns, sizeof *pool->conns);
	if (!pool->conninfo || !pool->conns)
		goto fail;
	for (int i = 0; i < pool->nconns; i++) {
		struct db_conn *dc = &pool->conns[i];
		dc->pool = pool;
		dc->index = i;
		struct db_link_cfg lc = {.conninfo = pool->conninfo, .setup_sql = pool->setup_sql,
			.setup_failed = "connection setup failed", .backoff_min_ms = DB_BACKOFF_MIN_MS,
			.backoff_max_ms = DB_BACKOFF_MAX_MS};
		if (db_link_init(&dc->link, base, &lc, &slot_hooks, dc) != 0)
			goto fail;
	}
	for (int i = 0; i < pool->nconns; i++)
		db_link_start(&pool->conns[i].link);
	return pool;
fail:
	db_pool_free(pool);
	return NULL;
}

void db_pool_free(struct db_pool *pool)
{
	if (!pool)
		return;
	pool_fail_queue(pool, "server shutting down");
	for (int i = 0; pool->conns && i < pool->nconns; i++) {
		struct db_conn *dc = &pool->conns[i];
		if (dc->job)
			job_finish(pool, dc->job, NULL, "server shutting down");
		db_link_release(&dc->link);
	}
	free(pool->conns);
	free(pool->conninfo);
	free(pool);
}
