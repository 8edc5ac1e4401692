/* registry_cmds: `karta registry …` — the РИС registries (docs/registries.md). commands.c
 * dispatches; registry_import.c reads CSV files into outbox ops; registry_export.c lists,
 * shows and exports what the local replica holds. Each returns an exit code. */
#ifndef KT_REGISTRY_CMDS_H
#define KT_REGISTRY_CMDS_H

struct client;

int registry_import_cmd(struct client *cl, int argc, char **argv);
/* `registry import --layout giadbset PACKAGE`: the federal exchange package (registry_gds.c). */
int registry_gds_import_cmd(struct client *cl, int argc, char **argv);
int registry_list_cmd(struct client *cl, int argc, char **argv);
int registry_show_cmd(struct client *cl, int argc, char **argv);
/* A row's changes, from the server (registry_show.c). */
int registry_history_cmd(struct client *cl, int argc, char **argv);
int registry_export_cmd(struct client *cl, int argc, char **argv);
/* One row corrected / soft-deleted with a reason, through the outbox (registry_edit.c). */
int registry_edit_cmd(struct client *cl, int argc, char **argv);
int registry_delete_cmd(struct client *cl, int argc, char **argv);
/* The same person entered by two schools (cmd_rollup.c: a TableRequest). */
int registry_duplicates_cmd(struct client *cl, int argc, char **argv);

#endif
