/* listen: live updates. A connection outside the pool (db.h db_listen) runs LISTEN
 * karta_feed; every write to a synced table notifies '<feed_id>:<seq>' at commit
 * (sql/0005) — a statement that wrote several feeds names up to 200 of them in one
 * notification, comma-separated ('<feed_id>:<seq>,<feed_id>:<seq>…', karta_feed_notify). Sessions that pulled until caught up with Pull{subscribe} are subscribed to
 * the feeds they read; when a feed moves, each of its subscribers gets one Poke{feeds}
 * (request_id 0) naming the organization codes that moved, coalesced over a short window.
 *
 * A notification is only a wake-up: they are lost while the listening connection is down,
 * so after every (re)connect all subscribers are poked, and clients pull periodically
 * anyway. Lookups are cheap both ways (a feed id → its subscribers: hashed; a session → its
 * feeds: session->subs):
 * a notification costs O(subscribers of that feed), never O(connections × feeds).
 *
 * The listener holds no session reference: session.c calls listen_forget when its
 * connection starts closing, and a session that is closing is neither subscribed nor poked.
 * A session's subscriptions hang from it (session->subs). */
#ifndef KT_LISTEN_H
#define KT_LISTEN_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

struct session;
struct listener;
struct metrics_hist;

/* Starts the LISTEN connection (non-blocking, db_listen_new) with conninfo; it retries with
 * backoff while the database is away. NULL only on allocation failure. */
struct listener *listen_new(struct event_base *base, const char *conninfo);
/* Closes the LISTEN connection and forgets every subscription (touches no session). */
void listen_free(struct listener *l);

/* Replaces c's subscriptions with feeds feed_ids[0..n) (organization ids), named on the
 * wire by codes[i] (organization codes, copied). n = 0 unsubscribes. Ignored for a
 * connection that is closing. */
void listen_subscribe(struct listener *l, struct session *c, const long long *feed_ids,
	const char *const *codes, size_t n);
/* The same, with seqs[i] = the seq of feed i the client now holds (what the caught-up Pull
 * read). A feed whose notified seq is already past it — a commit that landed between the
 * read and this call — is poked at once, so no change falls between pull and subscribe. */
void listen_subscribe_at(struct listener *l, struct session *c, const long long *feed_ids,
	const char *const *codes, const long long *seqs, size_t n);
/* Drops every subscription of c. Cheap when it has none. */
void listen_forget(struct listener *l, struct session *c);

/* For the metrics endpoint. */
struct listen_stats {
	bool up;                          /* LISTEN is active */
	size_t subscribers, feeds;        /* connections subscribed, feeds known */
	unsigned long long connects;      /* LISTEN (re)established: each one pokes everyone */
	unsigned long long losses;        /* connection lost or failed to open */
	unsigned long long notifications; /* karta_feed notifications received */
	const struct metrics_hist *lag;   /* seconds from a feed's notification to its pokes */
};
void listen_stats(const struct listener *l, struct listen_stats *st);

#endif
