/* registry_view: the registries as the local replica holds them, for `karta registry
 * list|show` (registry_list.c) and `export` (registry_export.c): the registry types, the
 * rows of one type with their owners' codes and sort keys, small sorted maps. Rows name
 * organizations by numeric id; codes come from the feeds the rows arrived in (a registry
 * row's feed is its owner's, sql/0008), so an organization is known by code when some row
 * of its feed is in the replica. */
#ifndef KT_REGISTRY_VIEW_H
#define KT_REGISTRY_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct client;
struct replica;

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum rtype { T_PARTICIPANT, T_EXAM, T_REGISTRATION, T_POINT, T_AUDITORIUM, T_STAFF, T_STAFF_POINT };

struct rv_type {
	const char *word;   /* the command-line word */
	const char *alts;   /* also accepted, '|'-separated */
	const char *table;  /* entity_type = SQL table */
	const char *noun;   /* "participant" (N_: printed through _()) */
	int kind;           /* enum kt_reg_kind of the CSV registry, -1 for none */
	const char *sheet;  /* xlsx: the sheet's name */
};
extern const struct rv_type rv_types[7];

struct kv {
	char *k, *v;
};

struct kvmap {
	struct kv *e;
	size_t n, cap;
	bool sorted;
};

struct item {
	json_t *row;
	char *id, *owner; /* owner: the owning organization's code, "" when unknown */
	bool pending, deleted;
	char *key;        /* sort key */
	char **cells;     /* list: one per column */
	struct regmap_rec *rec; /* export: the CSV record (owned by export_run) */
};

struct rx {
	struct replica *r;
	struct kvmap orgs;    /* organization id → code */
	struct kvmap parents; /* organization code → parent code (feeds) */
	struct kvmap points;  /* exam point id → code */
	struct kvmap spoints; /* staff id → its exam points' codes */
	struct kvmap guids;   /* organization code → interop GUID (--org-guids) */
	bool orgs_loaded, parents_loaded, points_loaded, spoints_loaded;
	/* the rows collected */
	struct item *it;
	size_t n, cap;
	bool all;             /* deleted rows too */
	const char *org;      /* only rows of this organization or below it */
	const char *level;    /* the level that owns rows of the type being read */
	char own_org[64], own_level[32]; /* this device's (meta), for rows only the outbox has */
	bool oom;
};

int rv_type_parse(const char *s);
/* A registry command's arguments (opts_ok), then its TYPE argument pos[0] and, with_id, the
 * row's id pos[1] (a short one completed as opts_check_id does): the type's index in
 * rv_types, or -1 with *rc the exit code (help: 0; a usage error or an unknown registry: the
 * usage error printed; a bad id: EXIT_RUNTIME). */
struct opt_cmd;
int rv_type_arg(struct opt_cmd *c, int argc, char **argv, const char **pos, bool with_id,
	int *rc);
/* "12 participants" for type t in the user's language (plural forms); a static buffer. */
const char *rv_count(int t, size_t n);
int rv_kv_add(struct kvmap *m, const char *k, const char *v);
const char *rv_kv_get(struct kvmap *m, const char *k);
/* Sorts m now (rv_kv_get sorts it on first use): a map several threads read is sorted first. */
void rv_kv_sort(struct kvmap *m);
bool rv_below(struct rx *x, const char *owner, const char *org);
const char *rv_jstr(const json_t *row, const char *key);
const char *rv_org_ref(struct rx *x, const json_t *row, const char *name);
void rv_rx_free(struct rx *x, size_t ncells);
const char *rv_point_code(struct rx *x, const char *point_id);
const char *rv_staff_points(struct rx *x, const char *staff_id);
char *rv_key_join(const char *const *parts, size_t n);
int rv_item_cmp(const void *a, const void *b);
void rv_grade_key(const char *cls, char *out, size_t n);
struct replica *rv_synced_replica(struct client *cl);
int rv_collect(struct rx *x, enum rtype t);

#endif
