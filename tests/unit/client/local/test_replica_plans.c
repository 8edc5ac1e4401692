/* replica_plans: payloads (to_jsonb of plan, plan_section, plan_item rows) → the messages the
 * server sends (jsonb re-serialized compactly, deleted from deleted_at, updated_at in UTC,
 * missing keys defaulted, non-objects refused), the arena, and the offline plan list, plan
 * and item reads over a throwaway replica. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "replica_fixture.h"
#include "replica_int.h"

#define PLAN_R "8c1d6a3e-0b7a-4a53-9a51-2b7f3c1e0001"
#define PLAN_M "8c1d6a3e-0b7a-4a53-9a51-2b7f3c1e0002"
#define SEC_1 "5b0e2f11-7c4d-4e2a-8f10-9a2b3c4d0001"
#define SEC_2 "5b0e2f11-7c4d-4e2a-8f10-9a2b3c4d0002"
#define ITEM_1 "0f6a8b7c-1d2e-4f30-a1b2-c3d4e5f60001"

/* to_jsonb(plan): jsonb prints keys shorter first, with spaces after ':' and ','. */
static const char plan_json[] =
	"{\"id\": \"" PLAN_R "\", \"level\": \"region\", \"title\": \"Дорожная карта ГИА-2027\","
	" \"status\": \"approved\", \"act_date\": \"2026-09-01\", \"act_kind\": \"приказ\","
	" \"act_number\": \"01-19/1234\", \"created_at\": \"2026-09-01T09:15:00.5+03:00\","
	" \"implements\": \"приказ Минпросвещения № 233\", \"row_version\": 4,"
	" \"updated_at\": \"2026-11-24T10:00:00.123456+03:00\", \"updated_by\": 17,"
	" \"owner_org_id\": 1, \"academic_year\": 2026, \"parent_plan_id\": null}";

static const char section_json[] =
	"{\"id\": \"" SEC_1 "\", \"title\": \"Организационно-технологическое обеспечение\","
	" \"number\": \"2.\", \"ordinal\": 2, \"plan_id\": \"" PLAN_R "\", \"row_version\": 1}";

static const char item_json[] =
	"{\"id\": \"" ITEM_1 "\", \"title\": \"Проведение пробного ЕГЭ по математике\","
	" \"number\": \"2.3\", \"ordinal\": 3, \"plan_id\": \"" PLAN_R "\","
	" \"targets\": {\"groups\": [3, 5], \"schools\": [], \"all_schools\": false},"
	" \"deadline\": {\"kind\": \"window\", \"windows\": [{\"to\": \"2026-12-20\","
	" \"from\": \"2026-12-01\"}]},"
	" \"created_at\": \"2026-09-02T08:00:00+03:00\", \"deleted_at\": null,"
	" \"section_id\": \"" SEC_1 "\", \"updated_at\": \"2026-11-24T10:00:00.123456+03:00\","
	" \"updated_by\": 42, \"result_text\": \"Аналитическая справка\","
	" \"responsible\": {\"parties\": [{\"party\": \"municipal_body\", \"text\": \"МОУО\"}]},"
	" \"row_version\": 7, \"target_text\": \"ОО кластеров 3, 5\", \"derived_from\": null,"
	" \"deadline_kind\": \"window\", \"deadline_last\": \"2026-12-20\","
	" \"deadline_text\": \"декабрь 2026 г.\", \"delete_reason\": null,"
	" \"parent_item_id\": null, \"reference_only\": true,"
	" \"municipal_action\": \"Организация пробного экзамена\","
	" \"responsible_text\": \"МОУО, руководители ОО\","
	" \"institutional_action\": \"Участие выпускников\"}";

/* --- arena ------------------------------------------------------------------------------- */

