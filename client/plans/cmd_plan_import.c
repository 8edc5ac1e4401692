/* cmd_plan_import: `karta plan import FILE …`. Parsing and the command line live in
 * common/import (kt_import_cli) so tests share them; this entry point adds the writer that
 * sends the parsed plan to kartad (import_send.c). argv[0] is "import". */
#include <stdio.h>

#include "client.h"
#include "import_send.h"
#include "opts.h"

static int write_to_server(const struct kt_import_plan *plan, const struct kt_import_target *t,
	void *arg)
{
	struct import_send_opts o = {.into = t->into, .year = t->year, .dry_run = t->dry_run};
	if (o.into && opts_check_id("plan", &o.into) != EXIT_OK) /* a short id too */
		return EXIT_RUNTIME;
	return import_send(arg, plan, &o, stdout);
}

int cmd_plan_import(struct client *cl, int argc, char **argv)
{
	return kt_import_cli(argc, argv, stdout, stderr, write_to_server, cl);
}
