/* kt_table: display widths (Cyrillic, combining marks, wide characters), aligned text with
 * wrapping and cutting, CSV quoting (RFC 4180 plus ';'), JSON escaping and types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

static struct kt_table *table2(const char *h1, const char *h2, unsigned w2)
{
	const struct kt_col cols[] = {{h1, KT_COL_TEXT, 0}, {h2, KT_COL_TEXT, w2}};
	struct kt_table *t = kt_table_new(cols, 2);
	assert_non_null(t);
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
	char *out = render(t, KT_TABLE_TEXT, NULL);
	assert_string_equal(out,
		"number  title       items  deadline\n"
		"1.1     Анализ ГИА     12  до 1 ноября\n"
		"1.10    Сбор            3\n");
	free(out);
	kt_table_free(t);
}

static void test_text_wrap(void **state)
{
	struct kt_table *t = table2("n", "title", 10);
	add2(t, "1", "Провести анализ результатов");
	add2(t, "2", "Всероссийскиепроверочные");
	add2(t, "3", "две\nстроки");
	struct kt_table_opts o = {.fit = KT_FIT_WRAP, .indent = "> "};
	char *out = render(t, KT_TABLE_TEXT, &o);
	/* breaks at spaces; a word longer than the column is split inside */
	assert_string_equal(out,
		"> n  title\n"
		"> 1  Провести\n"
		">    анализ\n"
		">    результато\n"
		">    в\n"
		"> 2  Всероссийс\n"
		">    киепроверо\n"
		">    чные\n"
		"> 3  две\n"
		">    строки\n");
	free(out);
	kt_table_free(t);
	t = table2("version", "fields", 24);
	add2(t, "1", "deadline,deadline_kind,deadline_last,title");
	out = render(t, KT_TABLE_TEXT, NULL);
	assert_string_equal(out,          /* comma lists break after a comma */
		"version  fields\n"
		"1        deadline,deadline_kind,\n"
		"         deadline_last,title\n");
	free(out);
	kt_table_free(t);
}

static void test_text_cut(void **state)
{
	struct kt_table *t = table2("n", "title", 8);
	add2(t, "1", "Провести анализ");
	add2(t, "2", "коротко");
	add2(t, "3", "две\nстроки");
	struct kt_table_opts cut = {.fit = KT_FIT_CUT, .no_header = true};
	char *out = render(t, KT_TABLE_TEXT, &cut);
	assert_string_equal(out,
		"1  Провест…\n"
		"2  коротко\n"
		"3  две стр…\n");
	free(out);
	kt_table_free(t);
}

static void test_csv_quoting(void **state)
{
	struct kt_table *t = table2("id", "title", 0);
	add2(t, "1", "plain");
	add2(t, "2", "a;b");
	add2(t, "3", "a,b");
	add2(t, "4", "say \"hi\"");
	add2(t, "5", "two\nlines");
	add2(t, "6", " padded");
	add2(t, "7", "Сроки: до 1 ноября");
	struct kt_table_opts o = {.bom = true};
	char *out = render(t, KT_TABLE_CSV, &o);
	assert_string_equal(out,
		"\xEF\xBB\xBF"
		"id,title\r\n"
		"1,plain\r\n"
		"2,\"a;b\"\r\n"
		"3,\"a,b\"\r\n"
		"4,\"say \"\"hi\"\"\"\r\n"
		"5,\"two\nlines\"\r\n"
		"6,\" padded\"\r\n"
		"7,Сроки: до 1 ноября\r\n");
	free(out);
	struct kt_table_opts semi = {.sep = ';', .no_header = true};
	out = render(t, KT_TABLE_CSV, &semi);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_valid_dup),
		cmocka_unit_test(test_text_cyrillic),
		cmocka_unit_test(test_text_wrap),
		cmocka_unit_test(test_text_cut),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_format_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
