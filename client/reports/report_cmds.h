/* report_cmds: what the report commands share (cmd_report.c: item status, report writes;
 * report_list.c: report list and show from the replica; cmd_rollup.c: rollup, overdue). */
#ifndef KT_REPORT_CMDS_H
#define KT_REPORT_CMDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "karta.pb-c.h"

struct client;

/* The level (Karta__OrgLevel) and code of this device's organization: from the Welcome when
 * connected (connect: try to, quietly), else from the replica's last sync; 0 and "" when
 * neither knows. */
int report_device_level(struct client *cl, bool connect, char *code, size_t n);

/* Sends a RecordOp through the outbox. *res: the server's answer (or, offline, RETRY_LATER
 * "queued"); free with karta__op_result__free_unpacked. A refusal is printed by
 * outbox_call ("karta: server refused: …") and returns EXIT_RUNTIME. Takes args. */
int report_send_op(struct client *cl, const char *kind, const char *id, long long base,
	json_t *args, Karta__OpResult **res);

/* A computed table of the server (TableRequest: req's name and fields; cmd_rollup.c):
 * connects, calls, prints why it could not (unreachable, the server's refusal). *out: free
 * with karta__table__free_unpacked. Returns an exit code. */
int report_table(struct client *cl, Karta__TableRequest *req, Karta__Table **out);

/* `karta report list`, `karta report show` (report_list.c). */
int report_list(struct client *cl, int argc, char **argv);
int report_show(struct client *cl, int argc, char **argv);

#endif
