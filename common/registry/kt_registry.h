/* kt_registry: the РИС-style registries as CSV — which columns each has, how a header
 * row maps to field ids, and how a data row fills a record.
 *
 * Two layouts:
 *  - KT_LAYOUT_KARTA: karta's own files. Columns are found by their Russian header, in any
 *    order; headers are compared case-insensitively, with runs of spaces (and NBSP) taken
 *    as one, ё as е, and a trailing '*' (templates mark required columns so) ignored.
 *    A column no field knows, a column given twice, or a missing required column is an
 *    error naming the column.
 *  - KT_LAYOUT_RIS: the interop layout of the regional software in use today
 *    (docs/domain.md §8), for participants and exam points: fixed column order, GUID
 *    keys, a deleted-row flag, dates дд.ММ.гггг and timestamps дд.ММ.гггг ЧЧ:мм:сс. A header
 *    whose first column is "Guid" is read as this layout; each column must then carry the
 *    expected header at its position (compared as above).
 *
 * Header texts are not personal data, so errors quote them; cell values never appear in
 * messages. Field ids are per registry (enum kt_pf, kt_ef, kt_af, kt_sf); a field the
 * file lacks reads as "". */
#ifndef KT_REGISTRY_H
#define KT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "kt_csv.h"

enum kt_reg_kind { KT_REG_PARTICIPANTS, KT_REG_EXAM_POINTS, KT_REG_AUDITORIUMS, KT_REG_STAFF };
#define KT_REG_NKINDS 4

enum kt_reg_layout { KT_LAYOUT_KARTA, KT_LAYOUT_RIS };

/* Participant fields. The RIS layout has no ОВЗ/инвалид split (one "specialised seating"
 * flag, KT_P_OVZ) and keys schools by GUID (KT_P_SCHOOL, KT_P_SCHOOL_GRAD). */
enum kt_pf {
	KT_P_GUID, KT_P_DELETED,
	KT_P_LAST_NAME, KT_P_FIRST_NAME, KT_P_MIDDLE_NAME,
	KT_P_DOC_TYPE, KT_P_DOC_SERIES, KT_P_DOC_NUMBER,
	KT_P_SEX, KT_P_GRADE, KT_P_BIRTH_DATE, KT_P_OVZ, KT_P_DISABLED,
	KT_P_CATEGORY, KT_P_REGION, KT_P_SCHOOL, KT_P_SCHOOL_GRAD,
	KT_P_CREATED, KT_P_UPDATED, KT_P_FORM, KT_P_RESULTS, KT_P_STUDY_FORM,
	KT_P_CITIZENSHIP, KT_P_SNILS,
	KT_P_REASON, /* karta layout: «Причина удаления» (KT_P_GUID is «Идентификатор» there) */
	KT_P_NFIELDS
};

/* Exam point (ППЭ) fields. */
enum kt_ef {
	KT_E_GUID, KT_E_DELETED, KT_E_CODE, KT_E_NAME, KT_E_ADDRESS,
	KT_E_SCHOOL, KT_E_PCENTER, KT_E_PHONES, KT_E_EMAILS, KT_E_TOM,
	KT_E_MUNICIPALITY, KT_E_AREA, KT_E_CREATED, KT_E_UPDATED, KT_E_VIDEO,
	KT_E_FORM, KT_E_FLAGS, KT_E_CAPACITY, KT_E_HOME, KT_E_KIM_PRINT, KT_E_RESERVE,
	KT_E_REASON, /* as KT_P_REASON */
	KT_E_NFIELDS
};

/* Auditorium fields. */
enum kt_af {
	KT_A_PPE, KT_A_CODE, KT_A_NAME, KT_A_ROWS, KT_A_SEATS, KT_A_UNUSABLE,
	KT_A_OVZ, KT_A_VIDEO, KT_A_LAB,
	KT_A_ID, KT_A_REASON, /* «Идентификатор», «Причина удаления» */
	KT_A_NFIELDS
};

/* Staff fields. */
enum kt_sf {
	KT_S_CODE, KT_S_LAST_NAME, KT_S_FIRST_NAME, KT_S_MIDDLE_NAME,
	KT_S_DOC_TYPE, KT_S_DOC_SERIES, KT_S_DOC_NUMBER, KT_S_SEX, KT_S_BIRTH_DATE,
	KT_S_SNILS, KT_S_SCHOOL, KT_S_ROLE, KT_S_SUBJECT, KT_S_PPE,
	KT_S_ID, KT_S_REASON, /* «Идентификатор», «Причина удаления» */
	KT_S_NFIELDS
};

#define KT_REG_MAX_FIELDS 32 /* >= every KT_*_NFIELDS */
#define KT_REG_MAX_COLS 64   /* a karta header longer than this is refused */

/* One column of a layout. */
struct kt_reg_col {
	int field;            /* enum kt_pf / kt_ef / kt_af / kt_sf */
	const char *name;     /* the Russian header written on export */
	const char *aliases;  /* other accepted headers, '|'-separated; NULL for none */
	bool required;        /* the column must exist (karta) / the value must be set */
	const char *format;   /* for docs and --help, e.g. "дд.ММ.гггг" */
};

/* The columns of a registry in a layout, in export order; NULL (and *n = 0) when the
 * layout does not exist for that registry (RIS auditoriums and staff). */
const struct kt_reg_col *kt_reg_columns(enum kt_reg_kind kind, enum kt_reg_layout layout,
	size_t *n);
/* The header of a field in a layout ("?" for an id the layout lacks). */
const char *kt_reg_field_name(enum kt_reg_kind kind, enum kt_reg_layout layout, int field);
/* The row's identity column (karta: «Идентификатор», karta's id or the row's GUID; interop:
 * «Guid») and, in karta's layout, «Причина удаления» (a row with a reason is a deletion;
 * -1 in the interop layout, where «Признак удаленной строки» says it). Every kind has both. */
int kt_reg_id_field(enum kt_reg_kind kind);
int kt_reg_reason_field(enum kt_reg_kind kind, enum kt_reg_layout layout);
/* "participants", "exam-points", "auditoriums", "staff"; and back (-1 when unknown). */
const char *kt_reg_kind_name(enum kt_reg_kind kind);
int kt_reg_kind_parse(const char *s);

/* A header row mapped to fields. */
struct kt_reg_map {
	enum kt_reg_kind kind;
	enum kt_reg_layout layout;
	size_t ncols;
	int col_field[KT_REG_MAX_COLS]; /* field of each column */
};

/* Maps a header row. 0, or -1 with err (code KT_CSV_ECOLUMNS, line of the header) saying
 * which column is unknown, doubled, missing or out of place. */
int kt_reg_map_header(enum kt_reg_kind kind, const struct kt_csv_row *header,
	struct kt_reg_map *map, struct kt_csv_err *err);

/* Fills v[0..nv) from a data row (pointers into the row, valid until the reader's next
 * call); fields the file lacks become "". */
void kt_reg_fill(const struct kt_reg_map *map, const struct kt_csv_row *row,
	const char **v, size_t nv);

/* Folds a header (or a coded value) for comparison: lower case, ё -> е, spaces trimmed and
 * collapsed, a trailing '*' dropped. Writes at most cap bytes with the NUL; returns out. */
char *kt_reg_fold(const char *s, char *out, size_t cap);
/* True when one of names ('|'-separated; NULL: none) folds to the folded text h; a name
 * over 255 bytes is compared by its first bytes. */
bool kt_reg_names_match(const char *names, const char *h);

#endif
