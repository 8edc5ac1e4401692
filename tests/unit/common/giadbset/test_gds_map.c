/* test_gds_map: the GIADBSet ↔ karta mapping (common/giadbset/kt_gds_map.c). For every mapped
 * table, a row with every schema column set — values karta normalizes (an upper-case GUID,
 * a timestamp's fraction, "0012", doubled spaces, a document type karta lacks, a deleted-row
 * flag ris_deleted cannot hold), an absent optional element, an empty one, an unknown column —
 * goes through kt_gds_to_karta, and kt_gds_render of the result gives every text back as it
 * came: the invariant an export relies on. Rows karta cannot hold are refused by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_gds_map.h"

/* A value for a schema column: a few named ones, else by type. */
static const char *value_of(const struct kt_gds_table *t, int i)
{
	static const struct { const char *col, *val; } named[] = {
		{"StationCode", "0012"}, {"DocumentTypeCode", "14"}, {"Gia", "3"}, {"pClass", "9А"},
		{"RowsCount", "5"}, {"ColsCount", "3"}, {"ParticipantCategoryFK", "1"}, {"Sex", "1"},
		{"BirthYear", "1980"}, {"WorkerPositionID", "2"}, {"DeleteType", "3"},
		{"IsDeleted", "true"}, {"ExamGlobalID", "2601"}, {"Surname", "  Иванова   Мария "},
		{"Region", "51"}, {"REGION", "51"}, {"sVolume", "0"}, {"PlacesCount", "45"},
		{"ExamForm", "1"}, {"Study", "1"}, {"BirthDay", "2008-05-01T00:00:00.000"},
		{"Name", ""}, {"StationWorkerCode", "700001"}, {"IsPreparation", "true"},
	};
	for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
		if (strcmp(named[k].col, t->cols[i].name) == 0)
			return named[k].val;
	switch (t->cols[i].type) {
	case KT_GDS_GUID:
		return i % 3 == 0 ? "3F2504E0-4F89-11D3-9A0C-0305E82C3301" : "3f2504e0-4f89-11d3-9a0c-0305e82c3302";
	case KT_GDS_INT: return "7";
	case KT_GDS_BOOL: return "1";
	case KT_GDS_DATETIME:
	case KT_GDS_DATETIME_FRAC_OPT: return "2025-02-03T04:05:06.789";
	case KT_GDS_DATETIME_NULL: return "NULL";
	case KT_GDS_TEXT: return "текст";
	}
	return "x";
}

