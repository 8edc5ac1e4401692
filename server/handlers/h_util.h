/* h_util: what the domain handlers share — a pending request that outlives the handler
 * (holding a session reference across database round trips), request validation helpers,
 * and the one table mapping SQL outcomes (API statuses, SQLSTATEs) to protocol statuses. */
#ifndef KT_H_UTIL_H
#define KT_H_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../db/db.h"
#include "karta.pb-c.h"

struct session;

struct pending {
	struct session *sess;
	uint32_t rid;
	int step;
	char id[40];         /* the entity being read or written */
	char device[24];     /* the asking device id, as SQL text */
	char *json;          /* request body for the write function (heap) */
	char base[24];       /* base_row_version as text */
	void *extra;         /* handler-owned state */
	void (*extra_free)(void *extra); /* how pending_free releases extra (default free) */
};

/* New pending request for sess (takes a session reference). NULL on allocation failure. */
struct pending *pending_new(struct session *sess, uint32_t rid);
/* pending_new with handler state: p->extra a zeroed block of size bytes, released by
 * extra_free (NULL: free) with p. NULL on allocation failure. */
struct pending *pending_new_extra(struct session *sess, uint32_t rid, size_t size,
	void (*extra_free)(void *extra));
/* Drops the session reference and frees everything. */
void pending_free(struct pending *p);
/* True when the connection is gone: the handler must only pending_free. */
bool pending_gone(const struct pending *p);
/* Queues a query for p; on a full queue answers BUSY and frees p. Returns 0 or -1. */
int pending_query(struct pending *p, const char *sql, int n, const char *const *params, db_cb cb);

/* The common read request: validates id (a UUID named field), then runs sql with
 * ($1 = the asking device, $2 = id) on a new pending (p->id = id) answered by cb.
 * Returns the handler's return value. */
int pending_read_by_id(struct session *sess, uint32_t rid, const char *field, const char *id,
	const char *sql, db_cb cb);

/* Answers an error for a failed query (SQLSTATE table; details go to the log only). */
void reply_db_error(struct pending *p, const struct db_result *res, const char *what);
/* The start of a query callback: true when p's connection is still there and res is a
 * result; false when the callback must only pending_free(p) — the connection is gone, or
 * the failed query has been answered (reply_db_error with what). */
bool pending_result_ok(struct pending *p, const struct db_result *res, const char *what);
/* A read of one `noun` (p->id): true when res has its row and the text in column
 * access_col of it is not "none"; else NOT_FOUND ("no NOUN ID") or PERMISSION_DENIED ("no
 * access to NOUN ID") has been answered. */
bool pending_row_readable(struct pending *p, const struct db_result *res, int access_col,
	const char *noun);
/* Maps an API status word (ok | conflict | denied | not_found | bad | precondition). */
Karta__Status api_status(const char *word);

/* Adds the server-computed fields to an item body built from its texts: "deadline" (JSON),
 * "deadline_kind", "deadline_last" (from deadline_text and the plan's academic year),
 * "responsible" and "targets" (party classification). */
void item_normalize(json_t *body, int academic_year);
/* The same fields as text appended to t — ,"deadline":{…},"deadline_kind":…[,"deadline_last":…],
 * "responsible":{…},"targets":{…} — byte for byte as item_normalize then json_dumps(…,
 * JSON_COMPACT) write them after the item's texts (kt_jtext.h), no tree built: an Upload's
 * item_put (ops.c). The three texts as the item carries them (valid UTF-8). */
struct kt_jtext;
void item_normalize_text(const char *deadline_text, const char *responsible_text,
	const char *target_text, int academic_year, struct kt_jtext *t);

/* Validation: NULL when fine, else a message naming the field. */
const char *check_uuid(const char *field, const char *s);
const char *check_text(const char *field, const char *s, size_t max_chars, bool required);
/* An item's text fields against their limits (docs/plans.md) and ordinal >= 1. */
const char *check_item_texts(const Karta__Item *it);

#endif
