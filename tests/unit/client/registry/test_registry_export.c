/* registry_map (client/registry_map.c): replica rows (JSON, keys = the columns of sql/0008)
 * back to CSV records of karta's and the interop layout.
 *
 *  - the value helpers: dates, timestamps to local time, СНИЛС, form bit sets and interop
 *    flags, roles, interop ППЭ codes, numbers and booleans given as strings;
 *  - one stored row of each registry and layout, field by field;
 *  - (round trips over docs/samples/registry-*.csv: test_registry_export_samples.c);
 *  - exported records pass the registry checks and survive kt_csv (UTF-8 and Windows-1251). */
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

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* The tests run in UTC; those that write local times in Moscow time, back to UTC after. */
static int tz_utc(void **state)
{
	(void)state;
	set_tz("UTC0");
	return 0;
}

static int tz_msk(void **state)
{
	(void)state;
	set_tz("MSK-3");
	return 0;
}

/* ---- value helpers ----------------------------------------------------------------------- */

/* A text conversion of registry_map.h: its input, and what it writes. */
struct conv {
	void (*fn)(const char *in, char *out, size_t n);
	const char *in, *want;
};

static void expect_conv(const struct conv *c, size_t n)
{
	char b[128];
	for (size_t i = 0; i < n; i++) {
		c[i].fn(c[i].in, b, sizeof b);
		assert_string_equal(b, c[i].want);
	}
}

