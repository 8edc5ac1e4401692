/* commands: the command groups of karta — `karta GROUP SUBCOMMAND` — each a table of its
 * subcommands with their one-line help, all here in the order of `karta --help`, so the
 * whole command tree reads in one place (main.c holds the top-level table; help.c each
 * command's paragraph; the subcommands live in their domain's folder, commands.h).
 * opts_dispatch runs the subcommand argv[1] names and prints a group's help and usage. */
#include "client.h"
#include "commands.h"
#include "kt_i18n.h"
#include "opts.h"
#include "print.h"
#include "registry_cmds.h"
#include "report_cmds.h"

#define GROUP(name, subs, cl, argc, argv) \
	opts_dispatch(name, subs, sizeof subs / sizeof subs[0], cl, argc, argv)

static const struct opts_sub plan[] = {
	{"list", cmd_plan_list, N_("the plans this device may see")},
	{"show", cmd_plan_show, N_("a plan with its sections and items")},
	{"create", cmd_plan_create, N_("a new draft plan with its sections")},
	{"section", cmd_plan_section, N_("add a section to a draft plan")},
	{"edit", cmd_plan_edit, N_("change a draft plan's title, act or year")},
	{"derive", cmd_plan_derive, N_("this organization's plan from the plan above")},
	{"approve", cmd_plan_approve, N_("approve a draft plan by an act")},
	{"archive", cmd_plan_archive, N_("archive an approved plan")},
	{"import", cmd_plan_import, N_("read a plan from a document (see its --help)")},
};

static const struct opts_sub item[] = {
	{"add", cmd_item_add, N_("add an item to a draft plan")},
	{"show", cmd_item_show, N_("one item with its normalized deadline and parties")},
	{"edit", cmd_item_edit, N_("change an item's fields")},
	{"move", cmd_item_move, N_("move an item to another section, position or parent")},
	{"delete", cmd_item_delete, N_("delete an item (with a reason)")},
	{"history", cmd_item_history, N_("who changed an item and when")},
	{"status", cmd_item_status, N_("set this organization's status of an item (with evidence)")},
};

static const struct opts_sub conflicts[] = {
	{"list", cmd_conflicts_list, N_("open conflicts in the local replica")},
	{"resolve", cmd_conflicts_resolve, N_("resolve one: --keep mine|theirs")},
};

static const struct opts_sub report[] = {
	{"request", cmd_report_request, N_("ask the organizations below for a report on an item")},
	{"draft", cmd_report_draft, N_("start or edit this organization's answer to a request")},
	{"submit", cmd_report_submit, N_("submit (or resubmit) a submission")},
	{"accept", cmd_report_accept, N_("accept a submitted report (its receiver)")},
	{"return", cmd_report_return, N_("return a submitted report with a reason")},
	{"list", report_list, N_("requests and submissions in the local replica")},
	{"show", report_show, N_("one request or submission from the local replica")},
};

static const struct opts_sub registry[] = {
	{"import", registry_import_cmd,
		N_("KIND FILE.csv | --layout giadbset PACKAGE: validate and queue rows")},
	{"list", registry_list_cmd, N_("rows of a registry in the local replica")},
	{"show", registry_show_cmd, N_("one row, every field, in words")},
	{"history", registry_history_cmd, N_("who changed one row and when (server)")},
	{"export", registry_export_cmd, N_("a registry as CSV (karta or the РИС layout)")},
	{"edit", registry_edit_cmd, N_("KIND ID --FIELD VALUE …: correct one row")},
	{"delete", registry_delete_cmd, N_("KIND ID --reason TEXT: delete one row")},
	{"duplicates", registry_duplicates_cmd, N_("the same person entered by two schools")},
};

static const struct opts_sub exam_schedule[] = {
	{"import", exam_schedule_import, N_("import the exam schedule from a CSV file (the region)")},
};

static int cmd_exam_schedule(struct client *cl, int argc, char **argv)
{
	return GROUP("exam schedule", exam_schedule, cl, argc, argv);
}

static const struct opts_sub exam[] = {
	{"plan", cmd_exam_plan, N_("assign an exam point (reserved seats) and its rooms to the exam")},
	{"settings", cmd_exam_settings, N_("organizers per room, cross-municipal distribution")},
	{"distribute", cmd_exam_distribute, N_("distribute participants to exam points")},
	{"seat", cmd_exam_seat, N_("seat participants in auditoriums (four fill orders)")},
	{"assign-staff", cmd_exam_assign_staff, N_("assign staff to the exam at a point")},
	{"lock", cmd_exam_lock, N_("lock the exam's planning (the region)")},
	{"unlock", cmd_exam_unlock, N_("unlock it (the region)")},
	{"seating", cmd_exam_seating, N_("the printable seating list of each auditorium")},
	{"schedule", cmd_exam_schedule, N_("the exam schedule: import FILE.csv (the region)")},
};

static const struct opts_sub print[] = {
	{"ppe-05-01", print_ppe05, "ППЭ-05-01: participants of each auditorium of a point, "
		"one auditorium per page"},
	{"ppe-06-01", print_ppe06_01, "ППЭ-06-01: the point's participants by school"},
	{"ppe-06-02", print_ppe06_02, "ППЭ-06-02: the point's participants alphabetically"},
	{"ppe-07", print_ppe07, "ППЭ-07: the staff of an exam point"},
	{"notice", print_notice, N_("participants' notifications of a school (or a class)")},
	{"plan", print_plan, N_("a roadmap as the approved document (landscape)")},
	{"rollup", print_rollup, N_("the roll-up report as of a day")},
};

int cmd_plan(struct client *cl, int argc, char **argv)
{
	return GROUP("plan", plan, cl, argc, argv);
}

int cmd_item(struct client *cl, int argc, char **argv)
{
	return GROUP("item", item, cl, argc, argv);
}

int cmd_conflicts(struct client *cl, int argc, char **argv)
{
	return GROUP("conflicts", conflicts, cl, argc, argv);
}

int cmd_report(struct client *cl, int argc, char **argv)
{
	return GROUP("report", report, cl, argc, argv);
}

int cmd_registry(struct client *cl, int argc, char **argv)
{
	return GROUP("registry", registry, cl, argc, argv);
}

int cmd_exam(struct client *cl, int argc, char **argv)
{
	return GROUP("exam", exam, cl, argc, argv);
}

int cmd_print(struct client *cl, int argc, char **argv)
{
	return GROUP("print", print, cl, argc, argv);
}
