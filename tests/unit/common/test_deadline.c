/* Deadline normalization: every deadline cell of the three golden seed documents, a table of
 * expected results (real cells and synthetic edge cases: case, genitive, dashes, wrong and
 * missing years, leap February, garbage, empty, invalid UTF-8), 100 KB input, random bytes,
 * JSON shape, names, and overdue() for each kind on two dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../kt_unit.h"
#include <jansson.h>

#include "kt_deadline.h"

/* ---- helpers ---- */

static void fmt_date(char *b, size_t n, const struct kt_date *d)
{
	if (d->m == 0)
		b[0] = '\0';
	else if (d->y == 0)
		snprintf(b, n, "--%02d-%02d", d->m, d->d);
	else
		snprintf(b, n, "%04d-%02d-%02d", d->y, d->m, d->d);
}

/* "from..to;from..to" with an unset date as "". */
static void fmt_windows(const struct kt_deadline *dl, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < dl->n_windows && o < n; k++) {
		char f[32], t[32];
		fmt_date(f, sizeof f, &dl->windows[k].from);
		fmt_date(t, sizeof t, &dl->windows[k].to);
		int w = snprintf(buf + o, n - o, "%s%s..%s", k ? ";" : "", f, t);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static bool has_warning(const struct kt_deadline *dl, const char *sub)
{
	for (unsigned k = 0; k < dl->n_warnings; k++)
		if (strstr(dl->warnings[k], sub))
			return true;
	return false;
}

static int dim(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2)
		return y == 0 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
	return days[m - 1];
}

/* Structural invariants every parse result must hold, whatever the input. */
static void assert_sane(const struct kt_deadline *dl)
{
	assert_true(dl->kind <= KT_DL_UNKNOWN);
	assert_true(dl->n_windows <= KT_DEADLINE_MAX_WINDOWS);
	assert_true(dl->n_warnings <= KT_DEADLINE_MAX_WARNINGS);
	for (unsigned k = 0; k < dl->n_windows; k++) {
		const struct kt_date *ds[2] = {&dl->windows[k].from, &dl->windows[k].to};
		for (int i = 0; i < 2; i++) {
			if (ds[i]->m == 0)
				continue;
			assert_true(ds[i]->m >= 1 && ds[i]->m <= 12);
			assert_true(ds[i]->d >= 1 && ds[i]->d <= dim(ds[i]->y, ds[i]->m));
		}
	}
	assert_non_null(memchr(dl->external, '\0', sizeof dl->external));
	assert_non_null(memchr(dl->relative, '\0', sizeof dl->relative));
	json_t *j = kt_deadline_to_json(dl); /* fails on invalid UTF-8 in any string */
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
		kt_deadline_kind_name(dl->kind));
	assert_int_equal(json_array_size(json_object_get(j, "windows")), dl->n_windows);
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), dl->n_warnings);
	json_decref(j);
}

/* ---- 1. every deadline of the golden seeds ---- */

struct corpus {
	unsigned n, blank, by_kind[KT_DL_UNKNOWN + 1];
	double seconds;
};

static void check_cell(const char *text, int ay, struct corpus *st)
{
	struct kt_deadline dl;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = kt_deadline_parse(text, ay, &dl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(rc, 0);
	assert_sane(&dl);
	st->n++;
	st->by_kind[dl.kind]++;
	if (text[strspn(text, " \t\r\n")] == '\0')
		st->blank++;
	if (dl.kind == KT_DL_UNKNOWN)
		print_message("unknown: '%s'\n", text);
}

static void walk_items(json_t *items, int ay, struct corpus *st)
{
	static const char *const nested[] = {"items", "sub_items", "subitems", "children"};
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) {
		json_t *dt = json_object_get(it, "deadline_text");
		if (dt)
			check_cell(json_is_string(dt) ? json_string_value(dt) : "", ay, st);
		for (size_t k = 0; k < sizeof nested / sizeof nested[0]; k++) {
			json_t *sub = json_object_get(it, nested[k]);
			if (json_is_array(sub))
				walk_items(sub, ay, st);
		}
	}
}

static void walk_sections(json_t *sections, int ay, struct corpus *st)
{
	size_t i;
	json_t *sec;

	json_array_foreach(sections, i, sec) {
		walk_items(json_object_get(sec, "items"), ay, st);
		if (json_is_array(json_object_get(sec, "sections")))
			walk_sections(json_object_get(sec, "sections"), ay, st);
	}
}

static void walk_plan(json_t *plan, int want_ay, struct corpus *st)
{
	const char *ayt = json_string_value(json_object_get(json_object_get(plan, "document"),
		"academic_year"));
	assert_non_null(ayt);
	int ay = atoi(ayt); /* "2019-2020", "2023/2024" */
	assert_int_equal(ay, want_ay);
	walk_sections(json_object_get(plan, "sections"), ay, st);
}

