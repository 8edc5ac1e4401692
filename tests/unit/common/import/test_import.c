/* kt_import: the roadmap parser. Per seed: every golden item found, none invented, >= 98 %
 * of titles and deadlines exact, sections and document metadata; small synthetic inputs
 * for each layout rule; every kind of bad input refused with a clear message; the CLI;
 * a brief in-process fuzz; the parse time of the largest seed. */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_import.h"

static const char *seeds_dir(void)
{
	const char *d = getenv("KT_SEEDS");
	return d && *d ? d : "tests/fixtures/seeds";
}

/* The plans the running test parsed, freed after it (free_plans) whatever it asserted. */
static struct kt_import_plan *kept[8];
static size_t n_kept;

static struct kt_import_plan *keep(struct kt_import_plan *p)
{
	assert_true(n_kept < sizeof kept / sizeof kept[0]);
	return kept[n_kept++] = p;
}

static int free_plans(void **state)
{
	while (n_kept)
		kt_import_plan_free(kept[--n_kept]);
	return 0;
}

static struct kt_import_plan *parse_seed(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", seeds_dir(), name);
	struct kt_import_plan *p = NULL;
	struct kt_import_err err;
	if (kt_import_parse_file(path, &p, &err) != 0)
		fail_msg("cannot import '%s': %s", path, err.msg);
	return keep(p);
}

static struct kt_import_plan *parse(const char *text)
{
	struct kt_import_plan *p = NULL;
	struct kt_import_err err;
	if (kt_import_parse_buf(text, strlen(text), "test", &p, &err) != 0)
		fail_msg("cannot import: %s", err.msg);
	return keep(p);
}

static const struct kt_import_item *item(const struct kt_import_plan *p, const char *number)
{
	for (size_t s = 0; s < p->n_sections; s++)
		for (size_t i = 0; i < p->sections[s].n_items; i++) {
			const struct kt_import_item *it = &p->sections[s].items[i];
			if ((!number && !it->number) || (number && it->number && strcmp(it->number, number) == 0))
				return it;
		}
	fail_msg("no item %s", number ? number : "(unnumbered)");
	return NULL;
}

static const struct kt_import_warning *warning(const struct kt_import_plan *p, const char *code,
	int line)
{
	for (size_t i = 0; i < p->n_warnings; i++)
		if (strcmp(p->warnings[i].code, code) == 0 && (line == 0 || p->warnings[i].line == line))
			return &p->warnings[i];
	return NULL;
}

#define ANY SIZE_MAX /* a count not checked */

/* The plan's layout (KT_IMPORT_LAYOUT_NONE: not checked), sections and items. */
static void expect_plan(const struct kt_import_plan *p, enum kt_import_layout layout,
	size_t sections, size_t items)
{
	if (layout != KT_IMPORT_LAYOUT_NONE)
		assert_int_equal(p->doc.layout, layout);
	if (sections != ANY)
		assert_int_equal(p->n_sections, sections);
	if (items != ANY)
		assert_int_equal(kt_import_item_count(p), items);
}

/* Section i's number (NULL: none) and title. */
static void expect_section(const struct kt_import_plan *p, size_t i, const char *number,
	const char *title)
{
	if (number)
		assert_string_equal(p->sections[i].number, number);
	else
		assert_null(p->sections[i].number);
	assert_string_equal(p->sections[i].title, title);
}

/* ---- seeds against their golden extractions ---- */

/* A seed, its golden extraction (golden/<stem>.json) and what the whole plan holds. */
struct seed {
	const char *stem, *file;
	size_t sections, items;
	enum kt_import_layout layout; /* KT_IMPORT_LAYOUT_NONE: not checked */
	const char *academic_year;
};

static const struct seed seeds[] = {
	{"000", "000_0321eb817b06a241.txt", 8, 94, KT_IMPORT_LAYOUT_CELL_LINES, "2019-2020"},
	{"001", "001_ab757c1570964dd4.txt", 8, 334, KT_IMPORT_LAYOUT_NONE, "2023-2024"},
	{"003", "003_042b6b193d2b342e.txt", 12, 83, KT_IMPORT_LAYOUT_ROW_LINES, "2023-2024"},
};

