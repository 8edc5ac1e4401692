/* replica_ids: the ids that start with a prefix — of synced rows and of queued changes,
 * any case, filtered by entity type, in order, "more than max" told apart from max. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "replica_fixture.h"
#include "replica_int.h"

static void put(struct replica *r, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

static void test_prefix(void **state)
{
	struct replica *r = ((struct replica_fixture *)*state)->r;
	put(r, "INSERT INTO row(entity_type, entity_id, feed, seq, row_version, op, payload) VALUES"
	       " ('plan', '5f1c2a9e-0000-4000-8000-000000000001', 'reg', 1, 1, 'put', '{}'),"
	       " ('plan', '5F1C2A9E-7000-4000-8000-000000000002', 'reg', 2, 1, 'put', '{}'),"
	       " ('plan_item', '5f1c0000-0000-4000-8000-000000000003', 'reg', 3, 1, 'put', '{}'),"
	       " ('plan', 'short', 'reg', 4, 1, 'put', '{}')");
	put(r, "INSERT INTO outbox(op_id, msg_type, body, entity_type, entity_id, created_at)"
	       " VALUES ('op1', 1, x'', 'plan', '77ab01cd-0000-4000-8000-000000000004', 'now')");
	char ids[4][REPLICA_ID_LEN];
	size_t n;
	assert_int_equal(replica_ids_with_prefix(r, ",plan,", "5f1c2a9e-0", ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "5f1c2a9e-0000-4000-8000-000000000001");
	/* any case in, lower case out; both plans, in order */
	assert_int_equal(replica_ids_with_prefix(r, ",plan,", "5F1C2A9E", ids, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[1], "5f1c2a9e-7000-4000-8000-000000000002");
	/* the type filter: an item shares "5f1c" with the plans */
	assert_int_equal(replica_ids_with_prefix(r, ",plan_item,", "5f1c", ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(replica_ids_with_prefix(r, NULL, "5f1c", ids, 4, &n), 0);
	assert_int_equal(n, 3);
	/* more than max: max + 1 */
	assert_int_equal(replica_ids_with_prefix(r, NULL, "5f1c", ids, 2, &n), 0);
	assert_int_equal(n, 3);
	/* a change still queued is known too */
	assert_int_equal(replica_ids_with_prefix(r, ",plan,", "77ab", ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "77ab01cd-0000-4000-8000-000000000004");
	/* nothing; and not-a-UUID ids are never candidates */
	assert_int_equal(replica_ids_with_prefix(r, NULL, "0000", ids, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(replica_ids_with_prefix(r, NULL, "shor", ids, 4, &n), 0);
	assert_int_equal(n, 0);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_prefix, replica_fixture_setup,
		replica_fixture_teardown))
