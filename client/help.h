/* help: the --help paragraph of each command (help.c), named help_<command words>. */
#ifndef KT_HELP_H
#define KT_HELP_H

/* plans/cmd_plan.c */
extern const char help_plan_list[]; /* karta plan list */
extern const char help_plan_show[]; /* karta plan show */
extern const char help_plan_create[]; /* karta plan create */
extern const char help_plan_section[]; /* karta plan section */
extern const char help_plan_edit[]; /* karta plan edit */
extern const char help_plan_derive[]; /* karta plan derive */
extern const char help_plan_approve[]; /* karta plan approve */
extern const char help_plan_archive[]; /* karta plan archive */

/* plans/cmd_item.c */
extern const char help_item_add[]; /* karta item add */
extern const char help_item_show[]; /* karta item show */
extern const char help_item_history[]; /* karta item history */
extern const char help_item_edit[]; /* karta item edit */
extern const char help_item_move[]; /* karta item move */
extern const char help_item_delete[]; /* karta item delete */

/* local/cmd_sync.c */
extern const char help_sync[]; /* karta sync */
extern const char help_watch[]; /* karta watch */
extern const char help_status[]; /* karta status */
extern const char help_conflicts_list[]; /* karta conflicts list */
extern const char help_conflicts_resolve[]; /* karta conflicts resolve */

/* reports/cmd_report.c */
extern const char help_item_status[]; /* karta item status */
extern const char help_report_request[]; /* karta report request */
extern const char help_report_draft[]; /* karta report draft */
extern const char help_report_submit[]; /* karta report submit */
extern const char help_report_accept[]; /* karta report accept */
extern const char help_report_return[]; /* karta report return */

/* reports/report_list.c */
extern const char help_report_list[]; /* karta report list */
extern const char help_report_show[]; /* karta report show */

/* reports/cmd_rollup.c */
extern const char help_rollup[]; /* karta rollup */
extern const char help_overdue[]; /* karta overdue */
extern const char help_registry_duplicates[]; /* karta registry duplicates */

/* registry/registry_list.c */
extern const char help_registry_list[]; /* karta registry list */

/* registry/registry_show.c */
extern const char help_registry_show[]; /* karta registry show */
extern const char help_registry_history[]; /* karta registry history */

/* registry/registry_edit.c */
extern const char help_registry_edit[]; /* karta registry edit */
extern const char help_registry_delete[]; /* karta registry delete */

/* registry/registry_export.c */
extern const char help_registry_export[]; /* karta registry export */

/* exam/cmd_exam.c */
extern const char help_exam_plan[]; /* karta exam plan */
extern const char help_exam_settings[]; /* karta exam settings */
extern const char help_exam_distribute[]; /* karta exam distribute */
extern const char help_exam_seat[]; /* karta exam seat */
extern const char help_exam_assign_staff[]; /* karta exam assign-staff */
extern const char help_exam_lock[]; /* karta exam lock */
extern const char help_exam_unlock[]; /* karta exam unlock */
extern const char help_exam_seating[]; /* karta exam seating */

/* exam/exam_schedule.c */
extern const char help_exam_schedule_import[]; /* karta exam schedule import */

/* exam/cmd_control.c */
extern const char help_control[]; /* karta control */

/* print/form_plan.c */
extern const char help_print_plan[]; /* karta print plan */

/* print/form_notice.c */
extern const char help_print_notice[]; /* karta print notice */

/* print/form_ppe05.c */
extern const char help_print_ppe_05_01[]; /* karta print ppe-05-01 */

/* print/form_ppe07.c */
extern const char help_print_ppe_07[]; /* karta print ppe-07 */

/* print/form_rollup.c */
extern const char help_print_rollup[]; /* karta print rollup */

/* dashboard/cmd_dashboard.c */
extern const char help_dashboard[]; /* karta dashboard */

#endif