/* The "server": the exam's ExamGlobalID as the import sent it. */
static const char *lookup(void *ctx, const struct kt_gds_map_col *c, const json_t *row, char *buf,
	size_t n)
{
	(void)ctx;
	json_t *v = json_object_get(row, c->arg);
	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* Every column of row filled with value_of. */
static void fill_row(const struct kt_gds_table *t, struct kt_gds_row *row)
{
	for (int i = 0; i < t->ncols; i++)
		row->val[i] = value_of(t, i);
}

/* row, with its column col set to value, is refused with msg. */
static void expect_refused(const struct kt_gds_map *m, const struct kt_gds_table *t,
	struct kt_gds_row *row, const char *col, const char *value, const char *msg)
{
	char err[256];
	row->val[kt_gds_col(t, col)] = value;
	assert_null(kt_gds_to_karta(m, t, row, err, sizeof err));
	assert_string_equal(err, msg);
}

static void test_round_trip(void **state)
{
	(void)state;
	for (int m = 0; m < kt_gds_maps_count; m++) {
		const struct kt_gds_map *map = &kt_gds_maps[m];
		const struct kt_gds_table *t = kt_gds_table(map->gds);
		assert_non_null(t);
		/* every map line names a schema column, and every schema column has a line */
		for (int i = 0; i < map->ncols; i++)
			assert_true(kt_gds_col(t, map->cols[i].gds) >= 0);
		for (int i = 0; i < t->ncols; i++)
			assert_non_null(kt_gds_map_col(map, t->cols[i].name));
		struct kt_gds_row row = {.index = 1};
		fill_row(t, &row);
		int sn = kt_gds_col(t, "SecondName"); /* an absent optional element */
		if (sn >= 0)
			row.val[sn] = NULL;
		row.nunknown = 1;
		row.unknown_name[0] = "FutureColumn";
		row.unknown_val[0] = "значение";
		char err[256] = "";
		json_t *k = kt_gds_to_karta(map, t, &row, err, sizeof err);
		if (!k)
			fail_msg("%s: %s", map->gds, err);
		for (int i = 0; i < t->ncols; i++) {
			char buf[128];
			const struct kt_gds_map_col *c = kt_gds_map_col(map, t->cols[i].name);
			const char *back = kt_gds_render(c, k, lookup, NULL, buf, sizeof buf);
			if (!row.val[i] ? back != NULL : !back || strcmp(back, row.val[i]) != 0)
				fail_msg("%s/%s: '%s' came back as '%s'", map->gds, c->gds,
					row.val[i] ? row.val[i] : "(absent)", back ? back : "(absent)");
		}
		json_t *u = json_object_get(json_object_get(k, "extra"), "_unknown");
		assert_string_equal(json_string_value(json_array_get(json_array_get(u, 0), 1)), "значение");
		json_decref(k);
	}
}

static void test_values(void **state)
{
	(void)state;
	const struct kt_gds_map *m = kt_gds_map_of("participant");
	assert_ptr_equal(m, kt_gds_map_of("rbd_Participants"));
	const struct kt_gds_table *t = kt_gds_table("rbd_Participants");
	struct kt_gds_row row = {.index = 3};
	fill_row(t, &row);
	char err[256];
	json_t *k = kt_gds_to_karta(m, t, &row, err, sizeof err);
	assert_non_null(k);
	/* karta's values */
	assert_string_equal(json_string_value(json_object_get(k, "id")), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
	assert_string_equal(json_string_value(json_object_get(k, "surname")), "Иванова Мария");
	assert_int_equal(json_integer_value(json_object_get(k, "form")), 2 | 4 /* ОГЭ (grade 9), ГВЭ */);
	assert_int_equal(json_integer_value(json_object_get(k, "sex")), 2);
	assert_int_equal(json_integer_value(json_object_get(k, "doc_type")), 9);
	assert_int_equal(json_integer_value(json_object_get(k, "ris_deleted")), 1);
	assert_true(json_is_true(json_object_get(k, "gds_deleted")));
	assert_string_equal(json_string_value(json_object_get(k, "birth_date")), "2008-05-01");
	assert_string_equal(json_string_value(json_object_get(k, "ris_updated")), "2025-02-03T04:05:06");
	assert_string_equal(json_string_value(json_object_get(k, "org_guid")), /* lower case */
		"3f2504e0-4f89-11d3-9a0c-0305e82c3301");
	/* what karta normalized is kept verbatim, what it keeps exactly is not */
	json_t *x = json_object_get(k, "extra");
	assert_string_equal(json_string_value(json_object_get(x, "UpdateDate")), "2025-02-03T04:05:06.789");
	assert_string_equal(json_string_value(json_object_get(x, "DocumentTypeCode")), "14");
	assert_string_equal(json_string_value(json_object_get(x, "DeleteType")), "3");
	assert_null(json_object_get(x, "pClass"));
	assert_null(json_object_get(x, "BirthDay"));
	json_decref(k);

	/* rows karta cannot hold are refused, naming the column */
	expect_refused(m, t, &row, "Gia", "9", "«Gia» is not a set of ГИА forms karta knows (1 to 7)");
	row.val[kt_gds_col(t, "Gia")] = "1";
	expect_refused(m, t, &row, "ParticipantCategoryFK", "8",
		"«ParticipantCategoryFK» is out of the range karta keeps");
	const struct kt_gds_table *at = kt_gds_table("rbd_Auditoriums");
	struct kt_gds_row ar = {.index = 1};
	fill_row(at, &ar);
	expect_refused(kt_gds_map_of("rbd_Auditoriums"), at, &ar, "RowsCount", "51",
		"«RowsCount» is out of the range karta keeps");

	/* an exam point without its optional address: karta stores one, an export leaves it out */
	const struct kt_gds_map *sm = kt_gds_map_of("exam_point");
	const struct kt_gds_table *st = kt_gds_table("rbd_Stations");
	struct kt_gds_row sr = {.index = 1};
	fill_row(st, &sr);
	sr.val[kt_gds_col(st, "StationAddress")] = NULL;
	k = kt_gds_to_karta(sm, st, &sr, err, sizeof err);
	assert_non_null(k);
	assert_string_equal(json_string_value(json_object_get(k, "address")), "—");
	assert_string_equal(json_string_value(json_object_get(k, "code")), "0012");
	char buf[64];
	assert_null(kt_gds_render(kt_gds_map_col(sm, "StationAddress"), k, NULL, NULL, buf, sizeof buf));
	assert_string_equal(kt_gds_render(kt_gds_map_col(sm, "StationCode"), k, NULL, NULL, buf, sizeof buf),
		"0012");
	json_decref(k);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_round_trip),
	cmocka_unit_test(test_values))