static void test_arena(void **state)
{
	struct replica_arena a = REPLICA_ARENA_INIT;
	/* Enough small pieces to fill several blocks, with big ones in between. */
	for (int i = 0; i < 3000; i++) {
		size_t n = i % 100 == 0 ? 50000 : (size_t)(i % 37) + 1;
		unsigned char *p = replica_arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xa5, n);
	}
	assert_non_null(replica_arena_alloc(&a, 0));
	assert_null(replica_arena_alloc(&a, SIZE_MAX));
	char *s = replica_arena_strdup(&a, "Управление образования");
	assert_string_equal(s, "Управление образования");
	assert_string_equal(replica_arena_strdup(&a, NULL), "");
	replica_arena_free(&a);
	assert_null(a.head);
	replica_arena_free(&a); /* twice is harmless */
}

/* --- payload → message ------------------------------------------------------------------- */

/* The payload tests' arena, freed after the test whatever it asserted: *state. */
static int arena_setup(void **state)
{
	struct replica_arena *a = malloc(sizeof *a);
	if (!a)
		return -1;
	*a = (struct replica_arena)REPLICA_ARENA_INIT;
	*state = a;
	return 0;
}

static int arena_teardown(void **state)
{
	replica_arena_free(*state);
	free(*state);
	return 0;
}

static void test_plan_from_json(void **state)
{
	Karta__Plan p;
	assert_int_equal(replica_plan_from_json(plan_json, "RG01", &p, *state), 0);
	assert_string_equal(p.id, PLAN_R);
	assert_string_equal(p.owner_code, "RG01");
	assert_int_equal(p.level, KARTA__PLAN_LEVEL__PLAN_LEVEL_REGION);
	assert_string_equal(p.parent_plan_id, "");
	assert_string_equal(p.title, "Дорожная карта ГИА-2027");
	assert_int_equal(p.academic_year, 2026);
	assert_string_equal(p.act_kind, "приказ");
	assert_string_equal(p.act_number, "01-19/1234");
	assert_string_equal(p.act_date, "2026-09-01");
	assert_string_equal(p.implements, "приказ Минпросвещения № 233");
	assert_string_equal(p.status, "approved");
	assert_int_equal(p.row_version, 4);
	assert_int_equal(p.item_count, 0); /* the payload cannot say */
	assert_false(p.writable);

	static const char derived[] = "{\"id\": \"" PLAN_M "\", \"level\": \"municipality\","
		" \"title\": \"t\", \"parent_plan_id\": \"" PLAN_R "\", \"academic_year\": 2026}";
	assert_int_equal(replica_plan_from_json(derived, NULL, &p, *state), 0);
	assert_int_equal(p.level, KARTA__PLAN_LEVEL__PLAN_LEVEL_MUNICIPALITY);
	assert_string_equal(p.parent_plan_id, PLAN_R);
	assert_string_equal(p.owner_code, "");
	assert_string_equal(p.act_date, "");
}

static void test_section_from_json(void **state)
{
	Karta__Section s;
	assert_int_equal(replica_section_from_json(section_json, &s, *state), 0);
	assert_string_equal(s.id, SEC_1);
	assert_string_equal(s.plan_id, PLAN_R);
	assert_int_equal(s.ordinal, 2);
	assert_string_equal(s.number, "2.");
	assert_string_equal(s.title, "Организационно-технологическое обеспечение");
	assert_int_equal(s.row_version, 1);
}