static void test_values(void **state)
{
	(void)state;
	char b[128];
	static const struct conv dates[] = {
		{regmap_date, "2009-11-25", "25.11.2009"},
		{regmap_date, "2025-01-15T16:20:05+00:00", "15.01.2025"},
		{regmap_date, "25.11.2009", ""},
		{regmap_date, NULL, ""},
	}, datetimes_msk[] = {
		{regmap_datetime, "2025-01-15T16:20:05.123456+00:00", "15.01.2025 19:20:05"},
		{regmap_datetime, "2025-01-15T16:20:05Z", "15.01.2025 19:20:05"},
		{regmap_datetime, "2025-01-15 23:30:00+05:00", "15.01.2025 21:30:00"},
		{regmap_datetime, "2024-12-31T22:00:00-01:30", "01.01.2025 02:30:00"},
		{regmap_datetime, "2025-01-15", ""},
		{regmap_datetime, "2025-01-15T16:20:05 junk", ""},
	}, snils[] = {
		{regmap_snils, "00201234549", "002-012-345 49"},
		{regmap_snils, "", ""},
		{regmap_snils, "123", "123"},
	};
	expect_conv(dates, sizeof dates / sizeof dates[0]);
	set_tz("MSK-3");
	expect_conv(datetimes_msk, sizeof datetimes_msk / sizeof datetimes_msk[0]);
	set_tz("UTC0");
	expect_conv(snils, sizeof snils / sizeof snils[0]);

	regmap_forms(KT_FORM_EGE, b, sizeof b);
	assert_string_equal(b, "ЕГЭ");
	regmap_forms(KT_FORM_EGE | KT_FORM_GVE, b, sizeof b);
	assert_string_equal(b, "ЕГЭ, ГВЭ");
	assert_int_equal(kt_form_parse(b), KT_FORM_EGE | KT_FORM_GVE);
	regmap_forms(KT_FORM_OGE | KT_FORM_GVE | KT_FORM_OTHER, b, sizeof b);
	assert_string_equal(b, "ОГЭ, ГВЭ");
	assert_int_equal(regmap_forms_ris(KT_FORM_EGE), 1);
	assert_int_equal(regmap_forms_ris(KT_FORM_OGE), 1);
	assert_int_equal(regmap_forms_ris(KT_FORM_EGE | KT_FORM_GVE), 3);
	assert_int_equal(regmap_forms_ris(KT_FORM_GVE | KT_FORM_OTHER), 6);
	for (int f = 1; f <= 7; f++) { /* flags → bits → flags, in grade 9 and 11 */
		char fl[4];
		snprintf(fl, sizeof fl, "%d", f);
		assert_int_equal(regmap_forms_ris(kt_form_from_ris(fl, 9)), f);
		assert_int_equal(regmap_forms_ris(kt_form_from_ris(fl, 11)), f);
	}

	/* roles: a word, a RIS code as text or number, a Russian name; unknown ones are 0 */
	json_t *roles = json_loads("[\"organizer_in\", \"gek\", \"5\", 4, \"Член ГЭК\", \"boss\", 8]",
		0, NULL);
	static const int role_want[] = {2, 7, 5, 4, 7, 0, 0};
	assert_int_equal(json_array_size(roles), 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(regmap_role(json_array_get(roles, i)), role_want[i]);
	json_decref(roles);

	static const struct conv ris[] = {
		{regmap_citizenship_ris, "643", "643"},
		{regmap_citizenship_ris, "Россия", "643"},
		{regmap_citizenship_ris, " российская  федерация ", "643"},
		{regmap_citizenship_ris, "Казахстан", ""},
		{regmap_citizenship_ris, "6430", ""},
		{regmap_ppe_ris, "0101", "101"},
		{regmap_ppe_ris, "1234", "1234"},
		{regmap_ppe_ris, "0000", "0"},
		{regmap_ppe_ris, "", ""},
	};
	expect_conv(ris, sizeof ris / sizeof ris[0]);

	long long n = 0;
	json_t *j = json_loads("[12, \"13\", \"-4\", 2.0, 2.5, \"\", \"1a\", null, true]", 0, NULL);
	assert_true(regmap_int(json_array_get(j, 0), &n) && n == 12);
	assert_true(regmap_int(json_array_get(j, 1), &n) && n == 13);
	assert_true(regmap_int(json_array_get(j, 2), &n) && n == -4);
	assert_true(regmap_int(json_array_get(j, 3), &n) && n == 2);
	for (size_t i = 4; i < 9; i++)
		assert_false(regmap_int(json_array_get(j, i), &n));
	json_decref(j);
	j = json_loads("[true, 1, \"1\", \"t\", \"TRUE\", \"yes\", false, 0, \"0\", \"f\", \"\", null]",
		0, NULL);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(regmap_bool(json_array_get(j, i)), i < 6);
	json_decref(j);
	/* text of a value: null and none are "", others as JSON; the last index is none */
	j = json_loads("[null, [1, 2], 1.5, false]", 0, NULL);
	static const char *const text_want[] = {"", "[1,2]", "1.5", "0", ""};
	for (size_t i = 0; i < 5; i++) {
		char *t = regmap_text(i < 4 ? json_array_get(j, i) : NULL);
		assert_string_equal(t, text_want[i]);
		free(t);
	}
	json_decref(j);
}

/* ---- one row each ------------------------------------------------------------------------ */

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

/* Exports row and compares the record, in column order, with want ("a;b;c": no quoting). */
static void expect_row(enum kt_reg_kind kind, enum kt_reg_layout lay, const json_t *row,
	const struct regmap_refs *refs, const char *want)
{
	struct regmap_rec rec = {0};
	assert_int_equal(regmap_record(kind, lay, row, refs, &rec), 0);
	const char *f[KT_REG_MAX_COLS];
	size_t n = regmap_fields(kind, lay, &rec, f, KT_REG_MAX_COLS);
	if (lay == KT_LAYOUT_KARTA)
		n -= 2; /* «Идентификатор», «Причина удаления»: test_identity */
	char got[4096] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? ";" : "", f[i]);
	if (strcmp(got, want) != 0)
		fail_msg("\n got: %s\nwant: %s", got, want);
	regmap_rec_release(&rec);
}

