/* cmd_registry: `karta registry import|list|show|export|edit|delete` (registry_cmds.h). */
#include "client.h"
#include "opts.h"
#include "registry_cmds.h"
#include "kt_i18n.h"

int cmd_registry(struct client *cl, int argc, char **argv)
{
	static const struct opts_sub subs[] = {
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
	return opts_dispatch("registry", subs, sizeof subs / sizeof subs[0], cl, argc, argv);
}
