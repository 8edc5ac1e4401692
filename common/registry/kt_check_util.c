/* kt_check_util: collecting per-field errors for the record checks. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kt_validate_int.h"
#include "kt_i18n.h"

struct kt_v_rec kt_v_begin(enum kt_reg_kind kind, enum kt_reg_layout layout,
	const char *const *v, struct kt_field_errors *e)
{
	memset(e, 0, sizeof *e);
	return (struct kt_v_rec){kind, layout, v, e, 0};
}

const char *kt_v_get(const struct kt_v_rec *r, int field)
{
	const char *s = r->v[field];
	return s ? s : "";
}

bool kt_v_failed(const struct kt_v_rec *r, int field)
{
	return (r->failed >> field) & 1ul;
}

void kt_v_fail(struct kt_v_rec *r, int field, const char *fmt, ...)
{
	if (kt_v_failed(r, field))
		return;
	r->failed |= 1ul << field;
	struct kt_field_errors *e = r->e;
	if (e->n == KT_FIELD_ERRORS_MAX) {
		e->more = true;
		return;
	}
	struct kt_field_error *fe = &e->e[e->n++];
	fe->field = field;
	const char *name = kt_reg_field_name(r->kind, r->layout, field);
	int k = snprintf(fe->msg, sizeof fe->msg, "«%s»: ", name);
	if (k < 0 || (size_t)k >= sizeof fe->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fe->msg + k, sizeof fe->msg - (size_t)k, _(fmt), ap); /* N_() at the callers */
	va_end(ap);
}

bool kt_v_field(struct kt_v_rec *r, int field, bool required, const char *(*check)(const char *))
{
	const char *s = kt_v_get(r, field);
	if (kt_v_blank(s)) {
		if (required)
			kt_v_fail(r, field, N_("is required"));
		return false;
	}
	const char *msg = check ? check(s) : NULL;
	if (msg) {
		kt_v_fail(r, field, "%s", _(msg));
		return false;
	}
	return true;
}

bool kt_v_int(struct kt_v_rec *r, int field, bool required, long lo, long hi, long *out)
{
	const char *s = kt_v_get(r, field);
	if (kt_v_blank(s)) {
		if (required)
			kt_v_fail(r, field, N_("is required"));
		return false;
	}
	if (!kt_parse_int(s, lo, hi, out)) {
		kt_v_fail(r, field, N_("must be a whole number from %ld to %ld"), lo, hi);
		return false;
	}
	return true;
}

struct kt_date kt_v_ref(const struct kt_check_ctx *ctx)
{
	if (ctx && ctx->ref.y > 0)
		return ctx->ref;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	struct kt_date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
	return d;
}

int kt_v_doc(struct kt_v_rec *r, int ftype, int fseries, int fnumber)
{
	const char *t = kt_v_get(r, ftype);
	int doc = 0;
	if (kt_v_blank(t))
		kt_v_fail(r, ftype, N_("is required"));
	else if (!(doc = kt_doc_type_parse(t)))
		kt_v_fail(r, ftype, N_("is not a known document type (codes 1-5, 9, or the names in "
			"docs/registries.md)"));
	const char *series = kt_v_get(r, fseries), *number = kt_v_get(r, fnumber), *msg;
	bool needs_series = doc == KT_DOC_PASSPORT_RF || doc == KT_DOC_BIRTH_CERT ||
		doc == KT_DOC_PASSPORT_RF_INTL;
	if (kt_v_blank(series)) {
		if (needs_series)
			kt_v_fail(r, fseries, N_("is required for this document type"));
	} else if (doc && (msg = kt_check_doc_series(doc, series))) {
		kt_v_fail(r, fseries, "%s", _(msg));
	}
	if (kt_v_blank(number))
		kt_v_fail(r, fnumber, N_("is required"));
	else if (doc && (msg = kt_check_doc_number(doc, number)))
		kt_v_fail(r, fnumber, "%s", _(msg));
	return doc;
}

const char *kt_v_text(const char *s, size_t max_chars)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	return chars <= max_chars ? NULL : N_("is too long");
}

static const char *check_reason(const char *s) { return kt_v_text(s, 1000); }

void kt_v_identity(struct kt_v_rec *r)
{
	if (r->layout != KT_LAYOUT_KARTA)
		return;
	kt_v_field(r, kt_reg_id_field(r->kind), false, kt_check_guid);
	kt_v_field(r, kt_reg_reason_field(r->kind, r->layout), false, check_reason);
}
