/* kt_check_places: the record checks of exam points (ППЭ) and auditoriums. */
#include <string.h>

#include "kt_validate_int.h"
#include "kt_i18n.h"

#define MAX_PPE_CAPACITY 5000  /* the largest school buildings seat about 2000 */
#define MAX_HOME_CAPACITY 5    /* ППЭ на дому: one participant, a few at most */
#define MAX_ROWS 50
#define MAX_SEATS 50
#define MAX_AUD_CAPACITY 500   /* rows × seats; a large hall, never a stadium */

static const char *check_guid(const char *s) { return kt_check_guid(s); }
static const char *check_datetime(const char *s) { return kt_check_datetime(s); }
static const char *check_emails(const char *s) { return kt_check_emails(s); }
static const char *check_text500(const char *s) { return kt_v_text(s, 500); }
static const char *check_text200(const char *s) { return kt_v_text(s, 200); }
static const char *check_aud(const char *s) { return kt_check_aud_code(s); }
static const char *check_mun(const char *s) { return kt_check_org_code(s); }
static const char *check_school(const char *s) { return kt_check_org_code(s); }
static const char *check_ppe_karta(const char *s) { return kt_check_ppe_code(s, false); }
static const char *check_ppe_ris(const char *s) { return kt_check_ppe_code(s, true); }

static void flag(struct kt_v_rec *r, int field, bool *out)
{
	const char *msg = kt_check_flag(kt_v_get(r, field), out);
	if (msg)
		kt_v_fail(r, field, "%s", _(msg));
}

static void exam_point_karta(struct kt_v_rec *r)
{
	kt_v_identity(r);
	kt_v_field(r, KT_E_MUNICIPALITY, true, check_mun);
	kt_v_field(r, KT_E_SCHOOL, false, check_school);
	long cap = 0;
	bool have_cap = kt_v_int(r, KT_E_CAPACITY, false, 1, MAX_PPE_CAPACITY, &cap); /* empty: unknown */
	const char *f = kt_v_get(r, KT_E_FORM);
	if (kt_v_blank(f))
		kt_v_fail(r, KT_E_FORM, N_("is required"));
	else if (!kt_form_parse(f))
		kt_v_fail(r, KT_E_FORM, N_("must be ЕГЭ, ОГЭ or ГВЭ (or a list: ЕГЭ, ГВЭ)"));
	bool home = false;
	flag(r, KT_E_HOME, &home);
	flag(r, KT_E_KIM_PRINT, NULL);
	flag(r, KT_E_RESERVE, NULL);
	if (home && have_cap && cap > MAX_HOME_CAPACITY)
		kt_v_fail(r, KT_E_CAPACITY, N_("must be at most %d for a ППЭ на дому"), MAX_HOME_CAPACITY);
}

static void exam_point_ris(struct kt_v_rec *r)
{
	kt_v_field(r, KT_E_PCENTER, false, check_guid);
	kt_v_field(r, KT_E_MUNICIPALITY, false, check_guid); /* the owner is the importer's */
	kt_v_field(r, KT_E_AREA, false, check_guid);
	kt_v_field(r, KT_E_SCHOOL, false, check_guid);
	kt_v_field(r, KT_E_CREATED, false, check_datetime);
	kt_v_field(r, KT_E_UPDATED, false, check_datetime);
	kt_v_int(r, KT_E_FORM, false, 0, 99, NULL);
	kt_v_int(r, KT_E_FLAGS, false, 0, 65535, NULL);
}

size_t kt_exam_point_check(const struct kt_exam_point *p, struct kt_field_errors *e)
{
	struct kt_v_rec r = kt_v_begin(KT_REG_EXAM_POINTS, p->layout, p->v, e);
	bool ris = p->layout == KT_LAYOUT_RIS;
	if (ris) {
		kt_v_field(&r, KT_E_GUID, true, check_guid);
		int del = 0;
		const char *msg = kt_check_deleted(kt_v_get(&r, KT_E_DELETED), &del);
		if (msg)
			kt_v_fail(&r, KT_E_DELETED, "%s", _(msg));
		if (msg || del != 0) /* deleted rows: only their keys matter */
			return e->n;
	}
	kt_v_field(&r, KT_E_CODE, true, ris ? check_ppe_ris : check_ppe_karta);
	kt_v_field(&r, KT_E_NAME, true, check_text500);
	kt_v_field(&r, KT_E_ADDRESS, true, check_text500);
	kt_v_field(&r, KT_E_PHONES, false, check_text200);
	kt_v_field(&r, KT_E_EMAILS, false, check_emails);
	flag(&r, KT_E_TOM, NULL);
	flag(&r, KT_E_VIDEO, NULL);
	if (ris)
		exam_point_ris(&r);
	else
		exam_point_karta(&r);
	return e->n;
}

size_t kt_auditorium_check(const struct kt_auditorium *a, struct kt_field_errors *e)
{
	struct kt_v_rec r = kt_v_begin(KT_REG_AUDITORIUMS, a->layout, a->v, e);
	kt_v_identity(&r);
	kt_v_field(&r, KT_A_PPE, true, check_ppe_karta);
	kt_v_field(&r, KT_A_CODE, true, check_aud);
	kt_v_field(&r, KT_A_NAME, false, check_text200);
	long rows = 0, seats = 0, unusable = 0;
	bool have_rows = kt_v_int(&r, KT_A_ROWS, true, 1, MAX_ROWS, &rows);
	bool have_seats = kt_v_int(&r, KT_A_SEATS, true, 1, MAX_SEATS, &seats);
	bool have_un = kt_v_int(&r, KT_A_UNUSABLE, false, 0, MAX_AUD_CAPACITY, &unusable);
	flag(&r, KT_A_OVZ, NULL);
	flag(&r, KT_A_VIDEO, NULL);
	flag(&r, KT_A_LAB, NULL);
	if (!have_rows || !have_seats)
		return e->n;
	if (rows * seats > MAX_AUD_CAPACITY)
		kt_v_fail(&r, KT_A_SEATS, N_("rows × seats must be at most %d"), MAX_AUD_CAPACITY);
	else if (have_un && unusable >= rows * seats)
		kt_v_fail(&r, KT_A_UNUSABLE, N_("must leave at least one usable seat (rows × seats)"));
	return e->n;
}

void kt_exam_point_from_row(struct kt_exam_point *p, const struct kt_reg_map *m,
	const struct kt_csv_row *row)
{
	p->layout = m->layout;
	kt_reg_fill(m, row, p->v, KT_E_NFIELDS);
}

void kt_auditorium_from_row(struct kt_auditorium *a, const struct kt_reg_map *m,
	const struct kt_csv_row *row)
{
	a->layout = m->layout;
	kt_reg_fill(m, row, a->v, KT_A_NFIELDS);
}