/* A row in both layouts, with the same references. */
static void expect_both(enum kt_reg_kind kind, const json_t *row, const struct regmap_refs *refs,
	const char *want_karta, const char *want_ris)
{
	expect_row(kind, KT_LAYOUT_KARTA, row, refs, want_karta);
	expect_row(kind, KT_LAYOUT_RIS, row, refs, want_ris);
}

static const char participant_row[] =
	"{\"id\": \"5b0e2c1a-0000-4000-8000-000000000001\", \"org_id\": 17, \"guid\": null,"
	" \"surname\": \"Кузнецов\", \"name\": \"Михаил\", \"patronymic\": \"Олегович\", \"sex\": 1,"
	" \"birth_date\": \"2009-11-25\", \"doc_type\": 1, \"doc_series\": \"4410\","
	" \"doc_number\": \"015167\", \"snils\": \"00201234549\", \"class\": \"9Б\","
	" \"grad_org_id\": null, \"category\": 1, \"form\": 2, \"ovz\": false, \"disabled\": true,"
	" \"conditions\": [], \"admitted\": false, \"blocked\": false, \"block_reason\": \"\","
	" \"citizenship\": \"643\", \"region_code\": 50, \"results\": 0, \"study_form\": 1,"
	" \"row_version\": 3, \"created_at\": \"2024-10-01T07:15:00+00:00\","
	" \"updated_at\": \"2024-12-12T06:00:41.5+00:00\", \"updated_by\": 4, \"deleted_at\": null}";

/* An exam point of karta with its interop fields. */
static const char exam_point_row[] =
	"{\"id\": \"9a000000-0000-4000-8000-000000000001\", \"org_id\": 3,"
	" \"region_id\": 1, \"guid\": \"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b\", \"code\": \"0101\","
	" \"name\": \"ППЭ на базе МБОУ «Средняя школа № 1»\", \"address\": \"г. Приозёрск; ул. Садовая\","
	" \"host_org_id\": 40, \"capacity\": 19, \"forms\": 5, \"at_home\": false,"
	" \"remote\": true, \"video\": true, \"kim_print\": true, \"reserve\": false,"
	" \"phones\": \"+7 (861) 904-01-07\", \"emails\": \"ppe0101@edu.example.ru\","
	" \"extra_flags\": 2, \"pcenter_guid\": null, \"area_guid\":"
	" \"c0ffee00-1234-4abc-9def-00000000000c\", \"created_at\": \"2024-09-01T08:00:00+00:00\","
	" \"updated_at\": \"2025-01-15T16:20:05+00:00\", \"deleted_at\": null}";

/* A participant read from an interop file (ris_*), deleted. */
static const char ris_kept_row[] =
	"{\"id\": \"9a000000-0000-4000-8000-000000000002\", \"org_id\": 40,"
	" \"guid\": \"a1b2c3d4-0000-4000-8000-00000000000a\","
	" \"ris_guid\": \"{A1B2C3D4-0000-4000-8000-00000000000A}\", \"ris_deleted\": 4,"
	" \"surname\": \"Историева\", \"name\": \"Вера\", \"patronymic\": \"\", \"sex\": 2,"
	" \"birth_date\": \"2009-11-11\", \"doc_type\": 1, \"doc_series\": \"4515\","
	" \"doc_number\": \"613583\", \"snils\": \"\", \"class\": \"9А\", \"category\": 1,"
	" \"form\": 2, \"ovz\": false, \"citizenship\": \"643\", \"region_code\": null,"
	" \"results\": null, \"study_form\": null, \"ris_created\": \"2024-09-01T08:00:00\","
	" \"ris_updated\": null, \"ris_school_guid\": \"{0A1B2C3D-1111-4111-8111-0000000000C1}\","
	" \"ris_grad_guid\": \"\", \"created_at\": \"2025-01-15T16:20:05+00:00\","
	" \"updated_at\": \"2025-01-15T16:20:05+00:00\", \"deleted_at\": \"2025-01-15T16:20:05+00:00\"}";

