/* queue_view: the outbox for people (queue_view.h). A queue of 50,000 ops is one line per
 * kind and the first ten; a long upload redraws one progress line on a terminal (stderr a
 * tty) and prints nothing when piped, so scripts and logs never see carriage returns. */
#include "queue_view.h"

#include <stdint.h>
#include <unistd.h>

#include "kt_dates.h"
#include "kt_i18n.h"
#include "kt_server_text.h"
#include "kt_table.h"
#include "op_words.h"
#include "replica.h"

/* --- karta status --------------------------------------------------------------------------- */

struct first {
	FILE *out;
	long left; /* ops still to print; 0 stops the iteration */
};

static int print_op(void *arg, const struct replica_pending *p)
{
	struct first *f = arg;
	if (f->left == 0)
		return 1;
	f->left--;
	char at[64], sum[512], said[1024];
	kt_date_people(p->created_at, kt_table_get_style()->people, at, sizeof at);
	fprintf(f->out, _("  op %lld  %s  %s%s%s\n"), (long long)p->client_seq, at,
		op_words_summary(p->summary, sum, sizeof sum), *p->last_error ? _(" — last try: ") : "",
		kt_server_text(p->last_error, said, sizeof said));
	return 0;
}

static int print_kind(void *arg, const char *kind, long n)
{
	fprintf(arg, "  %8ld  %s\n", n, op_words_kind(kind));
	return 0;
}

int queue_view_print(struct replica *r, long queued, bool all, FILE *out)
{
	struct first f = {out, all || queued <= QUEUE_VIEW_ALL_UP_TO ? -1 : QUEUE_VIEW_FIRST};
	if (f.left >= 0) {
		fprintf(out, "%s", _("  by kind:\n"));
		if (replica_outbox_kinds(r, print_kind, out) != 0)
			goto fail;
		fprintf(out, _("  the first %ld:\n"), f.left);
	}
	int rc = replica_outbox_each(r, print_op, &f);
	if (rc < 0)
		goto fail;
	if (f.left == 0 && queued > QUEUE_VIEW_FIRST)
		fprintf(out, P_("  … and %ld more op ('karta status --queue' lists every one)\n",
				"  … and %ld more ops ('karta status --queue' lists every one)\n",
				queued - QUEUE_VIEW_FIRST),
			queued - QUEUE_VIEW_FIRST);
	return 0;
fail:
	fprintf(stderr, _("karta: cannot read the outbox: %s\n"), replica_error(r));
	return -1;
}

/* --- upload progress ------------------------------------------------------------------------ */

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Redraws the line; at most ten times a second unless final. */
static void draw(struct queue_progress *p, bool final)
{
	if (!p->on)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && p->drawn && since(&p->last, &now) < 0.1)
		return;
	p->last = now;
	p->drawn = true;
	double secs = since(&p->t0, &now);
	double rate = secs > 0.05 ? (double)p->acked / secs : 0;
	fputc('\r', stderr);
	fprintf(stderr, _("karta: sending: %ld of %ld sent, %ld acknowledged"), p->sent, p->total,
		p->acked);
	if (rate > 0)
		fprintf(stderr, _(", %.0f ops/s"), rate);
	if (rate > 0 && p->acked < p->total)
		fprintf(stderr, _(", about %.0f s left"), (double)(p->total - p->acked) / rate);
	fprintf(stderr, "\033[K");
	fflush(stderr);
}

void queue_progress_begin(struct queue_progress *p, long total)
{
	*p = (struct queue_progress){.total = total};
	p->on = total >= QUEUE_VIEW_PROGRESS_MIN && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

void queue_progress_sent(struct queue_progress *p, long n)
{
	p->sent += n;
	draw(p, false);
}

void queue_progress_acked(struct queue_progress *p, long n)
{
	p->acked += n;
	draw(p, false);
}

void queue_progress_end(struct queue_progress *p)
{
	if (p->on && p->drawn) {
		draw(p, true);
		fputc('\n', stderr);
	}
	p->on = false;
}