/* The seed parsed and checked against its golden extraction and the table above. */
static struct kt_import_plan *check_seed(const struct seed *s)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/golden/%s.json", seeds_dir(), s->stem);
	json_error_t je;
	json_t *golden = json_load_file(path, 0, &je);
	if (!golden)
		fail_msg("cannot read '%s': %s", path, je.text);
	struct kt_import_plan *p = parse_seed(s->file);
	struct kt_import_score sc;
	assert_int_equal(kt_import_compare(p, golden, &sc, NULL), 0);
	if (sc.missing || sc.invented)
		kt_import_compare(p, golden, &sc, stderr);
	assert_int_equal(sc.found, sc.golden_items);
	assert_int_equal(sc.missing, 0);
	assert_int_equal(sc.invented, 0);
	/* >= 98 % of titles and deadline texts exact after whitespace normalization */
	assert_true(sc.titles_equal * 100 >= sc.found * 98);
	assert_true(sc.deadlines_equal * 100 >= sc.found * 98);
	assert_int_equal(sc.golden_sections, s->sections);
	json_decref(golden);
	expect_plan(p, s->layout, s->sections, s->items);
	assert_string_equal(p->doc.academic_year, s->academic_year);
	return p;
}

static void test_seed_000(void **state)
{
	struct kt_import_plan *p = check_seed(&seeds[0]);
	const struct kt_import_document *d = &p->doc;
	assert_int_equal(d->year_first, 2019);
	assert_true(d->has_approval);
	assert_string_equal(d->approval.kind, "приказ");
	assert_null(d->approval.number); /* a draft: «№_____ - О», «от «____» ______ 20 __» */
	assert_null(d->approval.date);
	assert_string_equal(d->approval.number_text, "№_____ - О");
	assert_non_null(strstr(d->approval.title, "Об утверждении плана мероприятий"));
	assert_non_null(strstr(d->issuer, "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ"));
	assert_true(d->has_implements);
	assert_string_equal(d->implements.number, "1238");
	assert_string_equal(d->implements.date, "2019-09-27");
	assert_non_null(strstr(d->implements.issuer, "Департамента образования и молодёжной"));
	assert_int_equal(d->n_executors, 7);
	assert_string_equal(d->executors[5].name, "№5 «Гимназия»");
	assert_string_equal(d->executors[1].head, "С.Е.Савочкина");
	assert_string_equal(d->contact, "Мотина Людмила Викторовна");
	assert_non_null(strstr(d->title, "План мероприятий («дорожная карта»)"));
	/* six columns: the «Действия» header is split by its second row */
	assert_int_equal(d->n_columns, 6);
	assert_int_equal(d->columns[3].role, KT_COL_MUNICIPAL);
	assert_int_equal(d->columns[4].role, KT_COL_INSTITUTIONAL);
	const struct kt_import_item *it = item(p, "1.1.");
	assert_string_equal(it->deadline_text, "август 2020 года");
	assert_true(it->has_deadline);
	assert_int_equal(it->deadline.kind, KT_DL_MONTH);
	assert_non_null(strstr(it->institutional_action, "на уровне ОО"));
	assert_int_equal(it->first_line, 71);
	/* the seed ends mid-row: kept, flagged */
	assert_true(d->truncated);
	assert_non_null(warning(p, "truncated", 0));
	assert_non_null(item(p, "8.4."));
	/* «декабрь 2018 года» in a 2019-2020 plan: kept as written, warned */
	assert_string_equal(item(p, "1.7.")->deadline_text, "декабрь 2018 года");
	assert_non_null(warning(p, "deadline_year", 129));
}

static void test_seed_001(void **state)
{
	struct kt_import_plan *p = check_seed(&seeds[1]);
	const struct kt_import_document *d = &p->doc;
	assert_non_null(warning(p, "academic_year_inferred", 0));
	assert_false(d->has_approval);
	assert_false(d->has_implements);
	assert_false(d->truncated);
	assert_int_equal(p->n_abbrevs, 30);
	assert_string_equal(p->abbrevs[0].abbr, "МОК");
	assert_int_equal(p->abbrevs[0].line, 7);
	assert_string_equal(p->abbrevs[29].abbr, "ФГОС ООО");
	/* unnumbered sections, numbering restarts in each */
	expect_section(p, 0, NULL, "Анализ проведения ГИА в 2023 году");
	assert_string_equal(p->sections[3].title, "Финансовое обеспечение ГИА-9 и ГИА-11");
	/* parties resolved with the abbreviation table */
	const struct kt_import_item *it = item(p, "1.");
	assert_string_equal(it->responsible_text, "УО, ИМЦ");
	assert_int_equal(it->n_parties, 2);
	assert_string_equal(it->parties[0].abbr, "УО");
	assert_string_equal(it->parties[0].meaning, "Управление образованием Администрации города Юрги");
	/* the Word bookmark is stripped */
	assert_null(strstr(item(p, "1.2.2.")->title, "bookmark"));
	/* the unnumbered row between 6.5 and 6.6 is kept and warned about */
	assert_non_null(warning(p, "unnumbered_row", 1624));
	it = item(p, NULL);
	assert_int_equal(it->first_line, 1624);
	assert_string_equal(it->responsible_text, "УГУиОКО МОК");
	/* 2.2.14 twice */
	assert_non_null(warning(p, "duplicate_number", 1292));
	assert_non_null(warning(p, "numbering_gap", 2203));
	/* a page-break continuation row joined to 2.41 */
	it = item(p, "2.41.");
	assert_non_null(strstr(it->title, "на профильном ЕГЭ по математике"));
	assert_int_equal(it->last_line, 567);
	/* cells with TABs inside */
	assert_non_null(warning(p, "merged_cells", 241));
}

