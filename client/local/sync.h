/* sync: the client's side of docs/sync.md — send the outbox (Upload), then pull every
 * readable feed page by page into the replica until caught up, taking a snapshot of any
 * feed the server says must resync. Each page and its cursors are applied in one local
 * transaction (replica.c), so an interrupted sync resumes where it stopped, with no gap
 * and no duplicate. */
#ifndef KT_SYNC_H
#define KT_SYNC_H

#include <stdbool.h>

#include "karta.pb-c.h"
#include "replica.h"

struct client;
struct rpc;

struct sync_report {
	long sent;                /* ops uploaded */
	long outcomes[5];         /* by Karta__OpOutcome */
	long pages, changes, snapshots;
	struct replica_stats st;  /* what the pulled pages changed */
};

/* Called for every op result, with the op as it was queued. */
typedef void (*sync_result_fn)(void *arg, const struct replica_op *op, const Karta__OpResult *res);

/* The connection, with the replica bound to this device: the first sync records the
 * device's fingerprint and organization; another device's replica is refused. quiet:
 * say nothing when the server is unreachable (cl->unreachable). NULL: message printed. */
struct rpc *sync_connect(struct client *cl, bool quiet);

/* Sends the outbox in client_seq order, max_ops per Upload. Stops early (returning 0) when
 * an op must be retried later. -1 on a transport error (message printed; the outbox keeps
 * whatever was not answered). */
int sync_push(struct client *cl, struct sync_report *rep, sync_result_fn fn, void *arg);

/* Pulls until caught up (subscribe: ask for pokes from then on). -1: message printed. */
int sync_pull(struct client *cl, bool subscribe, struct sync_report *rep);

/* "3 ops sent (3 applied); 12 changes pulled: 1 plan, 11 items" on out. */
void sync_print(const struct sync_report *rep, FILE *out);

#endif
