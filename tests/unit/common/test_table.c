/* kt_table: display widths (Cyrillic, combining marks, wide characters), aligned text with
 * wrapping and cutting, CSV quoting (RFC 4180 plus ';'), JSON escaping and types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_table.h"

/* Renders t into a heap string (caller frees). */
static char *render(const struct kt_table *t, enum kt_table_format f,
	const struct kt_table_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(kt_table_write(t, f, o, m), 0);
	fclose(m);
	return buf;
}

/* t rendered in f with o is exactly want. */
static void expect_render(const struct kt_table *t, enum kt_table_format f,
	const struct kt_table_opts *o, const char *want)
{
	char *out = render(t, f, o);
	assert_string_equal(out, want);
	free(out);
}

/* A two-column table (h1, and h2 of width w2) holding the rows given as pairs of cells,
 * NULL after the last. */
static struct kt_table *table2(const char *h1, const char *h2, unsigned w2, ...)
{
	const struct kt_col cols[] = {{h1, KT_COL_TEXT, 0}, {h2, KT_COL_TEXT, w2}};
	struct kt_table *t = kt_table_new(cols, 2);
	assert_non_null(t);
	va_list ap;
	va_start(ap, w2);
	for (const char *a; (a = va_arg(ap, const char *));) {
		const char *cells[] = {a, va_arg(ap, const char *)};
		assert_int_equal(kt_table_add(t, cells), 0);
	}
	va_end(ap);
	return t;
}

static void add2(struct kt_table *t, const char *a, const char *b)
{
	const char *cells[] = {a, b};
	assert_int_equal(kt_table_add(t, cells), 0);
}

