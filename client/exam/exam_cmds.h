/* exam_cmds: `karta exam …` (cmd_exam.c: the planning steps, seating lists) and `karta
 * control …` (cmd_control.c: control reports) — docs/exam-planning.md. */
#ifndef KT_EXAM_CMDS_H
#define KT_EXAM_CMDS_H

#include "exam_refs.h"
#include "karta.pb-c.h"

struct client;
struct report_view;

/* --exam, the option every exam command takes (opts.h table entry). */
#define OPT_EXAM                                                                          \
	{.name = "exam", .type = OPT_STR, .meta = "EXAM", .required = true,               \
		.help = "the exam: its id, or DATE:SUBJECT_CODE[:ege|oge|gve] (2025-06-01:2)"}

/* The replica, the exam's id from --exam (exam_refs.h). Returns an exit code. */
int exam_resolve(struct client *cl, const char *ref, struct replica **r, char id[EXAM_ID_LEN]);

/* The server's table `name` (a control report, "seating") of the exam named by --exam, for
 * one exam point (its code) or all (point NULL): exam_resolve, then report_table. On
 * EXIT_OK *t is freed by the caller (karta__table__free_unpacked); else the message is
 * printed. */
int exam_table(struct client *cl, const char *exam_ref, const char *name, const char *point,
	Karta__Table **t) __attribute__((warn_unused_result));

#endif
