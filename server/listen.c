/* listen: karta_feed notifications → coalesced Pokes to subscribed sessions (see listen.h).
 * The LISTEN connection itself is db/'s (db_listen.c); this is the fan-out: no libpq, no
 * socket — a Poke goes out through session_reply.
 *
 * Invariants: a feed is on l->moved at most once (f->moved), a sub is on its subscriber's
 * moved list at most once (u->moved), a subscriber is on l->pending at most once
 * (s->pending); the flush timer is armed whenever l->moved or l->pending is non-empty.
 * Feed entries live until listen_free (their number is bounded by the organizations, capped
 * for notifications of unknown feeds); subscribers and subs go with listen_forget or a new
 * subscribe. Nothing here holds a session reference: a session is forgotten as soon as its
 * connection starts closing (session.c on_close), long before its memory goes. */
#include "listen.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dlist.h"
#include "karta.pb-c.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "metrics.h"
#include "session.h"

#define LISTEN_CHANNEL "karta_feed"
#define LISTEN_COALESCE_MS 20     /* notifications within this window → one Poke per conn */
#define LISTEN_SLOW_RETRY_MS 250  /* a subscriber above its output high-water mark waits */
#define LISTEN_FEEDS_MAX 200000   /* feeds tracked from notifications alone (memory cap) */

/* --- intrusive hash table: uint64 key, chained, power-of-two buckets ------------------ */

struct hnode {
	struct hnode *next;
	uint64_t key;
};

struct htab {
	struct hnode **b;
	size_t nb, n;
};

static size_t hslot(const struct htab *t, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (t->nb - 1);
}

