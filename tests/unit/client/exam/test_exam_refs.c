/* exam_refs: the names of the exam commands → ids from a throwaway replica: an exam by
 * DATE:SUBJECT_CODE (unique, ambiguous across forms, picked by :FORM, deleted rows ignored,
 * malformed names refused), by id; points and staff by code; rooms by code within their
 * point only; a participant's name, "" when the replica does not hold them. */
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

#include "client.h"
#include "exam_refs.h"
#include "../local/replica_fixture.h"
#include "replica_int.h"

#define EXAM_EGE "aaaaaaaa-0000-4000-8000-000000000001"
#define EXAM_GVE "aaaaaaaa-0000-4000-8000-000000000002"
#define EXAM_OLD "aaaaaaaa-0000-4000-8000-000000000003"
#define POINT_1 "bbbbbbbb-0000-4000-8000-000000000001"
#define POINT_2 "bbbbbbbb-0000-4000-8000-000000000002"
#define ROOM_1 "cccccccc-0000-4000-8000-000000000001"
#define ROOM_2 "cccccccc-0000-4000-8000-000000000002"
#define STAFF_1 "dddddddd-0000-4000-8000-000000000001"
#define PART_1 "eeeeeeee-0000-4000-8000-000000000001"

static void put(struct replica *r, const char *type, const char *id, const char *payload)
{
	replica_fixture_put(r, type, id, "reg", NULL, payload);
}

/* The replica, with two exams of one day and subject (ЕГЭ, ГВЭ), a deleted one, two points
 * with a room 0101 each, a staff member and a participant. */
static int setup(void **state)
{
	if (replica_fixture_setup(state) != 0)
		return -1;
	struct replica *r = ((struct replica_fixture *)*state)->r;
	put(r, "exam", EXAM_EGE, "{\"exam_date\": \"2025-06-01\", \"subject_code\": 2, \"form\": 1,"
		" \"gia\": 11, \"deleted_at\": null}");
	put(r, "exam", EXAM_GVE, "{\"exam_date\": \"2025-06-01\", \"subject_code\": 2, \"form\": 4,"
		" \"gia\": 11, \"deleted_at\": null}");
	put(r, "exam", EXAM_OLD, "{\"exam_date\": \"2025-06-03\", \"subject_code\": 7, \"form\": 1,"
		" \"gia\": 11, \"deleted_at\": \"2025-01-01T00:00:00Z\"}");
	put(r, "exam_point", POINT_1, "{\"code\": \"0001\"}");
	put(r, "exam_point", POINT_2, "{\"code\": \"0002\"}");
	put(r, "auditorium", ROOM_1, "{\"code\": \"0101\", \"point_id\": \"" POINT_1 "\"}");
	put(r, "auditorium", ROOM_2, "{\"code\": \"0101\", \"point_id\": \"" POINT_2 "\"}");
	put(r, "staff", STAFF_1, "{\"code\": \"000123\"}");
	put(r, "participant", PART_1, "{\"surname\": \"Егорова\", \"name\": \"Наталья\","
		" \"patronymic\": \"\"}");
	return 0;
}

static void test_exam(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	char id[EXAM_ID_LEN];
	/* two forms share the day: the plain name is ambiguous, the form picks one */
	assert_int_equal(exam_ref_exam(r, "2025-06-01:2", id), EXIT_RUNTIME);
	assert_int_equal(exam_ref_exam(r, "2025-06-01:2:ege", id), EXIT_OK);
	assert_string_equal(id, EXAM_EGE);
	assert_int_equal(exam_ref_exam(r, "2025-06-01:02:ГВЭ", id), EXIT_OK);
	assert_string_equal(id, EXAM_GVE);
	assert_int_equal(exam_ref_exam(r, "2025-06-01:2:oge", id), EXIT_RUNTIME);
	/* a deleted exam is not found; an id is taken as it is */
	assert_int_equal(exam_ref_exam(r, "2025-06-03:7", id), EXIT_RUNTIME);
	assert_int_equal(exam_ref_exam(r, EXAM_OLD, id), EXIT_OK);
	assert_string_equal(id, EXAM_OLD);
	/* malformed names */
	const char *bad[] = {"tomorrow", "2025-06-01", "2025-06-01:x", "2025-06-01:0",
		"2025-06-01:100", "2025-06-01:2:ogg", "2025-06-01:2:ege:1", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(exam_ref_exam(r, bad[i], id), EXIT_RUNTIME);
}

static void test_places_and_people(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	char id[EXAM_ID_LEN];
	assert_int_equal(exam_ref_point(r, "0002", id), EXIT_OK);
	assert_string_equal(id, POINT_2);
	assert_int_equal(exam_ref_point(r, "0003", id), EXIT_RUNTIME);
	/* the same room code at two points: each point's own */
	assert_int_equal(exam_ref_room(r, POINT_2, "0002", "0101", id), EXIT_OK);
	assert_string_equal(id, ROOM_2);
	assert_int_equal(exam_ref_room(r, POINT_1, "0001", "0101", id), EXIT_OK);
	assert_string_equal(id, ROOM_1);
	assert_int_equal(exam_ref_room(r, POINT_1, "0001", "0102", id), EXIT_RUNTIME);
	assert_int_equal(exam_ref_staff(r, "000123", id), EXIT_OK);
	assert_string_equal(id, STAFF_1);
	assert_int_equal(exam_ref_staff(r, "000124", id), EXIT_RUNTIME);
	char name[64];
	assert_string_equal(exam_ref_person(r, PART_1, name, sizeof name), "Егорова Наталья");
	assert_string_equal(exam_ref_person(r, STAFF_1, name, sizeof name), "");
	assert_string_equal(exam_ref_person(r, "not-an-id", name, sizeof name), "");
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_exam, setup, replica_fixture_teardown),
	cmocka_unit_test_setup_teardown(test_places_and_people, setup, replica_fixture_teardown))