static void test_seed_003(void **state)
{
	struct kt_import_plan *p = check_seed(&seeds[2]);
	const struct kt_import_document *d = &p->doc;
	assert_true(d->has_approval);
	assert_string_equal(d->approval.number, "01-08/530");
	assert_string_equal(d->approval.date, "2023-10-12");
	assert_string_equal(d->issuer, "МУ «Управление образования» администрации МОГО «Ухта»");
	assert_false(d->has_implements);
	assert_non_null(strstr(d->title, "Дорожная карта по подготовке"));
	assert_null(strstr(d->title, "**"));
	assert_string_equal(p->sections[11].number, "12");
	/* continuation rows after page breaks */
	assert_string_equal(item(p, "2.7.")->deadline_text,
		"В соответствие с планом работы Управления образования на 2024 г.");
	assert_string_equal(item(p, "4.2.")->deadline_text, "В течение года Февраль-май, сентябрь");
	assert_string_equal(item(p, "7.12.")->responsible_text, "Отдел оценки качества образования");
	/* HTML residue stripped */
	assert_null(strchr(item(p, "9.1.")->title, '<'));
	assert_null(strchr(item(p, "9.3.")->title, '<'));
	assert_string_equal(item(p, "1.1.")->result_text, "-Повышение эффективности управленческой "
		"деятельности в сфере совершенствования качества образования - Разработка «дорожных "
		"карт» ОУ по подготовке к ГИА");
}

/* ---- synthetic inputs, one rule each ---- */

static void test_continuation_and_repeated_header(void **state)
{
	struct kt_import_plan *p = parse(
		"План мероприятий на 2022-2023 учебный год\n"
		"№\tМероприятие\tСрок\tОтветственный\n"
		"1\t2\t3\t4\n"
		"СЕНТЯБРЬ\t\t\t\n"
		"1.\tСовещание с руководителями ОО\t05.09.2022\tУО\n"
		"2.\tМониторинг готовности ППЭ\tдо 30.09.2022\tИМЦ\n"
		"\n"
		"\tи аудиторного фонда\t\tи ОО\n"
		"№\tМероприятие\tСрок\tОтветственный\n"
		"1\t2\t3\t4\n"
		"ОКТЯБРЬ\t\t\t\n"
		"3.\tРегистрация участников\tоктябрь\tОО\n");
	expect_plan(p, KT_IMPORT_LAYOUT_ROW_LINES, 2, ANY);
	expect_section(p, 0, NULL, "СЕНТЯБРЬ");
	assert_string_equal(p->sections[1].title, "ОКТЯБРЬ");
	assert_int_equal(kt_import_item_count(p), 3);
	const struct kt_import_item *it = item(p, "2.");
	assert_string_equal(it->title, "Мониторинг готовности ППЭ и аудиторного фонда");
	assert_string_equal(it->responsible_text, "ИМЦ и ОО");
	assert_int_equal(it->first_line, 6);
	assert_int_equal(it->last_line, 8);
	assert_int_equal(p->doc.dropped_header_rows, 3);
	assert_string_equal(item(p, "1.")->deadline_text, "05.09.2022");
}

