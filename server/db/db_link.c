/* db_link: one asynchronous libpq connection (see db_link.h).
 * Invariants: l->pg is non-NULL exactly in CONNECTING, SETUP, IDLE and BUSY; a statement is
 * in flight exactly in SETUP and BUSY, and l->last holds its latest result until it is
 * complete; a hook may send, go down or do nothing, and the link reads nothing more of a
 * connection a hook has dropped. */
#include "db_link.h"

#include <stdio.h>
#include <string.h>

static void link_io(evutil_socket_t fd, short what, void *arg);

static void watch(struct db_link *l, short what)
{
	if (l->ev) {
		event_del(l->ev);
		event_free(l->ev);
	}
	l->ev = event_new(l->base, PQsocket(l->pg), what, link_io, l);
	if (l->ev)
		event_add(l->ev, NULL);
}

void db_link_down(struct db_link *l, const char *why)
{
	char reason[512]; /* why may be PQerrorMessage: copied before PQfinish frees it */
	snprintf(reason, sizeof reason, "%s", why);
	bool was_up = l->state >= LINK_IDLE;
	if (l->ev) {
		event_del(l->ev);
		event_free(l->ev);
		l->ev = NULL;
	}
	if (l->last) {
		PQclear(l->last);
		l->last = NULL;
	}
	if (l->pg) {
		PQfinish(l->pg);
		l->pg = NULL;
	}
	l->state = LINK_DOWN;
	int min = l->cfg.backoff_min_ms, max = l->cfg.backoff_max_ms;
	l->backoff_ms = l->backoff_ms ? (l->backoff_ms * 2 > max ? max : l->backoff_ms * 2) : min;
	struct timeval tv = {l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000};
	evtimer_add(l->retry, &tv);
	l->hooks->down(l->arg, reason, was_up, l->backoff_ms);
}

void db_link_start(struct db_link *l)
{
	l->pg = PQconnectStart(l->cfg.conninfo);
	if (!l->pg || PQstatus(l->pg) == CONNECTION_BAD) {
		db_link_down(l, l->pg ? PQerrorMessage(l->pg) : "out of memory");
		return;
	}
	l->state = LINK_CONNECTING;
	watch(l, EV_WRITE);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	db_link_start(arg);
}

/* Connected: the setup statement, then the link is usable. */
static void link_setup(struct db_link *l)
{
	PQsetnonblocking(l->pg, 1);
	if (l->cfg.notice)
		PQsetNoticeProcessor(l->pg, l->cfg.notice, l->arg);
	if (!PQsendQuery(l->pg, l->cfg.setup_sql)) {
		db_link_down(l, PQerrorMessage(l->pg));
		return;
	}
	l->state = LINK_SETUP;
	watch(l, EV_READ | EV_PERSIST);
	int f = PQflush(l->pg);
	if (f < 0)
		db_link_down(l, PQerrorMessage(l->pg));
	else if (f > 0)
		watch(l, EV_READ | EV_WRITE | EV_PERSIST);
}

int db_link_send(struct db_link *l, const char *sql, int nparams, const char *const *params)
{
	l->state = LINK_BUSY;
	if (!PQsendQueryParams(l->pg, sql, nparams, NULL, params, NULL, NULL, 0)) {
		db_link_down(l, PQerrorMessage(l->pg));
		return -1;
	}
	int f = PQflush(l->pg);
	if (f < 0) {
		db_link_down(l, PQerrorMessage(l->pg));
		return -1;
	}
	if (f > 0)
		watch(l, EV_READ | EV_WRITE | EV_PERSIST);
	return 0;
}

/* The statement in flight is complete (PQgetResult said NULL). */
static void link_complete(struct db_link *l)
{
	PGresult *r = l->last;
	l->last = NULL;
	if (l->state == LINK_SETUP) {
		bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok) {
			db_link_down(l, l->cfg.setup_failed);
			return;
		}
		l->state = LINK_IDLE;
		l->backoff_ms = 0;
		l->hooks->up(l->arg);
		return;
	}
	l->state = LINK_IDLE;
	if (PQstatus(l->pg) == CONNECTION_BAD) {
		PQclear(r);
		db_link_down(l, PQerrorMessage(l->pg)); /* the owner answers its query as lost */
		return;
	}
	l->hooks->done(l->arg, r);
}

/* Reads what arrived: the results of the statement in flight, then notifications. */
static void link_read(struct db_link *l)
{
	if (!PQconsumeInput(l->pg)) {
		db_link_down(l, PQerrorMessage(l->pg));
		return;
	}
	if (l->state == LINK_SETUP || l->state == LINK_BUSY) {
		while (!PQisBusy(l->pg)) {
			PGresult *r = PQgetResult(l->pg);
			if (!r) {
				link_complete(l);
				break;
			}
			if (l->last) /* keep the last result of a multi-result statement */
				PQclear(l->last);
			l->last = r;
		}
	}
	PGnotify *nf;
	while (l->pg && (nf = PQnotifies(l->pg)) != NULL) {
		if (l->hooks->notify)
			l->hooks->notify(l->arg, nf->relname, nf->extra);
		PQfreemem(nf);
	}
	if (l->pg && PQstatus(l->pg) == CONNECTION_BAD)
		db_link_down(l, PQerrorMessage(l->pg));
}

static void link_io(evutil_socket_t fd, short what, void *arg)
{
	struct db_link *l = arg;
	if (l->state == LINK_CONNECTING) {
		switch (PQconnectPoll(l->pg)) {
		case PGRES_POLLING_READING:
			watch(l, EV_READ);
			return;
		case PGRES_POLLING_WRITING:
			watch(l, EV_WRITE);
			return;
		case PGRES_POLLING_OK:
			link_setup(l);
			return;
		default:
			db_link_down(l, PQerrorMessage(l->pg));
			return;
		}
	}
	if (what & EV_WRITE) {
		int f = PQflush(l->pg);
		if (f < 0) {
			db_link_down(l, PQerrorMessage(l->pg));
			return;
		}
		if (f == 0)
			watch(l, EV_READ | EV_PERSIST);
	}
	if (what & EV_READ)
		link_read(l);
}

int db_link_init(struct db_link *l, struct event_base *base, const struct db_link_cfg *cfg,
	const struct db_link_hooks *hooks, void *arg)
{
	*l = (struct db_link){.base = base, .cfg = *cfg, .hooks = hooks, .arg = arg};
	l->retry = evtimer_new(base, retry_cb, l);
	return l->retry ? 0 : -1;
}

void db_link_release(struct db_link *l)
{
	if (l->ev)
		event_free(l->ev);
	if (l->retry)
		event_free(l->retry);
	if (l->last)
		PQclear(l->last);
	if (l->pg)
		PQfinish(l->pg);
	l->ev = l->retry = NULL;
	l->last = NULL;
	l->pg = NULL;
}
