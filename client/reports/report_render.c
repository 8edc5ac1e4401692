/* report_render: the roll-up and overdue tables (see report_render.h). The server's Table
 * has the SQL function's columns (docs/reports.md, "Roll-up"); a view here is a list of
 * display columns, each a server column, a percentage of two of them, a shortened time or a
 * yes/no flag. Highlighting on a terminal: kt_table turns control characters into spaces
 * (server text must not drive the terminal), so a highlighted cell is wrapped in two
 * zero-width characters (U+2063, U+2064: width 0, alignment unchanged) that are replaced by
 * the ANSI sequences after the table is laid out. */
#include "report_render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "report_parse.h"
#include "table_out.h"
#include "terms.h"
#include "kt_i18n.h"

#define MARK_ON "\xE2\x81\xA3"  /* U+2063 INVISIBLE SEPARATOR */
#define MARK_OFF "\xE2\x81\xA4" /* U+2064 INVISIBLE PLUS */
#define ANSI_ON "\033[1;31m"
#define ANSI_OFF "\033[0m"
#define MAX_COLS 32

enum rk {
	RK_TEXT, /* the server's cell */
	RK_INT,  /* a count: summed in TOTAL */
	RK_PCT,  /* 100 * src / den, one decimal; "" when den is 0 */
	RK_TIME, /* a timestamp, to the minute; TOTAL: the latest */
	RK_FLAG, /* "t" → "yes"; TOTAL: how many */
	RK_DATE, /* the server's cell, a date (xlsx: a real date when it parses) */
	RK_PCTV, /* the server's cell, a percentage it computed (fill_pct) */
	RK_BOOLV, /* the server's cell, t or f (xlsx: a boolean) */
};

struct rcol {
	const char *head;
	enum rk kind;
	const char *src;
	const char *den;
	bool hot;       /* highlighted when > 0 (or yes) */
	unsigned width; /* text: display columns, 0 = any */
};

/* Server columns that are numbers (JSON output). */
static const char *const int_columns[] = {"items", "due", "done", "overdue", "not_reported",
	"in_progress", "blocked", "not_applicable", "returned", "requests_due", "requests_missing",
	"sub_orgs", "sub_items", "sub_due", "sub_done", "sub_overdue", "sub_not_reported",
	"sub_orgs_overdue", "registered", "distributed", "not_distributed", "points", "capacity",
	"reserved", "shortage", "free_seats", "seated", "unseated", "organizers_needed",
	"organizers", "organizers_missing", "heads", "heads_missing", "seat_row", "seat",
	"other_subject_code", "count"};

/* Server columns that hold a date (xlsx: real dates). */
static const char *const date_columns[] = {"birth_date", "birth_a", "birth_b", "exam_date",
	"date", "due", "deadline"};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* Server columns whose figures are trouble when above zero (highlighted on a terminal). */
static const char *const hot_columns[] = {"not_distributed", "shortage", "unseated",
	"organizers_missing", "heads_missing"};

static bool is_hot_column(const char *name)
{
	return in_list(name, hot_columns, sizeof hot_columns / sizeof hot_columns[0]);
}

static bool is_int_column(const char *name)
{
	return in_list(name, int_columns, sizeof int_columns / sizeof int_columns[0]);
}

