/* ids: an id as people type it — any unique prefix of a UUID (at least 4 characters), as
 * git takes a short hash — made the full id from what the local replica knows (synced rows
 * and queued changes). opts_check_id asks here for every id a command takes; tables show
 * ids short (kt_table, KT_COL_ID), and any of those is enough to name the row again. */
#ifndef KT_IDS_H
#define KT_IDS_H

struct client;

#define IDS_MIN_PREFIX 4

/* Makes opts_check_id resolve prefixes through cl's replica (opened on first need). */
void ids_init(struct client *cl);

/* *id (a WHAT id as typed) → the full id: a full UUID stays as it is; a prefix of one that
 * matches exactly one known id becomes it (*id then points to storage of this module, valid
 * until the program ends). EXIT_OK, or EXIT_RUNTIME with the reason printed: not an id,
 * too short, no such id, or ambiguous (the candidates listed). */
int ids_resolve(const char *what, const char **id);

#endif