static void test_golden_corpus(void **state)
{
	static const struct {
		const char *file;
		int ay;
	} seeds[] = {{"000.json", 2019}, {"001.json", 2023}, {"003.json", 2023}};
	const char *dir = getenv("KT_SEEDS");
	struct corpus st;

	memset(&st, 0, sizeof st);
	if (!dir || !*dir)
		dir = "tests/fixtures/seeds";
	for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
		char path[1024];
		json_error_t err;
		snprintf(path, sizeof path, "%s/golden/%s", dir, seeds[k].file);
		json_t *root = json_load_file(path, 0, &err);
		if (!root)
			print_error("cannot load '%s': %s\n", path, err.text);
		assert_non_null(root);
		unsigned before = st.n;
		json_t *docs = json_object_get(root, "documents");
		if (json_is_array(docs)) {
			size_t i;
			json_t *plan;
			json_array_foreach(docs, i, plan)
				walk_plan(plan, seeds[k].ay, &st);
		} else {
			walk_plan(root, seeds[k].ay, &st);
		}
		assert_true(st.n > before + 50); /* each seed has 83..334 items */
		json_decref(root);
	}
	print_message("golden deadlines: %u parsed, %u blank, %u unknown, %.2f us per cell\n",
		st.n, st.blank, st.by_kind[KT_DL_UNKNOWN], st.n ? st.seconds * 1e6 / st.n : 0.0);
	for (int k = 0; k <= KT_DL_UNKNOWN; k++)
		print_message("  %-12s %u\n", kt_deadline_kind_name((enum kt_deadline_kind)k),
			st.by_kind[k]);
	assert_true(st.n >= 500);
	/* Measured: every cell is classified (docs/deadlines.md). */
	assert_int_equal(st.by_kind[KT_DL_UNKNOWN], 0);
	/* Blank (merged) cells, and only they, are empty. */
	assert_int_equal(st.by_kind[KT_DL_EMPTY], st.blank);
	/* Speed is a benchmark figure (docs/performance.md), not an assertion: shared machines. */
	print_message("  %.1f us per cell\n", st.seconds / st.n * 1e6);
}

/* ---- 2. expected results ---- */

#define R(rec) KT_DL_REC_##rec

struct row {
	const char *text;
	int ay;
	enum kt_deadline_kind kind;
	const char *windows;  /* fmt_windows form */
	bool inferred;
	const char *warn;     /* NULL: no warnings; else a substring of one of them */
	const char *external; /* NULL: none */
	const char *relative; /* NULL: none */
	enum kt_deadline_recurrence rec;
};

