/* replica_ids: ids by their first characters, as `git` finds a commit by a short hash. The
 * candidates are every id the replica knows — synced rows and changes still queued — so a
 * prefix works offline and for what this device created itself. */
#include "replica_int.h"

#include <string.h>

int replica_ids_with_prefix(struct replica *r, const char *types, const char *prefix,
	char (*ids)[REPLICA_ID_LEN], size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *s = rp_prepare(r,
		"SELECT DISTINCT lower(id) FROM (SELECT entity_id AS id, entity_type AS t FROM row"
		" UNION ALL SELECT entity_id, entity_type FROM outbox WHERE entity_id IS NOT NULL"
		" UNION ALL SELECT entity_id, entity_type FROM outbox_row)"
		" WHERE lower(id) LIKE lower(?1) || '%' AND length(id) = 36"
		" AND (?2 IS NULL OR instr(?2, ',' || t || ',') > 0) ORDER BY 1 LIMIT ?3");
	if (!s)
		return -1;
	rp_bind_text(s, 1, prefix);
	rp_bind_text(s, 2, types);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max + 1);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n < max)
			snprintf(ids[*n], REPLICA_ID_LEN, "%s", rp_col_text(s, 0));
		++*n;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rp_dberr(r, "replica: cannot look up the id");
}