static int col_index(const Karta__Table *t, const char *name)
{
	for (size_t i = 0; name && i < t->n_columns; i++)
		if (strcmp(t->columns[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *cell(const Karta__Table *t, size_t r, const char *name)
{
	int c = col_index(t, name);
	const Karta__TableRow *row = t->rows[r];
	return c >= 0 && (size_t)c < row->n_cells && row->cells[c] ? row->cells[c] : "";
}

static long long num(const char *s) { return s && *s ? strtoll(s, NULL, 10) : 0; }

static long long column_sum(const Karta__Table *t, const char *name)
{
	long long s = 0;
	for (size_t r = 0; r < t->n_rows; r++)
		s += num(cell(t, r, name));
	return s;
}

static bool column_any(const Karta__Table *t, const char *name)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (num(cell(t, r, name)) > 0)
			return true;
	return false;
}

static void pct(long long n, long long d, char *buf, size_t len)
{
	if (d > 0)
		snprintf(buf, len, "%.1f", 100.0 * (double)n / (double)d);
	else
		snprintf(buf, len, "%s", "");
}

/* Wraps s in the highlight marks when on. */
static const char *hot(const char *s, bool on, char *buf, size_t len)
{
	if (!on)
		return s;
	snprintf(buf, len, MARK_ON "%s" MARK_OFF, s);
	return buf;
}

/* --- writing ------------------------------------------------------------------------------ */

/* Copies the laid-out text to out with the marks turned into ANSI bold red. */
static void unmark(const char *s, FILE *out)
{
	while (*s) {
		const char *on = strstr(s, MARK_ON), *off = strstr(s, MARK_OFF);
		const char *m = on && (!off || on < off) ? on : off;
		if (!m) {
			fputs(s, out);
			return;
		}
		fwrite(s, 1, (size_t)(m - s), out);
		fputs(m == on ? ANSI_ON : ANSI_OFF, out);
		s = m + 3;
	}
}

static int write_table(struct kt_table *t, const struct report_view *v, bool colored,
	FILE *out)
{
	struct kt_table_opts to = {.fit = KT_FIT_CUT, .bom = v->fo.bom, .title = v->title};
	int rc = -1;
	errno = 0;
	if (t && v->fo.format == KT_TABLE_XLSX) { /* one sheet; the message is printed */
		rc = table_out_write(t, &v->fo, &to, v->title, out);
		kt_table_free(t);
		return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
	}
	if (t && colored && v->fo.format == KT_TABLE_TEXT) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (m) {
			rc = kt_table_write(t, KT_TABLE_TEXT, &to, m);
			if (fclose(m) != 0)
				rc = -1;
			if (rc == 0)
				unmark(buf, out);
		}
		free(buf);
	} else if (t) {
		rc = kt_table_write(t, v->fo.format, &to, out);
	}
	bool oom = !t;
	kt_table_free(t);
	if (rc == 0 && fflush(out) == 0 && !ferror(out))
		return EXIT_OK;
	table_out_fail(oom ? _("out of memory") : NULL);
	return EXIT_RUNTIME;
}

/* --format json: every column of the server, numbers as numbers, own_overdue a boolean. */
static int write_json(const Karta__Table *t, const struct report_view *v, FILE *out)
{
	struct kt_col cols[MAX_COLS];
	size_t nc = t->n_columns < MAX_COLS ? t->n_columns : MAX_COLS;
	if (nc == 0) {
		fputs("[]\n", out);
		return EXIT_OK;
	}
	for (size_t c = 0; c < nc; c++)
		cols[c] = (struct kt_col){t->columns[c],
			is_int_column(t->columns[c]) ? KT_COL_INT
			: strcmp(t->columns[c], "own_overdue") == 0 ? KT_COL_BOOL : KT_COL_TEXT, 0};
	struct kt_table *kt = kt_table_new(cols, nc);
	const char *cells[MAX_COLS];
	for (size_t r = 0; kt && r < t->n_rows; r++) {
		for (size_t c = 0; c < nc; c++)
			cells[c] = c < t->rows[r]->n_cells ? t->rows[r]->cells[c] : "";
		if (kt_table_add(kt, cells) != 0) {
			kt_table_free(kt);
			kt = NULL;
		}
	}
	return write_table(kt, v, false, out);
}

/* A state or kind cell as people read it (the text table): the field's words. */
static const char *people_cell(const Karta__Table *t, size_t r, const char *src)
{
	const char *s = cell(t, r, src);
	if (strcmp(s, "total") == 0 && kt_i18n_russian()) /* the server's total row (K-02, K-06) */
		return _("TOTAL");
	if (strcmp(src, "kind") == 0)
		return terms_word(TERMS_OVERDUE_KIND, s);
	if (strcmp(src, "own_status") == 0)
		return terms_word(TERMS_ITEM_STATUS, s);
	if (strcmp(src, "state") == 0)
		return terms_word(strcmp(cell(t, r, "kind"), "item") == 0 ? TERMS_ITEM_STATUS
									 : TERMS_REPORT_STATE, s);
	return s;
}

/* One display row (r) or, with r == SIZE_MAX, the TOTAL row; people: the text table. */
static int add_row(struct kt_table *kt, const Karta__Table *t, const struct rcol *cols,
	size_t nc, size_t r, bool color, bool people)
{
	char buf[MAX_COLS][160];
	const char *cells[MAX_COLS];
	bool total = r == (size_t)-1;
	for (size_t c = 0; c < nc; c++) {
		const struct rcol *k = &cols[c];
		char v[128] = "";
		long long n = 0;
		switch (k->kind) {
		case RK_TEXT:
		case RK_DATE:
		case RK_PCTV:
		case RK_BOOLV:
			cells[c] = !total ? (people ? people_cell(t, r, k->src) : cell(t, r, k->src))
				: c == 0 ? (people ? _("TOTAL") : "TOTAL") : "";
			continue;
		case RK_INT:
			if (!total && !*cell(t, r, k->src)) /* NULL: not a figure this row has */
				break;
			n = total ? column_sum(t, k->src) : num(cell(t, r, k->src));
			snprintf(v, sizeof v, "%lld", n);
			break;
		case RK_PCT:
			if (total)
				pct(column_sum(t, k->src), column_sum(t, k->den), v, sizeof v);
			else
				pct(num(cell(t, r, k->src)), num(cell(t, r, k->den)), v, sizeof v);
			break;
		case RK_TIME:
			if (total) {
				const char *best = "";
				for (size_t i = 0; i < t->n_rows; i++)
					if (strcmp(cell(t, i, k->src), best) > 0)
						best = cell(t, i, k->src);
				report_short_time(best, people, v, sizeof v);
			} else {
				report_short_time(cell(t, r, k->src), people, v, sizeof v);
			}
			break;
		case RK_FLAG:
			if (total) {
				for (size_t i = 0; i < t->n_rows; i++)
					n += strcmp(cell(t, i, k->src), "t") == 0;
				snprintf(v, sizeof v, "%lld", n);
			} else {
				n = strcmp(cell(t, r, k->src), "t") == 0;
				snprintf(v, sizeof v, "%s", !n ? "" : people ? _("yes") : "yes");
			}
			break;
		}
		char tmp[sizeof v + 8];
		snprintf(buf[c], sizeof buf[c], "%s",
			hot(v, color && k->hot && n > 0, tmp, sizeof tmp));
		cells[c] = buf[c];
	}
	return kt_table_add(kt, cells);
}

/* True when any text cell the view shows carries a mark character (then no colors). */
static bool has_marks(const Karta__Table *t, const struct rcol *cols, size_t nc)
{
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < nc; c++)
			if (cols[c].kind == RK_TEXT) {
				const char *s = cell(t, r, cols[c].src);
				if (strstr(s, MARK_ON) || strstr(s, MARK_OFF))
					return true;
			}
	return false;
}

/* The kt_table type of a display column: what aligns the text and types the xlsx cells. */
static enum kt_col_type col_type(enum rk kind, enum kt_table_format f)
{
	switch (kind) {
	case RK_INT: return KT_COL_INT;
	case RK_PCT:
	case RK_PCTV: return KT_COL_PCT;
	case RK_TIME:
	case RK_DATE: return KT_COL_DATE;
	case RK_FLAG: return f == KT_TABLE_XLSX ? KT_COL_BOOL : KT_COL_INT; /* text: right */
	case RK_BOOLV: return KT_COL_BOOL;
	default: return KT_COL_TEXT;
	}
}

static int render(const Karta__Table *t, const struct rcol *cols, size_t nc, bool with_total,
	const struct report_view *v, FILE *out)
{
	if (v->fo.format == KT_TABLE_JSON)
		return write_json(t, v, out);
	bool text = v->fo.format == KT_TABLE_TEXT;
	with_total = with_total && text; /* csv, json, xlsx: the rows only */
	bool color = text && v->color && !has_marks(t, cols, nc);
	struct kt_col kc[MAX_COLS];
	for (size_t c = 0; c < nc; c++)
		kc[c] = (struct kt_col){cols[c].head, col_type(cols[c].kind, v->fo.format),
			cols[c].width};
	struct kt_table *kt = kt_table_new(kc, nc);
	for (size_t r = 0; kt && r < t->n_rows; r++)
		if (add_row(kt, t, cols, nc, r, color, text) != 0) {
			kt_table_free(kt);
			kt = NULL;
		}
	if (kt && with_total && t->n_rows > 1 &&
	    add_row(kt, t, cols, nc, (size_t)-1, color, text) != 0) {
		kt_table_free(kt);
		kt = NULL;
	}
	return write_table(kt, v, color, out);
}

/* --- roll-up ------------------------------------------------------------------------------ */

#define C_TEXT(h, s, w) ((struct rcol){(h), RK_TEXT, (s), NULL, false, (w)})
#define C_INT(h, s) ((struct rcol){(h), RK_INT, (s), NULL, false, 0})
#define C_HOT(h, s) ((struct rcol){(h), RK_INT, (s), NULL, true, 0})
#define C_PCT(h, s, d) ((struct rcol){(h), RK_PCT, (s), (d), false, 0})
#define C_TIME(h, s) ((struct rcol){(h), RK_TIME, (s), NULL, false, 0})
#define C_FLAG(h, s) ((struct rcol){(h), RK_FLAG, (s), NULL, true, 0})
#define C_DATE(h, s) ((struct rcol){(h), RK_DATE, (s), NULL, false, 0})

/* Does the table name more than one parent (then the parent column is worth showing)? */
static bool several_parents(const Karta__Table *t)
{
	for (size_t r = 1; r < t->n_rows; r++)
		if (strcmp(cell(t, r, "parent"), cell(t, 0, "parent")) != 0)
			return true;
	return false;
}

int report_render_rollup(const Karta__Table *t, const struct report_view *v, FILE *out)
{
	struct rcol c[MAX_COLS];
	size_t n = 0;
	const char *by = v->by ? v->by : "municipality";
	bool item = strcmp(by, "item") == 0;
	if (!item) {
		c[n++] = C_TEXT("org", "grp", 0);
		c[n++] = C_TEXT("name", "grp_name", 40);
		if (strcmp(by, "school") == 0 &&
		    (v->scope_level == KARTA__ORG_LEVEL__ORG_LEVEL_REGION || several_parents(t)))
			c[n++] = C_TEXT("municipality", "parent", 0);
		c[n++] = C_INT("items", "items");
		c[n++] = C_INT("due", "due");
		c[n++] = C_INT("done", "done");
		c[n++] = C_PCT("done %", "done", "items");
		c[n++] = C_HOT("overdue", "overdue");
		c[n++] = C_HOT("not reported", "not_reported");
		c[n++] = C_INT("in progress", "in_progress");
		c[n++] = C_INT("blocked", "blocked");
		c[n++] = C_INT("reports due", "requests_due");
		c[n++] = C_HOT("reports missing", "requests_missing");
		c[n++] = C_HOT("returned", "returned");
		c[n++] = C_TIME("last submission", "last_submission");
		if (strcmp(by, "municipality") == 0) {
			c[n++] = C_INT("schools", "sub_orgs");
			c[n++] = C_INT("sch. items", "sub_items");
			c[n++] = C_INT("sch. done", "sub_done");
			c[n++] = C_PCT("sch. done %", "sub_done", "sub_items");
			c[n++] = C_HOT("sch. overdue", "sub_overdue");
			c[n++] = C_HOT("sch. not reported", "sub_not_reported");
			c[n++] = C_HOT("schools late", "sub_orgs_overdue");
		}
		return render(t, c, n, true, v, out);
	}
	/* by item: the scope's own status, then the organizations one and two levels down. */
	int lvl = v->scope_level;
	bool down1 = lvl == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ||
		lvl == KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY || (lvl == 0 && column_any(t, "items"));
	bool down2 = lvl == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ||
		(lvl == 0 && column_any(t, "sub_orgs"));
	bool region = lvl == KARTA__ORG_LEVEL__ORG_LEVEL_REGION;
	c[n++] = C_TEXT("item", "grp_name", 50);
	c[n++] = C_DATE("deadline", "deadline");
	c[n++] = C_TEXT("status", "own_status", 0);
	c[n++] = C_FLAG("overdue", "own_overdue");
	if (down1) { /* municipalities for the region, schools for a municipality */
		bool mun = region || lvl == 0;
		c[n++] = C_INT(region ? "municipalities" : lvl ? "schools" : "orgs below", "items");
		c[n++] = C_INT(mun ? "mun. done" : "sch. done", "done");
		c[n++] = C_PCT(mun ? "mun. done %" : "sch. done %", "done", "items");
		c[n++] = C_HOT(mun ? "mun. overdue" : "sch. overdue", "overdue");
		c[n++] = C_HOT(mun ? "mun. not reported" : "sch. not reported", "not_reported");
	}
	if (down2) {
		c[n++] = C_INT("schools", "sub_orgs");
		c[n++] = C_INT("sch. done", "sub_done");
		c[n++] = C_PCT("sch. done %", "sub_done", "sub_orgs");
		c[n++] = C_HOT("sch. overdue", "sub_overdue");
		c[n++] = C_HOT("sch. not reported", "sub_not_reported");
	}
	if (lvl != KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL) {
		c[n++] = C_INT("reports due", "requests_due");
		c[n++] = C_HOT("reports missing", "requests_missing");
		c[n++] = C_HOT("returned", "returned");
		c[n++] = C_TIME("last submission", "last_submission");
	}
	return render(t, c, n, true, v, out);
}

/* --- overdue ------------------------------------------------------------------------------ */

int report_render_overdue(const Karta__Table *t, const struct report_view *v, FILE *out)
{
	struct rcol c[] = {
		C_DATE("due", "due"),
		C_TEXT("org", "org", 0),
		C_TEXT("name", "org_name", 30),
		C_TEXT("municipality", "parent", 0),
		C_TEXT("kind", "kind", 0),
		C_TEXT("number", "number", 10),
		C_TEXT("title", "title", 50),
		C_TEXT("state", "state", 0),
	};
	size_t n = sizeof c / sizeof c[0];
	if (v->fo.format == KT_TABLE_TEXT && t->n_rows == 0) {
		fprintf(out, _("nothing overdue\n"));
		return EXIT_OK;
	}
	int rc = render(t, c, n, false, v, out);
	if (rc == EXIT_OK && v->fo.format == KT_TABLE_TEXT) {
		long items = 0, reqs = 0;
		for (size_t r = 0; r < t->n_rows; r++) {
			items += strcmp(cell(t, r, "kind"), "item") == 0;
			reqs += strcmp(cell(t, r, "kind"), "request") == 0;
		}
		char ni[64], nr[64];
		snprintf(ni, sizeof ni, P_("%ld item", "%ld items", items), items);
		snprintf(nr, sizeof nr, P_("%ld report", "%ld reports", reqs), reqs);
		fprintf(out, _("%zu overdue: %s, %s\n"), t->n_rows, ni, nr);
	}
	return rc;
}

int report_render_duplicates(const Karta__Table *t, const struct report_view *v, FILE *out)
{
	struct rcol c[] = {
		C_TEXT("match", "match", 0),
		C_TEXT("school", "org_a", 0),
		C_TEXT("person", "person_a", 40),
		C_DATE("born", "birth_a"),
		C_TEXT("other school", "org_b", 0),
		C_TEXT("person there", "person_b", 40),
		C_DATE("born there", "birth_b"),
	};
	if (v->fo.format == KT_TABLE_TEXT && t->n_rows == 0) {
		fprintf(out, _("no duplicates\n"));
		return EXIT_OK;
	}
	int rc = render(t, c, sizeof c / sizeof c[0], false, v, out);
	if (rc == EXIT_OK && v->fo.format == KT_TABLE_TEXT)
		fprintf(out, P_("%zu duplicate\n", "%zu duplicates\n", t->n_rows), t->n_rows);
	return rc;
}

/* --- any table: every column as the server named it ---------------------------------------- */

int report_render_columns(const Karta__Table *t, const struct report_view *v,
	const char *const *skip, FILE *out)
{
	struct rcol c[MAX_COLS];
	size_t n = 0;
	for (size_t i = 0; i < t->n_columns && n < MAX_COLS; i++) {
		const char *name = t->columns[i];
		bool skipped = false;
		for (size_t k = 0; skip && skip[k] && !skipped; k++)
			skipped = v->fo.format == KT_TABLE_TEXT && strcmp(skip[k], name) == 0;
		if (skipped)
			continue;
		if (is_int_column(name))
			c[n++] = (struct rcol){name, RK_INT, name, NULL, is_hot_column(name), 0};
		else if (strcmp(name, "fill_pct") == 0)
			c[n++] = (struct rcol){name, RK_PCTV, name, NULL, false, 0};
		else if (strcmp(name, "manual") == 0)
			c[n++] = (struct rcol){name, RK_BOOLV, name, NULL, false, 0};
		else if (in_list(name, date_columns, sizeof date_columns / sizeof date_columns[0]))
			c[n++] = C_DATE(name, name);
		else
			c[n++] = C_TEXT(name, name, 40);
	}
	return render(t, c, n, false, v, out);
}

bool report_want_color(void)
{
	const char *term = getenv("TERM");
	return isatty(fileno(stdout)) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
}
