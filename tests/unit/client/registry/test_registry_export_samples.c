/* registry_map (client/registry_map.c): round trips over docs/samples/registry-*.csv — each
 * row is "imported" here as the server stores it (store_*: the parsing of kt_validate plus the
 * stored forms of sql/0008), exported, and imported again: the stored rows must be equal, and
 * rows written in the canonical form must come back byte for byte. (One row of each registry,
 * the value helpers and kt_csv: test_registry_export.c.) */
#define _DEFAULT_SOURCE /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_csv.h"
#include "kt_registry.h"
#include "kt_validate.h"
#include "registry_map.h"

/* The round trips run in UTC. */
static int tz_utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC0", 1);
	tzset();
	return 0;
}

static json_t *iso(const char *s, bool ts)
{
	char b[64];
	if (!*s)
		return json_null();
	if (ts)
		snprintf(b, sizeof b, "%.4s-%.2s-%.2sT%.8s+00:00", s + 6, s + 3, s, s + 11);
	else
		snprintf(b, sizeof b, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
	return json_string(b);
}

static json_t *num_or_null(const char *s)
{
	long v;
	return kt_parse_int(s, 0, 1000000, &v) ? json_integer(v) : json_null();
}

static json_t *flag_of(const char *s)
{
	bool b = false;
	assert_null(kt_check_flag(s, &b));
	return json_boolean(b);
}

/* sql/0008 karta_doc_norm, for the document types of the samples. */
static json_t *doc_norm(int type, const char *s, bool series)
{
	char b[128];
	size_t n = 0;
	for (const char *p = s; *p && n < sizeof b - 1; p++)
		if (!(*p == ' ' && (type == 1 || type == 5 || (type == 2 && !series))))
			b[n++] = *p == ' ' && type == 2 ? '-' : *p;
	b[n] = '\0';
	return json_string(b);
}

static json_t *digits_only(const char *s)
{
	char b[64];
	size_t n = 0;
	for (; *s && n < sizeof b - 1; s++)
		if (*s >= '0' && *s <= '9')
			b[n++] = *s;
	b[n] = '\0';
	return json_string(b);
}

/* What the server would store for a mapped row (v by field id), and the references. */
struct stored {
	json_t *row;
	char owner[64], owner_guid[64], other[64], other_guid[64], point[64];
	bool has_other_guid;
	bool skip; /* an interop history row (deleted-row flag not 0) */
};

/* The columns of a person, participant or staff member: their field ids. */
struct person_ids {
	int last, first, middle, birth, doc_type, series, number, snils;
};

static void store_person(json_t *j, const char *const *v, const struct person_ids *f)
{
	int dt = kt_doc_type_parse(v[f->doc_type]);
	json_object_set_new(j, "surname", json_string(v[f->last]));
	json_object_set_new(j, "name", json_string(v[f->first]));
	json_object_set_new(j, "patronymic", json_string(v[f->middle]));
	json_object_set_new(j, "birth_date", iso(v[f->birth], false));
	json_object_set_new(j, "doc_type", json_integer(dt));
	json_object_set_new(j, "doc_series", doc_norm(dt, v[f->series], true));
	json_object_set_new(j, "doc_number", doc_norm(dt, v[f->number], false));
	json_object_set_new(j, "snils", digits_only(v[f->snils]));
}

static void store(enum kt_reg_kind kind, enum kt_reg_layout lay, const char *const *v,
	struct stored *s)
{
	memset(s, 0, sizeof *s);
	json_t *j = s->row = json_object();
	bool ris = lay == KT_LAYOUT_RIS;
	json_object_set_new(j, "id", json_string("00000000-0000-4000-8000-000000000000"));
	json_object_set_new(j, "deleted_at", json_null());
	if (ris) {
		json_object_set_new(j, "guid", json_string(v[0]));
		s->skip = strcmp(v[1], "0") != 0;
	}
	switch (kind) {
	case KT_REG_PARTICIPANTS: {
		store_person(j, v, &(struct person_ids){KT_P_LAST_NAME, KT_P_FIRST_NAME,
			KT_P_MIDDLE_NAME, KT_P_BIRTH_DATE, KT_P_DOC_TYPE, KT_P_DOC_SERIES,
			KT_P_DOC_NUMBER, KT_P_SNILS});
		json_object_set_new(j, "sex", json_integer(kt_parse_sex(v[KT_P_SEX], ris)));
		json_object_set_new(j, "class", json_string(v[KT_P_GRADE]));
		json_object_set_new(j, "category", json_integer(kt_category_parse(v[KT_P_CATEGORY])));
		json_object_set_new(j, "form", json_integer(ris
			? kt_form_from_ris(v[KT_P_FORM], kt_grade_parse(v[KT_P_GRADE]))
			: kt_form_parse(v[KT_P_FORM])));
		json_object_set_new(j, "ovz", flag_of(v[KT_P_OVZ]));
		json_object_set_new(j, "disabled", ris ? json_false() : flag_of(v[KT_P_DISABLED]));
		json_object_set_new(j, "citizenship", json_string(v[KT_P_CITIZENSHIP]));
		if (ris) {
			json_object_set_new(j, "region_code", num_or_null(v[KT_P_REGION]));
			json_object_set_new(j, "results", json_integer(atoi(v[KT_P_RESULTS])));
			json_object_set_new(j, "study_form", num_or_null(v[KT_P_STUDY_FORM]));
			json_object_set_new(j, "created_at", iso(v[KT_P_CREATED], true));
			json_object_set_new(j, "updated_at", iso(v[KT_P_UPDATED], true));
			snprintf(s->owner_guid, sizeof s->owner_guid, "%s", v[KT_P_SCHOOL]);
			/* выпускная ОО: stored only when another school than the main one */
			s->has_other_guid = strcmp(v[KT_P_SCHOOL_GRAD], v[KT_P_SCHOOL]) != 0;
			snprintf(s->other_guid, sizeof s->other_guid, "%s", v[KT_P_SCHOOL_GRAD]);
		} else {
			snprintf(s->owner, sizeof s->owner, "%s", v[KT_P_SCHOOL]);
		}
		break;
	}
	case KT_REG_EXAM_POINTS: {
		char code[8];
		snprintf(code, sizeof code, "%04d", atoi(v[KT_E_CODE]));
		json_object_set_new(j, "code", json_string(code));
		json_object_set_new(j, "name", json_string(v[KT_E_NAME]));
		json_object_set_new(j, "address", json_string(v[KT_E_ADDRESS]));
		json_object_set_new(j, "phones", json_string(v[KT_E_PHONES]));
		json_object_set_new(j, "emails", json_string(v[KT_E_EMAILS]));
		json_object_set_new(j, "remote", flag_of(v[KT_E_TOM]));
		json_object_set_new(j, "video", flag_of(v[KT_E_VIDEO]));
		if (ris) {
			json_object_set_new(j, "forms", json_integer(atoi(v[KT_E_FORM]))); /* as is */
			json_object_set_new(j, "extra_flags", json_integer(atoi(v[KT_E_FLAGS])));
			json_object_set_new(j, "pcenter_guid", *v[KT_E_PCENTER]
				? json_string(v[KT_E_PCENTER]) : json_null());
			json_object_set_new(j, "area_guid", *v[KT_E_AREA]
				? json_string(v[KT_E_AREA]) : json_null());
			json_object_set_new(j, "created_at", iso(v[KT_E_CREATED], true));
			json_object_set_new(j, "updated_at", iso(v[KT_E_UPDATED], true));
			snprintf(s->owner_guid, sizeof s->owner_guid, "%s", v[KT_E_MUNICIPALITY]);
			snprintf(s->other_guid, sizeof s->other_guid, "%s", v[KT_E_SCHOOL]);
			s->has_other_guid = true;
		} else {
			json_object_set_new(j, "forms", json_integer(kt_form_parse(v[KT_E_FORM])));
			json_object_set_new(j, "capacity", json_integer(atoi(v[KT_E_CAPACITY])));
			json_object_set_new(j, "at_home", flag_of(v[KT_E_HOME]));
			json_object_set_new(j, "kim_print", flag_of(v[KT_E_KIM_PRINT]));
			json_object_set_new(j, "reserve", flag_of(v[KT_E_RESERVE]));
			snprintf(s->owner, sizeof s->owner, "%s", v[KT_E_MUNICIPALITY]);
			snprintf(s->other, sizeof s->other, "%s", v[KT_E_SCHOOL]);
		}
		break;
	}
	case KT_REG_AUDITORIUMS: {
		int rows = atoi(v[KT_A_ROWS]), per = atoi(v[KT_A_SEATS]), un = atoi(v[KT_A_UNUSABLE]);
		json_object_set_new(j, "code", json_string(v[KT_A_CODE]));
		json_object_set_new(j, "name", json_string(v[KT_A_NAME]));
		json_object_set_new(j, "rows", json_integer(rows));
		json_object_set_new(j, "seats_per_row", json_integer(per));
		json_t *seats = json_array(); /* karta_registry_put: the last n seats */
		for (int i = rows * per - un + 1; i <= rows * per; i++)
			json_array_append_new(seats, json_integer(i));
		json_object_set_new(j, "unusable_seats", seats);
		json_object_set_new(j, "ovz_adapted", flag_of(v[KT_A_OVZ]));
		json_object_set_new(j, "video", flag_of(v[KT_A_VIDEO]));
		json_object_set_new(j, "lab", flag_of(v[KT_A_LAB]));
		snprintf(s->point, sizeof s->point, "%s", v[KT_A_PPE]);
		break;
	}
	case KT_REG_STAFF: {
		static const char *const words[] = {"", "head", "organizer_in", "organizer_out",
			"technician", "assistant", "medic", "gek"};
		store_person(j, v, &(struct person_ids){KT_S_LAST_NAME, KT_S_FIRST_NAME,
			KT_S_MIDDLE_NAME, KT_S_BIRTH_DATE, KT_S_DOC_TYPE, KT_S_DOC_SERIES,
			KT_S_DOC_NUMBER, KT_S_SNILS});
		json_object_set_new(j, "code", json_string(v[KT_S_CODE]));
		int sx = kt_parse_sex(v[KT_S_SEX], false);
		json_object_set_new(j, "sex", sx ? json_integer(sx) : json_null());
		json_object_set_new(j, "subject", json_string(v[KT_S_SUBJECT]));
		json_t *roles = json_array();
		json_array_append_new(roles, json_string(words[kt_role_parse(v[KT_S_ROLE])]));
		json_object_set_new(j, "roles", roles);
		snprintf(s->other, sizeof s->other, "%s", v[KT_S_SCHOOL]);
		snprintf(s->point, sizeof s->point, "%s", v[KT_S_PPE]);
		break;
	}
	}
}

static void refs_of(const struct stored *s, struct regmap_refs *r)
{
	*r = (struct regmap_refs){s->owner, s->owner_guid, s->other,
		s->has_other_guid ? s->other_guid : NULL, s->point};
}

/* Reads a sample file, round-trips every row; returns how many came back byte for byte. */
static size_t round_trip(const char *file, enum kt_reg_kind kind, size_t *rows)
{
	char path[1024];
	const char *src = getenv("KT_SRC");
	snprintf(path, sizeof path, "%s/docs/samples/%s", src ? src : "../..", file);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (KT_SRC)", path);
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row row;
	struct kt_csv_err err;
	struct kt_reg_map map;
	assert_int_equal(kt_csv_next(rd, &row, &err), KT_CSV_ROW);
	assert_int_equal(kt_reg_map_header(kind, &row, &map, &err), 0);
	size_t same = 0;
	*rows = 0;
	struct kt_check_ctx ctx = {.ref = {2025, 6, 1}};
	while (kt_csv_next(rd, &row, &err) == KT_CSV_ROW) {
		const char *v[KT_REG_MAX_FIELDS] = {0};
		kt_reg_fill(&map, &row, v, KT_REG_MAX_FIELDS);
		for (size_t i = 0; i < KT_REG_MAX_FIELDS; i++)
			v[i] = v[i] ? v[i] : "";
		struct stored s1, s2;
		store(kind, map.layout, v, &s1);
		if (s1.skip) {
			json_decref(s1.row);
			continue;
		}
		(*rows)++;
		struct regmap_refs refs;
		refs_of(&s1, &refs);
		struct regmap_rec rec = {0};
		assert_int_equal(regmap_record(kind, map.layout, s1.row, &refs, &rec), 0);

		/* the export passes the same checks the import applies */
		struct kt_field_errors fe;
		size_t nerr = 0;
		switch (kind) {
		case KT_REG_PARTICIPANTS: {
			struct kt_participant p = {map.layout, {0}};
			memcpy(p.v, rec.v, sizeof p.v);
			nerr = kt_participant_check(&p, &ctx, &fe);
			break;
		}
		case KT_REG_EXAM_POINTS: {
			struct kt_exam_point p = {map.layout, {0}};
			memcpy(p.v, rec.v, sizeof p.v);
			nerr = kt_exam_point_check(&p, &fe);
			break;
		}
		case KT_REG_AUDITORIUMS: {
			struct kt_auditorium p = {map.layout, {0}};
			memcpy(p.v, rec.v, sizeof p.v);
			nerr = kt_auditorium_check(&p, &fe);
			break;
		}
		case KT_REG_STAFF: {
			struct kt_staff p = {map.layout, {0}};
			memcpy(p.v, rec.v, sizeof p.v);
			nerr = kt_staff_check(&p, &ctx, &fe);
			break;
		}
		}
		if (nerr)
			fail_msg("%s line %d: the exported row is refused: %s", file, row.line, fe.e[0].msg);

		/* import again: the same stored row */
		store(kind, map.layout, (const char *const *)rec.v, &s2);
		char *a = json_dumps(s1.row, JSON_SORT_KEYS), *b = json_dumps(s2.row, JSON_SORT_KEYS);
		if (strcmp(a, b) != 0)
			fail_msg("%s line %d: stored differently after export:\n%s\n%s", file, row.line, a, b);
		free(a);
		free(b);

		/* byte for byte, column by column, in the file's order */
		bool eq = true;
		for (size_t c = 0; c < map.ncols; c++)
			if (strcmp(row.f[c].s, rec.v[map.col_field[c]]) != 0)
				eq = false;
		same += eq;
		regmap_rec_release(&rec);
		json_decref(s1.row);
		json_decref(s2.row);
	}
	kt_csv_reader_free(rd);
	fclose(f);
	return same;
}

static void test_samples(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		enum kt_reg_kind kind;
		size_t same, rows;
	} samples[] = {
		/* 8 rows, 2 in non-canonical spellings (document names, «м», «нет», «45 06», ВПЛ) */
		{"registry-participants.csv", KT_REG_PARTICIPANTS, 6, 8},
		/* 3 rows, 1 history row (flag 10) skipped */
		{"registry-participants-ris.csv", KT_REG_PARTICIPANTS, 2, 2},
		{"registry-exam-points.csv", KT_REG_EXAM_POINTS, 3, 3},
		{"registry-exam-points-ris.csv", KT_REG_EXAM_POINTS, 2, 2},
		{"registry-auditoriums.csv", KT_REG_AUDITORIUMS, 6, 6},
		{"registry-staff.csv", KT_REG_STAFF, 5, 5},
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		size_t rows, same = round_trip(samples[i].file, samples[i].kind, &rows);
		if (same != samples[i].same || rows != samples[i].rows)
			fail_msg("%s: %zu of %zu rows the same, want %zu of %zu", samples[i].file, same,
				rows, samples[i].same, samples[i].rows);
	}
}


KT_UNIT_MAIN(tz_utc, NULL, cmocka_unit_test(test_samples))
