/* kt_import_cli: `karta plan import FILE …`, kept here so the client's cmd_plan_import() is
 * a thin wrapper and tests can drive it with any streams. A Word file may hold several
 * plans: all are written (each in its own transaction, after every one has been checked),
 * or the one --plan N picks; --dry-run prints them as {"format": 2, "plans": [...]} — one
 * plan keeps the original single-plan shape. Invariant: a refused file produces one
 * "karta: cannot import 'FILE': reason" line and exit code 1 and reaches no writer; a
 * usage error exit code 2. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"
#include "kt_table.h"

static void usage(FILE *f)
{
	fprintf(f, _("usage: karta plan import FILE [--dry-run] [--format json|table] "
		   "[--allow-truncated] [--into PLAN] [--year YYYY] [--plan N]\n\n"
		   "Reads a roadmap — a Word file (.docx; .doc through LibreOffice when installed)\n"
		   "or its plain-text form (UTF-8, UTF-16 with BOM or Windows-1251) — of at most\n"
		   "%u MiB and creates a plan from it on the server, in one transaction. A Word\n"
		   "file with several plans (one table each) creates each of them.\n\n"
		   "  --dry-run            print the plan read (document, sections, items, warnings)\n"
		   "                       and write nothing; with --into, show the changes only\n"
		   "  --format json|table  output format of --dry-run (default json)\n"
		   "  --allow-truncated    accept a table that ends mid-row\n"
		   "  --into PLAN          re-import a corrected document into this draft plan:\n"
		   "                       matched items are updated in place, new ones added,\n"
		   "                       missing ones deleted (with a reason); prints the diff\n"
		   "  --year YYYY          academic year's first year, when the document names none\n"
		   "  --plan N             only the document's N-th plan (--dry-run lists them all)\n"
		   "\nExit status: 0 ok, 1 the file was refused, 2 usage error.\n"),
		KT_IMPORT_MAX_BYTES >> 20);
}

int kt_import_cli(int argc, char **argv, FILE *out, FILE *errout, kt_import_write_fn write,
	void *arg)
{
	const char *file = NULL, *format = "json", *into = NULL;
	int year = 0;
	long pick = 0;
	bool dry = false, allow_truncated = false, opts = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			usage(out);
			return 0;
		} else if (opts && strcmp(a, "--dry-run") == 0) {
			dry = true;
		} else if (opts && strcmp(a, "--allow-truncated") == 0) {
			allow_truncated = true;
		} else if (opts && strcmp(a, "--into") == 0 && i + 1 < argc) {
			into = argv[++i];
		} else if (opts && strcmp(a, "--year") == 0 && i + 1 < argc) {
			char *end;
			year = (int)strtol(argv[++i], &end, 10);
			if (*end || year < 2000 || year > 2100) {
				fprintf(errout, _("karta: plan import: --year needs a year 2000..2100\n"));
				return 2;
			}
		} else if (opts && strcmp(a, "--plan") == 0 && i + 1 < argc) {
			char *end;
			pick = strtol(argv[++i], &end, 10);
			if (*end || pick < 1 || pick > 1000) {
				fprintf(errout, _("karta: plan import: --plan needs a plan number (1, 2, …)\n"));
				return 2;
			}
		} else if (opts && strcmp(a, "--format") == 0) {
			if (i + 1 >= argc) {
				fprintf(errout, _("karta: plan import: --format needs a value (json or table)\n"));
				return 2;
			}
			format = argv[++i];
		} else if (opts && strncmp(a, "--format=", 9) == 0) {
			format = a + 9;
		} else if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(errout, _("karta: plan import: unknown option '%s'\n"), a);
			usage(errout);
			return 2;
		} else if (!file) {
			file = a;
		} else {
			fprintf(errout, _("karta: plan import: one FILE only ('%s' is extra)\n"), a);
			return 2;
		}
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
		fprintf(errout, _("karta: plan import: unknown format '%s' (json or table)\n"), format);
		return 2;
	}
	if (!file) {
		fprintf(errout, _("karta: plan import: FILE is missing\n"));
		usage(errout);
		return 2;
	}
	if ((!dry || into) && !write) {
		fprintf(errout, _("karta: cannot import '%s': no server to write to; use --dry-run to "
			"check the parse\n"), file);
		return 1;
	}
	struct kt_import_plan **plans = NULL;
	size_t n = 0;
	struct kt_import_err err;
	if (kt_import_parse_all(file, &plans, &n, &err) != 0) {
		if (err.line)
			fprintf(errout, _("karta: cannot import '%s': %s (line %d)\n"), file, err.msg, err.line);
		else
			fprintf(errout, _("karta: cannot import '%s': %s\n"), file, err.msg);
		return 1;
	}
	int rc = 1;
	size_t from = 0, to = n;
	if (pick) {
		if ((size_t)pick > n) {
			fprintf(errout, P_("karta: cannot import '%s': the document holds %zu plan; there "
					   "is no plan %ld\n", "karta: cannot import '%s': the document "
					   "holds %zu plans; there is no plan %ld\n", n), file, n, pick);
			goto out;
		}
		from = (size_t)pick - 1;
		to = from + 1;
	}
	if (into && to - from > 1) {
		fprintf(errout, _("karta: cannot import '%s': the document holds %zu plans; --into needs "
			"--plan N to say which one\n"), file, n);
		goto out;
	}
	for (size_t i = from; i < to; i++) {
		const struct kt_import_plan *plan = plans[i];
		if (plan->doc.truncated && !allow_truncated) {
			fprintf(errout, _("karta: cannot import '%s': the table ends mid-row at line %d (the "
				"file looks truncated); --allow-truncated prints what was read\n"), file,
				plan->doc.table_last_line);
			goto out;
		}
		/* checked for all before the first is written: nothing half-imported */
		if ((!dry || into) && !into && !year && !plan->doc.year_first && to - from > 1) {
			fprintf(errout, _("karta: cannot import '%s': plan %zu names no academic year: give "
				"--year YYYY\n"), file, i + 1);
			goto out;
		}
	}
	if (!dry || into) {
		struct kt_import_target t = {.file = file, .into = into, .year = year, .dry_run = dry};
		rc = 0;
		for (size_t i = from; i < to && rc == 0; i++)
			rc = write(plans[i], &t, arg);
		goto out;
	}
	if (strcmp(format, "json") == 0) {
		json_t *j = to - from == 1 ? kt_import_to_json(plans[from])
					   : kt_import_plans_to_json(plans + from, to - from);
		if (!j) {
			fprintf(errout, _("karta: cannot import '%s': out of memory\n"), file);
			goto out;
		}
		int w = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		fputc('\n', out);
		if (w != 0)
			goto write_err;
	} else {
		const struct kt_table_style *st = kt_table_get_style(); /* the terminal's width */
		int tw = st->width && st->width != KT_WIDTH_NONE ? (int)st->width : 0;
		for (size_t i = from; i < to; i++) {
			if (to - from > 1 && fprintf(out, "%s== План %zu из %zu: %s ==\n\n", i > from ? "\n"
				: "", i + 1, n, plans[i]->doc.title ? plans[i]->doc.title : "(без названия)") < 0)
				goto write_err;
			if (kt_import_write_table(plans[i], out, tw) != 0)
				goto write_err;
		}
	}
	if (fflush(out) != 0 || ferror(out))
		goto write_err;
	for (size_t i = from; i < to; i++) {
		const struct kt_import_plan *plan = plans[i];
		if (n > 1)
			fprintf(errout, _("karta: read '%s' plan %zu of %zu: %zu sections, %zu items, %zu "
				"warnings (dry run: nothing written)\n"), file, i + 1, n, plan->n_sections,
				kt_import_item_count(plan), plan->n_warnings + plan->dropped_warnings);
		else
			fprintf(errout, _("karta: read '%s': %zu sections, %zu items, %zu warnings (dry run: "
				"nothing written)\n"), file, plan->n_sections, kt_import_item_count(plan),
				plan->n_warnings + plan->dropped_warnings);
	}
	rc = 0;
	goto out;
write_err:
	fprintf(errout, _("karta: cannot import '%s': cannot write the output\n"), file);
out:
	kt_import_plans_free(plans, n);
	return rc;
}