static void test_width(void **state)
{
	static const struct {
		const char *s;
		size_t w;
	} cases[] = {
		{"", 0},
		{"abc", 3},
		{"Привет", 6},                 /* 12 bytes, 6 columns */
		{"до 1 ноября", 11},
		{"«УО»", 4},
		{"е\xCC\x81", 1},              /* е + combining acute */
		{"漢字", 4},                    /* East-Asian wide */
		{"a\xFF" "b", 3},              /* an invalid byte is one column */
		{"x\ty", 2},                   /* controls are zero */
		{"\xE2\x80\x8B", 0},           /* zero-width space */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (kt_utf8_width(cases[i].s, strlen(cases[i].s)) != cases[i].w)
			fail_msg("width of case %zu ('%s'): got %zu, want %zu", i, cases[i].s,
				kt_utf8_width(cases[i].s, strlen(cases[i].s)), cases[i].w);
}

static void test_valid_dup(void **state)
{
	char *s = kt_utf8_dup_valid("ok\xC0\xAF" "ж\xED\xA0\x80!");
	/* overlong "/" = 2 bad bytes, a surrogate = 3 bad bytes, each becomes U+FFFD */
	assert_string_equal(s, "ok\xEF\xBF\xBD\xEF\xBF\xBDж\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!");
	free(s);
	s = kt_utf8_dup_valid(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* Columns line up by display width: Cyrillic cells are padded like ASCII ones. */
/* kt_utf8_valid: what kt_utf8_dup_valid would keep as it is, at any place of a text longer
 * than the eight bytes it reads at once */
static void test_valid(void **state)
{
	(void)state;
	static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82",
		"\x80", "\xFF"};
	assert_true(kt_utf8_valid("", 0));
	assert_true(kt_utf8_valid("{\"a\":\"Ёлкин ’ \xF0\x9F\x98\x80\"}", strlen("{\"a\":\"Ёлкин ’ \xF0\x9F\x98\x80\"}")));
	assert_true(kt_utf8_valid("a\0b", 3)); /* NUL is ASCII */
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		for (size_t at = 0; at < 20; at++) {
			char buf[40];
			memset(buf, 'x', sizeof buf);
			memcpy(buf + at, bad[i], strlen(bad[i]));
			assert_false(kt_utf8_valid(buf, sizeof buf));
			assert_true(kt_utf8_valid(buf, at)); /* what is before it */
		}
}

static void test_text_cyrillic(void **state)
{
	const struct kt_col cols[] = {
		{"number", KT_COL_TEXT, 0}, {"title", KT_COL_TEXT, 0}, {"items", KT_COL_INT, 0},
		{"deadline", KT_COL_TEXT, 0}};
	struct kt_table *t = kt_table_new(cols, 4);
	const char *r1[] = {"1.1", "Анализ ГИА", "12", "до 1 ноября"};
	const char *r2[] = {"1.10", "Сбор", "3", ""};
	assert_int_equal(kt_table_add(t, r1), 0);
	assert_int_equal(kt_table_add(t, r2), 0);
	expect_render(t, KT_TABLE_TEXT, NULL,
		"number  title       items  deadline\n"
		"1.1     Анализ ГИА     12  до 1 ноября\n"
		"1.10    Сбор            3\n");
	kt_table_free(t);
}

/* Text wider than its column, wrapped or cut. */
static void test_text_fit(void **state)
{
	static const struct {
		const char *h1, *h2;
		unsigned w2;
		struct kt_table_opts o;
		const char *rows[8]; /* pairs of cells, NULL after the last */
		const char *want;
	} cases[] = {
		/* wrapped: breaks at spaces; a word longer than the column is split inside */
		{"n", "title", 10, {.fit = KT_FIT_WRAP, .indent = "> "},
			{"1", "Провести анализ результатов", "2", "Всероссийскиепроверочные", "3",
				"две\nстроки"},
			"> n  title\n"
			"> 1  Провести\n"
			">    анализ\n"
			">    результато\n"
			">    в\n"
			"> 2  Всероссийс\n"
			">    киепроверо\n"
			">    чные\n"
			"> 3  две\n"
			">    строки\n"},
		/* comma lists break after a comma */
		{"version", "fields", 24, {0}, {"1", "deadline,deadline_kind,deadline_last,title"},
			"version  fields\n"
			"1        deadline,deadline_kind,\n"
			"         deadline_last,title\n"},
		/* cut, with "…" */
		{"n", "title", 8, {.fit = KT_FIT_CUT, .no_header = true},
			{"1", "Провести анализ", "2", "коротко", "3", "две\nстроки"},
			"1  Провест…\n"
			"2  коротко\n"
			"3  две стр…\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kt_table *t = table2(cases[i].h1, cases[i].h2, cases[i].w2, NULL);
		for (size_t k = 0; cases[i].rows[k]; k += 2)
			add2(t, cases[i].rows[k], cases[i].rows[k + 1]);
		expect_render(t, KT_TABLE_TEXT, &cases[i].o, cases[i].want);
		kt_table_free(t);
	}
}

static void test_csv_quoting(void **state)
{
	struct kt_table *t = table2("id", "title", 0, "1", "plain", "2", "a;b", "3", "a,b",
		"4", "say \"hi\"", "5", "two\nlines", "6", " padded", "7", "Сроки: до 1 ноября", NULL);
	struct kt_table_opts o = {.bom = true};
	expect_render(t, KT_TABLE_CSV, &o,
		"\xEF\xBB\xBF"
		"id,title\r\n"
		"1,plain\r\n"
		"2,\"a;b\"\r\n"
		"3,\"a,b\"\r\n"
		"4,\"say \"\"hi\"\"\"\r\n"
		"5,\"two\nlines\"\r\n"
		"6,\" padded\"\r\n"
		"7,Сроки: до 1 ноября\r\n");
	struct kt_table_opts semi = {.sep = ';', .no_header = true};
	char *out = render(t, KT_TABLE_CSV, &semi);
	assert_non_null(strstr(out, "3;\"a,b\"\r\n"));
	assert_int_equal(strncmp(out, "1;plain\r\n", 9), 0); /* no BOM unless asked */
	free(out);
	kt_table_free(t);
}

static void test_json(void **state)
{
	const struct kt_col cols[] = {
		{"title", KT_COL_TEXT, 0}, {"items", KT_COL_INT, 0}, {"writable", KT_COL_BOOL, 0}};
	struct kt_table *t = kt_table_new(cols, 3);
	const char *r1[] = {"«План» \"ГИА\" \\ 1\nстрока\x01", "12", "yes"};
	const char *r2[] = {"", "", "no"};
	assert_int_equal(kt_table_add(t, r1), 0);
	assert_int_equal(kt_table_add(t, r2), 0);
	char *out = render(t, KT_TABLE_JSON, NULL);
	/* escapes quotes, backslash, newline and controls; keeps Cyrillic as UTF-8 */
	assert_non_null(strstr(out, "\"title\": \"«План» \\\"ГИА\\\" \\\\ 1\\nстрока\\u0001\""));
	assert_non_null(strstr(out, "\"items\": 12"));
	assert_non_null(strstr(out, "\"writable\": true"));
	assert_non_null(strstr(out, "\"items\": null"));
	assert_non_null(strstr(out, "\"writable\": false"));
	/* and it parses back to the same strings */
	json_error_t e;
	json_t *j = json_loads(out, 0, &e);
	assert_non_null(j);
	json_t *first = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(first, "title")), r1[0]);
	json_decref(j);
	free(out);
	kt_table_free(t);
}

static void test_format_parse(void **state)
{
	enum kt_table_format f;
	assert_int_equal(kt_table_format_parse("csv", &f), 0);
	assert_int_equal(f, KT_TABLE_CSV);
	assert_int_equal(kt_table_format_parse("table", &f), 0);
	assert_int_equal(f, KT_TABLE_TEXT);
	assert_int_equal(kt_table_format_parse("xml", &f), -1);
	assert_int_equal(kt_table_format_parse(NULL, &f), -1);
}

/* A cut never splits a letter: kt_utf8_fit on Cyrillic, and a table cut mid-word. */
static void test_utf8_fit(void **state)
{
	const char *s = "Мониторинг"; /* 2 bytes a letter */
	assert_int_equal(kt_utf8_fit(s, 5), 4);
	assert_int_equal(kt_utf8_fit(s, 4), 4);
	assert_int_equal(kt_utf8_fit(s, 1), 0);
	assert_int_equal(kt_utf8_fit(s, 100), strlen(s));
	assert_int_equal(kt_utf8_fit("a€b", 3), 1); /* € is 3 bytes */
	assert_int_equal(kt_utf8_fit("a\xFF" "b", 2), 2); /* an invalid byte is a character */
	char buf[32];
	for (size_t n = 0; n <= strlen(s); n++) { /* every cut is valid UTF-8 */
		snprintf(buf, sizeof buf, "%.*s", (int)kt_utf8_fit(s, n), s);
		char *v = kt_utf8_dup_valid(buf);
		assert_string_equal(v, buf);
		free(v);
	}
}

/* id, title, items, owner, level: the order the tables below keep columns in */
static unsigned rank(const char *title, const char *name)
{
	static const char *const order[] = {"id", "title", "items", "owner", "level"};
	(void)title;
	for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(order[i], name) == 0)
			return i + 1;
	return 0;
}