static void test_item_from_json(void **state)
{
	Karta__Item it;
	assert_int_equal(replica_item_from_json(item_json, &it, *state), 0);
	assert_string_equal(it.id, ITEM_1);
	assert_string_equal(it.plan_id, PLAN_R);
	assert_string_equal(it.section_id, SEC_1);
	assert_int_equal(it.ordinal, 3);
	assert_string_equal(it.number, "2.3");
	assert_string_equal(it.parent_item_id, "");
	assert_string_equal(it.title, "Проведение пробного ЕГЭ по математике");
	assert_string_equal(it.deadline_text, "декабрь 2026 г.");
	/* Compact, keys in the order received (jsonb's), UTF-8 kept as is. */
	assert_string_equal(it.deadline_json,
		"{\"kind\":\"window\",\"windows\":[{\"to\":\"2026-12-20\",\"from\":\"2026-12-01\"}]}");
	assert_string_equal(it.responsible_json,
		"{\"parties\":[{\"party\":\"municipal_body\",\"text\":\"МОУО\"}]}");
	assert_string_equal(it.targets_json,
		"{\"groups\":[3,5],\"schools\":[],\"all_schools\":false}");
	assert_string_equal(it.responsible_text, "МОУО, руководители ОО");
	assert_string_equal(it.municipal_action, "Организация пробного экзамена");
	assert_string_equal(it.institutional_action, "Участие выпускников");
	assert_string_equal(it.result_text, "Аналитическая справка");
	assert_string_equal(it.target_text, "ОО кластеров 3, 5");
	assert_string_equal(it.derived_from, "");
	assert_true(it.reference_only);
	assert_int_equal(it.row_version, 7);
	assert_false(it.deleted);
	assert_string_equal(it.delete_reason, "");
	assert_string_equal(it.updated_at, "2026-11-24T07:00:00Z");
	assert_string_equal(it.updated_by, ""); /* the payload holds a device id */
}

static void test_item_deleted(void **state)
{
	Karta__Item it;
	static const char del[] = "{\"id\": \"" ITEM_1 "\", \"title\": \"x\","
		" \"deleted_at\": \"2026-12-31T22:30:00.5-03:30\","
		" \"delete_reason\": \"дублирует п. 2.1\", \"updated_at\": \"2026-12-31T22:30:00.5-03:30\","
		" \"parent_item_id\": \"0f6a8b7c-1d2e-4f30-a1b2-c3d4e5f60009\"}";
	assert_int_equal(replica_item_from_json(del, &it, *state), 0);
	assert_true(it.deleted);
	assert_string_equal(it.delete_reason, "дублирует п. 2.1");
	assert_string_equal(it.updated_at, "2027-01-01T02:00:00Z"); /* across a year */
	assert_string_equal(it.parent_item_id, "0f6a8b7c-1d2e-4f30-a1b2-c3d4e5f60009");
}

/* updated_at of an item whose payload is {"updated_at": "<in>"}. */
static void check_time(struct replica_arena *a, const char *in, const char *want)
{
	char json[256];
	Karta__Item it;
	snprintf(json, sizeof json, "{\"updated_at\": \"%s\"}", in);
	assert_int_equal(replica_item_from_json(json, &it, a), 0);
	assert_string_equal(it.updated_at, want);
}

static void test_utc(void **state)
{
	struct replica_arena a = REPLICA_ARENA_INIT;
	check_time(&a, "2026-11-24T10:00:00+00:00", "2026-11-24T10:00:00Z");
	check_time(&a, "2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z"); /* local payloads */
	check_time(&a, "2026-11-24T10:00:59.999999+00:00", "2026-11-24T10:00:59Z"); /* truncated */
	check_time(&a, "2026-03-01T01:00:00+03:00", "2026-02-28T22:00:00Z");
	check_time(&a, "2028-03-01T01:00:00+03:00", "2028-02-29T22:00:00Z"); /* leap year */
	check_time(&a, "2026-11-24T10:00:00+05:30", "2026-11-24T04:30:00Z");
	check_time(&a, "2026-11-24T10:00:00+0530", "2026-11-24T04:30:00Z");
	check_time(&a, "2026-11-24T10:00:00+03", "2026-11-24T07:00:00Z");
	check_time(&a, "1900-01-01T03:00:00+02:30:17", "1900-01-01T00:29:43Z"); /* LMT */
	check_time(&a, "2026-11-24 10:00:00.1+03", "2026-11-24T07:00:00Z");   /* text form */
	check_time(&a, "2026-11-24T10:00:00", "2026-11-24T10:00:00Z");
	check_time(&a, "infinity", "infinity"); /* shown, not hidden */
	check_time(&a, "2026-11-24T10:00:00+3:00", "2026-11-24T10:00:00+3:00");
	replica_arena_free(&a);
}