static void test_cell_lines_rules(void **state)
{
	struct kt_import_plan *p = parse(
		"ПЛАН мероприятий по подготовке к ГИА в 2023-2024 учебном году\n"
		"\t№ п/п\n\tМероприятия\n\tСроки\n\tОтветственные\n\n"
		"\t1. Анализ результатов\n\n"
		"\t1.1.\n\tОрганизация образо-\nвательного процесса в образовательных организациях\n"
		"\tсентябрь 2023 года\n\tУО\n\n"
		"\t1.2.\n\tНаучно-\nметодическое сопровождение учителей\n\tоктябрь\n\tИМЦ\n\n"
		"\t№ п/п\n\tМероприятия\n\tСроки\n\tОтветственные\n\n"
		"\t1.3.\n\tСовещание\n\tноябрь\n\tУО\n\n"
		"\t\n\tФормирование списков экспертов\n\tдекабрь\n\tУО\n\n"
		"\t1.3.\n\tСовещание повторное\n\tдекабрь 2018 года\n\tУО\n");
	expect_plan(p, KT_IMPORT_LAYOUT_CELL_LINES, 1, ANY);
	expect_section(p, 0, "1", "Анализ результатов");
	/* a word broken at a line end is joined; a real compound keeps its hyphen */
	assert_string_equal(item(p, "1.1.")->title,
		"Организация образовательного процесса в образовательных организациях");
	assert_string_equal(item(p, "1.2.")->title, "Научно-методическое сопровождение учителей");
	/* the repeated page header is dropped, not read as an item */
	assert_int_equal(p->doc.dropped_header_rows, 1);
	assert_int_equal(kt_import_item_count(p), 5);
	/* the unnumbered row is kept */
	const struct kt_import_item *it = item(p, NULL);
	assert_string_equal(it->title, "Формирование списков экспертов");
	assert_non_null(warning(p, "unnumbered_row", it->first_line));
	/* the duplicate number is warned about with its line */
	assert_non_null(warning(p, "duplicate_number", 36));
	/* the wrong year is kept and warned about */
	assert_non_null(warning(p, "deadline_year", 36));
	assert_string_equal(p->doc.academic_year, "2023-2024");
}

static void test_html_residue(void **state)
{
	struct kt_import_plan *p = parse(
		"**Дорожная карта на 2023-2024 учебный год**\n"
		"№ п/п\tМероприятия\tСроки\tОтветственные исполнители\tРезультат исполнения\n"
		"1.1.\t<p>Доведение <b>информации</b>:</p> <ul style=\"x\"><li>-о сроках;</li></ul>\t"
		"Ноябрь\t<p>Отдел оценки</p><p>МОУ</p>\tСправка&nbsp;&laquo;итоги&raquo;\n"
		"1.2.\t[bookmark: _Toc1]Сбор сведений < 3 дней\tдекабрь\tУО\t\n");
	const struct kt_import_item *it = item(p, "1.1.");
	assert_string_equal(it->title, "Доведение информации: -о сроках;");
	assert_string_equal(it->responsible_text, "Отдел оценки МОУ");
	assert_int_equal(it->n_parties, 2); /* <p> separates parties */
	assert_string_equal(it->parties[1].text, "МОУ");
	assert_string_equal(it->result_text, "Справка «итоги»");
	assert_string_equal(item(p, "1.2.")->title, "Сбор сведений < 3 дней");
	assert_string_equal(p->doc.title, "Дорожная карта на 2023-2024 учебный год");
}