/* karta's layout ends with the row's identity (its GUID, else its id) and, for a deleted
 * row, its deletion reason ("удалено" when none was given). */
static void expect_identity(enum kt_reg_kind kind, const char *row_json, const char *want_id,
	const char *want_reason)
{
	json_t *row = load(row_json);
	struct regmap_rec rec = {0};
	assert_int_equal(regmap_record(kind, KT_LAYOUT_KARTA, row, NULL, &rec), 0);
	const char *f[KT_REG_MAX_COLS];
	size_t n = regmap_fields(kind, KT_LAYOUT_KARTA, &rec, f, KT_REG_MAX_COLS);
	size_t nc;
	const struct kt_reg_col *c = kt_reg_columns(kind, KT_LAYOUT_KARTA, &nc);
	assert_int_equal(n, nc);
	assert_string_equal(c[n - 2].name, "Идентификатор");
	assert_string_equal(c[n - 1].name, "Причина удаления");
	assert_string_equal(f[n - 2], want_id);
	assert_string_equal(f[n - 1], want_reason);
	regmap_rec_release(&rec);
	json_decref(row);
}

static void test_identity(void **state)
{
	(void)state;
	expect_identity(KT_REG_PARTICIPANTS, "{\"id\": \"5b0e2c1a-0000-4000-8000-000000000001\"}",
		"5b0e2c1a-0000-4000-8000-000000000001", "");
	expect_identity(KT_REG_PARTICIPANTS, "{\"id\": \"5b0e2c1a-0000-4000-8000-000000000001\","
		" \"guid\": \"6f9619ff-8b86-d011-b42d-00cf4fc964ff\", \"deleted_at\": null}",
		"6f9619ff-8b86-d011-b42d-00cf4fc964ff", "");
	expect_identity(KT_REG_EXAM_POINTS, "{\"id\": \"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b\","
		" \"deleted_at\": \"2025-01-01T00:00:00+00:00\", \"deleted_reason\": \"закрыт\"}",
		"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b", "закрыт");
	expect_identity(KT_REG_AUDITORIUMS, "{\"id\": \"ad000000-0000-4000-8000-000000000001\","
		" \"deleted_at\": \"2025-01-01T00:00:00+00:00\"}", "ad000000-0000-4000-8000-000000000001",
		"удалено");
	expect_identity(KT_REG_STAFF, "{\"id\": \"5f000000-0000-4000-8000-000000000001\"}",
		"5f000000-0000-4000-8000-000000000001", "");
}