static void set_style(unsigned width, bool wide, bool people)
{
	struct kt_table_style st = {.width = width, .wide = wide, .people = people,
		.csv_people = people, .rank = rank};
	kt_table_set_style(&st);
}

/* Every line of out is at most w display columns and valid UTF-8. */
static void assert_fits(const char *out, size_t w)
{
	char *v = kt_utf8_dup_valid(out);
	assert_string_equal(v, out);
	free(v);
	for (const char *l = out; *l;) {
		size_t n = strcspn(l, "\n");
		if (kt_utf8_width(l, n) > w)
			fail_msg("line wider than %zu: '%.*s'", w, (int)n, l);
		l += n + (l[n] == '\n');
	}
}

static struct kt_table *plans(void)
{
	const struct kt_col cols[] = {{"id", KT_COL_TEXT, 0}, {"owner", KT_COL_TEXT, 0},
		{"level", KT_COL_TEXT, 0}, {"items", KT_COL_INT, 0}, {"title", KT_COL_TEXT, 70}};
	struct kt_table *t = kt_table_new(cols, 5);
	const char *r1[] = {"5f1c2a9e", "region", "region", "12",
		"Дорожная карта подготовки к ГИА-9 и ГИА-11 в 2025/2026 учебном году"};
	const char *r2[] = {"77ab01cd", "mun1", "municipality", "3", "План УО"};
	assert_int_equal(kt_table_add(t, r1), 0);
	assert_int_equal(kt_table_add(t, r2), 0);
	return t;
}

/* A terminal: the table fits, text is cut between letters, and with too little room the
 * least important columns go, named in a note; --wide keeps them; a pipe is never cut. */
