/* form_rollup: «Сводка исполнения дорожной карты» — the roll-up the server computes
 * (TableRequest "rollup", sql/0007, as `karta rollup`), per municipality for the region
 * (per school for a municipality), as of a day, landscape: items, due, done and its share,
 * overdue, not reported, reports missing and returned, the last submission and, per
 * municipality, how its schools stand; an ИТОГО row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "help.h"
#include "karta.pb-c.h"
#include "opts.h"
#include "print.h"
#include "ptable.h"
#include "report_cmds.h"
#include "kt_i18n.h"

struct rollupf {
	Karta__Table *t;
	bool by_mun;
	char as_of[16], scope[256];
};

static const char *cell(const Karta__Table *t, size_t r, const char *col)
{
	for (size_t c = 0; c < t->n_columns && c < t->rows[r]->n_cells; c++)
		if (strcmp(t->columns[c], col) == 0)
			return t->rows[r]->cells[c];
	return "";
}

/* "45,2 %" of part/whole; "—" when whole is 0. */
static const char *pct(long long part, long long whole, char *buf, size_t n)
{
	if (whole <= 0)
		snprintf(buf, n, "—");
	else {
		long long tenths = (part * 1000 + whole / 2) / whole;
		snprintf(buf, n, "%lld,%lld %%", tenths / 10, tenths % 10);
	}
	return buf;
}

enum { C_NUM, C_NAME, C_ITEMS, C_DUE, C_DONE, C_PCT, C_LATE, C_NOREP, C_MISS, C_RET, C_LAST,
	C_SUBPCT, C_SUBLATE, C_N };

/* Soft hyphens (\u00ad) let the narrow headers break inside long words, with a hyphen. */
static const struct pcol cols[C_N] = {
	[C_NUM] = PCOL_NUM,
	[C_NAME] = {"Муниципалитет", 0, PDOC_LEFT},
	[C_ITEMS] = {"Меро\u00adприятий в плане", 18, PDOC_RIGHT},
	[C_DUE] = {"Срок наступил", 18, PDOC_RIGHT},
	[C_DONE] = {"Выпол\u00adнено", 18, PDOC_RIGHT},
	[C_PCT] = {"Выпол\u00adнено, %", 18, PDOC_RIGHT},
	[C_LATE] = {"Просро\u00adчено", 18, PDOC_RIGHT},
	[C_NOREP] = {"Нет отчёта", 18, PDOC_RIGHT},
	[C_MISS] = {"Отчёты не пред\u00adставлены", 19, PDOC_RIGHT},
	[C_RET] = {"Возвра\u00adщено на дора\u00adботку", 19, PDOC_RIGHT},
	[C_LAST] = {"Послед\u00adний отчёт", 19, PDOC_CENTER},
	[C_SUBPCT] = {"ОО: выпол\u00adнено, %", 18, PDOC_RIGHT},
	[C_SUBLATE] = {"ОО с просроч\u00adкой", 18, PDOC_RIGHT},
};