static void test_participant(void **state)
{
	(void)state;
	json_t *row = load(participant_row);
	struct regmap_refs refs = {.owner = "020001",
		.owner_guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"};
	/* RIS: no guid: the karta id stands in; grad school none: the main one; sex 1 → 0 */
	expect_both(KT_REG_PARTICIPANTS, row, &refs,
		"Кузнецов;Михаил;Олегович;1;4410;015167;М;25.11.2009;9Б;002-012-345 49;020001;1;ОГЭ;0;1;"
		"643",
		"5b0e2c1a-0000-4000-8000-000000000001;0;Кузнецов;Михаил;Олегович;4410;015167;1;0;9Б;"
		"25.11.2009;0;1;50;6f9619ff-8b86-d011-b42d-00cf4fc964ff;"
		"6f9619ff-8b86-d011-b42d-00cf4fc964ff;01.10.2024 10:15:00;12.12.2024 09:00:41;1;0;1;"
		"643;00201234549");

	/* a guid of its own, a graduation school of unknown GUID, deleted, female, ЕГЭ + ГВЭ */
	json_object_set_new(row, "guid", json_string("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
	json_object_set_new(row, "deleted_at", json_string("2025-01-01T00:00:00+00:00"));
	json_object_set_new(row, "sex", json_integer(2));
	json_object_set_new(row, "form", json_integer(KT_FORM_EGE | KT_FORM_GVE));
	json_object_set_new(row, "class", json_string("11В"));
	json_object_set_new(row, "ovz", json_true());
	json_object_set_new(row, "region_code", json_null());
	json_object_set_new(row, "study_form", json_null());
	json_object_set_new(row, "snils", json_string(""));
	refs.other_guid = "";
	expect_row(KT_REG_PARTICIPANTS, KT_LAYOUT_RIS, row, &refs,
		"3f2504e0-4f89-11d3-9a0c-0305e82c3301;2;Кузнецов;Михаил;Олегович;4410;015167;1;1;11В;"
		"25.11.2009;1;1;;6f9619ff-8b86-d011-b42d-00cf4fc964ff;;01.10.2024 10:15:00;"
		"12.12.2024 09:00:41;3;0;;643;");
	expect_row(KT_REG_PARTICIPANTS, KT_LAYOUT_KARTA, row, NULL,
		"Кузнецов;Михаил;Олегович;1;4410;015167;Ж;25.11.2009;11В;;;1;ЕГЭ, ГВЭ;1;1;643");
	json_decref(row);

	/* a local payload of the importer: numbers and flags as strings */
	row = load("{\"id\": \"5b0e2c1a-0000-4000-8000-000000000002\", \"org\": \"010001\","
		" \"surname\": \"Егорова\", \"name\": \"Наталья\", \"sex\": \"2\", \"birth_date\":"
		" \"2007-11-20\", \"doc_type\": \"1\", \"doc_series\": \"2519\", \"doc_number\":"
		" \"417594\", \"class\": \"11В\", \"category\": \"1\", \"form\": \"1\", \"ovz\": \"1\"}");
	refs = (struct regmap_refs){.owner = "010001"};
	expect_row(KT_REG_PARTICIPANTS, KT_LAYOUT_KARTA, row, &refs,
		"Егорова;Наталья;;1;2519;417594;Ж;20.11.2007;11В;;010001;1;ЕГЭ;1;0;");
	json_decref(row);
}

static void test_exam_point(void **state)
{
	(void)state;
	json_t *row = load(exam_point_row);
	struct regmap_refs refs = {.owner = "03", .owner_guid = "c0ffee00-1234-4abc-9def-00000000000a",
		.other = "030001", .other_guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"};
	expect_both(KT_REG_EXAM_POINTS, row, &refs,
		"0101;ППЭ на базе МБОУ «Средняя школа № 1»;г. Приозёрск; ул. Садовая;03;030001;19;"
		"ЕГЭ, ГВЭ;0;1;1;1;0;+7 (861) 904-01-07;ppe0101@edu.example.ru",
		"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b;0;101;ППЭ на базе МБОУ «Средняя школа № 1»;"
		"г. Приозёрск; ул. Садовая;6f9619ff-8b86-d011-b42d-00cf4fc964ff;;+7 (861) 904-01-07;"
		"ppe0101@edu.example.ru;1;c0ffee00-1234-4abc-9def-00000000000a;"
		"c0ffee00-1234-4abc-9def-00000000000c;01.09.2024 08:00:00;15.01.2025 16:20:05;1;5;2");
	json_object_set_new(row, "deleted_at", json_string("2025-02-01T00:00:00Z"));
	struct regmap_rec rec = {0};
	assert_int_equal(regmap_record(KT_REG_EXAM_POINTS, KT_LAYOUT_RIS, row, NULL, &rec), 0);
	assert_string_equal(rec.v[KT_E_DELETED], "1");
	assert_string_equal(rec.v[KT_E_MUNICIPALITY], "");
	assert_string_equal(rec.v[KT_E_CAPACITY], ""); /* not in the layout: empty, never NULL */
	regmap_rec_release(&rec);
	json_decref(row);
}

/* What an interop file said that karta keeps only to hand it back (ris_*): written as given,
 * over the organizations' GUIDs of --org-guids and karta's own timestamps and flags. */
static void test_ris_kept(void **state)
{
	(void)state;
	json_t *row = load(ris_kept_row);
	struct regmap_refs refs = {.owner_guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"};
	expect_row(KT_REG_PARTICIPANTS, KT_LAYOUT_RIS, row, &refs,
		"{A1B2C3D4-0000-4000-8000-00000000000A};4;Историева;Вера;;4515;613583;1;1;9А;11.11.2009;0;"
		"1;;{0A1B2C3D-1111-4111-8111-0000000000C1};6f9619ff-8b86-d011-b42d-00cf4fc964ff;"
		"01.09.2024 08:00:00;;1;;;643;");
	/* a row karta made (no ris_guid): its own GUID, times in local time, flag 2 when deleted */
	json_object_del(row, "ris_guid");
	json_object_set_new(row, "ris_deleted", json_integer(0));
	json_object_set_new(row, "ris_school_guid", json_string(""));
	expect_row(KT_REG_PARTICIPANTS, KT_LAYOUT_RIS, row, &refs,
		"a1b2c3d4-0000-4000-8000-00000000000a;2;Историева;Вера;;4515;613583;1;1;9А;11.11.2009;0;"
		"1;;6f9619ff-8b86-d011-b42d-00cf4fc964ff;6f9619ff-8b86-d011-b42d-00cf4fc964ff;"
		"15.01.2025 19:20:05;15.01.2025 19:20:05;1;;;643;");
	json_decref(row);

	row = load("{\"id\": \"9a000000-0000-4000-8000-000000000003\", \"org_id\": 3,"
		" \"guid\": \"b1b2c3d4-0000-4000-8000-0000000000e1\","
		" \"ris_guid\": \"{B1B2C3D4-0000-4000-8000-0000000000E1}\", \"ris_deleted\": 0,"
		" \"code\": \"0201\", \"name\": \"ППЭ \\\"Лицей № 2\\\"\", \"address\": \"ул. Школьная; 2\","
		" \"capacity\": null, \"forms\": 1, \"remote\": true, \"video\": false, \"phones\": \"\","
		" \"emails\": \"\", \"extra_flags\": null, \"pcenter_guid\": \"{0A1B2C3D-2222-4222-8222-0000000000D1}\","
		" \"area_guid\": \"\", \"ris_created\": \"2025-09-01T08:00:00\","
		" \"ris_updated\": \"2025-09-15T12:30:05\", \"ris_school_guid\": \"\","
		" \"ris_msu_guid\": \"{0A1B2C3D-3333-4333-8333-0000000000A1}\","
		" \"created_at\": \"2025-01-15T16:20:05+00:00\", \"updated_at\": \"2025-01-15T16:20:05+00:00\","
		" \"deleted_at\": null}");
	refs = (struct regmap_refs){.owner_guid = "c0ffee00-1234-4abc-9def-00000000000a",
		.other_guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"};
	expect_row(KT_REG_EXAM_POINTS, KT_LAYOUT_RIS, row, &refs,
		"{B1B2C3D4-0000-4000-8000-0000000000E1};0;201;ППЭ \"Лицей № 2\";ул. Школьная; 2;"
		"6f9619ff-8b86-d011-b42d-00cf4fc964ff;{0A1B2C3D-2222-4222-8222-0000000000D1};;;1;"
		"{0A1B2C3D-3333-4333-8333-0000000000A1};;01.09.2025 08:00:00;15.09.2025 12:30:05;0;1;");
	json_object_set_new(row, "ris_deleted", json_integer(5));
	json_object_set_new(row, "deleted_at", json_string("2025-02-01T00:00:00Z"));
	struct regmap_rec rec = {0};
	assert_int_equal(regmap_record(KT_REG_EXAM_POINTS, KT_LAYOUT_RIS, row, NULL, &rec), 0);
	assert_string_equal(rec.v[KT_E_DELETED], "5");
	regmap_rec_release(&rec);
	json_decref(row);
}

static void test_auditorium_staff(void **state)
{
	(void)state;
	json_t *row = load("{\"id\": \"ad000000-0000-4000-8000-000000000001\", \"org_id\": 3,"
		" \"point_id\": \"9a000000-0000-4000-8000-000000000001\", \"code\": \"101А\", \"name\":"
		" \"Кабинет 101\", \"rows\": 5, \"seats_per_row\": 4, \"unusable_seats\": [19, 20],"
		" \"ovz_adapted\": true, \"video\": true, \"lab\": false, \"deleted_at\": null}");
	struct regmap_refs refs = {.point = "0101"};
	expect_row(KT_REG_AUDITORIUMS, KT_LAYOUT_KARTA, row, &refs,
		"0101;101А;Кабинет 101;5;4;2;1;1;0");
	json_object_del(row, "unusable_seats");
	json_object_set_new(row, "unusable", json_string("3")); /* the importer's local payload */
	expect_row(KT_REG_AUDITORIUMS, KT_LAYOUT_KARTA, row, &refs,
		"0101;101А;Кабинет 101;5;4;3;1;1;0");
	json_object_del(row, "unusable");
	expect_row(KT_REG_AUDITORIUMS, KT_LAYOUT_KARTA, row, &refs,
		"0101;101А;Кабинет 101;5;4;0;1;1;0");
	struct regmap_rec rec = {0};
	assert_int_equal(regmap_record(KT_REG_AUDITORIUMS, KT_LAYOUT_RIS, row, &refs, &rec), -1);
	assert_int_equal(regmap_record(KT_REG_STAFF, KT_LAYOUT_RIS, row, &refs, &rec), -1);
	const char *f[4];
	assert_int_equal(regmap_fields(KT_REG_STAFF, KT_LAYOUT_RIS, &rec, f, 4), 0);
	json_decref(row);

	row = load("{\"id\": \"5f000000-0000-4000-8000-000000000001\", \"org_id\": 3, \"code\":"
		" \"000001\", \"surname\": \"Алексеева\", \"name\": \"Александра\", \"patronymic\":"
		" \"Викторовна\", \"sex\": 2, \"birth_date\": \"1995-10-16\", \"doc_type\": 1,"
		" \"doc_series\": \"5920\", \"doc_number\": \"981642\", \"snils\": \"00205985917\","
		" \"workplace_org_id\": 20, \"subject\": \"Биология\", \"roles\": [\"organizer_in\"]}");
	refs = (struct regmap_refs){.owner = "02", .other = "020002", .point = "0002"};
	expect_row(KT_REG_STAFF, KT_LAYOUT_KARTA, row, &refs,
		"000001;Алексеева;Александра;Викторовна;1;5920;981642;Ж;16.10.1995;002-059-859 17;"
		"020002;2;Биология;0002");
	/* optional columns null, several roles (stored order), several exam points */
	json_object_set_new(row, "sex", json_null());
	json_object_set_new(row, "birth_date", json_null());
	json_object_set_new(row, "snils", json_string(""));
	json_object_set_new(row, "roles", load("[\"head\", \"gek\", \"3\"]"));
	refs = (struct regmap_refs){.point = "0001, 0002"};
	expect_row(KT_REG_STAFF, KT_LAYOUT_KARTA, row, &refs,
		"000001;Алексеева;Александра;Викторовна;1;5920;981642;;;;;1, 7, 3;Биология;0001, 0002");
	json_decref(row);
}

/* ---- through kt_csv ---------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n;
};

static int to_buf(void *ctx, const void *data, size_t n)
{
	struct buf *b = ctx;
	char *p = realloc(b->p, b->n + n);
	if (!p)
		return -1;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	return 0;
}

/* Writes header + one exported row, reads it back through the registry header map. */
static void csv_back(enum kt_reg_kind kind, enum kt_reg_layout lay, const struct regmap_rec *rec,
	bool cp1251)
{
	struct buf b = {0};
	struct kt_csv_wopts wo = {.sep = ';', .crlf = true, .cp1251 = cp1251};
	struct kt_csv_writer *w = kt_csv_writer_new(to_buf, &b, &wo);
	size_t n;
	const struct kt_reg_col *cols = kt_reg_columns(kind, lay, &n);
	const char *f[KT_REG_MAX_COLS];
	for (size_t i = 0; i < n; i++)
		f[i] = cols[i].name;
	assert_int_equal(kt_csv_write_row(w, f, n), 0);
	assert_int_equal(regmap_fields(kind, lay, rec, f, KT_REG_MAX_COLS), n);
	assert_int_equal(kt_csv_write_row(w, f, n), 0);
	kt_csv_writer_free(w);

	struct kt_csv_reader *rd = kt_csv_reader_mem(b.p, b.n, NULL);
	struct kt_csv_row row;
	struct kt_csv_err err;
	struct kt_reg_map map;
	assert_int_equal(kt_csv_next(rd, &row, &err), KT_CSV_ROW);
	assert_string_equal(kt_csv_encoding(rd), cp1251 ? "windows-1251" : "utf-8");
	assert_int_equal(kt_reg_map_header(kind, &row, &map, &err), 0);
	assert_int_equal(map.layout, lay);
	assert_int_equal(kt_csv_next(rd, &row, &err), KT_CSV_ROW);
	const char *v[KT_REG_MAX_FIELDS] = {0};
	kt_reg_fill(&map, &row, v, KT_REG_MAX_FIELDS);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[cols[i].field], rec->v[cols[i].field]);
	assert_int_equal(kt_csv_next(rd, &row, &err), KT_CSV_END);
	kt_csv_reader_free(rd);
	free(b.p);
}

static void test_csv(void **state)
{
	(void)state;
	json_t *row = load(participant_row);
	struct regmap_refs refs = {.owner = "020001", .owner_guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"};
	struct regmap_rec rec = {0};
	for (int cp = 0; cp < 2; cp++) {
		assert_int_equal(regmap_record(KT_REG_PARTICIPANTS, KT_LAYOUT_KARTA, row, &refs, &rec), 0);
		csv_back(KT_REG_PARTICIPANTS, KT_LAYOUT_KARTA, &rec, cp);
		assert_int_equal(regmap_record(KT_REG_PARTICIPANTS, KT_LAYOUT_RIS, row, &refs, &rec), 0);
		csv_back(KT_REG_PARTICIPANTS, KT_LAYOUT_RIS, &rec, cp);
	}
	regmap_rec_release(&rec);
	json_decref(row);
	/* separators, quotes and a line break inside values survive */
	row = load("{\"code\": \"0007\", \"name\": \"ППЭ \\\"Школа\\\"; корпус 2\", \"address\":"
		" \"ул. Ленина, д. 1\\nвход со двора\", \"capacity\": 5, \"forms\": 2, \"at_home\": true}");
	refs = (struct regmap_refs){.owner = "07"};
	assert_int_equal(regmap_record(KT_REG_EXAM_POINTS, KT_LAYOUT_KARTA, row, &refs, &rec), 0);
	csv_back(KT_REG_EXAM_POINTS, KT_LAYOUT_KARTA, &rec, false);
	regmap_rec_release(&rec);
	json_decref(row);
}

KT_UNIT_MAIN(tz_utc, NULL,
	cmocka_unit_test(test_values),
	cmocka_unit_test(test_identity),
	cmocka_unit_test_setup_teardown(test_participant, tz_msk, tz_utc),
	cmocka_unit_test(test_exam_point),
	cmocka_unit_test_setup_teardown(test_ris_kept, tz_msk, tz_utc),
	cmocka_unit_test(test_auditorium_staff),
	cmocka_unit_test(test_csv))