static const struct row rows[] = {
	/* seed 000 (2019-2020) */
	{"август 2020 года", 2019, KT_DL_MONTH, "2020-08-01..2020-08-31", false, NULL, NULL, NULL, R(NONE)},
	{"февраль-сентябрь 2020 года", 2019, KT_DL_MONTH_RANGE, "2020-02-01..2020-09-30", false, NULL, NULL, NULL, R(NONE)},
	{"Октябрь-ноябрь 2019 года, 2020 года.", 2019, KT_DL_LIST,
		"2019-10-01..2019-11-30;2020-10-01..2020-11-30", false, NULL, NULL, NULL, R(NONE)},
	{"декабрь 2018 года", 2019, KT_DL_MONTH, "2018-12-01..2018-12-31", false,
		"year 2018 outside academic year 2019-2020", NULL, NULL, R(NONE)},
	{"октябрь 2018 года", 2019, KT_DL_MONTH, "2018-10-01..2018-10-31", false,
		"year 2018 outside", NULL, NULL, R(NONE)},
	{"март, июнь, декабрь 2020 года", 2019, KT_DL_LIST,
		"2020-03-01..2020-03-31;2020-06-01..2020-06-30;2020-12-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"в соответствии с планом заседаний регионального УМО на 2020 год", 2019, KT_DL_EXTERNAL,
		"2020-01-01..2020-12-31", false, NULL,
		"в соответствии с планом заседаний регионального УМО на 2020 год", NULL, R(NONE)},
	{"Январь-декабрь 2020 года", 2019, KT_DL_MONTH_RANGE, "2020-01-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"сентябрь – декабрь 2019, 2020 года", 2019, KT_DL_LIST,
		"2019-09-01..2019-12-31;2020-09-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"2020 года", 2019, KT_DL_YEAR, "2020-01-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"Февраля,март,май 2020 года", 2019, KT_DL_LIST,
		"2020-02-01..2020-02-29;2020-03-01..2020-03-31;2020-05-01..2020-05-31", false, NULL, NULL, NULL, R(NONE)},
	{"в течение 2020 года", 2019, KT_DL_CONTINUOUS, "2020-01-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"постоянно, в течение 2019 – 2020 учебного года", 2019, KT_DL_CONTINUOUS,
		"2019-09-01..2020-08-31", false, NULL, NULL, NULL, R(NONE)},
	{"согласно графику ИРО", 2019, KT_DL_EXTERNAL, "", false, NULL, "согласно графику ИРО", NULL, R(NONE)},
	{"декабрь 2019 года,2020 год", 2019, KT_DL_LIST,
		"2019-12-01..2019-12-31;2020-12-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"август 2019 года – май 2020 года", 2019, KT_DL_MONTH_RANGE, "2019-08-01..2020-05-31", false, NULL, NULL, NULL, R(NONE)},
	{"январь — декабрь 2019 года, январь – декабрь 2020 года", 2019, KT_DL_LIST,
		"2019-01-01..2019-12-31;2020-01-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"по графику курсовых мероприятий ИРО", 2019, KT_DL_EXTERNAL, "", false, NULL,
		"по графику курсовых мероприятий ИРО", NULL, R(NONE)},
	{"март, апрель, май, июнь, июль, сентябрь 2020 года, в соответствии с расписанием ГИА-9, ГИА-11",
		2019, KT_DL_LIST,
		"2020-03-01..2020-03-31;2020-04-01..2020-04-30;2020-05-01..2020-05-31;"
		"2020-06-01..2020-06-30;2020-07-01..2020-07-31;2020-09-01..2020-09-30",
		false, NULL, "в соответствии с расписанием ГИА-9, ГИА-11", NULL, R(NONE)},
	{"по графику и запросам Рособрнадзора, ФГБНУ «ФИПИ», ФГБУ «ФЦТ»", 2019, KT_DL_EXTERNAL, "",
		false, NULL, "по графику и запросам Рособрнадзора, ФГБНУ «ФИПИ», ФГБУ «ФЦТ»", NULL, R(NONE)},
	{"2019 – 2020 учебный год, 2020 год", 2019, KT_DL_LIST,
		"2019-09-01..2020-08-31;2020-01-01..2020-12-31", false, NULL, NULL, NULL, R(NONE)},
	{"ноябрь 2019 года, январь, март, апрель, ноябрь 2020 года", 2019, KT_DL_LIST,
		"2019-11-01..2019-11-30;2020-01-01..2020-01-31;2020-03-01..2020-03-31;"
		"2020-04-01..2020-04-30;2020-11-01..2020-11-30", false, NULL, NULL, NULL, R(NONE)},
	{"август 2018 года – сентябрь 2019 года", 2019, KT_DL_MONTH_RANGE, "2018-08-01..2019-09-30",
		false, "year 2018 outside", NULL, NULL, R(NONE)},
	{"октябрь – декбарь 2019 года, февраль, май 2020 года", 2019, KT_DL_LIST,
		"2019-10-01..2019-12-31;2020-02-01..2020-02-29;2020-05-01..2020-05-31", false,
		"month name 'декбарь' looks misspelt; read as 'декабрь'", NULL, NULL, R(NONE)},
	{"декабрь 2019 года, март 2020 года (согласно графику обновления ФГБУ «ФЦТ»)", 2019, KT_DL_LIST,
		"2019-12-01..2019-12-31;2020-03-01..2020-03-31", false, NULL,
		"согласно графику обновления ФГБУ «ФЦТ»", NULL, R(NONE)},
	{"в течение всего периода подготовки и проведения ГИА", 2019, KT_DL_RELATIVE, "", false, NULL,
		NULL, "в течение всего периода подготовки и проведения ГИА", R(NONE)},
	{"в соответствии с графиком формирования РИС ГИА (график Рособрнадзора", 2019, KT_DL_EXTERNAL,
		"", false, NULL, "в соответствии с графиком формирования РИС ГИА (график Рособрнадзора",
		NULL, R(NONE)},
	{"2019 – 2020 учебный год, 2020 (по графику Рособрнадзора), правовые акты Департамента", 2019,
		KT_DL_LIST, "2019-09-01..2020-08-31;2020-01-01..2020-12-31", false, NULL,
		"по графику Рособрнадзора", NULL, R(NONE)},
	{"в течение всего периода подготовки и проведения ГИА в том числе в соответствии с планом по "
		"информационном у сопровождению", 2019, KT_DL_RELATIVE, "", false, NULL,
		"в соответствии с планом по информационном у сопровождению",
		"в течение всего периода подготовки и проведения ГИА", R(NONE)},
	{"август, октябрь 2019 года март, май, сентябрь 2020 года", 2019, KT_DL_LIST,
		"2019-08-01..2019-08-31;2019-10-01..2019-10-31;2020-03-01..2020-03-31;"
		"2020-05-01..2020-05-31;2020-09-01..2020-09-30", false, NULL, NULL, NULL, R(NONE)},
	{"по отдельному графику Рособрнадзора для платформы (https://edu.rustest. ru/)", 2019,
		KT_DL_EXTERNAL, "", false, NULL,
		"по отдельному графику Рособрнадзора для платформы (https://edu.rustest. ru/)", NULL, R(NONE)},
	/* seed 001 (2023/2024) */
	{"сентябрь – апрель 2023 года", 2023, KT_DL_MONTH_RANGE, "2022-09-01..2023-04-30", false,
		"year 2022 outside academic year 2023-2024", NULL, NULL, R(NONE)},
	{"в течение учебного года", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(NONE)},
	{"по отдельному плану мероприятий,", 2023, KT_DL_EXTERNAL, "", false, NULL,
		"по отдельному плану мероприятий", NULL, R(NONE)},
	{"в течение учебного года по плану ИРОК", 2023, KT_DL_CONTINUOUS, "", false, NULL,
		"по плану ИРОК", NULL, R(NONE)},
	{"Весь период", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(NONE)},
	{"октябрь 2023 года – март 2024", 2023, KT_DL_MONTH_RANGE, "2023-10-01..2024-03-31", false, NULL, NULL, NULL, R(NONE)},
	{"март – апрель 2024 года май – июль 2024 года сентябрь 2024 года", 2023, KT_DL_LIST,
		"2024-03-01..2024-04-30;2024-05-01..2024-07-31;2024-09-01..2024-09-30", false, NULL, NULL, NULL, R(NONE)},
	{"декабрь – март 2024 года", 2023, KT_DL_MONTH_RANGE, "2023-12-01..2024-03-31", false, NULL, NULL, NULL, R(NONE)},
	{"не позднее чем за 1 рабочий день до дня проведения экзамена", 2023, KT_DL_RELATIVE, "", false,
		NULL, NULL, "не позднее чем за 1 рабочий день до дня проведения экзамена", R(NONE)},
	{"за 3 календарных деня до дня проведения экзамена", 2023, KT_DL_RELATIVE, "", false, NULL,
		NULL, "за 3 календарных деня до дня проведения экзамена", R(NONE)},
	{"в течение 2 дней со дня принятия решения", 2023, KT_DL_RELATIVE, "", false, NULL, NULL,
		"в течение 2 дней со дня принятия решения", R(NONE)},
	{"по запросу ФЦТ", 2023, KT_DL_ON_DEMAND, "", false, NULL, "по запросу ФЦТ", NULL, R(NONE)},
	{"по согласованному со Спецсвязью графику", 2023, KT_DL_EXTERNAL, "", false, NULL,
		"по согласованному со Спецсвязью графику", NULL, R(NONE)},
	{"в день проведения экзамена", 2023, KT_DL_RELATIVE, "", false, NULL, NULL,
		"в день проведения экзамена", R(NONE)},
	{"до начала работы АК", 2023, KT_DL_RELATIVE, "", false, NULL, NULL, "до начала работы АК", R(NONE)},
	{"январь 2023 года", 2023, KT_DL_MONTH, "2023-01-01..2023-01-31", false,
		"window ending 2023-01-31 lies before academic year 2023-2024", NULL, NULL, R(NONE)},
	{"сентябрь 2023 года– апрель 2024 года", 2023, KT_DL_MONTH_RANGE, "2023-09-01..2024-04-30", false, NULL, NULL, NULL, R(NONE)},
	{"круглогодично", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(NONE)},
	{"в течение года по запросу МОУО, ОО", 2023, KT_DL_CONTINUOUS, "", false, NULL,
		"по запросу МОУО, ОО", NULL, R(NONE)},
	{"по отдельному плану-графику в соответствии с графиком Рособрнадзора", 2023, KT_DL_EXTERNAL, "",
		false, NULL, "по отдельному плану-графику в соответствии с графиком Рособрнадзора", NULL, R(NONE)},
	/* seed 003 (2023-2024) */
	{"Июль-сентябрь", 2023, KT_DL_MONTH_RANGE, "2024-07-01..2024-09-30", true,
		"inferred years run past academic year 2023-2024", NULL, NULL, R(NONE)},
	{"Июль-август", 2023, KT_DL_MONTH_RANGE, "2024-07-01..2024-08-31", true, NULL, NULL, NULL, R(NONE)},
	{"Сентябрь", 2023, KT_DL_MONTH, "2023-09-01..2023-09-30", true, NULL, NULL, NULL, R(NONE)},
	{"Ежемесячно", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(MONTHLY)},
	{"В течение года Февраль-май, сентябрь", 2023, KT_DL_CONTINUOUS,
		"2024-02-01..2024-05-31;2024-09-01..2024-09-30", true, "inferred years run past", NULL, NULL, R(NONE)},
	{"Ноябрь, январь, апрель", 2023, KT_DL_LIST,
		"2023-11-01..2023-11-30;2024-01-01..2024-01-31;2024-04-01..2024-04-30", true, NULL, NULL, NULL, R(NONE)},
	{"Сроки, установленные порядком проведения ГИА", 2023, KT_DL_EXTERNAL, "", false, NULL,
		"Сроки, установленные порядком проведения ГИА", NULL, R(NONE)},
	{"Декабрь 2023– январь 2024", 2023, KT_DL_MONTH_RANGE, "2023-12-01..2024-01-31", false, NULL, NULL, NULL, R(NONE)},
	{"По запросу ГАУ РК «РИЦОКО»", 2023, KT_DL_ON_DEMAND, "", false, NULL,
		"По запросу ГАУ РК «РИЦОКО»", NULL, R(NONE)},
	{"Март-апрель Май-июнь Август-сентябрь 2024", 2023, KT_DL_LIST,
		"2024-03-01..2024-04-30;2024-05-01..2024-06-30;2024-08-01..2024-09-30", false, NULL, NULL, NULL, R(NONE)},
	{"Март, май, сентябрь", 2023, KT_DL_LIST,
		"2024-03-01..2024-03-31;2024-05-01..2024-05-31;2024-09-01..2024-09-30", true,
		"inferred years run past", NULL, NULL, R(NONE)},
	{"По плану работы ОУ", 2023, KT_DL_EXTERNAL, "", false, NULL, "По плану работы ОУ", NULL, R(NONE)},
	{"в соответствии с графиком ФЦТ", 2023, KT_DL_EXTERNAL, "", false, NULL,
		"в соответствии с графиком ФЦТ", NULL, R(NONE)},
	{"Ноябрь – май", 2023, KT_DL_MONTH_RANGE, "2023-11-01..2024-05-31", true, NULL, NULL, NULL, R(NONE)},
	{"Май 2024 г.", 2023, KT_DL_MONTH, "2024-05-01..2024-05-31", false, NULL, NULL, NULL, R(NONE)},
	{"В период проведения ГИА", 2023, KT_DL_RELATIVE, "", false, NULL, NULL, "В период проведения ГИА", R(NONE)},
	{"В соответствие с планом работы Управления образования на 2024 г.", 2023, KT_DL_EXTERNAL,
		"2024-01-01..2024-12-31", false, NULL,
		"В соответствие с планом работы Управления образования на 2024 г.", NULL, R(NONE)},
	/* synthetic: case, dashes, years */
	{"ДЕКАБРЬ — МАРТ 2024 ГОДА", 2023, KT_DL_MONTH_RANGE, "2023-12-01..2024-03-31", false, NULL, NULL, NULL, R(NONE)},
	{"Ноябрь 2022-март 2023", 2022, KT_DL_MONTH_RANGE, "2022-11-01..2023-03-31", false, NULL, NULL, NULL, R(NONE)},
	{"ноябрь 2022 – МАРТА 2023", 2019, KT_DL_MONTH_RANGE, "2022-11-01..2023-03-31", false,
		"year 2022 outside academic year 2019-2020", NULL, NULL, R(NONE)},
	{"ФЕВРАЛЬ", 2023, KT_DL_MONTH, "2024-02-01..2024-02-29", true, NULL, NULL, NULL, R(NONE)},
	{"февраля", 2022, KT_DL_MONTH, "2023-02-01..2023-02-28", true, NULL, NULL, NULL, R(NONE)},
	{"Сентябрь, ноябрь и март", 2019, KT_DL_LIST,
		"2019-09-01..2019-09-30;2019-11-01..2019-11-30;2020-03-01..2020-03-31", true, NULL, NULL, NULL, R(NONE)},
	{"сент. 2019 – янв. 2020", 2019, KT_DL_MONTH_RANGE, "2019-09-01..2020-01-31", false, NULL, NULL, NULL, R(NONE)},
	{"Mapт 2020", 2019, KT_DL_MONTH, "2020-03-01..2020-03-31", false, "latin letters", NULL, NULL, R(NONE)},
	{"2019-2021 гг.", 2019, KT_DL_YEAR, "2019-01-01..2021-12-31", false, "year 2021 outside", NULL, NULL, R(NONE)},
	{"10.2023", 2023, KT_DL_MONTH, "2023-10-01..2023-10-31", false, NULL, NULL, NULL, R(NONE)},
	/* synthetic: dates */
	{"до 31.10.2020г.", 2020, KT_DL_BY_DATE, "..2020-10-31", false, NULL, NULL, NULL, R(NONE)},
	{"до 1 ноября", 2019, KT_DL_BY_DATE, "..2019-11-01", true, NULL, NULL, NULL, R(NONE)},
	{"18.01.2021г.", 2020, KT_DL_DATE, "2021-01-18..2021-01-18", false, NULL, NULL, NULL, R(NONE)},
	{"до 15.10.20", 2020, KT_DL_BY_DATE, "..2020-10-15", false, NULL, NULL, NULL, R(NONE)},
	{"не позднее 15.10.2020", 2020, KT_DL_BY_DATE, "..2020-10-15", false, NULL, NULL, NULL, R(NONE)},
	{"до конца ноября", 2019, KT_DL_BY_DATE, "..2019-11-30", true, NULL, NULL, NULL, R(NONE)},
	{"до января", 2019, KT_DL_BY_DATE, "..2019-12-31", true, NULL, NULL, NULL, R(NONE)},
	{"с 1 по 15 ноября", 2019, KT_DL_DATE, "2019-11-01..2019-11-15", true, NULL, NULL, NULL, R(NONE)},
	{"1-15 ноября 2019 г.", 2019, KT_DL_DATE, "2019-11-01..2019-11-15", false, NULL, NULL, NULL, R(NONE)},
	{"с 1 сентября", 2019, KT_DL_DATE, "2019-09-01..", true, NULL, NULL, NULL, R(NONE)},
	{"2020-10-15", 2020, KT_DL_DATE, "2020-10-15..2020-10-15", false, NULL, NULL, NULL, R(NONE)},
	{"29.02.2020", 2019, KT_DL_DATE, "2020-02-29..2020-02-29", false, NULL, NULL, NULL, R(NONE)},
	{"29 февраля", 2022, KT_DL_DATE, "2023-02-28..2023-02-28", true, "29 february 2023 does not exist",
		NULL, NULL, R(NONE)},
	{"29.02.2021", 2020, KT_DL_UNKNOWN, "", false, "invalid date '29.02.2021' ignored", NULL, NULL, R(NONE)},
	/* synthetic: phrases */
	{"1 раз в четверть", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(QUARTERLY)},
	{"еженедельно", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(WEEKLY)},
	{"ежемесячно до 5 числа", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, "до 5 числа", R(MONTHLY)},
	{"в течении года", 2023, KT_DL_CONTINUOUS, "", false, NULL, NULL, NULL, R(NONE)},
	{"По мере необходимости", 2023, KT_DL_ON_DEMAND, "", false, NULL, NULL, NULL, R(NONE)},
	{"в течение аттестационного периода", 2023, KT_DL_RELATIVE, "", false, NULL, NULL,
		"в течение аттестационного периода", R(NONE)},
	{"за 3 дня до экзамена", 2023, KT_DL_RELATIVE, "", false, NULL, NULL, "за 3 дня до экзамена", R(NONE)},
	{"в период подготовки ГИА", 2023, KT_DL_RELATIVE, "", false, NULL, NULL, "в период подготовки ГИА", R(NONE)},
	{"по графику ГИА-2024", 2023, KT_DL_EXTERNAL, "", false, NULL, "по графику ГИА-2024", NULL, R(NONE)},
	/* synthetic: nothing, garbage, unknown academic year, bad bytes */
	{"", 2023, KT_DL_EMPTY, "", false, NULL, NULL, NULL, R(NONE)},
	{" \t\r\n ", 2023, KT_DL_EMPTY, "", false, NULL, NULL, NULL, R(NONE)},
	{"-", 2023, KT_DL_EMPTY, "", false, "placeholder '-' read as empty", NULL, NULL, R(NONE)},
	{"абракадабра 42", 2023, KT_DL_UNKNOWN, "", false, "no deadline recognised", NULL, NULL, R(NONE)},
	{"Сентябрь", 0, KT_DL_MONTH, "--09-01..--09-30", false, "academic year is unknown", NULL, NULL, R(NONE)},
	{"февраль – март", 0, KT_DL_MONTH_RANGE, "--02-01..--03-31", false, "academic year is unknown", NULL, NULL, R(NONE)},
	{"май", 12, KT_DL_MONTH, "--05-01..--05-31", false, "academic year 12 out of range", NULL, NULL, R(NONE)},
	{"\xff" "март 2020", 2019, KT_DL_MONTH, "2020-03-01..2020-03-31", false, "invalid utf-8 at byte 0",
		NULL, NULL, R(NONE)},
	{"по графику \xd0" " ФЦТ \xc0\xaf", 2019, KT_DL_EXTERNAL, "", false, "invalid utf-8 at byte 20",
		"по графику \xef\xbf\xbd ФЦТ \xef\xbf\xbd\xef\xbf\xbd", NULL, R(NONE)},
};

static void test_table(void **state)
{
	unsigned distinct = 0;

	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		const struct row *r = &rows[k];
		struct kt_deadline dl;
		char got[2048];

		assert_int_equal(kt_deadline_parse(r->text, r->ay, &dl), 0);
		assert_sane(&dl);
		fmt_windows(&dl, got, sizeof got);
		bool ok = dl.kind == r->kind && strcmp(got, r->windows) == 0 &&
			dl.year_inferred == r->inferred && dl.recurrence == r->rec &&
			(r->warn ? has_warning(&dl, r->warn) : dl.n_warnings == 0) &&
			strcmp(dl.external, r->external ? r->external : "") == 0 &&
			strcmp(dl.relative, r->relative ? r->relative : "") == 0;
		if (!ok) {
			print_error("row %zu '%s': kind %s windows '%s' inferred %d rec %d external '%s' "
				"relative '%s' warnings %u%s%s\n", k, r->text, kt_deadline_kind_name(dl.kind),
				got, dl.year_inferred, dl.recurrence, dl.external, dl.relative, dl.n_warnings,
				dl.n_warnings ? ", first: " : "", dl.n_warnings ? dl.warnings[0] : "");
			fail();
		}
		bool seen = false;
		for (size_t i = 0; i < k; i++)
			seen = seen || strcmp(rows[i].text, r->text) == 0;
		distinct += !seen;
	}
	print_message("table: %zu rows, %u distinct strings\n", sizeof rows / sizeof rows[0], distinct);
	assert_true(distinct >= 60);
}