static struct hnode *hget(const struct htab *t, uint64_t key)
{
	if (!t->nb)
		return NULL;
	for (struct hnode *n = t->b[hslot(t, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

static int hgrow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	struct hnode **b = calloc(nb, sizeof *b);
	if (!b)
		return -1;
	struct htab nt = {b, nb, t->n};
	for (size_t i = 0; i < t->nb; i++) {
		struct hnode *n = t->b[i], *next;
		for (; n; n = next) {
			next = n->next;
			size_t k = hslot(&nt, n->key);
			n->next = b[k];
			b[k] = n;
		}
	}
	free(t->b);
	*t = nt;
	return 0;
}

/* The key must not be present. */
static int hput(struct htab *t, struct hnode *n)
{
	if (t->n >= t->nb && hgrow(t) != 0)
		return -1;
	size_t k = hslot(t, n->key);
	n->next = t->b[k];
	t->b[k] = n;
	t->n++;
	return 0;
}

/* --- state ----------------------------------------------------------------------------- */

struct sub;

struct feed {
	struct hnode h; /* key: feed id = organization id */
	char code[40];  /* organization code: what a Poke names */
	long long last_seq; /* highest seq notified (0: none seen) */
	struct sub *subs;   /* subscribers, linked by fprev/fnext */
	size_t nsubs;
	struct feed *moved_next;
	bool moved;
	bool carry;     /* scratch for listen_subscribe_at: a pending poke to keep */
	uint64_t marked_ns; /* when it was put on l->moved (metrics: feed lag) */
	uint64_t stamp; /* scratch for listen_subscribe_at: already in the new set */
};

struct subscriber;

struct sub { /* one (connection, feed) edge */
	struct feed *f;
	struct subscriber *s;
	struct sub *fprev, *fnext;
	struct sub *moved_next;
	bool moved;
	bool poke; /* scratch for listen_subscribe_at: poke once linked */
};

struct subscriber { /* one subscribed session: session->subs */
	struct session *sess;
	struct subscriber *aprev, *anext; /* l->all */
	struct sub *subs; /* one array of n */
	size_t n;
	struct sub *moved; /* subs whose feed moved since the last Poke */
	struct subscriber *pprev, *pnext;
	bool pending; /* on l->pending */
};

struct listener {
	struct db_listen *db;    /* LISTEN karta_feed (db/db_listen.c) */
	struct event *flush;     /* coalescing timer */
	bool flush_armed;
	uint64_t stamp;
	struct htab feeds;
	struct subscriber *all;      /* every subscriber (listen_free) */
	size_t nsubscribers;
	struct feed *moved;          /* feeds notified since the last flush */
	struct subscriber *pending;  /* subscribers with a Poke to send */
	struct metrics_hist lag;
	char **codes;                /* scratch for building a Poke */
	size_t ncodes_cap;
	bool feeds_capped_logged;
};

/* --- feeds, subscribers, pokes ------------------------------------------------------- */

static void arm_flush(struct listener *l, int ms)
{
	if (l->flush_armed)
		return;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(l->flush, &tv);
	l->flush_armed = true;
}

static struct feed *feed_get(struct listener *l, long long id)
{
	return (struct feed *)(void *)hget(&l->feeds, (uint64_t)id);
}

static struct feed *feed_make(struct listener *l, long long id)
{
	struct feed *f = feed_get(l, id);
	if (f)
		return f;
	f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->h.key = (uint64_t)id;
	if (hput(&l->feeds, &f->h) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

static void feed_mark(struct listener *l, struct feed *f)
{
	if (f->moved || !f->nsubs)
		return;
	f->moved = true;
	f->marked_ns = metrics_now_ns();
	f->moved_next = l->moved;
	l->moved = f;
	arm_flush(l, LISTEN_COALESCE_MS);
}

static void pending_add(struct listener *l, struct subscriber *s)
{
	if (s->pending)
		return;
	s->pending = true;
	DLIST_PUSH(&l->pending, s, pprev, pnext);
}

static void pending_remove(struct listener *l, struct subscriber *s)
{
	if (!s->pending)
		return;
	DLIST_UNLINK(&l->pending, s, pprev, pnext);
	s->pprev = s->pnext = NULL;
	s->pending = false;
}

static void sub_mark(struct listener *l, struct sub *u)
{
	if (u->moved)
		return;
	u->moved = true;
	u->moved_next = u->s->moved;
	u->s->moved = u;
	pending_add(l, u->s);
}

/* Unlinks every sub of s from its feed and frees them; s stays (unpoked, not pending). */
static void subscriber_drop_subs(struct listener *l, struct subscriber *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sub *u = &s->subs[i];
		DLIST_UNLINK(&u->f->subs, u, fprev, fnext);
		u->f->nsubs--;
	}
	free(s->subs);
	s->subs = NULL;
	s->n = 0;
	s->moved = NULL;
	pending_remove(l, s);
}

void listen_forget(struct listener *l, struct session *c)
{
	struct subscriber *s = c->subs;
	if (!l || !s)
		return;
	subscriber_drop_subs(l, s);
	DLIST_UNLINK(&l->all, s, aprev, anext);
	l->nsubscribers--;
	c->subs = NULL;
	free(s);
}

void listen_subscribe_at(struct listener *l, struct session *c, const long long *feed_ids,
	const char *const *codes, const long long *seqs, size_t n)
{
	if (!l)
		return;
	if (session_gone(c) || n == 0) {
		listen_forget(l, c);
		return;
	}
	struct sub *subs = calloc(n, sizeof *subs);
	struct subscriber *s = c->subs;
	if (!s && subs) {
		s = calloc(1, sizeof *s);
		if (s) {
			s->sess = c;
			DLIST_PUSH(&l->all, s, aprev, anext);
			l->nsubscribers++;
			c->subs = s;
		}
	}
	if (!subs || !s) {
		free(subs);
		session_log(c, KT_LOG_ERROR, "event=subscribe_failed reason=\"out of memory\"");
		listen_forget(l, c);
		return;
	}
	/* 1. The new edges, not linked yet; a feed named twice counts once. */
	uint64_t stamp = ++l->stamp;
	size_t k = 0;
	bool short_of_memory = false;
	for (size_t i = 0; i < n; i++) {
		struct feed *f = feed_make(l, feed_ids[i]);
		if (!f) {
			short_of_memory = true;
			continue;
		}
		if (f->stamp == stamp)
			continue;
		f->stamp = stamp;
		snprintf(f->code, sizeof f->code, "%s", codes[i] ? codes[i] : "");
		struct sub *u = &subs[k++];
		u->f = f;
		u->s = s;
		/* A commit that landed after the caught-up read and was notified before now. */
		u->poke = seqs && f->last_seq > seqs[i];
	}
	/* 2. A Poke still pending for a feed that stays subscribed is kept: the caught-up Pull
	 * that led here may have read before that change. */
	for (struct sub *u = s->moved; u; u = u->moved_next)
		u->f->carry = true;
	for (size_t i = 0; i < k; i++)
		subs[i].poke = subs[i].poke || subs[i].f->carry;
	for (struct sub *u = s->moved; u; u = u->moved_next)
		u->f->carry = false;
	/* 3. Swap: unlink the old edges, link the new ones. */
	subscriber_drop_subs(l, s);
	s->subs = subs;
	s->n = k;
	bool any = false;
	for (size_t i = 0; i < k; i++) {
		struct sub *u = &subs[i];
		struct feed *f = u->f;
		DLIST_PUSH(&f->subs, u, fprev, fnext);
		f->nsubs++;
		if (u->poke) {
			sub_mark(l, u);
			any = true;
		}
	}
	if (any)
		arm_flush(l, LISTEN_COALESCE_MS);
	if (short_of_memory)
		session_log(c, KT_LOG_ERROR, "event=subscribe_partial reason=\"out of memory\"");
	session_log(c, KT_LOG_DEBUG, "event=subscribed feeds=%zu poked=%d", k, (int)any);
}

void listen_subscribe(struct listener *l, struct session *c, const long long *feed_ids,
	const char *const *codes, size_t n)
{
	listen_subscribe_at(l, c, feed_ids, codes, NULL, n);
}

/* Sends s its Poke(s): one unless the codes overflow a Poke's payload limit. */
static void send_poke(struct listener *l, struct subscriber *s)
{
	struct session *c = s->sess;
	size_t count = 0;
	for (struct sub *u = s->moved; u; u = u->moved_next)
		count++;
	if (count > l->ncodes_cap) {
		char **codes = realloc(l->codes, count * sizeof *codes);
		if (!codes) {
			session_log(c, KT_LOG_ERROR, "event=poke_failed reason=\"out of memory\"");
			goto done;
		}
		l->codes = codes;
		l->ncodes_cap = count;
	}
	size_t limit = kt_msg_max_payload(KT_MSG_POKE, (uint32_t)c->cfg->max_frame);
	size_t n = 0, bytes = 0;
	int frames = 0;
	for (struct sub *u = s->moved; u; u = u->moved_next) {
		size_t len = strlen(u->f->code);
		size_t need = 1 + (len < 128 ? 1 : 2) + len;
		if (n && bytes + need > limit) {
			Karta__Poke poke = KARTA__POKE__INIT;
			poke.n_feeds = n;
			poke.feeds = l->codes;
			session_reply(c, 0, &poke.base);
			frames++;
			n = bytes = 0;
		}
		l->codes[n++] = u->f->code;
		bytes += need;
	}
	Karta__Poke poke = KARTA__POKE__INIT;
	poke.n_feeds = n;
	poke.feeds = l->codes;
	session_reply(c, 0, &poke.base);
	frames++;
	metrics_add(c->metrics, M_POKES, (uint64_t)frames);
	session_log(c, KT_LOG_DEBUG, "event=poke feeds=%zu frames=%d", count, frames);
done:
	for (struct sub *u = s->moved; u; u = u->moved_next)
		u->moved = false;
	s->moved = NULL;
	pending_remove(l, s);
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;
	l->flush_armed = false;
	size_t nfeeds = 0, nconns = 0, deferred = 0;
	/* Feeds first (one walk per moved feed however often it was notified), then one Poke
	 * per connection however many of its feeds moved. */
	struct feed *f = l->moved;
	l->moved = NULL;
	uint64_t now = metrics_now_ns();
	while (f) {
		struct feed *next = f->moved_next;
		metrics_hist_observe(&l->lag, (double)(now - f->marked_ns) / 1e9);
		f->moved = false;
		f->moved_next = NULL;
		for (struct sub *u = f->subs; u; u = u->fnext)
			sub_mark(l, u);
		nfeeds++;
		f = next;
	}
	struct subscriber *s = l->pending, *snext;
	for (; s; s = snext) {
		snext = s->pnext;
		struct session *c = s->sess;
		if (!s->moved) {
			pending_remove(l, s);
			continue;
		}
		if (session_gone(c)) {
			for (struct sub *u = s->moved; u; u = u->moved_next)
				u->moved = false;
			s->moved = NULL;
			pending_remove(l, s);
			continue;
		}
		if (session_backlogged(c)) {
			deferred++; /* a slow reader: its Poke waits (coalescing further) */
			continue;
		}
		send_poke(l, s);
		nconns++;
	}
	if (nfeeds || nconns || deferred)
		kt_log(KT_LOG_DEBUG, "event=poke_flush feeds=%zu conns=%zu deferred=%zu", nfeeds,
			nconns, deferred);
	if (deferred)
		arm_flush(l, LISTEN_SLOW_RETRY_MS);
}

/* After a (re)connect notifications may have been missed: every subscriber is poked. */
static void poke_everyone(struct listener *l)
{
	for (size_t i = 0; i < l->feeds.nb; i++)
		for (struct hnode *n = l->feeds.b[i]; n; n = n->next)
			feed_mark(l, (struct feed *)(void *)n);
}

/* One "<feed_id>:<seq>" at *pp, both positive decimal integers, followed by ',' or the end;
 * *pp moves past it (and its comma). */
static int parse_entry(const char **pp, long long *feed, long long *seq)
{
	const char *p = *pp;
	char *end;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*feed = strtoll(p, &end, 10);
	if (errno || *end != ':' || *feed <= 0)
		return -1;
	p = end + 1;
	if (*p < '0' || *p > '9')
		return -1;
	*seq = strtoll(p, &end, 10);
	if (errno || (*end != '\0' && *end != ',') || *seq <= 0)
		return -1;
	if (*end == ',' && end[1] == '\0')
		return -1; /* a trailing comma */
	*pp = *end ? end + 1 : end;
	return 0;
}

/* "<feed_id>:<seq>", or several of them comma-separated (a statement that wrote many feeds:
 * karta_feed_notify, sql/functions/30_feeds.sql); nothing else. */
static int parse_payload(const char *p)
{
	long long feed, seq;
	do {
		if (parse_entry(&p, &feed, &seq) != 0)
			return -1;
	} while (*p);
	return 0;
}

/* A feed moved to seq. */
static void feed_moved(struct listener *l, long long id, long long seq)
{
	struct feed *f = feed_get(l, id);
	if (!f) {
		/* Nobody listens to it yet; remember its seq for listen_subscribe_at. */
		if (l->feeds.n >= LISTEN_FEEDS_MAX) {
			if (!l->feeds_capped_logged)
				kt_log(KT_LOG_WARN, "event=listen_feeds_capped max=%d", LISTEN_FEEDS_MAX);
			l->feeds_capped_logged = true;
			return;
		}
		f = feed_make(l, id);
		if (!f)
			return;
	}
	if (seq > f->last_seq)
		f->last_seq = seq;
	feed_mark(l, f);
}

/* A karta_feed notification: checked whole first, so a malformed one moves no feed. */
static void on_notify(void *arg, const char *payload)
{
	struct listener *l = arg;
	if (parse_payload(payload) != 0) {
		kt_log(KT_LOG_DEBUG, "event=listen_bad_payload bytes=%zu", strlen(payload));
		return;
	}
	long long id, seq;
	for (const char *p = payload; *p && parse_entry(&p, &id, &seq) == 0;)
		feed_moved(l, id, seq);
}

/* LISTEN is (again) active: what was notified meanwhile is lost, so everyone is poked. */
static void on_up(void *arg)
{
	struct listener *l = arg;
	kt_log(KT_LOG_INFO, "event=listen_connected channel=%s subscribers=%zu", LISTEN_CHANNEL,
		l->nsubscribers);
	poke_everyone(l);
}

static const struct db_listen_hooks listen_hooks = {on_up, on_notify};

void listen_stats(const struct listener *l, struct listen_stats *st)
{
	struct db_listen_stats d;
	db_listen_stats(l->db, &d);
	*st = (struct listen_stats){.up = d.up, .subscribers = l->nsubscribers,
		.feeds = l->feeds.n, .connects = d.connects, .losses = d.losses,
		.notifications = d.notifications, .lag = &l->lag};
}

/* --- lifecycle ----------------------------------------------------------------------- */

struct listener *listen_new(struct event_base *base, const char *conninfo)
{
	struct listener *l = calloc(1, sizeof *l);
	if (l && (l->flush = evtimer_new(base, flush_cb, l)) &&
	    (l->db = db_listen_new(base, conninfo, LISTEN_CHANNEL, &listen_hooks, l)))
		return l;
	listen_free(l); /* takes NULL and what is half made */
	return NULL;
}

void listen_free(struct listener *l)
{
	if (!l)
		return;
	db_listen_free(l->db);
	for (struct subscriber *s = l->all, *next; s; s = next) {
		next = s->anext;
		free(s->subs);
		free(s);
	}
	for (size_t i = 0; i < l->feeds.nb; i++) {
		struct hnode *n = l->feeds.b[i], *next;
		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(l->feeds.b);
	if (l->flush)
		event_free(l->flush);
	free(l->codes);
	free(l);
}
