/* table_out: the destination of a table command's output (see table_out.h): stdout, a
 * file replaced only when complete, or an xlsx workbook. csv and json with -o go through
 * a 0600 temporary file (registry listings are personal data) renamed at the end, as
 * kt_xlsx does for workbooks. */
#include "table_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

int table_out_open(struct table_out *o, struct plan_fmt_out *fo, const char *path,
	const struct opt_cmd *c)
{
	*o = (struct table_out){.f = stdout, .path = path};
	fo->xlsx = NULL;
	if (path && !*path)
		return opts_fail(c, "-o needs a file name");
	if (path && fo->format == KT_TABLE_TEXT)
		return opts_fail(c, "-o FILE is for --format csv, json or xlsx (the table is for "
				    "the terminal)");
	if (fo->format == KT_TABLE_XLSX) {
		if (!path && isatty(fileno(stdout)))
			return opts_fail(c, "--format xlsx writes a workbook, not text for the "
					    "terminal: give -o FILE.xlsx");
		char err[KT_XLSX_ERR_LEN];
		fo->xlsx = kt_xlsx_open(path, path ? NULL : stdout, err, sizeof err);
		if (!fo->xlsx) {
			fprintf(stderr, "karta: %s\n", err);
			return EXIT_RUNTIME;
		}
		return EXIT_OK;
	}
	if (!path)
		return EXIT_OK;
	snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", path, (long)getpid());
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	o->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!o->f) {
		fprintf(stderr, "karta: cannot create '%s': %s\n", o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int table_out_close(struct table_out *o, struct plan_fmt_out *fo, int rc)
{
	char err[KT_XLSX_ERR_LEN];
	if (fo->xlsx) {
		struct kt_xlsx *x = fo->xlsx;
		fo->xlsx = NULL;
		if (rc != EXIT_OK) {
			kt_xlsx_discard(x);
			return rc;
		}
		if (kt_xlsx_commit(x, err, sizeof err) != 0) {
			fprintf(stderr, "karta: %s\n", err);
			return EXIT_RUNTIME;
		}
	} else if (o->f && o->f != stdout) {
		errno = 0;
		if (fclose(o->f) != 0 && rc == EXIT_OK) {
			fprintf(stderr, "karta: cannot write '%s': %s\n", o->tmp, strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc == EXIT_OK && rename(o->tmp, o->path) != 0) {
			fprintf(stderr, "karta: cannot rename '%s' to '%s': %s\n", o->tmp, o->path,
				strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc != EXIT_OK) {
			unlink(o->tmp);
			return rc;
		}
	} else {
		return rc;
	}
	if (o->path && !o->quiet)
		printf("written to %s\n", o->path);
	return EXIT_OK;
}

int table_out_write(const struct kt_table *t, const struct plan_fmt_out *fo,
	const struct kt_table_opts *to, const char *title, FILE *out)
{
	int rc;
	errno = 0;
	if (fo->format != KT_TABLE_XLSX) {
		rc = kt_table_write(t, fo->format, to, out);
		if (rc != 0)
			fprintf(stderr, "karta: cannot write the output: %s\n",
				errno ? strerror(errno) : "write error");
		return rc;
	}
	if (!fo->xlsx) {
		fprintf(stderr, "karta: cannot write the output: no workbook is open\n");
		return -1;
	}
	rc = kt_xlsx_table(fo->xlsx, title, t);
	if (rc != 0)
		fprintf(stderr, "karta: cannot write the output: %s\n", kt_xlsx_error(fo->xlsx));
	return rc;
}
