/* registry_import_int: what registry_import.c (reading, queueing, reporting) and
 * registry_ident.c (which stored row a file row is, and whether it changed) share. */
#ifndef KT_REGISTRY_IMPORT_INT_H
#define KT_REGISTRY_IMPORT_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "kt_registry.h"
#include "reg_batch.h"
#include "reg_pipe.h"
#include "registry_rows.h"
#include "registry_view.h"
#include "sync.h"

struct client;
struct replica;

/* One queued op and what became of it. */
struct qop {
	char op_id[REG_ID_LEN];
	int line;
	char action; /* a(dd) u(pdate) d(elete) p (staff attachment) */
	int outcome; /* -1: not answered */
};

/* What the server did with the ops a file queued. */
struct ri_tally {
	long added, updated, deleted, refused, conflicts;
};

/* A live row of the replica and the scope --delete-missing compares (its owner's code, or
 * for auditoriums its exam point's id). */
struct live_row {
	char id[REG_ID_LEN];
	char *scope;
	long long base;
};

struct imp {
	struct client *cl;
	struct replica *r;
	const char *file;
	enum kt_reg_kind kind;
	const char *table;
	bool partial, dry, offline, delete_missing;
	const char *org_opt;
	char own_org[64], own_level[32];
	struct rx x;             /* organization and exam point codes, the feeds' parents */
	struct reg_map points;   /* "code:NNNN" → exam point id (replica) */
	struct reg_map existing; /* scope|natural key → id of a live row; num = how many */
	struct reg_map byid;     /* "id:ID" / "g:GUID" → id; num 1 when deleted */
	struct reg_map owners;   /* id → the owning organization's code */
	struct reg_map seen;     /* id → line, rows of this file */
	struct reg_map scopes;   /* scopes the file's rows named (--delete-missing) */
	struct reg_batch batch;  /* the rows queued, as ops of many rows; tags: index in q */
	struct live_row *live;
	size_t nlive, caplive;
	struct qop *q;
	size_t nq, capq;
	long rows, rejected, unchanged, to_add, to_update, to_delete, skipped;
	struct ri_tally server;
	bool tty;
	struct timespec last_bar;
	size_t total_bytes;
	/* online, the second pass (registry_import.c two_passes): the ops go out while the file is
	 * read again (reg_pipe.c); mu guards q, nq, server and the batch's ops against the
	 * sender's answers. quiet: the rows refused here were said by the first pass */
	bool piping, quiet;
	long would; /* ops the first pass would have queued */
	pthread_mutex_t mu;
	struct reg_pipe pipe;
};

/* Where a file row goes. */
struct ri_target {
	char id[REG_ID_LEN];
	bool exists, deleted; /* a row of that id is in the replica (deleted or not) */
	const char *owner;    /* the owning organization's code (borrowed), NULL when unknown */
	bool owner_named;     /* owner came from the row or --org: sent as "org" */
	const char *point;    /* auditorium: the exam point's id (borrowed) */
	const char *scope_key;/* --delete-missing scope */
};

/* ---- registry_import.c ---- */
/* Brings the replica up to date before comparing: pending ops first, then a pull. 0 (with
 * *offline set when the server cannot be reached), -1 (message printed). */
int ri_refresh(struct client *cl, bool *offline);
/* Sends the outbox (fn hears each op's answer) and pulls back. 0 (*offline set when the
 * server cannot be reached), -1 (message printed, naming file and the nq changes queued). */
int ri_send(struct client *cl, sync_result_fn fn, void *arg, bool *offline, const char *file,
	size_t nq);
/* The answer to a queued op: its outcome (a duplicate's: the first answer's) into q->outcome,
 * counted in t (applied: by q's action; refused: but an exam point attachment; conflict),
 * returned; *msg the server's reason in words (in said), or "no reason given". */
int ri_answer(struct qop *q, const Karta__OpResult *res, struct ri_tally *t, char *said,
	size_t n, const char **msg);
/* Sends what an import queued (fn hears each op's answer) unless it is a dry run or nothing
 * was queued; offline (known before, or found now: *offline), says that the nq changes wait
 * for 'karta sync'. 0, or -1 (message printed). */
int ri_deliver(struct client *cl, sync_result_fn fn, void *arg, bool dry, bool *offline,
	const char *file, size_t nq);
/* An import's exit code: EXIT_RUNTIME when rows were rejected here, or refused or in conflict
 * at the server; else EXIT_OK. */
int ri_exit(long rejected, const struct ri_tally *t);
/* Rows were rejected and --partial not given (nor --dry-run): says that nothing is imported,
 * true; the caller imports nothing. */
bool ri_nothing_imported(const char *file, long rejected, long rows, bool partial, bool dry);
/* "FILE:LINE: msg" (the progress bar cleared first). */
void ri_reject(struct imp *im, int line, const char *msg);
/* "FILE:LINE: «column»: msg". */
void ri_reject_field(struct imp *im, int line, int field, enum kt_reg_layout layout,
	const char *msg);

/* ---- registry_edit.c ---- */
/* Queues one RecordOp (kind, id, base, args) with the local payload local in the outbox;
 * op_id receives its id. 0, or -1 (message printed). */
int reg_outbox_put(struct replica *r, const char *kind, const char *type, const char *id,
	long long base, const json_t *args, const json_t *local, const char *summary,
	char op_id[REG_ID_LEN]);

/* ---- registry_ident.c ---- */
/* Reads this table's rows (and for auditoriums and staff the exam points) from the replica
 * into the maps. 0, or -1 (replica or memory error, printed by the caller). */
int ri_index(struct imp *im);
/* Finds the row a file row names: by its id column (karta id or GUID), else by its natural
 * key within its owner; checks the organization it names against the importer's. 0 and *t,
 * 1 when the row is refused here (printed with its line), -1 on a local error. */
int ri_resolve(struct imp *im, const struct reg_row *row, int line, struct ri_target *t);
/* True when the file row (its columns cols) says nothing the stored payload does not: the
 * payload is exported in the file's layout and read back through reg_row_columns, so both
 * sides are compared in the same stored forms. */
bool ri_same(struct imp *im, const struct reg_row *row, const json_t *cols,
	const json_t *payload, const struct ri_target *t);
/* The deletion a file row asks for: 0 none; else 1 and the reason (karta: «Причина
 * удаления»; interop: the flag's code in *ris_flag and a reason naming it). */
int ri_deletion(const struct reg_row *row, char *reason, size_t n, int *ris_flag);
/* The id of the live exam point of that code (typed: leading zeros optional), NULL if none. */
const char *ri_point_of(struct imp *im, const char *code_typed);
void ri_free(struct imp *im);

#endif