static void test_fit_terminal(void **state)
{
	struct kt_table *t = plans();
	struct kt_table_opts cut = {.fit = KT_FIT_CUT};
	set_style(70, false, false);
	char *out = render(t, KT_TABLE_TEXT, &cut);
	assert_fits(out, 70);
	assert_non_null(strstr(out, "Дорожная карта")); /* cut, not dropped */
	assert_non_null(strstr(out, "…"));
	assert_non_null(strstr(out, "municipality"));
	assert_null(strstr(out, "not shown"));
	free(out);

	set_style(36, false, false); /* id, items and a readable title (a third): the rest goes */
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_fits(out, 36);
	assert_null(strstr(out, "municipality"));
	assert_non_null(strstr(out, "columns not shown: owner, level\n")); /* least first */
	assert_non_null(strstr(out, "77ab01cd"));
	free(out);

	set_style(20, false, false); /* only the two most important remain */
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_fits(out, 20);
	assert_non_null(strstr(out, "owner, level, items"));
	free(out);

	set_style(36, true, false); /* --wide: every column, narrowed */
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_non_null(strstr(out, "municipa")); /* "level" is back, cut to its 10 columns */
	assert_null(strstr(out, "not shown"));
	free(out);

	set_style(KT_WIDTH_NONE, false, false); /* a pipe: whole titles, past max_width too */
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_non_null(strstr(out, "в 2025/2026 учебном году\n"));
	assert_null(strstr(out, "…"));
	free(out);

	set_style(40, false, false); /* wrapped instead of cut: whole words, all of them */
	struct kt_table_opts wrap = {.fit = KT_FIT_WRAP};
	out = render(t, KT_TABLE_TEXT, &wrap);
	assert_fits(out, 40);
	assert_non_null(strstr(out, "учебном"));
	free(out);
	set_style(0, false, false);
	kt_table_free(t);
}

/* Every width from 8 to 80 for a Cyrillic table: lines within it, valid UTF-8. */
static void test_fit_every_width(void **state)
{
	const struct kt_col cols[] = {{"номер", KT_COL_TEXT, 0},
		{"мероприятие", KT_COL_TEXT, 0}, {"срок", KT_COL_TEXT, 0}};
	struct kt_table *t = kt_table_new(cols, 3);
	const char *r[] = {"1.1", "Проведение итогового собеседования по русскому языку",
		"до 1 ноября 2025 года"};
	assert_int_equal(kt_table_add(t, r), 0);
	for (unsigned w = 12; w <= 80; w++) {
		for (int fit = 0; fit < 2; fit++) {
			struct kt_table_opts o = {.fit = fit ? KT_FIT_CUT : KT_FIT_WRAP};
			set_style(w, false, false);
			char *out = render(t, KT_TABLE_TEXT, &o);
			assert_fits(out, w);
			free(out);
		}
	}
	set_style(0, false, false);
	kt_table_free(t);
}

static const char *label(const char *title, const char *name)
{
	(void)title;
	return strcmp(name, "title") == 0 ? "Наименование" : strcmp(name, "due") == 0 ? "Срок" : name;
}

/* CSV for people: ';', BOM, decimal comma, дд.мм.гггг, labels; --keys keeps the names;
 * Windows-1251; the machine's CSV is unchanged. */
