/* reg_pipe: see reg_pipe.h. The reader (the caller) writes its ops in short local
 * transactions of its own, one op or several (reg_pipe_commit_now), and says so
 * (reg_pipe_written); the sender sends whatever is
 * written — the server applies the first rows while the client reads the last — and records
 * each answer; the puller pulls the rows answered so far back into the replica while the
 * server applies the later ones, and the last pages after the last answer. Each of the
 * three writes the replica through its own SQLite handle (WAL, busy timeout), and each
 * write is one local transaction (whole ops, an Upload's answers, a page with its cursors), so
 * a kill at any point leaves nothing half-written and `karta sync` goes on from there. */
#include "reg_pipe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kt_i18n.h"
#include "kt_log.h"
#include "replica.h"
#include "rpc.h"

/* Rows answered between two pulls while sending: about two pages of a pull (a page holds
 * ~3,800 registry rows), two Uploads of the federal package (docs/performance.md, "Keeping
 * the server busy") */
#define PULL_MIN_ROWS 8000

/* The page cache of the reader's and the sender's handles, KiB (SQLite's default for the
 * replica: 16 MiB): each writes many rows of the outbox at once, in random places of its
 * entity index (bench hook: KARTA_OUTBOX_CACHE_KIB) */
#define REG_PIPE_CACHE_KIB 65536

long reg_pipe_cache_kib(void)
{
	const char *e = getenv("KARTA_OUTBOX_CACHE_KIB");
	return e && atol(e) > 0 ? atol(e) : REG_PIPE_CACHE_KIB;
}

/* An answer, recorded by the sender: the caller's fn, and the puller may take its rows. */
static void answered(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct reg_pipe *g = arg;
	pthread_mutex_lock(g->mu);
	if (g->fn)
		g->fn(g->arg, op, res);
	g->answered++;
	pthread_cond_signal(&g->pcv);
	pthread_mutex_unlock(g->mu);
}

/* The reader's commits (reg_pipe_commit_now): up to COMMIT_OPS ops in one, while more than
 * COMMIT_LOW_ROWS rows it committed are unanswered — six Uploads of the federal package: the
 * sender's four in flight and the next ones are there already; below that, each op at once.
 * Each commit rewrites most of the outbox's entity index (docs/performance.md, "The client's
 * work in the federal import"). Bench hook: KARTA_COMMIT_OPS=N. */
#define COMMIT_OPS 16
#define COMMIT_LOW_ROWS 24000

bool reg_pipe_commit_now(struct reg_pipe *g, size_t rows_written, size_t ops_held)
{
	const char *e = getenv("KARTA_COMMIT_OPS");
	long max_ops = e && atol(e) > 0 ? atol(e) : COMMIT_OPS;
	if (ops_held >= (size_t)max_ops)
		return true;
	pthread_mutex_lock(g->mu);
	bool low = rows_written < g->answered + COMMIT_LOW_ROWS;
	pthread_mutex_unlock(g->mu);
	return low;
}

