/* kt_validate: the registry rules, shared by the server (on import) and the client (before
 * upload), so both refuse the same rows with the same words.
 *
 * Two levels:
 *  - value validators (kt_check_*): one value, NULL when it is fine, else a static
 *    English message ("control number does not match"). Surrounding spaces are ignored.
 *  - record checks (kt_participant_check ...): every field of one row, each failure
 *    collected as "«<Russian column header>»: <message>" in struct kt_field_errors.
 * Messages never contain the value itself (СНИЛС, documents, names and birth dates are
 * personal data, 152-ФЗ): they say what is wrong with it. */
#ifndef KT_VALIDATE_H
#define KT_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "kt_deadline.h" /* struct kt_date: the project's calendar day */
#include "kt_registry.h"

/* ---- values ---- */

/* СНИЛС: 11 digits, bare or as ХХХ-ХХХ-ХХХ ХХ; the last two are the control number
 * (sum of digit × (10 - position) over the first nine, mod 101, 100 -> 00). Numbers up to
 * 001-001-998 were issued before the control number existed and are not checked. */
const char *kt_check_snils(const char *s);
/* дд.ММ.гггг, a real calendar date from 1900 to 2099. out may be NULL. */
const char *kt_check_date(const char *s, struct kt_date *out);
/* дд.ММ.гггг ЧЧ:мм:сс (the interop timestamps). */
const char *kt_check_datetime(const char *s);
/* Age in whole years on ref. */
int kt_age_on(const struct kt_date *birth, const struct kt_date *ref);
/* Birth date plausible for someone min_age..max_age years old on ref. */
const char *kt_check_birth(const struct kt_date *birth, const struct kt_date *ref, int min_age,
	int max_age);
/* An organization as karta names it: its code (sql/0001: a letter or digit, then letters,
 * digits, '.', '_', '-'; at most 32), which is also what РИС codes (digits) are. */
const char *kt_check_org_code(const char *s);
/* GUID: 8-4-4-4-12 hex digits, braces allowed. */
const char *kt_check_guid(const char *s);
/* Exactly ndigits ASCII digits (ndigits > 0), or 1..-ndigits digits (ndigits < 0). */
const char *kt_check_digits(const char *s, int ndigits);
/* A whole number lo..hi (no sign, no spaces inside). out may be NULL. */
bool kt_parse_int(const char *s, long lo, long hi, long *out);
/* ППЭ code: 4 digits (karta), 1 to 4 digits (interop, where leading zeros are dropped). */
const char *kt_check_ppe_code(const char *s, bool ris);
/* Auditorium code: 4 characters, digits or letters (Latin or Cyrillic). */
const char *kt_check_aud_code(const char *s);
/* Yes/no: 0/1 (also да/нет, yes/no, +/-, empty = no). out may be NULL. */
const char *kt_check_flag(const char *s, bool *out);
/* Deleted-row flag of the interop layout: 0, 1, 2, 4, 5, 6, 7, 10, 11, 12. */
const char *kt_check_deleted(const char *s, int *out);
/* A personal name part: letters (Cyrillic, Latin), spaces, hyphens, apostrophes, dots;
 * at most 100 characters; starts with a letter. */
const char *kt_check_name(const char *s);
/* Emails: addresses separated by ',' or ';', each local@domain.tld. Empty is fine. */
const char *kt_check_emails(const char *s);

/* Sex: 1 male, 2 female, 0 when not recognised. karta: М/Ж (муж/жен, мужской/женский,
 * M/F); interop: 0 male, 1 female. */
int kt_parse_sex(const char *s, bool ris);

/* ---- coded values ---- */

/* Document types (karta codes; the interop file carries the same codes, see
 * docs/registries.md). */
enum kt_doc_type {
	KT_DOC_PASSPORT_RF = 1,
	KT_DOC_BIRTH_CERT = 2,
	KT_DOC_FOREIGN_PASSPORT = 3,
	KT_DOC_RESIDENCE = 4,
	KT_DOC_PASSPORT_RF_INTL = 5,
	KT_DOC_OTHER = 9,
};
/* The code of a document type given as its code or its name, 0 when unknown. */
int kt_doc_type_parse(const char *s);
const char *kt_doc_type_name(int code);
/* Series / number of a document of that type (series may be "" where none exists). */
const char *kt_check_doc_series(int doc_type, const char *s);
const char *kt_check_doc_number(int doc_type, const char *s);

