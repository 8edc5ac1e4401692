/* table_out: the destination of a table command's output (see table_out.h): stdout, a
 * file replaced only when complete, or an xlsx workbook. csv and json with -o go through
 * a 0600 temporary file (registry listings are personal data) renamed at the end, as
 * kt_xlsx does for workbooks. The headers people read — text tables and CSV in a Russian
 * locale, workbooks always — are labels from the one table here, by column name and, where
 * a name means different things, by sheet; English msgids, Russian in po/ru/formats.po
 * (docs/ui-terms-ru.md). JSON, --keys and CSV for scripts keep the columns' names. */
#include "table_out.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include "client.h"
#include "kt_i18n.h"

/* --- Russian headers of the workbooks --------------------------------------------------- */

static const struct {
	const char *sheet; /* NULL: any sheet */
	const char *name, *label; /* label: an English msgid, N_() */
} labels[] = {
	/* where a name means something else on that sheet */
	{"Просрочено", "due", N_("Due")},
	{"Просрочено", "title", N_("Content")},
	{"Отчёты", "due", N_("Due")},
	{"Отчёты", "org", N_("Organization")},
	{"Отчёты", "no", N_("Version")},
	{"Отчёты", "title", N_("Name")},
	{"Участники", "name", N_("First name")},
	{"Регистрации на экзамены", "name", N_("First name")},
	{"Работники ППЭ", "name", N_("First name")},
	{"Работники ППЭ", "code", N_("Staff code")},
	{"Работники по ППЭ", "exam_point", N_("Exam point")},
	{"Мероприятия", "title", N_("Item")},
	{"Планы", "title", N_("Name")},
	{"История изменений", "org", N_("Organization")},
	/* the roll-up */
	{NULL, "org", N_("Code")}, {NULL, "name", N_("Name")}, {NULL, "municipality", N_("Municipality")},
	{NULL, "items", N_("Items")}, {NULL, "due", N_("Due now")}, {NULL, "done", N_("Done")},
	{NULL, "done %", N_("Done, %")}, {NULL, "overdue", N_("Overdue")},
	{NULL, "not reported", N_("Not reported")}, {NULL, "in progress", N_("In progress")},
	{NULL, "blocked", N_("Blocked")}, {NULL, "reports due", N_("Reports requested")},
	{NULL, "reports missing", N_("Reports missing")}, {NULL, "returned", N_("Returned for rework")},
	{NULL, "last submission", N_("Last submission")}, {NULL, "schools", N_("School")},
	{NULL, "sch. items", N_("School items")}, {NULL, "sch. done", N_("School items done")},
	{NULL, "sch. done %", N_("School items done, %")}, {NULL, "sch. overdue", N_("School items overdue")},
	{NULL, "sch. not reported", N_("School items not reported")}, {NULL, "schools late", N_("Schools late")},
	{NULL, "item", N_("Item")}, {NULL, "deadline", N_("Due")}, {NULL, "status", N_("Status")},
	{NULL, "municipalities", N_("Municipalities")}, {NULL, "orgs below", N_("Organizations below")},
	{NULL, "mun. done", N_("Done by municipalities")},
	{NULL, "mun. done %", N_("Done by municipalities, %")},
	{NULL, "mun. overdue", N_("Overdue at municipalities")},
	{NULL, "mun. not reported", N_("Not reported by municipalities")},
	/* overdue, duplicates */
	{NULL, "kind", N_("Kind")}, {NULL, "number", N_("Number")}, {NULL, "state", N_("State")},
	{NULL, "match", N_("Match")}, {NULL, "person", N_("Participant")}, {NULL, "born", N_("Born")},
	{NULL, "other school", N_("Other school")}, {NULL, "person there", N_("Participant at the other school")},
	{NULL, "born there", N_("Born (other school)")},
	/* control reports and the seating list (the server's columns) */
	{NULL, "point", N_("Exam point")}, {NULL, "auditorium", N_("Auditorium")}, {NULL, "seat_row", N_("Row")},
	{NULL, "seat", N_("Seat")}, {NULL, "participant", N_("Participant id")},
	{NULL, "manual", N_("Manual")}, {NULL, "capacity", N_("Seats")}, {NULL, "seated", N_("Seated")},
	{NULL, "fill_pct", N_("Filled, %")}, {NULL, "registered", N_("Registered")},
	{NULL, "distributed", N_("Distributed")}, {NULL, "not_distributed", N_("Not distributed")},
	{NULL, "points", N_("Exam points used")}, {NULL, "reserved", N_("Seats in reserve")},
	{NULL, "shortage", N_("Seats short")}, {NULL, "free_seats", N_("Free seats")},
	{NULL, "unseated", N_("Not seated")}, {NULL, "organizers_needed", N_("Organizers needed")},
	{NULL, "organizers", N_("Organizers")}, {NULL, "organizers_missing", N_("Organizers short")},
	{NULL, "heads", N_("Exam point heads")}, {NULL, "heads_missing", N_("Without a head")},
	/* registries */
	{NULL, "school", N_("School")}, {NULL, "class", N_("Class")}, {NULL, "surname", N_("Surname")},
	{NULL, "patronymic", N_("Patronymic")}, {NULL, "birth_date", N_("Born")},
	{NULL, "form", N_("Exam form")}, {NULL, "category", N_("Category")}, {NULL, "id", N_("Id")},
	{NULL, "date", N_("Date")}, {NULL, "subject_code", N_("Subject code")}, {NULL, "subject", N_("Subject")},
	{NULL, "gia", N_("Exam (GIA)")}, {NULL, "period", N_("Period")}, {NULL, "exam_date", N_("Exam date")},
	{NULL, "global_id", N_("ExamGlobalID")},
	{NULL, "code", N_("Code")}, {NULL, "address", N_("Address")}, {NULL, "forms", N_("Exam forms")},
	{NULL, "at_home", N_("At home")}, {NULL, "remote", N_("Remote (TOM)")}, {NULL, "video", N_("Video")},
	{NULL, "reserve", N_("Reserve")}, {NULL, "exam_point", N_("Exam point code")}, {NULL, "rows", N_("Rows")},
	{NULL, "seats_per_row", N_("Seats per row")}, {NULL, "seats", N_("Seats")}, {NULL, "ovz", N_("Special needs")},
	{NULL, "lab", N_("Laboratory")}, {NULL, "roles", N_("Roles")},
	{NULL, "workplace", N_("Workplace")}, {NULL, "exam_points", N_("Exam point")},
	{NULL, "staff", N_("Staff member")}, {NULL, "deleted", N_("Deleted")},
	/* plans, history, reports */
	{NULL, "owner", N_("Owner")}, {NULL, "level", N_("Level")}, {NULL, "year", N_("School year")},
	{NULL, "writable", N_("Writable")}, {NULL, "title", N_("Name")},
	{NULL, "field", N_("Field")}, {NULL, "value", N_("Value")}, {NULL, "section", N_("Section")},
	{NULL, "section_title", N_("Section title")}, {NULL, "ordinal", N_("Order")},
	{NULL, "parent_item_id", N_("Parent item")}, {NULL, "responsible", N_("Responsible")},
	{NULL, "municipal", N_("Municipal level")},
	{NULL, "institutional", N_("School level")}, {NULL, "result", N_("Result")},
	{NULL, "target", N_("For whom")}, {NULL, "mark", N_("Mark")},
	{NULL, "derived_from", N_("Derived from")}, {NULL, "delete_reason", N_("Reason for deletion")},
	{NULL, "version", N_("Version")}, {NULL, "op", N_("Action")}, {NULL, "at", N_("When")},
	{NULL, "device", N_("Device")}, {NULL, "fields", N_("Fields")}, {NULL, "request", N_("Request")},
	{NULL, "receiver", N_("To")}, {NULL, "from", N_("Reporting")},
	{NULL, "submission", N_("Submission")}, {NULL, "submitted", N_("Submitted")},
	{NULL, "return reason", N_("Reason for return")},
};

