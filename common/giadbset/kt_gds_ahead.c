/* kt_gds_ahead: a table file's rows read on a thread of their own (kt_gds_read_ahead), so
 * that libxml2's parse of the next rows runs on one core while the caller checks the rows
 * before them on the other. The thread reads exactly as kt_gds_next would, row after row,
 * and hands each answer over as it is — a row (its values copied), a row refused for its
 * values (resumable, with its message), the end or the error that ends the file — in
 * batches of AHEAD_ROWS, at most AHEAD_BATCHES of them ahead of the caller (bounded
 * memory). So the caller sees the same answers in the same order, each message the same. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_gds_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"

#define AHEAD_ROWS 256
#define AHEAD_BATCHES 4

struct ahead_row {
	long index;
	int k;          /* kt_gds_next's answer: 1 a row, 0 the end, -1 an error */
	bool resumable; /* k -1: the error was the row's values */
	size_t err;     /* k -1: the message's offset in the batch's text */
	int nunknown;
	size_t val[KT_GDS_MAX_COLS];  /* each column's offset + 1 in text, 0 when absent */
	size_t un[32], uv[32];        /* the unknown columns' names and values */
};

struct ahead_batch {
	struct ahead_row rows[AHEAD_ROWS];
	int n;
	bool last;       /* its last answer ends the file */
	char *text;
	size_t len, cap;
	bool oom;
};

struct kt_gds_ahead {
	struct kt_gds_reader *r;
	int ncols;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ahead_batch b[AHEAD_BATCHES];
	int head, filled; /* the caller's batch (the oldest filled), how many are filled */
	bool stop;        /* the caller closes: the thread ends */
	int pos;          /* the caller's next answer in b[head], -1 before the first batch */
	bool over;        /* the caller had the answer that ends the file */
	bool resumable;   /* of the answer the caller had last */
};

/* s (NUL included) appended to the batch's text; its offset. */
static size_t keep(struct ahead_batch *b, const char *s)
{
	size_t k = strlen(s) + 1, at = b->len;
	while (!b->oom && b->len + k > b->cap) {
		char *t = kt_grow(b->text, &b->cap, b->cap, 1, 65536);
		if (t)
			b->text = t;
		b->oom = !t;
	}
	if (b->oom)
		return 0;
	memcpy(b->text + at, s, k);
	b->len += k;
	return at;
}

/* One answer of the reader stored in the batch; true when it ends the file. */
static bool take(struct kt_gds_ahead *a, struct ahead_batch *b)
{
	struct ahead_row *e = &b->rows[b->n++];
	struct kt_gds_row row;
	char err[512];
	e->k = kt_gds_read_row(a->r, &row, err, sizeof err);
	e->resumable = e->k < 0 && kt_gds_direct_resumable(a->r);
	if (e->k < 0)
		e->err = keep(b, err);
	if (e->k <= 0)
		return !e->resumable;
	e->index = row.index;
	for (int i = 0; i < a->ncols; i++)
		e->val[i] = row.val[i] ? keep(b, row.val[i]) + 1 : 0;
	e->nunknown = row.nunknown;
	for (int i = 0; i < row.nunknown; i++) {
		e->un[i] = keep(b, row.unknown_name[i]);
		e->uv[i] = keep(b, row.unknown_val[i]);
	}
	return false;
}

static void *reader_main(void *arg)
{
	struct kt_gds_ahead *a = arg;
	for (int i = a->head;; i = (i + 1) % AHEAD_BATCHES) {
		pthread_mutex_lock(&a->mu);
		while (a->filled == AHEAD_BATCHES && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			return NULL;
		struct ahead_batch *b = &a->b[i];
		b->n = 0;
		b->len = 0;
		b->last = false;
		while (b->n < AHEAD_ROWS && !b->last && !b->oom)
			b->last = take(a, b);
		pthread_mutex_lock(&a->mu);
		a->filled++;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (b->last || b->oom)
			return NULL;
	}
}

struct kt_gds_ahead *kt_gds_ahead_start(struct kt_gds_reader *r, int ncols)
{
	struct kt_gds_ahead *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->r = r;
	a->ncols = ncols;
	a->pos = -1;
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
	pthread_mutex_lock(&a->mu);
	if (a->pos >= 0 && a->pos == a->b[a->head].n) { /* the batch read: given back */
		a->head = (a->head + 1) % AHEAD_BATCHES;
		a->filled--;
		a->pos = -1;
		pthread_cond_broadcast(&a->cv);
	}
	while (a->filled == 0)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	struct ahead_batch *b = &a->b[a->head];
	if (a->pos < 0)
		a->pos = 0;
	if (b->oom) { /* the thread could not keep a row: the file ends here */
		a->over = true;
		snprintf(err, errlen, "%s", _("out of memory"));
		return -1;
	}
	const struct ahead_row *e = &b->rows[a->pos++];
	a->resumable = e->resumable;
	a->over = e->k == 0 || (e->k < 0 && !e->resumable);
	if (e->k < 0)
		snprintf(err, errlen, "%s", b->text + e->err);
	if (e->k <= 0)
		return e->k;
	memset(row, 0, sizeof *row);
	row->index = e->index;
	for (int i = 0; i < a->ncols; i++)
		row->val[i] = e->val[i] ? b->text + e->val[i] - 1 : NULL;
	row->nunknown = e->nunknown;
	for (int i = 0; i < e->nunknown; i++) {
		row->unknown_name[i] = b->text + e->un[i];
		row->unknown_val[i] = b->text + e->uv[i];
	}
	return 1;
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
		free(a->b[i].text);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