static void test_null_args(void **state)
{
	struct kt_deadline dl;
	assert_int_equal(kt_deadline_parse(NULL, 2019, &dl), -1);
	assert_int_equal(kt_deadline_parse("май", 2019, NULL), -1);
	assert_null(kt_deadline_to_json(NULL));
	assert_false(kt_deadline_overdue(NULL, 2030, 1, 1));
}

/* 100 KB: only the first KT_RU_SCAN_MAX bytes are read, windows stop at the bound. */
static void test_very_long(void **state)
{
	static const char *const units[] = {"январь ", "в течение года ", "x", "\xff"};
	size_t cap = 100 * 1024;
	char *buf = malloc(cap + 1);
	struct kt_deadline dl;

	assert_non_null(buf);
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t len = strlen(units[u]), o = 0;
		while (o + len <= cap) {
			memcpy(buf + o, units[u], len);
			o += len;
		}
		buf[o] = '\0';
		assert_int_equal(kt_deadline_parse(buf, 2019, &dl), 0);
		assert_sane(&dl);
		assert_true(has_warning(&dl, "the rest was not read"));
		if (u == 0) {
			assert_int_equal(dl.kind, KT_DL_LIST);
			assert_int_equal(dl.n_windows, KT_DEADLINE_MAX_WINDOWS);
			assert_true(has_warning(&dl, "more than 24 windows"));
		} else if (u == 1) {
			assert_int_equal(dl.kind, KT_DL_CONTINUOUS);
		} else {
			assert_int_equal(dl.kind, KT_DL_UNKNOWN);
		}
	}
	free(buf);
}

