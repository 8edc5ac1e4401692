/* registry_map: the pure half of `karta registry list|show|export` — a registry row of the
 * local replica (JSON, keys = the SQL columns of sql/0008) turned back into the values of a
 * CSV record of either layout (docs/registries.md, domain.md §8): the inverse of what the
 * importer does. No replica, no I/O: what the row alone cannot say (the codes and GUIDs of
 * the organizations it refers to, its exam point's code) comes in struct regmap_refs.
 *
 * Values are written in one canonical form per column, the form an importer reads back to
 * the same stored value: codes rather than names (document type, category, role), М/Ж (RIS:
 * 0/1), flags 0/1, dates дд.ММ.гггг, timestamps дд.ММ.гггг ЧЧ:мм:сс in local time, СНИЛС as
 * ХХХ-ХХХ-ХХХ ХХ (RIS: 11 bare digits), forms as «ЕГЭ, ГВЭ» (RIS participants: flags 1, 2,
 * 4; RIS exam points: the stored set as is, which is how the importer reads it). Values of
 * local payloads written by the importer are read as well: numbers or booleans given as
 * strings, roles as codes, "unusable" as a count. A row an interop file brought (ris_guid
 * set) is written back as the file had it: its GUID's spelling, its deleted-row flag, its
 * timestamps as given, the organizations' GUIDs it named (over struct regmap_refs). */
#ifndef KT_REGISTRY_MAP_H
#define KT_REGISTRY_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "kt_registry.h"

/* What a row refers to by id, resolved by the caller; NULL or "" when unknown (written as
 * an empty field). Borrowed for the call. */
struct regmap_refs {
	const char *owner;      /* code of the organization that owns the row (participant: the
	                           school; exam point, staff: the municipality) */
	const char *owner_guid; /* its interop GUID (RIS: «Guid ОО, основная» / «Guid МСУ») */
	const char *other;      /* exam point: the host school's code; staff: the workplace's */
	const char *other_guid; /* exam point: host school GUID; participant: graduation school
	                           GUID — NULL when the row names none (the owner is also the
	                           graduation school: owner_guid is written), "" when unknown */
	const char *point;      /* auditorium: its exam point's code; staff: the codes of the
	                           exam points it is attached to, ", "-separated */
};

/* One record: v[field] for every field id of the kind (enum kt_pf / kt_ef / kt_af / kt_sf),
 * each a heap string ("" when empty). */
struct regmap_rec {
	char *v[KT_REG_MAX_FIELDS];
};

/* Fills *out (released first if the caller reuses it — start from {0}) from row. 0, or -1
 * when out of memory or the layout does not exist for the kind (RIS auditoriums, staff). */
int regmap_record(enum kt_reg_kind kind, enum kt_reg_layout layout, const json_t *row,
	const struct regmap_refs *refs, struct regmap_rec *out) __attribute__((warn_unused_result));
void regmap_rec_release(struct regmap_rec *r);

/* The record's values in the layout's column order (kt_reg_columns): out[i] points into
 * rec. Returns the column count (0 when the layout does not exist); at most cap are set. */
size_t regmap_fields(enum kt_reg_kind kind, enum kt_reg_layout layout,
	const struct regmap_rec *rec, const char **out, size_t cap);

/* ---- values (also for list and show) ---- */

/* A JSON value as text: a string as is, an integer in decimal, true/false as "1"/"0", a
 * real with %g, null or NULL as "", arrays and objects as compact JSON. Heap; NULL when out
 * of memory. */
char *regmap_text(const json_t *v) __attribute__((warn_unused_result));
/* The integer of an integer, a real without fraction or a string of digits (optional '-');
 * false for anything else (null, "", words). */
bool regmap_int(const json_t *v, long long *out);
/* true, a non-zero number, "1", "t", "true", "yes" (any case). */
bool regmap_bool(const json_t *v);

/* "2009-11-25" (a date, or a timestamp's date part) → "25.11.2009"; "" for anything else. */
void regmap_date(const char *iso, char *out, size_t n);
/* A PostgreSQL timestamptz as JSON ("2025-01-15T16:20:05.123+00:00", 'Z' or a space also
 * taken) → "15.01.2025 19:20:05" in the local time zone (TZ); "" when not a timestamp. */
void regmap_datetime(const char *ts, char *out, size_t n);
/* 11 digits → "ХХХ-ХХХ-ХХХ ХХ"; anything else unchanged. */
void regmap_snils(const char *s, char *out, size_t n);
/* A form bit set (1 ЕГЭ, 2 ОГЭ, 4 ГВЭ; 8 «other» has no word in karta's layout and is left
 * out) → "ЕГЭ, ГВЭ". */
void regmap_forms(long long bits, char *out, size_t n);
/* The same as interop flags: 1 ЕГЭ or ОГЭ, 2 ГВЭ, 4 other. */
int regmap_forms_ris(long long bits);
/* A staff role as stored ("organizer_in") or as its code ("2", 2) → 1..7; 0 when unknown. */
int regmap_role(const json_t *v);
/* karta's «Гражданство» (text) as the interop «Код гражданства» (ОКСМ, 0-999): a code as
 * is, Россия / РФ / Российская Федерация as 643, anything else "" (no table of names). */
void regmap_citizenship_ris(const char *s, char *out, size_t n);
/* "0101" → "101": the interop ППЭ code drops leading zeros ("0000" → "0"). */
void regmap_ppe_ris(const char *code, char *out, size_t n);

#endif
