/* kt_import_demo: runs `karta plan import` (kt_import_cli) without the client, for tests
 * and by hand: kt_import_demo FILE --dry-run [--format table]. */
#include <stdio.h>

#include "kt_import.h"

int main(int argc, char **argv)
{
	if (argc > 0) {
		argv[0] = "import";
	}
	return kt_import_cli(argc, argv, stdout, stderr, NULL, NULL);
}