static void test_defaults(void **state)
{
	struct replica_arena a = REPLICA_ARENA_INIT;
	Karta__Item it;
	assert_int_equal(replica_item_from_json("{}", &it, &a), 0);
	const char *strs[] = {it.id, it.plan_id, it.section_id, it.number, it.parent_item_id,
		it.title, it.deadline_text, it.deadline_json, it.responsible_text,
		it.responsible_json, it.municipal_action, it.institutional_action, it.result_text,
		it.target_text, it.targets_json, it.derived_from, it.delete_reason, it.updated_at,
		it.updated_by};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		assert_non_null(strs[i]);
		assert_string_equal(strs[i], "");
	}
	assert_int_equal(it.ordinal, 0);
	assert_int_equal(it.row_version, 0);
	assert_false(it.deleted);
	assert_false(it.reference_only);

	Karta__Plan p;
	assert_int_equal(replica_plan_from_json("{\"title\": \"t\"}", "SC07", &p, &a), 0);
	assert_string_equal(p.title, "t");
	assert_string_equal(p.id, "");
	assert_string_equal(p.status, "");
	assert_int_equal(p.level, KARTA__PLAN_LEVEL__PLAN_LEVEL_UNSPECIFIED);
	assert_int_equal(p.academic_year, 0);

	Karta__Section s;
	assert_int_equal(replica_section_from_json("{}", &s, &a), 0);
	assert_string_equal(s.id, "");
	assert_string_equal(s.title, "");

	/* Every string is set: the message packs and unpacks. */
	size_t n = protobuf_c_message_get_packed_size(&it.base);
	uint8_t buf[64];
	assert_true(n <= sizeof buf);
	protobuf_c_message_pack(&it.base, buf);
	Karta__Item *back = karta__item__unpack(NULL, n, buf);
	assert_non_null(back);
	karta__item__free_unpacked(back, NULL);
	replica_arena_free(&a);
}

/* Odd but valid types are read as well as they can be. */
static void test_lenient_types(void **state)
{
	struct replica_arena a = REPLICA_ARENA_INIT;
	Karta__Item it;
	assert_int_equal(replica_item_from_json("{\"ordinal\": \"12\", \"row_version\": 3.0,"
		" \"number\": 4, \"reference_only\": \"t\", \"deadline\": null}", &it, &a), 0);
	assert_int_equal(it.ordinal, 12);
	assert_int_equal(it.row_version, 3);
	assert_string_equal(it.number, "4");
	assert_true(it.reference_only);
	assert_string_equal(it.deadline_json, "null"); /* jsonb null, as the server prints it */
	replica_arena_free(&a);
}

static void test_not_an_object(void **state)
{
	static const char *const bad[] = {"[]", "[{\"id\": \"x\"}]", "\"x\"", "42", "null", "true",
		"", "{", "not json", "{\"id\": \"x\"} trailing"};
	struct replica_arena a = REPLICA_ARENA_INIT;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		Karta__Plan p;
		Karta__Section s;
		Karta__Item it;
		assert_int_equal(replica_plan_from_json(bad[i], "RG01", &p, &a), -1);
		assert_int_equal(replica_section_from_json(bad[i], &s, &a), -1);
		assert_int_equal(replica_item_from_json(bad[i], &it, &a), -1);
		assert_non_null(it.title); /* still a valid, empty message */
		assert_non_null(p.id);
	}
	Karta__Item it;
	assert_int_equal(replica_item_from_json(NULL, &it, &a), -1);
	replica_arena_free(&a);
}

/* --- reads over a replica ---------------------------------------------------------------- */

/* A synced row, written straight into the table (the pull path is replica_apply's). */
static void put_row(struct replica *r, const char *type, const char *id, const char *feed,
	const char *plan_id, const char *payload)
{
	replica_fixture_put(r, type, id, feed, plan_id, payload);
}

