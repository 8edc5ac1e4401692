/* cmd_plan_import: `karta plan import FILE [--dry-run] [--format json|table]`. The parsing
 * and the command itself live in common/import (kt_import_cli) so the server side and the
 * tests share them; this is the client's entry point. argv[0] is "import". */
#include <stdio.h>

#include "kt_import.h"

/* Declared here until client.h lists it with the other subcommands. */
int cmd_plan_import(int argc, char **argv);

int cmd_plan_import(int argc, char **argv)
{
	return kt_import_cli(argc, argv, stdout, stderr);
}
