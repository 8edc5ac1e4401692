/* kt_validate_int: helpers the kt_validate*.c and kt_check_*.c files share. */
#ifndef KT_VALIDATE_INT_H
#define KT_VALIDATE_INT_H

#include <stdarg.h>

#include "kt_validate.h"

#define KT_V_SHORT 128 /* bytes of a trimmed short value (codes, dates, numbers) */

/* Copies s without surrounding spaces into buf (cap bytes); false when it does not fit. */
bool kt_v_trim(const char *s, char *buf, size_t cap);
/* NULL when s trimmed (at most KT_V_SHORT - 1 bytes) passes ok, else bad. */
const char *kt_v_trimmed(const char *s, bool (*ok)(const char *b), const char *bad);
/* True when s is NULL, empty or only spaces. */
bool kt_v_blank(const char *s);

/* A code table: names '|'-separated, the canonical one first, compared folded. */
struct kt_v_code {
	int code;
	const char *names;
};
/* The code of s given as one of the names, or (by_number) as a code of the table; -1
 * when neither. */
int kt_v_code_parse(const struct kt_v_code *t, size_t n, const char *s, bool by_number);

/* ---- record checks ---- */
struct kt_v_rec {
	enum kt_reg_kind kind;
	enum kt_reg_layout layout;
	const char *const *v;
	struct kt_field_errors *e;
	unsigned long failed; /* bit per field that already has an error */
};

/* A record's check begins: e cleared, no field failed yet. */
struct kt_v_rec kt_v_begin(enum kt_reg_kind kind, enum kt_reg_layout layout,
	const char *const *v, struct kt_field_errors *e);
/* The value of a field ("" for NULL). */
const char *kt_v_get(const struct kt_v_rec *r, int field);
/* Adds "«<header>»: <msg>" unless the field already failed; msg is printf-style. */
void kt_v_fail(struct kt_v_rec *r, int field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs a value validator on a field when it is not blank; required fields that are blank
 * fail with "is required". Returns true when the field is set and passed. */
bool kt_v_field(struct kt_v_rec *r, int field, bool required, const char *(*check)(const char *));
/* A whole number lo..hi; true and *out when set and valid. */
bool kt_v_int(struct kt_v_rec *r, int field, bool required, long lo, long hi, long *out);
bool kt_v_failed(const struct kt_v_rec *r, int field);
/* Document type, series and number (the rules by type); returns the type, 0 unknown. */
int kt_v_doc(struct kt_v_rec *r, int ftype, int fseries, int fnumber);
/* NULL when s has at most max_chars characters, else "is too long". */
const char *kt_v_text(const char *s, size_t max_chars);
/* karta's layout: «Идентификатор» (a GUID, optional) and «Причина удаления» (text ≤ 1000). */
void kt_v_identity(struct kt_v_rec *r);
/* The reference date of ctx (today for NULL or a zero date). */
struct kt_date kt_v_ref(const struct kt_check_ctx *ctx);

#endif
