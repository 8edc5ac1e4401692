/* kt_gds_map: THE mapping between the federal exchange package (GIADBSet) and karta's
 * registry and planning tables — one table per package table, one line per package column
 * (docs/registries.md «GIADBSet ↔ karta» is this table in words). `karta registry import
 * --layout giadbset` uses it one way (a package row → the columns of a karta write), an
 * export the other (a karta row → the package's text), so both read the same lines.
 *
 * Nothing is lost on the way back: a column karta does not model (KT_GC_EXTRA), an unknown
 * column (not in the schema), and a modelled column whose text karta's value would not give
 * back exactly (upper-case GUIDs, a timestamp's fraction, "0012" for a code, doubled
 * spaces, a value out of karta's range…) are kept verbatim in the row's `extra` (jsonb,
 * sql/0019): {"COLUMN": "text" | null (the element was absent), …, "_unknown": [[name,
 * text], …] in file order}. An export writes extra's text where it has one, else renders
 * karta's value (kt_gds_render).
 *
 * Owners are never decided here: organization GUIDs travel as arguments (org_guid,
 * grad_org_guid, workplace_guid) and the exam as its ExamGlobalID (exam_global_id); the
 * server resolves them (karta_registry_gds_put, sql/0019). */
#ifndef KT_GDS_MAP_H
#define KT_GDS_MAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "kt_gds.h"

enum kt_gds_conv {
	KT_GC_EXTRA,     /* karta has no column: kept verbatim in extra */
	KT_GC_ID,        /* the row's GUID: karta's id (lower case); guid too when karta has it */
	KT_GC_GUID,      /* a uuid column (lower case; null when absent) */
	KT_GC_GUID_TEXT, /* a GUID kept as text (ris_*_guid), "" when absent */
	KT_GC_REF,       /* the GUID of another row of the package (ref: its table): a uuid column */
	KT_GC_ORG,       /* an organization's GUID: the server resolves arg; karta: its text column */
	KT_GC_EXAM,      /* ExamGlobalID: the server finds the exam (arg exam_global_id) */
	KT_GC_TEXT,      /* text, white space folded as the server stores it; "" when absent */
	KT_GC_INT,       /* whole number lo..hi; null when absent or out of range */
	KT_GC_BOOL,      /* true/false/1/0 → boolean (rendered true/false) */
	KT_GC_FLAG,      /* a whole number → boolean: not 0 (rendered 1/0) */
	KT_GC_SEX,       /* boolean or 0/1 → 1 male (false, 0) / 2 female (true, 1) */
	KT_GC_DATE,      /* a timestamp → its date (rendered yyyy-mm-ddT00:00:00.000) */
	KT_GC_STAMP,     /* a timestamp → timestamp(0) "yyyy-mm-ddThh:mm:ss" (rendered + ".000") */
	KT_GC_YEAR,      /* a year → the date yyyy-01-01 */
	KT_GC_CODE4,     /* a whole number → a 4-digit code with leading zeros */
	KT_GC_DOC_TYPE,  /* a document type code: karta's 1 2 3 4 5 9, any other as 9 (other) */
	KT_GC_FORM,      /* ГИА form flags (1 ЕГЭ/ОГЭ by the class in pClass, 2 ГВЭ, 4 other) */
	KT_GC_ROLE,      /* a worker position 1..7 → roles [word] (karta_staff_roles order) */
	KT_GC_PREP,      /* IsPreparation → exam_auditorium.role preparation | exam */
	KT_GC_DELETED,   /* the deleted-row flag: ris_deleted (0 1 2 4 5 6 7 10 11 12) when karta has it */
};

struct kt_gds_map_col {
	const char *gds;   /* the package's column */
	enum kt_gds_conv conv;
	const char *karta; /* karta's column (NULL: none) */
	const char *arg;   /* KT_GC_ORG: the argument the server resolves; KT_GC_REF: the table */
	long lo, hi;       /* KT_GC_INT: the range karta keeps */
	bool need;         /* karta cannot store the row without a value: a row without one is refused */
	const char *dflt;  /* KT_GC_INT, KT_GC_TEXT: what karta stores when the text gives none */
};

struct kt_gds_map {
	const char *gds;     /* rbd_Participants */
	const char *karta;   /* participant */
	const char *deleted; /* the column that marks a deleted row (DeleteType / IsDeleted) */
	const struct kt_gds_map_col *cols;
	int ncols;
};

/* The mapped tables in import order (a table's references come before it). */
extern const struct kt_gds_map kt_gds_maps[];
extern const int kt_gds_maps_count;
/* The map of a package table or of a karta table (by either name), NULL when none. */
const struct kt_gds_map *kt_gds_map_of(const char *name);
/* The map line of a package column, NULL when karta has none (an unknown column). */
const struct kt_gds_map_col *kt_gds_map_col(const struct kt_gds_map *m, const char *gds);

/* A package row's write as JSON text, its buffers kept from row to row (kt_gds_to_text).
 * Zero it before the first row; kt_gds_text_free releases it. */
struct kt_gds_text {
	char *p;          /* the object's text, NUL-terminated */
	size_t n, cap;
	char id[40];      /* the row's GUID as karta keeps it (lower case), "" when it has none */
	char *x, *f;      /* scratch: extra's members, a folded value */
	size_t xn, xcap, fcap;
	bool oom;
	bool json;        /* kt_gds_to_karta's: the members as jansson's values, in jo and jx */
	json_t *jo, *jx;
};

/* A package row (read with the schema table t) as the arguments of a karta write, written
 * once as JSON text into w->p (the members in the order jansson would dump them): karta's
 * columns, the server-resolved arguments (org_guid, exam_global_id, …), "extra" (see above)
 * and "gds_deleted": true when the row is a deleted one; the row's GUID in w->id. 0; 1 with
 * err ("«COLUMN» reason") when karta cannot store the row; -1 with err when out of memory.
 * The check of a row is this call: the text costs no allocation once the buffers are warm. */
int kt_gds_to_text(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, struct kt_gds_text *w, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void kt_gds_text_free(struct kt_gds_text *w);
/* The same row as a jansson object (the members kt_gds_to_text writes, built as jansson's
 * values: for a caller that compares them, not a parse of the text): NULL with err when karta
 * cannot store the row, or out of memory. */
json_t *kt_gds_to_karta(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, char *err, size_t errlen);

/* What the server resolved, for kt_gds_render: the package text of an organization
 * (KT_GC_ORG without a karta column) or an exam (KT_GC_EXAM) from the karta row. Writes buf
 * and returns it, or NULL (absent). */
typedef const char *(*kt_gds_lookup)(void *ctx, const struct kt_gds_map_col *c,
	const json_t *row, char *buf, size_t n);

/* The package text of map line c for a karta row (its columns as JSON, with "extra"): the
 * verbatim text extra keeps, else karta's value rendered. NULL when the element is absent.
 * The text is in buf (or extra's string, valid while row lives). */
const char *kt_gds_render(const struct kt_gds_map_col *c, const json_t *row, kt_gds_lookup lk,
	void *ctx, char *buf, size_t n);
/* The last step of kt_gds_render: the text of karta value v (NULL: absent) for map line c,
 * for a caller that reads the row's columns itself (the export: registry_gds_row.h). */
const char *kt_gds_render_value(const struct kt_gds_map_col *c, const json_t *v, char *buf,
	size_t n);

#endif