/* Random bytes and random fragments of real cells: never a crash, always sane. */
static void test_random(void **state)
{
	static const char *const frags[] = {"январь", "МАЯ", "2020", "2019 – 2020", "учебный год",
		"года", "г.", "до", "с", "по", "-", "–", "—", ",", ".", "(", ")", "в течение",
		"по графику", "за", "1", "31", "15.10", ".2020", "\xd0", "\xff", " ", "и", "числа"};
	uint32_t seed = 12345;
	char buf[600];

	for (int it = 0; it < 4000; it++) {
		size_t o = 0;
		seed = seed * 1103515245u + 12345u;
		unsigned parts = (seed >> 16) % 24;
		for (unsigned p = 0; p < parts; p++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 8) % 5 == 0) {
				buf[o++] = (char)((seed >> 16) & 0xFF);
				if (buf[o - 1] == '\0')
					buf[o - 1] = '?';
			} else {
				const char *f = frags[(seed >> 16) % (sizeof frags / sizeof frags[0])];
				size_t l = strlen(f);
				memcpy(buf + o, f, l);
				o += l;
				if ((seed >> 12) & 1)
					buf[o++] = ' ';
			}
		}
		buf[o] = '\0';
		struct kt_deadline dl;
		assert_int_equal(kt_deadline_parse(buf, (seed >> 20) % 2 ? 2019 : 0, &dl), 0);
		assert_sane(&dl);
	}
}