enum kt_category {
	KT_CAT_CURRENT = 1,   /* выпускник текущего года (обучающийся ОО) */
	KT_CAT_PAST = 2,      /* выпускник прошлых лет */
	KT_CAT_POO = 3,       /* обучающийся ПОО (СПО) */
	KT_CAT_FOREIGN = 4,   /* обучающийся иностранной ОО */
	KT_CAT_RETAKE = 5,    /* не прошедший ГИА в прошлом году */
};
int kt_category_parse(const char *s);
const char *kt_category_name(int code);

/* Exam forms as a bit set. */
enum { KT_FORM_EGE = 1, KT_FORM_OGE = 2, KT_FORM_GVE = 4, KT_FORM_OTHER = 8 };
/* karta: "ЕГЭ", "ОГЭ", "ГВЭ" or a list of them ("ЕГЭ, ГВЭ"); 0 when not recognised. */
int kt_form_parse(const char *s);
/* interop "Форма ГИА" flags (1 ЕГЭ for grade 11 / ОГЭ for grade 9, 2 ГВЭ, 4 other) with
 * the grade number (0 unknown) -> the bit set above; 0 when not recognised. */
int kt_form_from_ris(const char *flags, int grade);

enum kt_staff_role {
	KT_ROLE_HEAD = 1,        /* руководитель ППЭ */
	KT_ROLE_ORG_IN = 2,      /* организатор в аудитории */
	KT_ROLE_ORG_OUT = 3,     /* организатор вне аудитории */
	KT_ROLE_TECH = 4,        /* технический специалист */
	KT_ROLE_ASSISTANT = 5,   /* ассистент */
	KT_ROLE_MEDIC = 6,       /* медицинский работник */
	KT_ROLE_GEK = 7,         /* член ГЭК */
};
int kt_role_parse(const char *s);
const char *kt_role_name(int code);

/* Grade number of "9", "11А", "11 Б" (1..12), 0 when not a grade. */
int kt_grade_parse(const char *s);

/* ---- records ---- */

#define KT_FIELD_ERRORS_MAX 24

struct kt_field_error {
	int field;      /* enum kt_pf / kt_ef / kt_af / kt_sf */
	char msg[192];  /* "«СНИЛС»: control number does not match" */
};

struct kt_field_errors {
	size_t n;
	bool more; /* errors past KT_FIELD_ERRORS_MAX were dropped */
	struct kt_field_error e[KT_FIELD_ERRORS_MAX];
};

/* The day the age rules are measured on (normally the exam year's 1 June: the main
 * period); a zero date means today. */
struct kt_check_ctx {
	struct kt_date ref;
};

/* Records hold field values as text (pointers into a CSV row or anywhere else), indexed
 * by field id; NULL reads as "". */
#define KT_RECORD(name, nfields) \
	struct name { \
		enum kt_reg_layout layout; \
		const char *v[nfields]; \
	}
KT_RECORD(kt_participant, KT_P_NFIELDS);
KT_RECORD(kt_exam_point, KT_E_NFIELDS);
KT_RECORD(kt_auditorium, KT_A_NFIELDS);
KT_RECORD(kt_staff, KT_S_NFIELDS);

/* Each check clears e, appends one error per failing field (a field fails once: the first
 * rule it breaks) plus cross-field errors, and returns e->n (0 = the record is valid).
 * ctx may be NULL (today). */
size_t kt_participant_check(const struct kt_participant *p, const struct kt_check_ctx *ctx,
	struct kt_field_errors *e);
size_t kt_exam_point_check(const struct kt_exam_point *p, struct kt_field_errors *e);
size_t kt_auditorium_check(const struct kt_auditorium *a, struct kt_field_errors *e);
size_t kt_staff_check(const struct kt_staff *s, const struct kt_check_ctx *ctx,
	struct kt_field_errors *e);

/* Fill a record from a CSV data row mapped by kt_reg_map_header (map->kind must match). */
void kt_participant_from_row(struct kt_participant *p, const struct kt_reg_map *m,
	const struct kt_csv_row *row);
void kt_exam_point_from_row(struct kt_exam_point *p, const struct kt_reg_map *m,
	const struct kt_csv_row *row);
void kt_auditorium_from_row(struct kt_auditorium *a, const struct kt_reg_map *m,
	const struct kt_csv_row *row);
void kt_staff_from_row(struct kt_staff *s, const struct kt_reg_map *m,
	const struct kt_csv_row *row);

/* Checks one mapped data row of any registry: the record check of map->kind. */
size_t kt_reg_check_row(const struct kt_reg_map *m, const struct kt_csv_row *row,
	const struct kt_check_ctx *ctx, struct kt_field_errors *e);

#endif
