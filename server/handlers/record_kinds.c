/* record_kinds: the explicit allow-list of RecordOp kinds (record_kinds.h). The database's
 * op_kind table maps a kind to its write function, and karta_op_apply falls through to the
 * plan dispatch for any kind not there — so the check that a RecordOp does not carry a plan
 * write (item_put, plan_put, plan_import, …, which would skip kartad's checks and deadline
 * normalization) lives here, in C, before anything reaches the database. A new record kind
 * is added in its migration (op_kind) and in this table. */
#include "record_kinds.h"

#include <string.h>

static const char *const record_kinds[] = {
	/* sql/0007_status_reports.sql */
	"status_set", "report_request_put", "report_draft", "report_submit", "report_accept",
	"report_return",
	/* sql/0008_registries.sql */
	"registry_put", "registry_delete",
	/* sql/0009_exam_planning.sql */
	"exam_point_assign", "exam_plan_point", "exam_auditorium_assign", "exam_settings",
	"exam_distribute", "exam_distribute_manual", "exam_seat", "exam_seat_manual",
	"exam_assign_staff", "exam_lock", "exam_unlock",
	/* sql/0019_giadbset_import.sql */
	"registry_gds_put",
	/* sql/0025_registry_rows.sql */
	"registry_rows",
};

bool record_kind_allowed(const char *kind)
{
	for (size_t i = 0; i < sizeof record_kinds / sizeof record_kinds[0]; i++)
		if (strcmp(kind, record_kinds[i]) == 0)
			return true;
	return false;
}
