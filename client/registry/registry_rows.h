/* registry_rows: what `karta registry import` (registry_import.c) does to one registry row —
 * the CSV fields of a checked row as the SQL columns of sql/0008 (stored forms: codes, ISO
 * dates, СНИЛС digits, documents as the server normalizes them), the row's natural key and
 * its deterministic id, the comparison with the replica's copy — and a small string map. */
#ifndef KT_REGISTRY_ROWS_H
#define KT_REGISTRY_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "kt_registry.h"

#define REG_ID_LEN 37 /* a UUID as text and its NUL */

/* The table of a registry kind: participant, exam_point, auditorium, staff. */
const char *reg_table(enum kt_reg_kind kind);
/* The organization level that owns rows of the kind ("" for auditoriums: their point's). */
const char *reg_owner_level(enum kt_reg_kind kind);

/* One checked data row: field values by field id ("" when the file lacks the column) and
 * which columns the file has. */
struct reg_row {
	enum kt_reg_kind kind;
	enum kt_reg_layout layout;
	const char *v[KT_REG_MAX_FIELDS];
	bool has[KT_REG_MAX_FIELDS];
};

/* The SQL columns the row sets (a new object), only those whose column the file has; for
 * the interop layout also what only a round trip needs, as written: ris_guid, ris_deleted,
 * ris_created / ris_updated, the organizations' GUIDs (ris_school_guid, ris_grad_guid,
 * ris_msu_guid, pcenter_guid, area_guid); empty numbers as null. For
 * auditoriums without point_id, for staff without the exam point (the caller resolves codes).
 * Organizations by code go in as "host_org" / "workplace_org". NULL when out of memory. */
json_t *reg_row_columns(const struct reg_row *row);

/* An interop row whose deleted-row flag is not 0 and that karta cannot keep: its fields
 * break a rule a live row must keep (history rows are checked for their keys only). Such a
 * row only deletes a live row of its key. A history row that passes every rule is not
 * "deleted" here: it is put like any row, its flag in ris_deleted, and the server stores
 * it deleted (sql/0008 karta_registry_put), so an export hands it back. */
bool reg_row_deleted(const struct reg_row *row);

/* The natural key of the row within its owner: "guid:…" for the interop layout, else
 * participants "doc:TYPE:SERIESNUMBER" (upper case, no spaces or punctuation), exam points
 * "code:NNNN", auditoriums "aud:CODE" (upper case; the caller prefixes the point), staff
 * "code:NNNNNN". */
void reg_row_key(const struct reg_row *row, char *out, size_t n);

/* A name-based (version 5) UUID of "scope\nkey" in karta's registry namespace. */
void reg_uuid5(const char *scope, const char *key, char out[REG_ID_LEN]);

/* True when every column in cols has the same value in the replica's row (a server row or
 * a pending local payload): nothing to send. Organization codes (host_org, workplace_org)
 * compare with the code a local payload kept, else only as set / not set with the *_org_id.
 * A deleted row is the same only as a history row (ris_deleted not 0) of equal columns. */
bool reg_row_same(const json_t *cols, const json_t *payload);

/* Space-folded copy: leading and trailing spaces (and NBSP) dropped, runs of white space as
 * one space — what the server stores (karta_registry_input). Heap; NULL when out of memory. */
char *reg_fold(const char *s);

/* ---- a string map (keys and values copied) ---- */

struct reg_map_entry {
	char *key;
	char *val;
	long num;
	uint64_t hash; /* the key's: a probe compares it before the key */
};
struct reg_map {
	struct reg_map_entry *e;
	size_t cap, n;
};
/* 0, or -1 when out of memory. An existing key is overwritten. */
int reg_map_put(struct reg_map *m, const char *key, const char *val, long num);
/* The entry, NULL when absent. */
const struct reg_map_entry *reg_map_get(const struct reg_map *m, const char *key);
void reg_map_free(struct reg_map *m);

#endif
