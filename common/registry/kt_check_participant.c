/* kt_check_participant: the record check of the participants registry (both layouts).
 * Field rules first (each field fails once), then the rules between fields: exam form vs
 * category vs grade, and the age the birth date gives. */
#include <string.h>

#include "kt_validate_int.h"
#include "kt_i18n.h"

/* What the field rules found, for the cross-field rules. 0 = unknown or invalid. */
struct pinfo {
	int doc, grade, category, form;
	bool ovz;
	bool have_birth;
	struct kt_date birth;
};

static const char *check_guid(const char *s) { return kt_check_guid(s); }
static const char *check_name(const char *s) { return kt_check_name(s); }
static const char *check_snils(const char *s) { return kt_check_snils(s); }
static const char *check_datetime(const char *s) { return kt_check_datetime(s); }
static const char *check_school(const char *s) { return kt_check_org_code(s); }

static void check_person(struct kt_v_rec *r, struct pinfo *pi)
{
	bool ris = r->layout == KT_LAYOUT_RIS;
	kt_v_field(r, KT_P_LAST_NAME, true, check_name);
	kt_v_field(r, KT_P_FIRST_NAME, true, check_name);
	kt_v_field(r, KT_P_MIDDLE_NAME, false, check_name);
	pi->doc = kt_v_doc(r, KT_P_DOC_TYPE, KT_P_DOC_SERIES, KT_P_DOC_NUMBER);
	const char *sex = kt_v_get(r, KT_P_SEX);
	if (kt_v_blank(sex))
		kt_v_fail(r, KT_P_SEX, N_("is required"));
	else if (!kt_parse_sex(sex, ris))
		kt_v_fail(r, KT_P_SEX, ris ? N_("must be 0 (male) or 1 (female)") : N_("must be М or Ж"));
	const char *birth = kt_v_get(r, KT_P_BIRTH_DATE), *msg;
	if (kt_v_blank(birth))
		kt_v_fail(r, KT_P_BIRTH_DATE, N_("is required"));
	else if ((msg = kt_check_date(birth, &pi->birth)))
		kt_v_fail(r, KT_P_BIRTH_DATE, "%s", _(msg));
	else
		pi->have_birth = true;
	kt_v_field(r, KT_P_SNILS, false, check_snils);
}

static void check_exam(struct kt_v_rec *r, struct pinfo *pi)
{
	bool ris = r->layout == KT_LAYOUT_RIS;
	const char *g = kt_v_get(r, KT_P_GRADE);
	if (!kt_v_blank(g) && !(pi->grade = kt_grade_parse(g)))
		kt_v_fail(r, KT_P_GRADE, N_("must be a grade 1-12 with an optional letter (11А)"));
	const char *c = kt_v_get(r, KT_P_CATEGORY);
	if (kt_v_blank(c))
		kt_v_fail(r, KT_P_CATEGORY, N_("is required"));
	else if (!(pi->category = kt_category_parse(c)))
		kt_v_fail(r, KT_P_CATEGORY, N_("is not a known participant category (codes 1-5)"));
	const char *f = kt_v_get(r, KT_P_FORM);
	if (kt_v_blank(f))
		kt_v_fail(r, KT_P_FORM, N_("is required"));
	else if (!(pi->form = ris ? kt_form_from_ris(f, pi->grade) : kt_form_parse(f)))
		kt_v_fail(r, KT_P_FORM, ris ? N_("must be flags 1 (ЕГЭ/ОГЭ), 2 (ГВЭ), 4 (other), 1 to 7") :
			N_("must be ЕГЭ, ОГЭ or ГВЭ (or a list: ЕГЭ, ГВЭ)"));
	const char *msg = kt_check_flag(kt_v_get(r, KT_P_OVZ), &pi->ovz);
	if (msg)
		kt_v_fail(r, KT_P_OVZ, "%s", _(msg));
	if ((msg = kt_check_flag(kt_v_get(r, KT_P_DISABLED), NULL)))
		kt_v_fail(r, KT_P_DISABLED, "%s", _(msg));
}

static void check_ris_only(struct kt_v_rec *r)
{
	kt_v_field(r, KT_P_SCHOOL, false, check_guid);
	kt_v_field(r, KT_P_SCHOOL_GRAD, false, check_guid);
	kt_v_int(r, KT_P_REGION, false, 1, 99, NULL);
	kt_v_field(r, KT_P_CREATED, false, check_datetime);
	kt_v_field(r, KT_P_UPDATED, false, check_datetime);
	kt_v_int(r, KT_P_RESULTS, false, 0, 3, NULL);
	kt_v_int(r, KT_P_STUDY_FORM, false, 0, 99, NULL);
	kt_v_int(r, KT_P_CITIZENSHIP, false, 0, 999, NULL);
}

