/* kt_check_staff: the record check of the staff registry, and the dispatcher that checks
 * a mapped CSV row of any registry. */
#include <string.h>

#include "kt_validate_int.h"
#include "kt_i18n.h"

static const char *check_name(const char *s) { return kt_check_name(s); }
static const char *check_snils(const char *s) { return kt_check_snils(s); }
static const char *check_code(const char *s) { return kt_check_digits(s, 6); }
static const char *check_school(const char *s) { return kt_check_org_code(s); }
static const char *check_ppe(const char *s) { return kt_check_ppe_code(s, false); }
static const char *check_subject(const char *s) { return kt_v_text(s, 100); }

static void staff_birth(struct kt_v_rec *r, const struct kt_check_ctx *ctx)
{
	const char *b = kt_v_get(r, KT_S_BIRTH_DATE), *msg;
	struct kt_date d;
	if (kt_v_blank(b))
		return;
	if ((msg = kt_check_date(b, &d))) {
		kt_v_fail(r, KT_S_BIRTH_DATE, "%s", _(msg));
		return;
	}
	struct kt_date ref = kt_v_ref(ctx);
	/* ППЭ staff are adults; 16 leaves room for a college student as a technician */
	if ((msg = kt_check_birth(&d, &ref, 16, 100)))
		kt_v_fail(r, KT_S_BIRTH_DATE, N_("%s (16-100 years)"), _(msg));
}

size_t kt_staff_check(const struct kt_staff *s, const struct kt_check_ctx *ctx,
	struct kt_field_errors *e)
{
	struct kt_v_rec r = kt_v_begin(KT_REG_STAFF, s->layout, s->v, e);
	kt_v_identity(&r);
	kt_v_field(&r, KT_S_CODE, true, check_code);
	kt_v_field(&r, KT_S_LAST_NAME, true, check_name);
	kt_v_field(&r, KT_S_FIRST_NAME, true, check_name);
	kt_v_field(&r, KT_S_MIDDLE_NAME, false, check_name);
	kt_v_doc(&r, KT_S_DOC_TYPE, KT_S_DOC_SERIES, KT_S_DOC_NUMBER);
	const char *sex = kt_v_get(&r, KT_S_SEX);
	if (!kt_v_blank(sex) && !kt_parse_sex(sex, false))
		kt_v_fail(&r, KT_S_SEX, N_("must be М or Ж"));
	staff_birth(&r, ctx);
	kt_v_field(&r, KT_S_SNILS, false, check_snils);
	kt_v_field(&r, KT_S_SCHOOL, false, check_school);
	const char *role = kt_v_get(&r, KT_S_ROLE);
	if (kt_v_blank(role))
		kt_v_fail(&r, KT_S_ROLE, N_("is required"));
	else if (!kt_role_parse(role))
		kt_v_fail(&r, KT_S_ROLE, N_("is not a known role in the ППЭ (codes 1-7 or the names in "
			"docs/registries.md)"));
	kt_v_field(&r, KT_S_SUBJECT, false, check_subject);
	kt_v_field(&r, KT_S_PPE, false, check_ppe);
	return e->n;
}

void kt_staff_from_row(struct kt_staff *s, const struct kt_reg_map *m,
	const struct kt_csv_row *row)
{
	s->layout = m->layout;
	kt_reg_fill(m, row, s->v, KT_S_NFIELDS);
}

size_t kt_reg_check_row(const struct kt_reg_map *m, const struct kt_csv_row *row,
	const struct kt_check_ctx *ctx, struct kt_field_errors *e)
{
	switch (m->kind) {
	case KT_REG_PARTICIPANTS: {
		struct kt_participant p;
		kt_participant_from_row(&p, m, row);
		return kt_participant_check(&p, ctx, e);
	}
	case KT_REG_EXAM_POINTS: {
		struct kt_exam_point p;
		kt_exam_point_from_row(&p, m, row);
		return kt_exam_point_check(&p, e);
	}
	case KT_REG_AUDITORIUMS: {
		struct kt_auditorium a;
		kt_auditorium_from_row(&a, m, row);
		return kt_auditorium_check(&a, e);
	}
	case KT_REG_STAFF: {
		struct kt_staff s;
		kt_staff_from_row(&s, m, row);
		return kt_staff_check(&s, ctx, e);
	}
	}
	memset(e, 0, sizeof *e);
	return 0;
}
