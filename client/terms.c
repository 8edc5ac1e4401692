/* terms: identifiers of states, levels and kinds to the field's words (see terms.h). One
 * table of (kind, identifier, msgid); the msgid carries the kind ("plan status|draft") so
 * that the same English word can have different Russian terms (a draft plan is a «проект»,
 * a draft report a «черновик»). The msgid is never shown: English prints the identifier. */
#include "terms.h"

#include <stddef.h>
#include <string.h>

#include "kt_i18n.h"

static const struct {
	enum terms_kind kind;
	const char *word, *msgid;
} terms[] = {
	{TERMS_PLAN_STATUS, "draft", N_("plan status|draft")},
	{TERMS_PLAN_STATUS, "approved", N_("plan status|approved")},
	{TERMS_PLAN_STATUS, "archived", N_("plan status|archived")},
	{TERMS_ITEM_STATUS, "not_started", N_("item status|not_started")},
	{TERMS_ITEM_STATUS, "in_progress", N_("item status|in_progress")},
	{TERMS_ITEM_STATUS, "done", N_("item status|done")},
	{TERMS_ITEM_STATUS, "not_done", N_("item status|not_done")},
	{TERMS_ITEM_STATUS, "not_applicable", N_("item status|not_applicable")},
	{TERMS_ITEM_STATUS, "blocked", N_("item status|blocked")},
	{TERMS_ITEM_STATUS, "not_reported", N_("item status|not_reported")},
	{TERMS_ITEM_STATUS, "overdue", N_("item status|overdue")},
	{TERMS_REPORT_STATE, "draft", N_("report state|draft")},
	{TERMS_REPORT_STATE, "submitted", N_("report state|submitted")},
	{TERMS_REPORT_STATE, "resubmitted", N_("report state|resubmitted")},
	{TERMS_REPORT_STATE, "returned", N_("report state|returned")},
	{TERMS_REPORT_STATE, "accepted", N_("report state|accepted")},
	{TERMS_REPORT_STATE, "missing", N_("report state|missing")},
	{TERMS_REPORT_STATE, "open", N_("report state|open")},
	{TERMS_REPORT_STATE, "closed", N_("report state|closed")},
	{TERMS_REPORT_STATE, "not_reported", N_("item status|not_reported")},
	{TERMS_LEVEL, "region", N_("level|region")},
	{TERMS_LEVEL, "municipality", N_("level|municipality")},
	{TERMS_LEVEL, "school", N_("level|school")},
	{TERMS_OVERDUE_KIND, "item", N_("overdue kind|item")},
	{TERMS_OVERDUE_KIND, "request", N_("overdue kind|request")},
	{TERMS_HISTORY_OP, "create", N_("history op|create")},
	{TERMS_HISTORY_OP, "derive", N_("history op|derive")},
	{TERMS_HISTORY_OP, "update", N_("history op|update")},
	{TERMS_HISTORY_OP, "delete", N_("history op|delete")},
	{TERMS_HISTORY_OP, "move", N_("history op|move")},
	{TERMS_DATA_KIND, "plan", N_("data|plan")},
	{TERMS_DATA_KIND, "plan_section", N_("data|plan_section")},
	{TERMS_DATA_KIND, "plan_item", N_("data|plan_item")},
	{TERMS_DATA_KIND, "abbreviation", N_("data|abbreviation")},
	{TERMS_DATA_KIND, "conflict", N_("data|conflict")},
	{TERMS_DATA_KIND, "item_status", N_("data|item_status")},
	{TERMS_DATA_KIND, "report_request", N_("data|report_request")},
	{TERMS_DATA_KIND, "report_submission", N_("data|report_submission")},
	{TERMS_DATA_KIND, "participant", N_("data|participant")},
	{TERMS_DATA_KIND, "exam", N_("data|exam")},
	{TERMS_DATA_KIND, "exam_registration", N_("data|exam_registration")},
	{TERMS_DATA_KIND, "exam_point", N_("data|exam_point")},
	{TERMS_DATA_KIND, "auditorium", N_("data|auditorium")},
	{TERMS_DATA_KIND, "staff", N_("data|staff")},
	{TERMS_DATA_KIND, "staff_point", N_("data|staff_point")},
	{TERMS_DATA_KIND, "exam_point_assignment", N_("data|exam_point_assignment")},
	{TERMS_DATA_KIND, "exam_auditorium", N_("data|exam_auditorium")},
	{TERMS_DATA_KIND, "distribution", N_("data|distribution")},
	{TERMS_DATA_KIND, "seating", N_("data|seating")},
	{TERMS_DATA_KIND, "staff_assignment", N_("data|staff_assignment")},
	{TERMS_DATA_KIND, "exam_lock", N_("data|exam_lock")},
	{TERMS_DATA_KIND, "exam_plan_setting", N_("data|exam_plan_setting")},
	{TERMS_DATA_KIND, "other", N_("data|other")},
	{TERMS_FEED_SCOPE, "plans", N_("feed scope|plans")},
	{TERMS_FEED_SCOPE, "all", N_("feed scope|all")},
	{TERMS_ROLE, "coordinator", N_("role|coordinator")},
	{TERMS_ROLE, "operator", N_("role|operator")},
	{TERMS_ROLE, "viewer", N_("role|viewer")},
	{TERMS_EXAM_PERIOD, "early", N_("exam period|early")},
	{TERMS_EXAM_PERIOD, "main", N_("exam period|main")},
	{TERMS_EXAM_PERIOD, "additional", N_("exam period|additional")},
	{TERMS_EXAM_PERIOD, "reserve", N_("exam period|reserve")},
	{TERMS_DEADLINE, "empty", N_("deadline|empty")},
	{TERMS_DEADLINE, "date", N_("deadline|date")},
	{TERMS_DEADLINE, "by_date", N_("deadline|by_date")},
	{TERMS_DEADLINE, "month", N_("deadline|month")},
	{TERMS_DEADLINE, "month_range", N_("deadline|month_range")},
	{TERMS_DEADLINE, "year", N_("deadline|year")},
	{TERMS_DEADLINE, "list", N_("deadline|list")},
	{TERMS_DEADLINE, "continuous", N_("deadline|continuous")},
	{TERMS_DEADLINE, "on_demand", N_("deadline|on_demand")},
	{TERMS_DEADLINE, "external", N_("deadline|external")},
	{TERMS_DEADLINE, "relative", N_("deadline|relative")},
	{TERMS_DEADLINE, "unknown", N_("deadline|unknown")},
	{TERMS_DEADLINE, "daily", N_("deadline|daily")},
	{TERMS_DEADLINE, "weekly", N_("deadline|weekly")},
	{TERMS_DEADLINE, "monthly", N_("deadline|monthly")},
	{TERMS_DEADLINE, "quarterly", N_("deadline|quarterly")},
	{TERMS_DEADLINE, "semiannual", N_("deadline|semiannual")},
	{TERMS_DEADLINE, "yearly", N_("deadline|yearly")},
	{TERMS_PARTY, "region_body", N_("party|region_body")},
	{TERMS_PARTY, "municipal_body", N_("party|municipal_body")},
	{TERMS_PARTY, "all_schools", N_("party|all_schools")},
	{TERMS_PARTY, "school", N_("party|school")},
	{TERMS_PARTY, "unit", N_("party|unit")},
	{TERMS_YES_NO, "yes", N_("yes")},
	{TERMS_YES_NO, "no", N_("no")},
};

const char *terms_q(const char *msgid)
{
	const char *t = _(msgid), *bar = strchr(msgid, '|');
	return t != msgid || !bar ? t : bar + 1;
}

const char *terms_word(enum terms_kind kind, const char *word)
{
	if (!word || !*word || !kt_i18n_russian())
		return word;
	for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
		if (terms[i].kind == kind && strcmp(terms[i].word, word) == 0)
			return _(terms[i].msgid);
	return word;
}
