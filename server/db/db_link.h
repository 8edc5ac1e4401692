/* db_link: one asynchronous libpq connection driven by the event loop — the one state
 * machine under both the query pool (db.c) and the LISTEN connection (db_listen.c).
 *
 *   DOWN ──start──▶ CONNECTING (PQconnectPoll) ──▶ SETUP (one setup statement)
 *        ◀─backoff── any failure                    │ last result COMMAND_OK
 *                                                   ▼
 *                       IDLE ◀── result ── BUSY (one query: db_link_send)
 *
 * The link only moves bytes and states; its owner decides what a result or a loss means
 * through hooks (and does the logging). Notifications are handed over as they arrive in
 * any state. Internal to server/db/: the only place besides db/ that may see libpq. */
#ifndef KT_DB_LINK_H
#define KT_DB_LINK_H

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdbool.h>

enum db_link_state { LINK_DOWN, LINK_CONNECTING, LINK_SETUP, LINK_IDLE, LINK_BUSY };

struct db_link_hooks {
	/* The setup statement succeeded: the link is IDLE. */
	void (*up)(void *arg);
	/* The query of db_link_send is complete: the link is IDLE again (a query may be sent
	 * from here). r is the last result (NULL: none); the hook owns it (PQclear). */
	void (*done)(void *arg, PGresult *r);
	/* The connection failed or was lost (was_up: it had been IDLE or BUSY); a reconnect
	 * is armed in retry_ms. A query in flight is the owner's to answer. */
	void (*down)(void *arg, const char *why, bool was_up, int retry_ms);
	/* A NOTIFY on a channel the link listens to (NULL: none expected). */
	void (*notify)(void *arg, const char *channel, const char *payload);
};

struct db_link_cfg {
	const char *conninfo;     /* borrowed: must outlive the link */
	const char *setup_sql;    /* run once after every connect (heap or literal, borrowed) */
	const char *setup_failed; /* the reason logged when it does not succeed */
	int backoff_min_ms, backoff_max_ms; /* reconnect: min, doubling up to max */
	PQnoticeProcessor notice; /* server notices (NULL: libpq's default, stderr) */
};

struct db_link {
	struct event_base *base;
	struct db_link_cfg cfg;
	const struct db_link_hooks *hooks;
	void *arg;
	PGconn *pg;
	enum db_link_state state;
	struct event *ev;    /* socket readiness, re-assigned when the socket changes */
	struct event *retry; /* reconnect timer */
	int backoff_ms;
	PGresult *last;      /* the last result of the running statement */
};

/* Sets the link up (DOWN, nothing opened yet). -1 on allocation failure. */
int db_link_init(struct db_link *l, struct event_base *base, const struct db_link_cfg *cfg,
	const struct db_link_hooks *hooks, void *arg);
/* Starts connecting (the hooks report how it goes). */
void db_link_start(struct db_link *l);
/* Sends one query on an IDLE link (params may be NULL when nparams is 0): BUSY until the
 * done hook. -1 when it could not be sent: the link has gone down (down hook called). */
int db_link_send(struct db_link *l, const char *sql, int nparams, const char *const *params);
/* Drops the connection (why is copied) and arms the reconnect; calls the down hook. */
void db_link_down(struct db_link *l, const char *why);
/* Closes the connection and frees the events; no hook is called. */
void db_link_release(struct db_link *l);

#endif