/* Who may sit which form: ОГЭ and ГВЭ only current-year students and those retaking
 * after failing last year; ЕГЭ anyone; the grade must fit the form. */
static void check_form_rules(struct kt_v_rec *r, const struct pinfo *pi)
{
	if (!pi->form || !pi->category)
		return;
	bool school = pi->category == KT_CAT_CURRENT || pi->category == KT_CAT_RETAKE;
	if ((pi->form & KT_FORM_OGE) && (pi->form & KT_FORM_EGE)) {
		kt_v_fail(r, KT_P_FORM, N_("ОГЭ and ЕГЭ cannot be combined"));
		return; /* the grade rules below would only repeat it */
	}
	if ((pi->form & (KT_FORM_OGE | KT_FORM_GVE)) && !school)
		kt_v_fail(r, KT_P_FORM, N_("%s is only for current-year students and those retaking ГИА, "
			"not for «%s»"), (pi->form & KT_FORM_OGE) ? "ОГЭ" : "ГВЭ",
			kt_category_name(pi->category));
	if (pi->category != KT_CAT_CURRENT || kt_v_failed(r, KT_P_GRADE))
		return;
	if (!pi->grade)
		kt_v_fail(r, KT_P_GRADE, N_("is required for a current-year student"));
	else if ((pi->form & KT_FORM_OGE) && pi->grade != 9)
		kt_v_fail(r, KT_P_GRADE, N_("must be 9 for ОГЭ"));
	else if ((pi->form & KT_FORM_EGE) && pi->grade < 10)
		kt_v_fail(r, KT_P_GRADE, N_("must be 10, 11 or 12 for ЕГЭ"));
	else if ((pi->form & KT_FORM_GVE) && pi->grade < 9)
		kt_v_fail(r, KT_P_GRADE, N_("must be 9 to 12 for ГВЭ"));
}

/* Ages catch typed-wrong years, not policy: grade 9 (or ОГЭ) 11-30, others 14-100. */
static void check_age(struct kt_v_rec *r, const struct pinfo *pi, const struct kt_check_ctx *ctx)
{
	if (!pi->have_birth)
		return;
	struct kt_date ref = kt_v_ref(ctx);
	bool nine = (pi->form & KT_FORM_OGE) ||
		(pi->category == KT_CAT_CURRENT && pi->grade > 0 && pi->grade <= 9);
	int lo = nine ? 11 : 14, hi = nine ? 30 : 100;
	const char *msg = kt_check_birth(&pi->birth, &ref, lo, hi);
	if (msg && strcmp(msg, "is in the future") == 0)
		kt_v_fail(r, KT_P_BIRTH_DATE, "%s", _(msg));
	else if (msg)
		kt_v_fail(r, KT_P_BIRTH_DATE, N_("%s (%d-%d years on %02d.%02d.%04d%s)"), _(msg), lo, hi,
			ref.d, ref.m, ref.y, nine ? " for grade 9 / ОГЭ" : "");
}

size_t kt_participant_check(const struct kt_participant *p, const struct kt_check_ctx *ctx,
	struct kt_field_errors *e)
{
	struct kt_v_rec r = kt_v_begin(KT_REG_PARTICIPANTS, p->layout, p->v, e);
	struct pinfo pi = {0};
	if (p->layout == KT_LAYOUT_RIS) {
		kt_v_field(&r, KT_P_GUID, true, check_guid);
		int del = 0;
		const char *msg = kt_check_deleted(kt_v_get(&r, KT_P_DELETED), &del);
		if (msg)
			kt_v_fail(&r, KT_P_DELETED, "%s", _(msg));
		/* a deleted row is history: its data may predate today's rules */
		if (msg || del != 0)
			return e->n;
		check_ris_only(&r);
	} else {
		kt_v_field(&r, KT_P_SCHOOL, true, check_school);
		kt_v_identity(&r);
	}
	check_person(&r, &pi);
	check_exam(&r, &pi);
	check_form_rules(&r, &pi);
	check_age(&r, &pi, ctx);
	return e->n;
}

void kt_participant_from_row(struct kt_participant *p, const struct kt_reg_map *m,
	const struct kt_csv_row *row)
{
	p->layout = m->layout;
	kt_reg_fill(m, row, p->v, KT_P_NFIELDS);
}