static void test_csv_people(void **state)
{
	const struct kt_col cols[] = {{"title", KT_COL_TEXT, 0}, {"done %", KT_COL_PCT, 0},
		{"due", KT_COL_DATE, 0}, {"items", KT_COL_INT, 0}};
	struct kt_table *t = kt_table_new(cols, 4);
	const char *r1[] = {"Сбор; анализ\nитоги", "12.5", "2025-11-01", "1200"};
	const char *r2[] = {"ГИА", "", "", "3"};
	assert_int_equal(kt_table_add(t, r1), 0);
	assert_int_equal(kt_table_add(t, r2), 0);
	struct kt_table_style st = {.people = true, .csv_people = true, .label = label};
	kt_table_set_style(&st);
	expect_render(t, KT_TABLE_CSV, NULL, "\xEF\xBB\xBF"
		"Наименование;done %;Срок;items\r\n"
		"\"Сбор; анализ\nитоги\";12,5;01.11.2025;1200\r\n"
		"ГИА;;;3\r\n");
	st.keys = true;
	kt_table_set_style(&st);
	char *out = render(t, KT_TABLE_CSV, NULL);
	assert_non_null(strstr(out, "title;done %;due;items\r\n"));
	free(out);
	st.cp1251 = true;
	kt_table_set_style(&st);
	out = render(t, KT_TABLE_CSV, NULL);
	assert_int_equal(strncmp(out, "title;", 6), 0); /* no BOM in Windows-1251 */
	assert_non_null(strstr(out, "\"\xD1\xE1\xEE\xF0; ")); /* «Сбор» in Windows-1251 */
	free(out);
	const char *r3[] = {"漢字", "1", "", ""}; /* not in Windows-1251: refused, not mangled */
	assert_int_equal(kt_table_add(t, r3), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	errno = 0;
	assert_int_equal(kt_table_write(t, KT_TABLE_CSV, NULL, m), -1);
	assert_int_equal(errno, EILSEQ);
	fclose(m);
	free(buf);
	st = (struct kt_table_style){0};
	kt_table_set_style(&st);
	out = render(t, KT_TABLE_CSV, NULL); /* the machine's: ',', '.', ISO, names */
	assert_non_null(strstr(out, "title,done %,due,items\r\n\"Сбор; анализ\nитоги\",12.5,2025-11-01,1200\r\n"));
	free(out);
	/* text for people: labels, dates and decimals as people write them */
	st = (struct kt_table_style){.people = true, .label = label};
	kt_table_set_style(&st);
	out = render(t, KT_TABLE_TEXT, NULL);
	assert_non_null(strstr(out, "Наименование"));
	assert_non_null(strstr(out, "12,5  01.11.2025"));
	free(out);
	st = (struct kt_table_style){0};
	kt_table_set_style(&st);
	kt_table_free(t);
}

/* On a terminal, ids are short (8 characters, more where two share them) and texts cut
 * alike are cut again to show where they differ; a pipe shows both whole. */
static void test_short_ids_and_alike(void **state)
{
	const struct kt_col cols[] = {{"id", KT_COL_ID, 0}, {"title", KT_COL_TEXT, 30}};
	struct kt_table *t = kt_table_new(cols, 2);
	add2(t, "5f1c2a9e-0000-4000-8000-000000000001",
		"Дорожная карта подготовки к ГИА в 2024/2025 учебном году");
	add2(t, "5f1c2a9e-7000-4000-8000-000000000002",
		"Дорожная карта подготовки к ГИА в 2025/2026 учебном году");
	add2(t, "0a000000-0000-4000-8000-000000000003", "План УО");
	struct kt_table_opts cut = {.fit = KT_FIT_CUT};
	set_style(80, false, false);
	char *out = render(t, KT_TABLE_TEXT, &cut);
	assert_fits(out, 80);
	assert_non_null(strstr(out, "5f1c2a9e-0 ")); /* they share 9 characters: 10 shown */
	assert_non_null(strstr(out, "5f1c2a9e-7 "));
	assert_non_null(strstr(out, "0a000000-0 ")); /* the column's one length */
	assert_non_null(strstr(out, "2024/2025"));     /* the titles cut where they differ */
	assert_non_null(strstr(out, "2025/2026"));
	assert_non_null(strstr(out, "Дорожная"));
	free(out);
	set_style(80, true, false); /* --wide: whole ids */
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_non_null(strstr(out, "5f1c2a9e-0000-4000-8000-000000000001"));
	free(out);
	set_style(KT_WIDTH_NONE, false, false);
	out = render(t, KT_TABLE_TEXT, &cut);
	assert_non_null(strstr(out, "5f1c2a9e-0000-4000-8000-000000000001  Дорожная карта подготовки к ГИА в 2024/2025 учебном году\n"));
	free(out);
	set_style(0, false, false);
	kt_table_free(t);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_width),
	cmocka_unit_test(test_valid_dup),
	cmocka_unit_test(test_valid),
	cmocka_unit_test(test_text_cyrillic),
	cmocka_unit_test(test_text_fit),
	cmocka_unit_test(test_csv_quoting),
	cmocka_unit_test(test_json),
	cmocka_unit_test(test_format_parse),
	cmocka_unit_test(test_utf8_fit),
	cmocka_unit_test(test_fit_terminal),
	cmocka_unit_test(test_fit_every_width),
	cmocka_unit_test(test_csv_people),
	cmocka_unit_test(test_short_ids_and_alike))
