/* replica_ckpt: the write-ahead log of a first fill copied into the replica's file while the
 * fill runs. A fill commits every pulled page to the WAL; without this the whole of it (a
 * region's 30,400 rows: ~37 MB) was copied into the file by the checkpoint of the connection's
 * close, after the last page — 100–120 ms of a region's first sync spent after the pull, on
 * the critical path (docs/performance.md, "Initial sync: what the client did after the last
 * page"). Here a thread of its own, on a connection of its own, runs a passive checkpoint
 * every CKPT_EVERY_MS while the fill goes on: it copies the frames already committed while the
 * pull waits for its next page, never blocks the fill's commits (a passive checkpoint takes no
 * lock a writer needs) and syncs as the fill's connection would (synchronous = NORMAL: the
 * WAL before the file is written, the file before the WAL may be reused), so a crash or a
 * power cut loses no more than before. The close then copies only what the last interval
 * left. Any failure here only leaves the copying to the close, as before. */
#include "replica_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define CKPT_EVERY_MS 40

struct rp_ckpt {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	sqlite3 *db;
};

static void *ckpt_main(void *arg)
{
	struct rp_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += CKPT_EVERY_MS * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->cv, &c->mu, &t);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->mu);
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

void rp_ckpt_start(struct replica *r)
{
	const char *path = sqlite3_db_filename(r->db, "main");
	struct rp_ckpt *c = calloc(1, sizeof *c);
	if (!c || !path || !*path)
		goto fail;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024", NULL, NULL,
		    NULL) != SQLITE_OK)
		goto fail;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->th, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	r->ckpt = c;
	return;
fail:
	if (c)
		sqlite3_close(c->db);
	free(c);
}

void rp_ckpt_end(struct replica *r)
{
	struct rp_ckpt *c = r->ckpt;
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void rp_ckpt_stop(struct replica *r)
{
	struct rp_ckpt *c = r->ckpt;
	if (!c)
		return;
	rp_ckpt_end(r);
	pthread_join(c->th, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
	r->ckpt = NULL;
}