static void put_plan(struct replica *r, const char *id, const char *feed, const char *level,
	int year, const char *title)
{
	char json[512];
	snprintf(json, sizeof json, "{\"id\": \"%s\", \"level\": \"%s\", \"title\": \"%s\","
		" \"status\": \"draft\", \"row_version\": 1, \"academic_year\": %d}", id, level, title,
		year);
	put_row(r, "plan", id, feed, id, json);
}

static void put_section(struct replica *r, const char *id, const char *plan_id, int ordinal)
{
	char json[512];
	snprintf(json, sizeof json, "{\"id\": \"%s\", \"title\": \"раздел %d\", \"ordinal\": %d,"
		" \"plan_id\": \"%s\", \"row_version\": 1}", id, ordinal, ordinal, plan_id);
	put_row(r, "plan_section", id, "RG01", plan_id, json);
}

static void put_item(struct replica *r, const char *id, const char *plan_id,
	const char *section_id, int ordinal, bool deleted)
{
	char json[512];
	snprintf(json, sizeof json, "{\"id\": \"%s\", \"title\": \"пункт\", \"ordinal\": %d,"
		" \"plan_id\": \"%s\", \"section_id\": \"%s\", \"deadline\": {}, \"deleted_at\": %s}",
		id, ordinal, plan_id, section_id, deleted ? "\"2026-11-24T10:00:00+03:00\"" : "null");
	put_row(r, "plan_item", id, "RG01", plan_id, json);
}

static void queue(struct replica *r, const char *op_id, const char *type, const char *id,
	const char *local)
{
	assert_int_equal(replica_outbox_add(r, op_id, 1, "x", 1, type, id, local, "test", NULL), 0);
}

static void test_plan_list(void **state)
{
	struct replica_fixture *f = *state;
	struct replica *r = f->r;
	assert_int_equal(replica_meta_set(r, REPLICA_META_ORG, "SC07"), 0);
	put_plan(r, "p-school", "SC01", "school", 2026, "школа");
	put_plan(r, "p-mun-b", "MO02", "municipality", 2026, "МО 2");
	put_plan(r, "p-mun-a-old", "MO01", "municipality", 2025, "МО 1 прошлый");
	put_plan(r, "p-mun-a-2", "MO01", "municipality", 2026, "Б");
	put_plan(r, "p-mun-a-1", "MO01", "municipality", 2026, "А");
	put_plan(r, "p-region", "RG01", "region", 2026, "регион");
	put_item(r, "i1", "p-region", "s1", 1, false);
	put_item(r, "i2", "p-region", "s1", 2, false);
	put_item(r, "i3", "p-region", "s1", 3, true);
	put_item(r, "i4", "p-mun-b", "s9", 1, false);
	/* An offline edit of the region's title, an offline delete of i2, a plan created here. */
	queue(r, "00000000-0000-4000-8000-000000000001", "plan", "p-region",
		"{\"id\": \"p-region\", \"level\": \"region\", \"title\": \"регион (правка)\","
		" \"academic_year\": 2026}");
	queue(r, "00000000-0000-4000-8000-000000000002", "plan_item", "i2",
		"{\"id\": \"i2\", \"plan_id\": \"p-region\", \"deleted_at\": \"2026-11-24T07:00:00Z\"}");
	queue(r, "00000000-0000-4000-8000-000000000003", "plan", "p-new",
		"{\"id\": \"p-new\", \"level\": \"school\", \"title\": \"новый\", \"academic_year\": 2026}");

	struct replica_arena a = REPLICA_ARENA_INIT;
	Karta__Plan **plans = NULL;
	size_t n = 0;
	assert_int_equal(replica_plan_list(r, &plans, &n, &a), 0);
	static const char *const want[] = {"p-region", "p-mun-a-1", "p-mun-a-2", "p-mun-a-old",
		"p-mun-b", "p-school", "p-new"};
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(plans[i]->id, want[i]);
	assert_string_equal(plans[0]->title, "регион (правка)");
	assert_int_equal(plans[0]->item_count, 1); /* i3 deleted, i2 deleted offline */
	assert_int_equal(plans[4]->item_count, 1);
	assert_int_equal(plans[1]->item_count, 0);
	assert_string_equal(plans[0]->owner_code, "RG01");
	assert_string_equal(plans[6]->owner_code, "SC07"); /* created offline: meta org */
	replica_arena_free(&a);
}