static int draw(struct pdoc *d, void *arg)
{
	const struct rollupf *f = arg;
	const Karta__Table *t = f->t;
	char buf[512];
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, "Сводка исполнения дорожной карты");
	snprintf(buf, sizeof buf, "%s по состоянию на %s", f->by_mun ? "по муниципалитетам"
		: "по образовательным организациям", f->as_of);
	pdoc_text(d, PDOC_SUBTITLE, PDOC_CENTER, buf);
	if (*f->scope)
		pdoc_text(d, PDOC_BODY, PDOC_CENTER, f->scope);
	pdoc_gap(d, 8);
	struct pcol c[C_N];
	memcpy(c, cols, sizeof c);
	if (!f->by_mun)
		c[C_NAME].title = "Образовательная организация";
	struct ptable tb;
	ptable_begin(&tb, d, c, f->by_mun ? C_N : C_SUBPCT);
	static const char *const sums[] = {[C_ITEMS] = "items", [C_DUE] = "due", [C_DONE] = "done",
		[C_LATE] = "overdue", [C_NOREP] = "not_reported", [C_MISS] = "requests_missing",
		[C_RET] = "returned"};
	long long total[C_N] = {0}, sub_items = 0, sub_done = 0, sub_late = 0;
	char v[C_N][64];
	for (size_t r = 0; r < t->n_rows; r++) {
		const char *cells[C_N];
		snprintf(v[C_NUM], sizeof v[C_NUM], "%zu", r + 1);
		cells[C_NUM] = v[C_NUM];
		cells[C_NAME] = *cell(t, r, "grp_name") ? cell(t, r, "grp_name") : cell(t, r, "grp");
		for (int k = C_ITEMS; k <= C_RET; k++) {
			if (!sums[k])
				continue;
			long long x = atoll(cell(t, r, sums[k]));
			total[k] += x;
			snprintf(v[k], sizeof v[k], "%lld", x);
			cells[k] = v[k];
		}
		cells[C_PCT] = pct(atoll(cell(t, r, "done")), atoll(cell(t, r, "items")), v[C_PCT], 64);
		cells[C_LAST] = pdata_date(cell(t, r, "last_submission"), v[C_LAST], 64);
		sub_items += atoll(cell(t, r, "sub_items"));
		sub_done += atoll(cell(t, r, "sub_done"));
		sub_late += atoll(cell(t, r, "sub_orgs_overdue"));
		cells[C_SUBPCT] = pct(atoll(cell(t, r, "sub_done")), atoll(cell(t, r, "sub_items")),
			v[C_SUBPCT], 64);
		cells[C_SUBLATE] = cell(t, r, "sub_orgs_overdue");
		ptable_row(&tb, cells);
	}
	const char *cells[C_N] = {[C_NUM] = "", [C_NAME] = "ИТОГО", [C_LAST] = ""};
	for (int k = C_ITEMS; k <= C_RET; k++)
		if (sums[k]) {
			snprintf(v[k], sizeof v[k], "%lld", total[k]);
			cells[k] = v[k];
		}
	cells[C_PCT] = pct(total[C_DONE], total[C_ITEMS], v[C_PCT], 64);
	cells[C_SUBPCT] = pct(sub_done, sub_items, v[C_SUBPCT], 64);
	snprintf(v[C_SUBLATE], sizeof v[C_SUBLATE], "%lld", sub_late);
	cells[C_SUBLATE] = v[C_SUBLATE];
	ptable_total(&tb, cells);
	ptable_end(&tb);
	pdoc_text(d, PDOC_SMALL, PDOC_LEFT, "Выполнено, % — доля выполненных мероприятий от всех "
		"мероприятий плана; просрочено — срок прошёл, мероприятие не выполнено; нет отчёта — "
		"срок наступил, статус не указан.");
	return 0;
}

int print_rollup(struct client *cl, int argc, char **argv)
{
	enum { O_AS_OF, O_SCOPE, O_OUT, O_N };
	struct opt o[O_N + 1] = {
		[O_AS_OF] = {.name = "as-of", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("the state at the end of this day (default: today)")},
		[O_SCOPE] = {.name = "scope", .type = OPT_STR, .meta = "ORG",
			.help = N_("a municipality below this organization (default: this one)")},
		[O_OUT] = OPT_PDF,
	};
	struct opt_cmd c = {"print rollup", "", 0, help_print_rollup, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	if (o[O_SCOPE].set && (!*o[O_SCOPE].str || strlen(o[O_SCOPE].str) > 32))
		return opts_fail(&c, _("--scope needs an organization code"));
	struct rollupf f = {0};
	char own[64];
	if (!client_rpc_quiet(cl) && cl->unreachable) {
		fprintf(stderr, _("karta: the roll-up is computed by the server, which cannot be "
				"reached now\n"));
		return EXIT_RUNTIME;
	}
	int lvl = report_device_level(cl, false, own, sizeof own);
	f.by_mun = !o[O_SCOPE].set && lvl == KARTA__ORG_LEVEL__ORG_LEVEL_REGION;
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)"rollup";
	req.as_of = (char *)(o[O_AS_OF].set ? o[O_AS_OF].str : "");
	req.by = (char *)(f.by_mun ? "municipality" : "school");
	req.scope = (char *)(o[O_SCOPE].set ? o[O_SCOPE].str : "");
	rc = report_table(cl, &req, &f.t);
	if (rc != EXIT_OK)
		return rc;
	if (o[O_AS_OF].set) {
		pdata_date(o[O_AS_OF].str, f.as_of, sizeof f.as_of);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(f.as_of, sizeof f.as_of, "%d.%m.%Y", &tm);
	}
	if (o[O_SCOPE].set)
		snprintf(f.scope, sizeof f.scope, "Организация: %s", o[O_SCOPE].str);
	if (f.t->n_rows == 0) {
		fprintf(stderr, _("karta: cannot print the roll-up: no %s in scope\n"),
			f.by_mun ? "municipalities" : "schools");
		rc = EXIT_RUNTIME;
	} else {
		struct pdoc_spec spec = {"Сводка исполнения дорожной карты", "Сводка исполнения "
			"дорожной карты", true};
		rc = print_write(o[O_OUT].str, &spec, draw, &f);
	}
	karta__table__free_unpacked(f.t, NULL);
	return rc;
}