/* The JSON of text parsed in year. */
static json_t *parsed_json(const char *text, int year)
{
	struct kt_deadline dl;
	assert_int_equal(kt_deadline_parse(text, year, &dl), 0);
	return kt_deadline_to_json(&dl);
}

static void expect_dump(const json_t *j, size_t flags, const char *want)
{
	char *s = json_dumps(j, flags);
	assert_string_equal(s, want);
	free(s);
}

static void test_json(void **state)
{
	json_t *j = parsed_json("до 31.10.2020г.", 2020);
	expect_dump(j, JSON_COMPACT | JSON_SORT_KEYS, "{\"external\":null,\"kind\":\"by_date\","
		"\"recurrence\":null,\"relative\":null,\"warnings\":[],"
		"\"windows\":[{\"from\":null,\"to\":\"2020-10-31\"}],\"year_inferred\":false}");
	json_decref(j);

	j = parsed_json("Ежемесячно, по запросу ГЭК", 0);
	expect_dump(j, JSON_COMPACT | JSON_SORT_KEYS, "{\"external\":\"по запросу ГЭК\","
		"\"kind\":\"continuous\",\"recurrence\":\"monthly\",\"relative\":null,\"warnings\":[],"
		"\"windows\":[],\"year_inferred\":false}");
	json_decref(j);

	j = parsed_json("Ноябрь", 0);
	expect_dump(json_object_get(j, "windows"), JSON_COMPACT,
		"[{\"from\":\"--11-01\",\"to\":\"--11-30\"}]");
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 1);
	json_decref(j);
}

