/* kt_gds_ahead: a table file parsed on a thread of its own (kt_gds_read_ahead), so that
 * libxml2's parse of the next rows runs on one core while the caller checks the rows before
 * them on the other. The thread fills the reader's batches of answers (kt_gds_fill: rows,
 * rows refused for their values, the end or the error that ends the file, in file order),
 * at most AHEAD_BATCHES ahead of the caller (bounded memory), and the caller takes them
 * one by one: the same answers in the same order, each message the same. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kt_gds_int.h"

#define AHEAD_BATCHES 4

struct kt_gds_ahead {
	struct kt_gds_reader *r;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct kt_gds_batch b[AHEAD_BATCHES];
	int head, filled; /* the caller's batch (the oldest filled), how many are filled */
	bool stop;        /* the caller closes: the thread ends */
	size_t pos;       /* the caller's next answer in b[head] */
	bool taking;      /* the caller is in b[head] */
	bool over;        /* the caller had the answer that ends the file */
	bool resumable;   /* of the answer the caller had last */
};

static void *reader_main(void *arg)
{
	struct kt_gds_ahead *a = arg;
	for (int i = 0;; i = (i + 1) % AHEAD_BATCHES) {
		pthread_mutex_lock(&a->mu);
		while (a->filled == AHEAD_BATCHES && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			return NULL;
		struct kt_gds_batch *b = &a->b[i];
		kt_gds_fill(a->r, b);
		pthread_mutex_lock(&a->mu);
		a->filled++;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (b->last || b->oom)
			return NULL;
	}
}

struct kt_gds_ahead *kt_gds_ahead_start(struct kt_gds_reader *r)
{
	struct kt_gds_ahead *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->r = r;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->th, NULL, reader_main, a) != 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		free(a);
		return NULL;
	}
	return a;
}

int kt_gds_ahead_next(struct kt_gds_ahead *a, struct kt_gds_row *row, char *err, size_t errlen)
{
	if (a->over)
		return 0;
	if (a->taking && a->pos == a->b[a->head].n) { /* the batch was read: given back */
		pthread_mutex_lock(&a->mu);
		a->head = (a->head + 1) % AHEAD_BATCHES;
		a->filled--;
		a->taking = false;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
	if (!a->taking) {
		pthread_mutex_lock(&a->mu);
		while (a->filled == 0)
			pthread_cond_wait(&a->cv, &a->mu);
		pthread_mutex_unlock(&a->mu);
		a->taking = true;
		a->pos = 0;
	}
	const struct kt_gds_batch *b = &a->b[a->head];
	if (b->n == 0 && !b->oom) { /* nothing answered: cannot happen, but never wait again */
		a->over = true;
		return 0;
	}
	return kt_gds_batch_take(b, a->pos++, kt_gds_ncols(a->r), row, err, errlen, &a->resumable,
		&a->over);
}

bool kt_gds_ahead_resumable(const struct kt_gds_ahead *a)
{
	return a->resumable && !a->over;
}

void kt_gds_ahead_stop(struct kt_gds_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	for (int i = 0; i < AHEAD_BATCHES; i++)
		kt_gds_batch_free(&a->b[i]);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