static char *to_cp1251(const char *utf8, size_t *outlen)
{
	iconv_t cd = iconv_open("CP1251", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t il = strlen(utf8), ol = il + 1;
	char *out = malloc(ol), *op = out, *ip = (char *)(uintptr_t)utf8;
	assert_non_null(out);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

static void test_windows_1251(void **state)
{
	static const char doc[] =
		"ПЛАН мероприятий по подготовке к ГИА в 2020-2021 учебном году\r\n"
		"№ п/п\tНаименование мероприятия\tСрок исполнения\tОтветственные\r\n"
		"1. Анализ\t\t\t\r\n"
		"1.1.\tСбор отчётов МОУ «СОШ №3»\tдо 23.10.2020г.\tЦОИ\r\n";
	size_t len;
	char *cp = to_cp1251(doc, &len);
	struct kt_import_plan *p = NULL;
	struct kt_import_err err;
	assert_int_equal(kt_import_parse_buf(cp, len, "cp.txt", &p, &err), 0);
	assert_string_equal(p->doc.encoding, "windows-1251");
	assert_string_equal(item(p, "1.1.")->title, "Сбор отчётов МОУ «СОШ №3»");
	assert_string_equal(item(p, "1.1.")->deadline_text, "до 23.10.2020г.");
	assert_int_equal(item(p, "1.1.")->deadline.kind, KT_DL_BY_DATE);
	assert_string_equal(p->doc.academic_year, "2020-2021");
	kt_import_plan_free(p);
	free(cp);
}

static void test_sections_and_restart(void **state)
{
	/* a heading in the title column, recognised because numbering restarts after it */
	struct kt_import_plan *p = parse(
		"\t\n\tМероприятия\n\tОтветственные исполнители\n\tСроки реализации\n\n"
		"\t\nАнализ проведения ГИА\n\n"
		"\t1.\n\tСбор данных\n\tУО\n\tавгуст 2023 года\n\n"
		"\t2.\n\tАнализ данных\n\tУО\n\tсентябрь 2023 года\n\n"
		"\t\n\tФинансовое обеспечение ГИА\n\t\n\t\n\n"
		"\t1.\n\tСмета\n\tУО\n\tоктябрь 2023 года\n");
	expect_plan(p, KT_IMPORT_LAYOUT_NONE, 2, ANY);
	assert_string_equal(p->sections[1].title, "Финансовое обеспечение ГИА");
	assert_int_equal(p->sections[1].n_items, 1);
	assert_int_equal(p->doc.columns[0].role, KT_COL_NUMBER);
	assert_null(warning(p, "duplicate_number", 0));
	assert_non_null(warning(p, "academic_year_missing", 0));
}

static void test_headers_and_trailers(void **state)
{
	/* row lines: a merged «Действия» header split by a second header row */
	struct kt_import_plan *p = parse(
		"Дорожная карта на 2021-2022 учебный год\n"
		"№\tМероприятие\tСрок\tДействия\t\tОтветственный\n"
		"\t\t\tМуниципальный уровень\tИнституционный уровень\t\n"
		"1. Раздел первый\t\t\t\t\t\n"
		"1.1\tСовещание\tсентябрь\tпровести\tучаствовать\tУО, ОО\n"
		"\n"
		"Начальник управления\tИ.И. Иванов\n");
	assert_int_equal(p->doc.n_columns, 6);
	assert_string_equal(p->doc.columns[3].text, "Действия: Муниципальный уровень");
	assert_int_equal(p->doc.columns[4].role, KT_COL_INSTITUTIONAL);
	assert_int_equal(p->doc.columns[5].role, KT_COL_RESPONSIBLE);
	const struct kt_import_item *it = item(p, "1.1");
	assert_string_equal(it->municipal_action, "провести");
	assert_string_equal(it->institutional_action, "участвовать");
	assert_string_equal(it->responsible_text, "УО, ОО");
	assert_int_equal(kt_import_item_count(p), 1);
	assert_non_null(warning(p, "after_table", 7));

	/* no number column: items are unnumbered without a warning each; a capitalised heading */
	p = parse("План работы на 2021/22 уч. год\n"
		"Мероприятие\tСрок\tОтветственный\n"
		"Совещание директоров\tсентябрь\tУО\n"
		"Мониторинг сайтов\tоктябрь\tИМЦ\n"
		"и стендов\t\t\n"
		"ПРОВЕРКИ\t\t\n"
		"Проверка ППЭ\tмарт\tУО\n");
	assert_int_equal(kt_import_item_count(p), 3);
	assert_int_equal(p->n_sections, 2);
	assert_string_equal(p->sections[1].title, "ПРОВЕРКИ");
	assert_string_equal(p->sections[0].items[1].title, "Мониторинг сайтов и стендов");
	assert_null(warning(p, "unnumbered_row", 0));
	assert_non_null(warning(p, "no_number_column", 2));
	assert_string_equal(p->doc.academic_year, "2021-2022");

	/* cell lines: page number, repeated two-row header and column numbers dropped; the
	 * signature after the last row is not part of its last cell */
	p = parse("План на 2019-2020 учебный год\n"
		"\t№ п/п\n\tМероприятие\n\tСроки\n\tДействия\n\tОтветственный\n\n"
		"\t\n\t\n\t\n\tМуниципальный уровень\n\tИнституционный уровень\n\t\n"
		"\t1.Раздел\n\t1.1.\n\tСовещание\n\tмай\n\tпровести\n\tучаствовать\n\tУО\n\n"
		"15\n\n"
		"\t№ п/п\n\tМероприятие\n\tСроки\n\tДействия\n\tОтветственный\n"
		"\t\n\t\n\t\n\tМуниципальный уровень\n\tИнституционный уровень\n\t\n"
		"\t1\n\t2\n\t3\n\t4\n\t5\n\t6\n"
		"\t1.2.\n\tМониторинг\n\tиюнь\n\tсобрать\n\tсдать\n\tЦРО\n\nОтдел образования\n"
		"\n\n\nНачальник управления                    И.И. Иванов\n");
	assert_int_equal(kt_import_item_count(p), 2);
	assert_int_equal(p->doc.dropped_header_rows, 2);
	assert_string_equal(item(p, "1.1.")->responsible_text, "УО");
	assert_string_equal(item(p, "1.2.")->responsible_text, "ЦРО Отдел образования");
	assert_string_equal(item(p, "1.2.")->institutional_action, "сдать");
	assert_non_null(warning(p, "after_table", 52));
	assert_int_equal(item(p, "1.2.")->last_line, 48);
}

static void test_abbreviations(void **state)
{
	/* a two-column table before the plan, row lines */
	struct kt_import_plan *p = parse(
		"План на 2022-2023 учебный год\n"
		"Сокращение\tРасшифровка\n"
		"УО\tУправление образования администрации района\n"
		"ГКУ КЦМКО\tКузбасский центр мониторинга качества образования\n"
		"№\tМероприятие\tСрок\tОтветственный\n"
		"1.\tСбор отчётов\tмай\tГКУ КЦМКО, руководители УО\n");
	assert_int_equal(p->n_abbrevs, 2);
	assert_int_equal(p->abbrevs[1].line, 4);
	const struct kt_import_item *it = item(p, "1.");
	assert_int_equal(it->n_parties, 2);
	assert_string_equal(it->parties[0].abbr, "ГКУ КЦМКО");
	assert_string_equal(it->parties[1].abbr, "УО");
	assert_string_equal(it->parties[1].meaning, "Управление образования администрации района");
	assert_string_equal(p->doc.title, "План на 2022-2023 учебный год");

	/* «ABBR – meaning» lines under a heading */
	p = parse("Перечень сокращений:\n"
		"УО – Управление образования\n"
		"ОО - общеобразовательные организации\n"
		"\n"
		"План мероприятий на 2022-2023 учебный год\n"
		"№\tМероприятие\tСрок\tОтветственный\n"
		"1.\tСовещание\tмай\tОО\n");
	assert_int_equal(p->n_abbrevs, 2);
	assert_string_equal(p->abbrevs[1].abbr, "ОО");
	assert_string_equal(p->abbrevs[1].meaning, "общеобразовательные организации");
	assert_string_equal(item(p, "1.")->parties[0].meaning, "общеобразовательные организации");
}

/* ---- bad input ---- */

static char tmp_path[64];

static const char *write_tmp(const void *data, size_t n)
{
	snprintf(tmp_path, sizeof tmp_path, "/tmp/kt_import_test_XXXXXX");
	int fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	return tmp_path;
}

static void refused(const void *data, size_t n, enum kt_import_errcode code, const char *msg)
{
	const char *path = write_tmp(data, n);
	struct kt_import_plan *p = (struct kt_import_plan *)1;
	struct kt_import_err err;
	assert_int_equal(kt_import_parse_file(path, &p, &err), -1);
	assert_null(p);
	if (err.code != code || !strstr(err.msg, msg))
		fail_msg("got %d '%s', want %d '%s'", err.code, err.msg, code, msg);
	unlink(path);
}

static void test_bad_input(void **state)
{
	refused("", 0, KT_IMPORT_EEMPTY, "file is empty");
	refused(" \n\t\n", 4, KT_IMPORT_EEMPTY, "no text");
	static const unsigned char elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0};
	refused(elf, sizeof elf, KT_IMPORT_EBINARY, "not a text file");
	static const unsigned char junk[] = {0x81, 0x82, 0x83, 0x90, 0x91, 0x9a, 0x9b, 0x85, 0x86, 'a'};
	refused(junk, sizeof junk, KT_IMPORT_EENCODING, "encoding");
	const char *prose = "Это просто письмо.\nВ нём нет таблицы.\n";
	refused(prose, strlen(prose), KT_IMPORT_ENOTABLE, "no table found");
	const char *nohead = "a\tb\tc\nd\te\tf\n";
	refused(nohead, strlen(nohead), KT_IMPORT_ENOTABLE, "no table header");
	const char *noitems = "№\tМероприятия\tСроки\n1\t2\t3\n";
	refused(noitems, strlen(noitems), KT_IMPORT_ENOTABLE, "no items");
	/* 50 MB: refused from its size, before reading */
	snprintf(tmp_path, sizeof tmp_path, "/tmp/kt_import_big_XXXXXX");
	int fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 50L << 20), 0);
	close(fd);
	struct kt_import_plan *p = NULL;
	struct kt_import_err err;
	assert_int_equal(kt_import_parse_file(tmp_path, &p, &err), -1);
	assert_int_equal(err.code, KT_IMPORT_ETOOBIG);
	assert_non_null(strstr(err.msg, "too large"));
	unlink(tmp_path);
	/* the same limit holds for buffers */
	char *big = calloc(1, KT_IMPORT_MAX_BYTES + 1);
	assert_non_null(big);
	assert_int_equal(kt_import_parse_buf(big, KT_IMPORT_MAX_BYTES + 1, NULL, &p, &err), -1);
	assert_int_equal(err.code, KT_IMPORT_ETOOBIG);
	free(big);
	/* more rows than any roadmap has */
	size_t cap = 64u << 20, len = 0;
	char *many = malloc(cap);
	assert_non_null(many);
	len += (size_t)snprintf(many, cap, "№\tМероприятие\tСрок\n");
	for (int i = 0; i <= KT_IMPORT_MAX_ROWS; i++)
		len += (size_t)snprintf(many + len, cap - len, "%d.\tа\tмай\n", i % 900 + 1);
	assert_int_equal(kt_import_parse_buf(many, len, NULL, &p, &err), -1);
	assert_int_equal(err.code, KT_IMPORT_ETOOBIG);
	assert_non_null(strstr(err.msg, "more than 100000 rows"));
	free(many);
	assert_int_equal(kt_import_parse_file("/nonexistent/plan.txt", &p, &err), -1);
	assert_int_equal(err.code, KT_IMPORT_EIO);
	assert_int_equal(kt_import_parse_file("/tmp", &p, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

/* ---- the command ---- */

/* A writer that records what the command handed it. */
struct seen_write {
	int calls;
	size_t items;
	char into[64];
	int year;
	bool dry_run;
};

static int record_write(const struct kt_import_plan *plan, const struct kt_import_target *t,
	void *arg)
{
	struct seen_write *w = arg;
	w->calls++;
	w->items = kt_import_item_count(plan);
	snprintf(w->into, sizeof w->into, "%s", t->into ? t->into : "");
	w->year = t->year;
	w->dry_run = t->dry_run;
	return 0;
}

static int run_cli_with(char **argv, int argc, char **out, char **errs, struct seen_write *w)
{
	size_t on, en;
	FILE *o = open_memstream(out, &on), *e = open_memstream(errs, &en);
	assert_non_null(o);
	assert_non_null(e);
	int rc = kt_import_cli(argc, argv, o, e, w ? record_write : NULL, w);
	fclose(o);
	fclose(e);
	return rc;
}

static int run_cli(char **argv, int argc, char **out, char **errs)
{
	return run_cli_with(argv, argc, out, errs, NULL);
}

static void test_cli(void **state)
{
	char path[1024], *out, *errs;
	snprintf(path, sizeof path, "%s/003_042b6b193d2b342e.txt", seeds_dir());
	char *a1[] = {"import", path, "--dry-run", "--format", "json"};
	assert_int_equal(run_cli(a1, 5, &out, &errs), 0);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "sections")), 12);
	json_t *first = json_array_get(json_object_get(json_array_get(json_object_get(j, "sections"), 0),
		"items"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "deadline_text")), "Июль-сентябрь");
	assert_string_equal(json_string_value(json_object_get(json_object_get(first, "deadline"),
		"kind")), "month_range");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(first, "source_lines"), 0)), 16);
	assert_non_null(json_object_get(j, "warnings"));
	json_decref(j);
	free(out);
	free(errs);

	/* table: every row's separators line up by display width, not bytes */
	char *a2[] = {"import", "--format=table", "--dry-run", path};
	assert_int_equal(run_cli(a2, 4, &out, &errs), 0);
	size_t cols[8] = {0}, seen = 0;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strstr(l, " | "))
			continue;
		size_t k = 0, w = 0;
		for (const char *p = l; *p; p++) {
			if (((unsigned char)*p & 0xC0) != 0x80)
				w++;
			if (*p == '|' && k < 8) {
				if (seen && cols[k] != w)
					fail_msg("misaligned: %s", l);
				cols[k++] = w;
			}
		}
		seen++;
	}
	assert_true(seen > 83);
	free(out);
	free(errs);

	/* without --dry-run and no writer: refused */
	char *a3[] = {"import", path};
	assert_int_equal(run_cli(a3, 2, &out, &errs), 1);
	assert_non_null(strstr(errs, "no server to write to; use --dry-run"));
	assert_string_equal(out, "");
	free(out);
	free(errs);

	/* with a writer: the parsed plan and the target reach it, once */
	struct seen_write w = {0};
	assert_int_equal(run_cli_with(a3, 2, &out, &errs, &w), 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.items, 83);
	assert_string_equal(w.into, "");
	assert_false(w.dry_run);
	free(out);
	free(errs);
	char *w5[] = {"import", path, "--into", "P", "--year", "2023", "--dry-run"};
	memset(&w, 0, sizeof w);
	assert_int_equal(run_cli_with(w5, 7, &out, &errs, &w), 0);
	assert_int_equal(w.calls, 1);
	assert_string_equal(w.into, "P");
	assert_int_equal(w.year, 2023);
	assert_true(w.dry_run);
	free(out);
	free(errs);
	char *w6[] = {"import", path, "--year", "1812"};
	assert_int_equal(run_cli_with(w6, 4, &out, &errs, &w), 2);
	free(out);
	free(errs);

	/* the truncated seed is refused unless asked for, and never reaches the writer */
	snprintf(path, sizeof path, "%s/000_0321eb817b06a241.txt", seeds_dir());
	char *w7[] = {"import", path};
	memset(&w, 0, sizeof w);
	assert_int_equal(run_cli_with(w7, 2, &out, &errs, &w), 1);
	assert_int_equal(w.calls, 0);
	free(out);
	free(errs);
	char *a4[] = {"import", path, "--dry-run"};
	assert_int_equal(run_cli(a4, 3, &out, &errs), 1);
	assert_non_null(strstr(errs, "karta: cannot import '"));
	assert_non_null(strstr(errs, "ends mid-row"));
	assert_string_equal(out, "");
	free(out);
	free(errs);
	char *a5[] = {"import", path, "--dry-run", "--allow-truncated"};
	assert_int_equal(run_cli(a5, 4, &out, &errs), 0);
	free(out);
	free(errs);

	char *a6[] = {"import", "/nonexistent.txt", "--dry-run"};
	assert_int_equal(run_cli(a6, 3, &out, &errs), 1);
	assert_non_null(strstr(errs, "karta: cannot import '/nonexistent.txt': No such file"));
	free(out);
	free(errs);

	char *a7[] = {"import", "--bogus"};
	assert_int_equal(run_cli(a7, 2, &out, &errs), 2);
	free(out);
	free(errs);
	char *a8[] = {"import", "x", "--format", "xml"};
	assert_int_equal(run_cli(a8, 4, &out, &errs), 2);
	free(out);
	free(errs);
	char *a9[] = {"import"};
	assert_int_equal(run_cli(a9, 1, &out, &errs), 2);
	free(out);
	free(errs);
	char *a10[] = {"import", "--help"};
	assert_int_equal(run_cli(a10, 2, &out, &errs), 0);
	assert_non_null(strstr(out, "usage: karta plan import FILE"));
	free(out);
	free(errs);
}

