/* db_listen: the LISTEN connection (see db.h) — one db_link outside the pool whose setup
 * statement is LISTEN, kept alive by a heartbeat, reconnected with a short backoff.
 * Invariant: the heartbeat timer runs exactly while the link is up; a heartbeat still in
 * flight at the next beat (the link still BUSY) means a silent dead peer: the link drops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_link.h"
#include "kt_log.h"

#define LISTEN_BACKOFF_MIN_MS 100  /* reconnect: 100 ms, doubling … */
#define LISTEN_BACKOFF_MAX_MS 5000 /* … up to 5 s */
#define LISTEN_HEARTBEAT_S 30      /* a silent dead peer is noticed within two periods */

struct db_listen {
	struct db_link link;
	const struct db_listen_hooks *hooks;
	void *arg;
	char *conninfo, *channel, *setup_sql;
	struct event *heartbeat; /* periodic SELECT 1 while listening */
	int failures;            /* connection attempts failed in a row */
	unsigned long long connects, losses, notifications;
};

static void on_up(void *arg)
{
	struct db_listen *d = arg;
	d->connects++;
	d->failures = 0;
	struct timeval hb = {LISTEN_HEARTBEAT_S, 0};
	evtimer_add(d->heartbeat, &hb);
	d->hooks->up(d->arg);
}

static void on_done(void *arg, PGresult *r)
{
	struct db_listen *d = arg;
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	PQclear(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		db_link_down(&d->link, "heartbeat failed");
}

static void on_down(void *arg, const char *why, bool was_up, int retry_ms)
{
	struct db_listen *d = arg;
	d->losses++;
	evtimer_del(d->heartbeat);
	/* The first failure is a warning; the retries of a database that stays away are quiet. */
	kt_log(d->failures ? KT_LOG_DEBUG : KT_LOG_WARN, "event=%s reason=\"%.*s\" retry_ms=%d",
		was_up ? "listen_lost" : "listen_failed", (int)strcspn(why, "\n\""), why, retry_ms);
	d->failures++;
}

static void on_notify(void *arg, const char *channel, const char *payload)
{
	struct db_listen *d = arg;
	if (strcmp(channel, d->channel) != 0)
		return;
	d->notifications++;
	d->hooks->notify(d->arg, payload);
}

static void on_notice(void *arg, const char *msg)
{
	kt_log(KT_LOG_DEBUG, "event=listen_notice message=\"%.*s\"", (int)strcspn(msg, "\n\""),
		msg);
}

static const struct db_link_hooks listen_hooks = {on_up, on_done, on_down, on_notify};

static void heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db_listen *d = arg;
	if (d->link.state == LINK_BUSY)
		db_link_down(&d->link, "no answer to the heartbeat");
	else if (d->link.state == LINK_IDLE)
		db_link_send(&d->link, "SELECT 1", 0, NULL);
}

struct db_listen *db_listen_new(struct event_base *base, const char *conninfo,
	const char *channel, const struct db_listen_hooks *hooks, void *arg)
{
	struct db_listen *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->hooks = hooks;
	d->arg = arg;
	d->conninfo = strdup(conninfo ? conninfo : "");
	d->channel = strdup(channel);
	size_t n = strlen(channel) + 80;
	d->setup_sql = malloc(n);
	d->heartbeat = event_new(base, -1, EV_PERSIST, heartbeat_cb, d);
	if (!d->conninfo || !d->channel || !d->setup_sql || !d->heartbeat) {
		db_listen_free(d);
		return NULL;
	}
	/* channel is a literal of ours (an identifier), never client input */
	snprintf(d->setup_sql, n, "SET application_name = 'kartad-listen'; LISTEN %s", channel);
	struct db_link_cfg lc = {.conninfo = d->conninfo, .setup_sql = d->setup_sql,
		.setup_failed = "LISTEN failed", .backoff_min_ms = LISTEN_BACKOFF_MIN_MS,
		.backoff_max_ms = LISTEN_BACKOFF_MAX_MS, .notice = on_notice};
	if (db_link_init(&d->link, base, &lc, &listen_hooks, d) != 0) {
		db_listen_free(d);
		return NULL;
	}
	db_link_start(&d->link);
	return d;
}

void db_listen_free(struct db_listen *d)
{
	if (!d)
		return;
	db_link_release(&d->link);
	if (d->heartbeat)
		event_free(d->heartbeat);
	free(d->conninfo);
	free(d->channel);
	free(d->setup_sql);
	free(d);
}

void db_listen_stats(const struct db_listen *d, struct db_listen_stats *st)
{
	*st = (struct db_listen_stats){.up = d->link.state >= LINK_IDLE, .connects = d->connects,
		.losses = d->losses, .notifications = d->notifications};
}
