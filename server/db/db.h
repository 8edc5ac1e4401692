/* db: kartad's PostgreSQL, driven by the server's libevent loop — an asynchronous query
 * pool, the LISTEN connection of live updates, and the schema check before the loop starts.
 * server/db/ is the only place that sees libpq: PGconn and PGresult never leave it.
 *
 * Nothing here blocks: connections are opened with PQconnectStart/PQconnectPoll, queries
 * are sent with PQsendQueryParams and read as the socket becomes readable. Each pooled
 * connection runs one query at a time; further queries wait in a bounded FIFO queue
 * (past the cap db_query refuses, and the caller answers BUSY). Broken connections are
 * reopened with backoff. No libpq type crosses this header.
 *
 * Multi-statement work is one statement calling a server-side SQL function, so a request
 * is one round trip and one transaction, and never holds a connection across client I/O. */
#ifndef KT_DB_H
#define KT_DB_H

#include <event2/event.h>
#include <stdbool.h>

struct db_pool;
struct db_result;
struct metrics_hist;

struct db_pool_cfg {
	const char *conninfo;
	int size;              /* connections */
	int queue_max;         /* queued queries before db_query refuses */
	int statement_timeout; /* milliseconds, set on every connection */
};

/* Called exactly once per accepted query, from the event loop, after the connection is free
 * again. res is borrowed: valid only during the call, unless taken with db_result_take. */
typedef void (*db_cb)(struct db_result *res, void *arg);

/* Starts connecting; returns NULL only on allocation failure. */
struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_cfg *cfg);
/* Closes every connection; callbacks of queued queries are called with an error first. */
void db_pool_free(struct db_pool *pool);
/* True when no query is running or queued. */
bool db_pool_idle(const struct db_pool *pool);

/* What the pool has done and is doing, for the metrics endpoint (counters since start). */
struct db_pool_stats {
	int size, up, busy;          /* connections: configured, usable (idle or busy), running a query */
	int queued;                  /* queries waiting for a connection */
	unsigned long long queries;  /* queries answered (ok or not) */
	unsigned long long errors;   /* of which failed (SQL error or connection lost) */
	unsigned long long refused;  /* refused at db_query: queue full */
	unsigned long long connects; /* connections established (the first ones and reconnects) */
	unsigned long long losses;   /* connections lost or failed to open */
	const struct metrics_hist *wait;  /* seconds queued before a connection took the query */
	const struct metrics_hist *query; /* seconds from sending to the result */
};
void db_pool_stats(const struct db_pool *pool, struct db_pool_stats *st);
/* True when at least one connection is usable: the health check's "database reachable". */
bool db_pool_up(const struct db_pool *pool);

/* Queues a query. sql must outlive the query (use a string literal); params are copied.
 * Returns 0, or -1 when the queue is full (cb is then NOT called). */
int db_query(struct db_pool *pool, const char *sql, int nparams, const char *const *params,
	db_cb cb, void *arg) __attribute__((warn_unused_result));

/* Takes the result out of a callback so it outlives it (a multi-step request keeping an
 * earlier step's rows); free with db_result_free. NULL on allocation failure. */
struct db_result *db_result_take(struct db_result *res);
void db_result_free(struct db_result *res);

bool db_result_ok(const struct db_result *res);
/* For the log, never for the client: the libpq error text. */
const char *db_result_error(const struct db_result *res);
/* The primary error message alone (no "ERROR:", no context), for API-raised errors. */
const char *db_result_message(const struct db_result *res);
/* SQLSTATE of a failed query; "08006" (connection_failure) when no result came at all. */
const char *db_result_sqlstate(const struct db_result *res);
int db_result_rows(const struct db_result *res);
/* Columns of a row-returning result (0 otherwise) and their names ("" past the end). */
int db_result_cols(const struct db_result *res);
const char *db_result_colname(const struct db_result *res, int col);
/* Cell text ("" for NULL; see db_result_isnull). */
const char *db_result_get(const struct db_result *res, int row, int col);
bool db_result_isnull(const struct db_result *res, int row, int col);

/* --- LISTEN (db_listen.c) ------------------------------------------------------------ */

/* One connection outside the pool (the same state machine as the pool's, db_link.c) that
 * runs LISTEN channel, answers a heartbeat, and reconnects with a short backoff (100 ms
 * doubling to 5 s) while the database is away. Notifications are lost while it is down:
 * up is called after every (re)connect so that the owner can make up for them. */
struct db_listen;
struct db_listen_hooks {
	void (*up)(void *arg);                          /* LISTEN is active (again) */
	void (*notify)(void *arg, const char *payload); /* a notification on the channel */
};
/* Starts connecting (non-blocking); channel is an identifier of ours. NULL only on
 * allocation failure. */
struct db_listen *db_listen_new(struct event_base *base, const char *conninfo,
	const char *channel, const struct db_listen_hooks *hooks, void *arg);
void db_listen_free(struct db_listen *d);
struct db_listen_stats {
	bool up;                          /* LISTEN is active */
	unsigned long long connects;      /* LISTEN (re)established */
	unsigned long long losses;        /* connection lost or failed to open */
	unsigned long long notifications; /* notifications received on the channel */
};
void db_listen_stats(const struct db_listen *d, struct db_listen_stats *st);

/* --- schema (db_schema.c) ------------------------------------------------------------ */

/* Blocking, before the loop starts: 0 when the database is exactly at the schema version
 * this build expects (logged), else -1 with the reason logged. */
int db_schema_check(const char *conninfo);
/* The schema version this build expects. */
int db_schema_expected(void);

#endif