/* ---- brief fuzz: mutated real text must never crash the parser ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void test_fuzz_brief(void **state)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/003_042b6b193d2b342e.txt", seeds_dir());
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char seed[12000];
	size_t n = fread(seed, 1, sizeof seed, f);
	fclose(f);
	static const char *const tokens[] = {"\t", "\n", "\t\t", "«", "»", "1.", "2.1.", "<p>",
		"</ul>", "-\n", "[bookmark: x]", "**", "&#171;", "\xc2\xad", "\xd0", "\r", "№ п/п\t",
		"Мероприятия\t", "Сроки\n", "(", "\n\n\t"};
	char *buf = malloc(n + 4096);
	assert_non_null(buf);
	for (int iter = 0; iter < 1500; iter++) {
		size_t len = next_rand() % n;
		memcpy(buf, seed + next_rand() % (n - len + 1), len);
		int edits = 1 + next_rand() % 12;
		for (int e = 0; e < edits && len > 0; e++) {
			size_t at = next_rand() % len;
			switch (next_rand() % 3) {
			case 0:
				buf[at] = (char)next_rand();
				break;
			case 1: {
				const char *t = tokens[next_rand() % (sizeof tokens / sizeof tokens[0])];
				size_t tl = strlen(t);
				if (len + tl < n + 4000) {
					memmove(buf + at + tl, buf + at, len - at);
					memcpy(buf + at, t, tl);
					len += tl;
				}
				break;
			}
			default:
				len = at;
			}
		}
		struct kt_import_plan *p = NULL;
		struct kt_import_err err;
		if (kt_import_parse_buf(buf, len, "fuzz", &p, &err) == 0) {
			json_t *j = kt_import_to_json(p);
			assert_non_null(j);
			json_decref(j);
			FILE *devnull = fopen("/dev/null", "w");
			kt_import_write_table(p, devnull, 100);
			fclose(devnull);
			kt_import_plan_free(p);
		} else {
			assert_null(p);
			assert_true(err.msg[0] != '\0');
		}
	}
	free(buf);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_teardown(test_seed_000, free_plans),
	cmocka_unit_test_teardown(test_seed_001, free_plans),
	cmocka_unit_test_teardown(test_seed_003, free_plans),
	cmocka_unit_test_teardown(test_continuation_and_repeated_header, free_plans),
	cmocka_unit_test_teardown(test_cell_lines_rules, free_plans),
	cmocka_unit_test_teardown(test_html_residue, free_plans),
	cmocka_unit_test(test_windows_1251),
	cmocka_unit_test_teardown(test_sections_and_restart, free_plans),
	cmocka_unit_test_teardown(test_headers_and_trailers, free_plans),
	cmocka_unit_test_teardown(test_abbreviations, free_plans),
	cmocka_unit_test(test_bad_input),
	cmocka_unit_test(test_cli),
	cmocka_unit_test(test_fuzz_brief))