const char *table_out_label(const char *sheet, const char *name)
{
	const char *any = NULL;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].name, name) == 0) {
			if (labels[i].sheet && sheet && strcmp(labels[i].sheet, sheet) == 0)
				return _(labels[i].label);
			if (!labels[i].sheet && !any)
				any = labels[i].label;
		}
	return any ? _(any) : name;
}

/* What stays longest on a narrow terminal (kt_table_style.rank), most important first: what
 * names the row, then how it stands; a column not here leaves first, the rightmost first. */
static const char *const important[] = {"id", "org", "code", "surname", "name", "number",
	"item", "title", "request", "submission", "due", "deadline", "status", "state",
	"done %", "overdue", "not reported", "reports missing", "returned", "patronymic",
	"school", "class", "owner", "year", "items", "date", "subject", "exam_point", "point",
	"auditorium", "match", "person", "person there", "mun. done %", "sch. done %"};

static unsigned rank_of(const char *title, const char *name)
{
	(void)title;
	for (size_t i = 0; i < sizeof important / sizeof important[0]; i++)
		if (strcmp(important[i], name) == 0)
			return (unsigned)i + 1;
	return 0;
}

/* Terminal columns of stdout: $COLUMNS (a test, or a user who wants a width), else the
 * terminal's own; KT_WIDTH_NONE when stdout is no terminal: a pipe or a file is never cut. */
