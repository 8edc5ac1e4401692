/* queue_view: what a person is shown of the outbox (karta status) and of a long upload
 * (sync_push): a long queue summarized by kind with its first few ops, not 50,000 lines; an
 * upload's progress — ops sent and acknowledged, rate, time left — on a terminal only. */
#ifndef KT_QUEUE_VIEW_H
#define KT_QUEUE_VIEW_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct replica;

/* The queued ops after "queued: N changes": every one when there are few or all is set,
 * else the count per kind, the first QUEUE_VIEW_FIRST and how many more. 0, or -1 (message
 * printed). */
#define QUEUE_VIEW_ALL_UP_TO 20
#define QUEUE_VIEW_FIRST 10
int queue_view_print(struct replica *r, long queued, bool all, FILE *out);

/* An upload's progress line on stderr, redrawn in place, when stderr is a terminal and the
 * upload is long (at least QUEUE_VIEW_PROGRESS_MIN ops); nothing otherwise. */
#define QUEUE_VIEW_PROGRESS_MIN 500
struct queue_progress {
	bool on, drawn;
	long total, sent, acked;
	struct timespec t0, last;
};
void queue_progress_begin(struct queue_progress *p, long total);
void queue_progress_sent(struct queue_progress *p, long n);
void queue_progress_acked(struct queue_progress *p, long n);
/* The last line stays, ended by a newline. */
void queue_progress_end(struct queue_progress *p);

#endif
