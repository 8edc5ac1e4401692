/* kt_xlsx: dates as karta prints them, sheet names Excel accepts, and the file contract —
 * a committed workbook is a ZIP in place (0600), a discarded or failed one leaves nothing
 * and an existing file untouched. The cells themselves are read back with openpyxl in
 * tests/integration/t_xlsx.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_xlsx.h"

static void test_parse_date(void **state)
{
	struct kt_xlsx_when w;
	assert_int_equal(kt_xlsx_parse_date("2024-05-20", &w), 0);
	assert_true(w.year == 2024 && w.month == 5 && w.day == 20 && !w.has_time);
	assert_int_equal(kt_xlsx_parse_date("01.09.2023", &w), 0);
	assert_true(w.year == 2023 && w.month == 9 && w.day == 1 && !w.has_time);
	assert_int_equal(kt_xlsx_parse_date("2024-05-20 14:30", &w), 0);
	assert_true(w.has_time && w.hour == 14 && w.min == 30 && w.sec == 0);
	assert_int_equal(kt_xlsx_parse_date("2024-05-20T14:30:15.123+03", &w), 0);
	assert_true(w.has_time && w.hour == 14 && w.min == 30 && w.sec == 15);
	assert_int_equal(kt_xlsx_parse_date("29.02.2024 08:05:00", &w), 0);
	static const char *const bad[] = {"", "2024-5-20", "2023-02-29", "31.04.2024",
		"до 01.11.2023", "1899-12-31", "2024-05-20x", "2024-05-20 25:00", "2024-13-01",
		"2024-05-20 14", "постоянно", "2024-05-20..2024-06-01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (kt_xlsx_parse_date(bad[i], &w) == 0)
			fail_msg("'%s' was taken for a date", bad[i]);
}

static void test_sheet_name(void **state)
{
	char out[KT_XLSX_SHEET_LEN];
	kt_xlsx_sheet_name("Свод по муниципалитетам", out);
	assert_string_equal(out, "Свод по муниципалитетам");
	kt_xlsx_sheet_name("a/b:c*d?[e]\\", out);
	assert_string_equal(out, "a-b-c-d--e--");
	kt_xlsx_sheet_name("'Участники' ", out);
	assert_string_equal(out, "Участники");
	kt_xlsx_sheet_name("", out);
	assert_string_equal(out, "Лист");
	kt_xlsx_sheet_name("К-09 Заполнение аудиторий пунктов проведения экзаменов", out);
	assert_string_equal(out, "К-09 Заполнение аудиторий пункт"); /* 31 characters */
	kt_xlsx_sheet_name("ab\xFF" "cd", out); /* invalid UTF-8 → U+FFFD, still valid */
	assert_string_equal(out, "ab\xEF\xBF\xBD" "cd");
}

static char dir[] = "/tmp/test_xlsx-XXXXXX";