static void test_plan_get(void **state)
{
	struct replica_fixture *f = *state;
	struct replica *r = f->r;
	put_plan(r, PLAN_R, "RG01", "region", 2026, "регион");
	put_plan(r, PLAN_M, "MO01", "municipality", 2026, "МО");
	put_section(r, SEC_2, PLAN_R, 1);
	put_section(r, SEC_1, PLAN_R, 2);
	put_section(r, "s-other", PLAN_M, 1);
	put_item(r, "a", PLAN_R, SEC_1, 1, false);
	put_item(r, "b", PLAN_R, SEC_2, 2, true);
	put_item(r, "c", PLAN_R, SEC_2, 1, false);
	put_item(r, "d", PLAN_R, "no-such-section", 1, false);
	put_item(r, "e", PLAN_M, "s-other", 1, false);
	/* Moved offline to the front of the first section. */
	queue(r, "00000000-0000-4000-8000-000000000004", "plan_item", "a",
		"{\"id\": \"a\", \"plan_id\": \"" PLAN_R "\", \"section_id\": \"" SEC_2 "\","
		" \"ordinal\": 0, \"title\": \"пункт\"}");

	struct replica_arena a = REPLICA_ARENA_INIT;
	Karta__Plan plan;
	Karta__Section **secs = NULL;
	Karta__Item **items = NULL;
	size_t ns = 0, ni = 0;
	assert_int_equal(replica_plan_get(r, PLAN_R, &plan, &secs, &ns, &items, &ni, &a), 0);
	assert_string_equal(plan.id, PLAN_R);
	assert_string_equal(plan.owner_code, "RG01");
	assert_int_equal(ns, 2);
	assert_string_equal(secs[0]->id, SEC_2);
	assert_string_equal(secs[1]->id, SEC_1);
	static const char *const want[] = {"a", "c", "b", "d"};
	assert_int_equal(ni, 4);
	for (size_t i = 0; i < ni; i++)
		assert_string_equal(items[i]->id, want[i]);
	assert_true(items[2]->deleted); /* deleted ones included */
	assert_int_equal(plan.item_count, 3);

	assert_int_equal(replica_plan_get(r, "no-such-plan", &plan, &secs, &ns, &items, &ni, &a),
		1);
	assert_int_equal(ns, 0);
	assert_int_equal(ni, 0);

	Karta__Item it;
	assert_int_equal(replica_item_get(r, "a", &it, &a), 0);
	assert_int_equal(it.ordinal, 0); /* the pending edit */
	assert_string_equal(it.section_id, SEC_2);
	assert_int_equal(replica_item_get(r, "e", &it, &a), 0);
	assert_string_equal(it.plan_id, PLAN_M);
	assert_int_equal(replica_item_get(r, "zzz", &it, &a), 1);
	replica_arena_free(&a);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_arena),
	cmocka_unit_test_setup_teardown(test_plan_from_json, arena_setup, arena_teardown),
	cmocka_unit_test_setup_teardown(test_section_from_json, arena_setup, arena_teardown),
	cmocka_unit_test_setup_teardown(test_item_from_json, arena_setup, arena_teardown),
	cmocka_unit_test_setup_teardown(test_item_deleted, arena_setup, arena_teardown),
	cmocka_unit_test(test_utc),
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_lenient_types),
	cmocka_unit_test(test_not_an_object),
	cmocka_unit_test_setup_teardown(test_plan_list, replica_fixture_setup, replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_plan_get, replica_fixture_setup, replica_fixture_teardown))