void reg_pipe_written(struct reg_pipe *g, size_t n)
{
	if (!n)
		return;
	if (getenv("KARTA_UPLOAD_TIMING")) { /* sync.c: each Upload's timeline beside it */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t i = 0; i < n; i++) /* each op written, one line (upload_timeline.py) */
			kt_log(KT_LOG_INFO, "event=op_written unix_ms=%.1f",
				(double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
	}
	pthread_mutex_lock(g->mu);
	g->written += n;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(g->mu);
}

static void client_drop(struct client *c)
{
	rpc_close(c->rpc);
	replica_close(c->replica);
	c->rpc = NULL;
	c->replica = NULL;
}

/* The sender: whatever the reader has written goes out (sync_push sends the whole outbox,
 * several Uploads in flight), again each time more was written, until the reading is over
 * and everything is answered. */
static void *send_loop(void *arg)
{
	struct reg_pipe *g = arg;
	struct sync_report rep = {0};
	size_t sent = 0;
	int rc = 0;
	bool failed = false;
	for (;;) {
		pthread_mutex_lock(g->mu);
		while (g->written == sent && !g->reading_done)
			pthread_cond_wait(&g->cv, g->mu);
		size_t n = g->written;
		bool done = g->reading_done;
		failed = g->reading_failed;
		pthread_mutex_unlock(g->mu);
		if (failed || (done && n == sent))
			break;
		sent = n;
		if (!sync_connect(&g->snd, true)) {
			rc = -1;
			break;
		}
		/* the answered ops' rows are deleted many ops at a time (replica_outbox.c): the
		 * entity index's pages they dirty stay in the cache until the commit */
		struct replica *rp = client_replica(&g->snd);
		if (!rp || replica_outbox_cache(rp, reg_pipe_cache_kib()) != 0) {
			rc = -2;
			break;
		}
		if (sync_push(&g->snd, &rep, answered, g) != 0) {
			rc = -2;
			break;
		}
	}
	pthread_mutex_lock(g->mu);
	g->send_rc = rc;
	g->sending_done = true;
	g->pull_last = rc == 0 && !failed && sent > 0;
	pthread_cond_signal(&g->pcv);
	pthread_mutex_unlock(g->mu);
	return NULL;
}

/* Test hook: KARTA_TEST_HANG_AFTER_PULL set, the puller, after its first pull while the
 * sender is still at work, says so on stderr and waits until the client is killed
 * (tests/integration/t_registry_gds_pull.sh). */
static void pull_hang(void)
{
	if (!getenv("KARTA_TEST_HANG_AFTER_PULL"))
		return;
	fprintf(stderr, _("karta: test hook: pulled while sending, waiting to be killed\n"));
	for (;;)
		pause();
}

/* The puller: each time enough more was answered (below), the replica pulls until caught
 * up — the rows of the Uploads answered, while the server applies the next ones; once the
 * sender has stopped with everything answered, the last pull. Each page and its cursors
 * are one local transaction (replica_apply_page), so a kill at any point leaves the replica
 * where a later 'karta sync' goes on from. A pull that fails ends the pulling (the import
 * says so). */
static void *pull_loop(void *arg)
{
	struct reg_pipe *g = arg;
	struct sync_report rep = {0};
	int rc = 0;
	/* bench hook: KARTA_PULL_WHILE_SENDING=0 pulls only after the last answer, as before
	 * (bench/giadbset.sh measures both side by side) */
	const char *w = getenv("KARTA_PULL_WHILE_SENDING");
	bool during = !w || strcmp(w, "0") != 0;
	/* a pull once PULL_MIN_ROWS more rows were answered: fewer, fuller pulls cost the server
	 * less than one after each Upload (bench hook: KARTA_PULL_MIN_ROWS=N) */
	const char *mr = getenv("KARTA_PULL_MIN_ROWS");
	size_t min_rows = mr && atol(mr) > 0 ? (size_t)atol(mr) : PULL_MIN_ROWS;
	for (;;) {
		pthread_mutex_lock(g->mu);
		/* …or, when fewer came, once no more came for a second (the server is on a large
		 * Upload, or the reader is behind: the rows answered wait for nothing) */
		size_t seen = g->answered;
		while ((!during || g->answered - g->pulled_at < min_rows) && !g->sending_done) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			if (pthread_cond_timedwait(&g->pcv, g->mu, &until) == ETIMEDOUT && during &&
			    g->answered == seen && g->answered > g->pulled_at)
				break;
			seen = g->answered;
		}
		bool last = g->sending_done, go = !last || g->pull_last;
		g->pulled_at = g->answered;
		pthread_mutex_unlock(g->mu);
		if (!go)
			break;
		if (!sync_connect(&g->pul, true) || sync_pull(&g->pul, false, &rep) != 0) {
			rc = g->pul.rpc ? -2 : -1;
			break;
		}
		if (last)
			break;
		pull_hang();
	}
	g->pull_rc = rc;
	return NULL;
}

int reg_pipe_start(struct reg_pipe *g)
{
	g->snd = (struct client){.cfg = *g->cfg};
	g->pul = (struct client){.cfg = *g->cfg};
	if (pthread_cond_init(&g->cv, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&g->pcv, NULL) != 0) {
		pthread_cond_destroy(&g->cv);
		goto fail;
	}
	if (pthread_create(&g->th[0], NULL, send_loop, g) != 0)
		goto fail_conds;
	if (pthread_create(&g->th[1], NULL, pull_loop, g) != 0) {
		pthread_mutex_lock(g->mu);
		g->reading_done = g->reading_failed = true;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(g->mu);
		pthread_join(g->th[0], NULL);
		client_drop(&g->snd);
		goto fail_conds;
	}
	return 0;
fail_conds:
	pthread_cond_destroy(&g->cv);
	pthread_cond_destroy(&g->pcv);
fail:
	fprintf(stderr, _("karta: cannot start sending: %s\n"), _("out of memory"));
	return -1;
}

void reg_pipe_end(struct reg_pipe *g, bool failed)
{
	pthread_mutex_lock(g->mu);
	g->reading_done = true;
	g->reading_failed = failed;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(g->mu);
	pthread_join(g->th[0], NULL);
	pthread_join(g->th[1], NULL);
	client_drop(&g->snd);
	client_drop(&g->pul);
	pthread_cond_destroy(&g->cv);
	pthread_cond_destroy(&g->pcv);
}

int reg_pipe_outcome(const struct reg_pipe *g, const char *path, size_t nq)
{
	if (g->send_rc == -1 && g->snd.unreachable)
		return 1;
	if (g->send_rc != 0) {
		fprintf(stderr, _("karta: %s: the rows are queued (%zu changes); 'karta sync' sends what "
				"was not sent\n"), path, nq);
		return -1;
	}
	if (g->pull_rc != 0) {
		fprintf(stderr, _("karta: %s: the rows were sent and answered, but not all pulled back; "
				"'karta sync' pulls the rest\n"), path);
		return -1;
	}
	return 0;
}