static void test_names(void **state)
{
	static const char *const want[] = {"empty", "date", "by_date", "month", "month_range",
		"year", "list", "continuous", "on_demand", "external", "relative", "unknown"};
	for (int k = 0; k <= KT_DL_UNKNOWN; k++)
		assert_string_equal(kt_deadline_kind_name((enum kt_deadline_kind)k), want[k]);
	assert_string_equal(kt_deadline_kind_name((enum kt_deadline_kind)99), "?");
	assert_null(kt_deadline_recurrence_name(KT_DL_REC_NONE));
	assert_string_equal(kt_deadline_recurrence_name(KT_DL_REC_MONTHLY), "monthly");
	assert_string_equal(kt_deadline_recurrence_name(KT_DL_REC_WEEKLY), "weekly");
	assert_string_equal(kt_deadline_recurrence_name(KT_DL_REC_YEARLY), "yearly");
}

/* ---- 3. overdue ---- */

static const struct {
	const char *text;
	int ay;
	enum kt_deadline_kind kind;
	int before[3];  /* a day on which it is not overdue */
	int after[3];   /* a day on which it is overdue ({0} when never) */
} odue[] = {
	{"18.01.2021г.", 2020, KT_DL_DATE, {2021, 1, 18}, {2021, 1, 19}},
	{"до 31.10.2020г.", 2020, KT_DL_BY_DATE, {2020, 10, 31}, {2020, 11, 1}},
	{"до 1 ноября", 2019, KT_DL_BY_DATE, {2019, 11, 1}, {2019, 11, 2}},
	{"август 2020 года", 2019, KT_DL_MONTH, {2020, 8, 31}, {2020, 9, 1}},
	{"Февраль", 2019, KT_DL_MONTH, {2020, 2, 29}, {2020, 3, 1}},
	{"Ноябрь 2022-март 2023", 2022, KT_DL_MONTH_RANGE, {2023, 3, 31}, {2023, 4, 1}},
	{"2020 года", 2019, KT_DL_YEAR, {2020, 12, 31}, {2021, 1, 1}},
	{"2019 – 2020 учебный год", 2019, KT_DL_YEAR, {2020, 8, 31}, {2020, 9, 1}},
	/* the last window counts, not the first one or the one written last */
	{"март, июнь, декабрь 2020 года", 2019, KT_DL_LIST, {2020, 7, 1}, {2021, 1, 1}},
	{"декабрь 2020 года, март 2020 года", 2019, KT_DL_LIST, {2020, 12, 31}, {2021, 1, 1}},
	{"В течение года", 2023, KT_DL_CONTINUOUS, {2000, 1, 1}, {0}},
	{"в течение 2020 года", 2019, KT_DL_CONTINUOUS, {2020, 6, 1}, {0}},
	{"Ежемесячно", 2023, KT_DL_CONTINUOUS, {2023, 9, 1}, {0}},
	{"По мере необходимости", 2023, KT_DL_ON_DEMAND, {2023, 9, 1}, {0}},
	{"в соответствии с планом заседаний регионального УМО на 2020 год", 2019, KT_DL_EXTERNAL,
		{2020, 1, 1}, {0}},
	{"за 3 дня до экзамена", 2023, KT_DL_RELATIVE, {2023, 9, 1}, {0}},
	{"абракадабра", 2023, KT_DL_UNKNOWN, {2023, 9, 1}, {0}},
	{"", 2023, KT_DL_EMPTY, {2023, 9, 1}, {0}},
	{"Сентябрь", 0, KT_DL_MONTH, {1900, 1, 1}, {0}}, /* year unknown: cannot tell */
	{"с 1 сентября", 2019, KT_DL_DATE, {2019, 9, 2}, {0}}, /* no end */
};