static size_t files_in(const char *d)
{
	DIR *dp = opendir(d);
	assert_non_null(dp);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void write_sample(struct kt_xlsx *x)
{
	static const struct kt_col cols[] = {{"name", KT_COL_TEXT, 0}, {"n", KT_COL_INT, 0},
		{"done %", KT_COL_PCT, 0}, {"due", KT_COL_DATE, 0}, {"ok", KT_COL_BOOL, 0}};
	const char *rows[][5] = {{"Школа № 1", "12", "50.0", "2024-05-20", "yes"},
		{"=cmd()", "n/a", "", "до 1 ноября", NULL}};
	assert_int_equal(kt_xlsx_sheet(x, "Свод", cols, 5), 0);
	for (size_t r = 0; r < 2; r++)
		assert_int_equal(kt_xlsx_row(x, rows[r]), 0);
	assert_int_equal(kt_xlsx_rows(x), 2);
	struct kt_table *t = kt_table_new(cols, 5); /* a second sheet, same title */
	assert_non_null(t);
	assert_int_equal(kt_table_add(t, rows[0]), 0);
	assert_int_equal(kt_xlsx_table(x, "Свод", t), 0);
	assert_int_equal(kt_xlsx_rows(x), 1);
	kt_table_free(t);
}

static void test_commit(void **state)
{
	char path[256], err[KT_XLSX_ERR_LEN];
	snprintf(path, sizeof path, "%s/out.xlsx", dir);
	struct kt_xlsx *x = kt_xlsx_open(path, NULL, err, sizeof err);
	assert_non_null(x);
	write_sample(x);
	assert_int_equal(files_in(dir), 1); /* the temporary file only */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(kt_xlsx_commit(x, err, sizeof err), 0);
	assert_int_equal(files_in(dir), 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *f = fopen(path, "rb");
	char sig[4] = "";
	assert_int_equal(fread(sig, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(sig, "PK\x03\x04", 4);
	unlink(path);
}

static void test_discard_keeps_old(void **state)
{
	char path[256], err[KT_XLSX_ERR_LEN];
	snprintf(path, sizeof path, "%s/old.xlsx", dir);
	FILE *f = fopen(path, "w");
	fputs("the old file", f);
	fclose(f);
	struct kt_xlsx *x = kt_xlsx_open(path, NULL, err, sizeof err);
	assert_non_null(x);
	write_sample(x);
	kt_xlsx_discard(x);
	assert_int_equal(files_in(dir), 1);
	char buf[64] = "";
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "the old file");
	unlink(path);
}

static void test_refusals(void **state)
{
	char path[256], err[KT_XLSX_ERR_LEN];
	snprintf(path, sizeof path, "%s/no-such-dir/out.xlsx", dir);
	assert_null(kt_xlsx_open(path, NULL, err, sizeof err));
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "No such file or directory"));
	snprintf(path, sizeof path, "%s/out.xlsx", dir);
	struct kt_xlsx *x = kt_xlsx_open(path, NULL, err, sizeof err);
	const char *cells[] = {"x"};
	assert_int_equal(kt_xlsx_row(x, cells), -1); /* no sheet yet */
	assert_non_null(strstr(kt_xlsx_error(x), "no sheet"));
	assert_int_equal(kt_xlsx_sheet(x, "x", NULL, 0), -1);
	kt_xlsx_discard(x);
	assert_int_equal(files_in(dir), 0);
}

static void test_stream(void **state)
{
	char *buf = NULL, err[KT_XLSX_ERR_LEN];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	setenv("TMPDIR", dir, 1);
	struct kt_xlsx *x = kt_xlsx_open(NULL, m, err, sizeof err);
	assert_non_null(x);
	write_sample(x);
	assert_int_equal(files_in(dir), 1);
	assert_int_equal(kt_xlsx_commit(x, err, sizeof err), 0);
	fclose(m);
	assert_true(len > 1000);
	assert_memory_equal(buf, "PK\x03\x04", 4);
	assert_int_equal(files_in(dir), 0); /* the temporary copy is gone */
	free(buf);
}

static void test_json_types(void **state)
{
	static const struct kt_col cols[] = {{"pct", KT_COL_PCT, 0}, {"num", KT_COL_NUM, 0},
		{"day", KT_COL_DATE, 0}};
	struct kt_table *t = kt_table_new(cols, 3);
	const char *r1[] = {"12.5", "", "2024-05-20"}, *r2[] = {"n/a", "3", ""};
	assert_int_equal(kt_table_add(t, r1), 0);
	assert_int_equal(kt_table_add(t, r2), 0);
	json_t *j = kt_table_json(t);
	char *s = json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "[{\"pct\":12.5,\"num\":null,\"day\":\"2024-05-20\"},"
			       "{\"pct\":\"n/a\",\"num\":3.0,\"day\":\"\"}]");
	free(s);
	json_decref(j);
	assert_int_equal(kt_table_write(t, KT_TABLE_XLSX, NULL, stdout), -1);
	kt_table_free(t);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

KT_UNIT_MAIN(setup, teardown,
	cmocka_unit_test(test_parse_date),
	cmocka_unit_test(test_sheet_name),
	cmocka_unit_test(test_commit),
	cmocka_unit_test(test_discard_keeps_old),
	cmocka_unit_test(test_refusals),
	cmocka_unit_test(test_stream),
	cmocka_unit_test(test_json_types))
