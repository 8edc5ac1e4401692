/* commands: the subcommands that client/commands.c dispatches to, `karta GROUP SUBCOMMAND`:
 * each an opts_fn (opts.h), cmd_<group>_<subcommand>(cl, argc, argv) with argv[0] its own
 * name, returning an exit code (client.h). The groups' entry points (cmd_plan, cmd_item, …)
 * are in client.h; the registry's subcommands in registry_cmds.h, the print forms' in print.h. */
#ifndef KT_COMMANDS_H
#define KT_COMMANDS_H

#include "opts.h"

/* plans/cmd_plan.c (import: plans/cmd_plan_import.c, client.h) */
opts_fn cmd_plan_list, cmd_plan_show, cmd_plan_create, cmd_plan_section, cmd_plan_edit,
	cmd_plan_derive, cmd_plan_approve, cmd_plan_archive;

/* plans/cmd_item.c (status: reports/cmd_report.c, client.h) */
opts_fn cmd_item_add, cmd_item_show, cmd_item_edit, cmd_item_move, cmd_item_delete,
	cmd_item_history;

/* local/cmd_sync.c */
opts_fn cmd_conflicts_list, cmd_conflicts_resolve;

/* reports/cmd_report.c (list, show: reports/report_list.c, report_cmds.h) */
opts_fn cmd_report_request, cmd_report_draft, cmd_report_submit, cmd_report_accept,
	cmd_report_return;

/* exam/cmd_exam.c */
opts_fn cmd_exam_plan, cmd_exam_settings, cmd_exam_distribute, cmd_exam_seat,
	cmd_exam_assign_staff, cmd_exam_lock, cmd_exam_unlock, cmd_exam_seating;
/* `karta exam schedule import FILE.csv` (exam/exam_schedule.c). */
opts_fn exam_schedule_import;

#endif
