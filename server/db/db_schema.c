/* db_schema: kartad's start-up check that the database is at the schema it was built for
 * (sql/ migrations, embedded: kt_migrations.h). Blocking: runs before the event loop. */
#include <string.h>

#include "db.h"
#include "kt_log.h"
#include "kt_migrations.h"

int db_schema_expected(void) { return kt_schema_expected(); }

int db_schema_check(const char *conninfo)
{
	char err[512];
	PGconn *pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		kt_log(KT_LOG_ERROR, "event=startup_failed reason=\"cannot connect to database: %.*s\"",
			(int)strcspn(PQerrorMessage(pg), "\n"), PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	int rc = kt_schema_check(pg, err, sizeof err);
	PQfinish(pg);
	if (rc != 0)
		kt_log(KT_LOG_ERROR, "event=startup_failed reason=\"%s\"", err);
	else
		kt_log(KT_LOG_INFO, "event=schema_ok version=%d", kt_schema_expected());
	return rc;
}