static unsigned out_width(void)
{
	const char *env = getenv("COLUMNS");
	char *end;
	long n = env && *env ? strtol(env, &end, 10) : 0;
	if (env && *env && !*end && n > 0 && n < 100000)
		return (unsigned)n;
	struct winsize ws;
	if (isatty(fileno(stdout)) && ioctl(fileno(stdout), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return KT_WIDTH_NONE;
}

void table_out_init(void)
{
	bool ru = kt_i18n_russian();
	struct kt_table_style s = {.width = out_width(), .people = ru, .csv_people = ru,
		.label = table_out_label, .rank = rank_of,
		.dropped_note = _("columns not shown: %s (--wide shows all)")};
	kt_table_set_style(&s);
}

int table_out_open(struct table_out *o, struct plan_fmt_out *fo, const char *path,
	const struct opt_cmd *c)
{
	*o = (struct table_out){.f = stdout, .path = path};
	fo->xlsx = NULL;
	if (path && !*path)
		return opts_fail(c, _("-o needs a file name"));
	if (path && fo->format == KT_TABLE_TEXT)
		return opts_fail(c, _("-o FILE is for --format csv, json or xlsx (the table is for "
				    "the terminal)"));
	if (fo->format == KT_TABLE_XLSX) {
		if (!path && isatty(fileno(stdout)))
			return opts_fail(c, _("--format xlsx writes a workbook, not text for the "
					    "terminal: give -o FILE.xlsx"));
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
		fprintf(stderr, _("karta: cannot create '%s': %s\n"), o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int table_out_start(struct table_out *o, struct plan_fmt_out *fo, const struct opt_cmd *c)
{
	const struct opt *format = opts_find(c, "format"), *bom = opts_find(c, "bom"),
			 *out = opts_find(c, "output");
	*fo = plan_fmt_out_of(format ? format->str : NULL, bom && bom->set, false);
	return table_out_open(o, fo, out ? out->str : NULL, c);
}

bool table_out_command(const char *name, const char *about, int argc, char **argv,
	struct table_out *o, struct plan_fmt_out *fo, int *rc)
{
	struct opt opts[] = {OPTS_FORMAT("table|csv|json|xlsx"), OPTS_BOM, OPTS_OUTPUT, {0}};
	struct opt_cmd c = {name, "", 0, about, opts};
	if (!opts_ok(&c, argc, argv, NULL, rc))
		return false;
	*rc = table_out_start(o, fo, &c);
	return *rc == EXIT_OK;
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
			fprintf(stderr, _("karta: cannot write '%s': %s\n"), o->tmp, strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc == EXIT_OK && rename(o->tmp, o->path) != 0) {
			fprintf(stderr, _("karta: cannot rename '%s' to '%s': %s\n"), o->tmp, o->path,
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
		printf(_("written to %s\n"), o->path);
	return EXIT_OK;
}

bool table_out_pipe_closed(void)
{
	struct pollfd p = {.fd = fileno(stdout), .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int table_out_fail(const char *why)
{
	int e = errno;
	if (e == EPIPE || table_out_pipe_closed()) {
		fflush(stderr);
		_exit(EXIT_OK);
	}
	if (!why && e == EILSEQ)
		why = _("a cell holds a character Windows-1251 has not (write UTF-8: leave out "
			"--encoding cp1251)");
	fprintf(stderr, _("karta: cannot write the output: %s\n"),
		why ? why : e ? strerror(e) : _("write error"));
	return -1;
}

int table_out_write(const struct kt_table *t, const struct plan_fmt_out *fo,
	const struct kt_table_opts *to, const char *title, FILE *out)
{
	int rc;
	errno = 0;
	if (fo->format != KT_TABLE_XLSX) {
		struct kt_table_opts o = to ? *to : (struct kt_table_opts){0};
		o.title = title; /* the labels of this table's headers */
		rc = kt_table_write(t, fo->format, &o, out);
		return rc != 0 ? table_out_fail(NULL) : 0;
	}
	if (!fo->xlsx) {
		return table_out_fail(_("no workbook is open"));
	}
	size_t nc;
	const struct kt_col *cols = kt_table_cols(t, &nc);
	struct kt_col *ru = malloc(nc * sizeof *ru);
	if (!ru) {
		return table_out_fail(_("out of memory"));
	}
	for (size_t c = 0; c < nc; c++) {
		ru[c] = cols[c];
		ru[c].name = table_out_label(title, cols[c].name);
	}
	rc = kt_xlsx_sheet(fo->xlsx, title, ru, nc);
	for (size_t r = 0; rc == 0 && r < kt_table_rows(t); r++)
		rc = kt_xlsx_row(fo->xlsx, kt_table_row(t, r));
	free(ru);
	return rc != 0 ? table_out_fail(kt_xlsx_error(fo->xlsx)) : 0;
}
