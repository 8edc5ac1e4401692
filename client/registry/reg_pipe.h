/* reg_pipe: an import that sends while it reads (reg_pipe.c) — beside the caller's reader,
 * a sender thread and a puller thread, each with its own connection to kartad and its own
 * handle on the replica. */
#ifndef KT_REG_PIPE_H
#define KT_REG_PIPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "sync.h"

struct reg_pipe {
	/* set by the caller before reg_pipe_start */
	const struct client_cfg *cfg;
	pthread_mutex_t *mu; /* the caller's lock: held around fn, and guarding what follows */
	sync_result_fn fn;   /* each answer (an op's, or a row's of an op of many rows) */
	void *arg;
	/* the threads' state */
	pthread_t th[2];     /* the sender, the puller */
	pthread_cond_t cv;   /* wakes the sender: an op written, the reading over */
	pthread_cond_t pcv;  /* wakes the puller: an answer, the sending over */
	size_t written;      /* ops the reader wrote */
	size_t answered;     /* answers recorded (fn calls) */
	size_t pulled_at;    /* answered, when the puller last began a pull */
	bool reading_done, reading_failed;
	bool sending_done;   /* the sender has stopped */
	bool pull_last;      /* …with everything sent and answered: the last pull follows */
	struct client snd, pul;
	int send_rc; /* 0, -1 no connection (snd.unreachable: offline), -2 sending failed */
	int pull_rc; /* as send_rc, for the pulls */
};

/* The page cache (KiB) the reader's handle should have (replica_outbox_cache). */
long reg_pipe_cache_kib(void);
/* Starts the sender and the puller. 0, or -1 (printed; neither runs). */
int reg_pipe_start(struct reg_pipe *p);
/* n ops were written (committed): the sender may take them. Called without *mu held. */
void reg_pipe_written(struct reg_pipe *p, size_t n);
/* Whether the ops written so far (rows_written rows in all) should be committed at once
 * rather than gathered: the sender has few rows left that are not answered yet, or ops
 * written but not committed have gathered. Called without *mu held. */
bool reg_pipe_commit_now(struct reg_pipe *p, size_t rows_written, size_t ops_held);
/* The reading is over (failed: nothing more is sent); waits for both threads, closes
 * their connections and handles. Their outcomes: send_rc, pull_rc, snd.unreachable. */
void reg_pipe_end(struct reg_pipe *p, bool failed);
/* After reg_pipe_end of an import that wrote all its ops (nq queued, from path): 1 the server
 * could not be reached (all queued for 'karta sync'), 0 sent and pulled back, -1 sending or
 * the pull back failed (printed). */
int reg_pipe_outcome(const struct reg_pipe *p, const char *path, size_t nq);

#endif