static void test_overdue(void **state)
{
	for (size_t k = 0; k < sizeof odue / sizeof odue[0]; k++) {
		struct kt_deadline dl;
		assert_int_equal(kt_deadline_parse(odue[k].text, odue[k].ay, &dl), 0);
		if (dl.kind != odue[k].kind)
			print_error("'%s': kind %s\n", odue[k].text, kt_deadline_kind_name(dl.kind));
		assert_int_equal(dl.kind, odue[k].kind);
		const int *b = odue[k].before, *a = odue[k].after;
		assert_false(kt_deadline_overdue(&dl, b[0], b[1], b[2]));
		if (a[0]) {
			assert_true(kt_deadline_overdue(&dl, a[0], a[1], a[2]));
		} else {
			assert_false(kt_deadline_overdue(&dl, 2100, 1, 1));
			struct kt_date last;
			assert_false(kt_deadline_last_day(&dl, &last));
		}
	}
	struct kt_deadline dl;
	struct kt_date last;
	assert_int_equal(kt_deadline_parse("Ноябрь, январь, апрель", 2023, &dl), 0);
	assert_true(kt_deadline_last_day(&dl, &last));
	assert_int_equal(last.y, 2024);
	assert_int_equal(last.m, 4);
	assert_int_equal(last.d, 30);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_golden_corpus),
	cmocka_unit_test(test_table),
	cmocka_unit_test(test_null_args),
	cmocka_unit_test(test_very_long),
	cmocka_unit_test(test_random),
	cmocka_unit_test(test_json),
	cmocka_unit_test(test_names),
	cmocka_unit_test(test_overdue))
