/* test_print_layout: client/print/pdoc.c and ptable.c — a long table runs over pages with
 * the page count known to every page, the file appears only when complete, and failures
 * (an unwritable path, nothing drawn, a draw function that gives up) leave no file and say
 * why. The text itself is read back by t_print_forms (pdftotext). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kt_unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdoc.h"
#include "ptable.h"

struct job {
	int rows;
	bool fail;
	int pages_seen[2]; /* the last page number drawn, per pass */
	int pass;
};

static const struct pcol cols[] = {
	{"№ п/п", 13, PDOC_RIGHT},
	{"Фамилия, имя, отчество", 0, PDOC_LEFT},
	{"Образовательная организация", 60, PDOC_LEFT},
};

static int draw(struct pdoc *d, void *arg)
{
	struct job *j = arg;
	if (j->fail)
		return pdoc_fail(d, "cannot print: the test says no");
	if (j->rows == 0)
		return 0;
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, "Список участников");
	struct ptable t;
	ptable_begin(&t, d, cols, 3);
	char num[16];
	for (int i = 0; i < j->rows; i++) {
		snprintf(num, sizeof num, "%d", i + 1);
		if (i % 40 == 0)
			ptable_group(&t, "МБОУ «Средняя школа № 1» — участников: 40");
		ptable_row(&t, (const char *[]){num, i % 7 ? "Иванов Иван Иванович"
			: "Константинопольская-Белозерская Александра Вячеславовна",
			"МБОУ «Средняя общеобразовательная школа № 1 с углублённым изучением "
			"отдельных предметов»"});
	}
	ptable_total(&t, (const char *[]){"", "ИТОГО", "—"});
	ptable_end(&t);
	j->pages_seen[j->pass++ % 2] = pdoc_page(d);
	return 0;
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_print_layout.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void long_table_pages(void **state)
{
	(void)state;
	char path[128], tmp[160], err[256] = "";
	snprintf(path, sizeof path, "%s/long.pdf", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	struct job j = {.rows = 150};
	struct pdoc_spec spec = {"Форма ТЕСТ", "тест", false};
	int pages = 0;
	assert_int_equal(pdoc_render(path, &spec, draw, &j, &pages, err, sizeof err), 0);
	assert_true(pages >= 3); /* two-line rows: ~25 a page */
	assert_int_equal(j.pages_seen[0], pages); /* both passes drew the same pages */
	assert_int_equal(j.pages_seen[1], pages);
	assert_true(exists(path));
	assert_false(exists(tmp));
	FILE *f = fopen(path, "rb");
	char head[5] = "";
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(head, "%PDF", 4);
}

/* The page size of the first page of a PDF cairo wrote ("/MediaBox [ 0 0 W H ]"). */
static void media_box(const char *path, double *w, double *h)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *m = NULL;
	for (size_t i = 0; i + 9 < n && !m; i++)
		if (memcmp(buf + i, "/MediaBox", 9) == 0)
			m = buf + i;
	assert_non_null(m);
	assert_int_equal(sscanf(m, "/MediaBox [ 0 0 %lf %lf", w, h), 2);
}

static void a4_portrait_and_landscape(void **state)
{
	(void)state;
	char path[128], err[256] = "";
	snprintf(path, sizeof path, "%s/wide.pdf", dir);
	struct job j = {.rows = 10};
	struct pdoc_spec port = {"Форма ТЕСТ", "тест", false}, land = {"Форма ТЕСТ", "тест", true};
	double w, h;
	assert_int_equal(pdoc_render(path, &port, draw, &j, NULL, err, sizeof err), 0);
	media_box(path, &w, &h);
	assert_true(w > 595 && w < 596 && h > 841 && h < 842);
	assert_int_equal(pdoc_render(path, &land, draw, &j, NULL, err, sizeof err), 0);
	media_box(path, &w, &h);
	assert_true(h > 595 && h < 596 && w > 841 && w < 842);
}

static void unwritable_path(void **state)
{
	(void)state;
	char err[256] = "";
	struct job j = {.rows = 3};
	struct pdoc_spec spec = {"Форма ТЕСТ", "тест", false};
	assert_int_equal(pdoc_render("/nonexistent-dir/x.pdf", &spec, draw, &j, NULL, err,
		sizeof err), -1);
	assert_non_null(strstr(err, "cannot write '/nonexistent-dir/x.pdf'"));
}

static void nothing_or_failure_leaves_old_file(void **state)
{
	(void)state;
	char path[128], err[256] = "", buf[32] = "";
	snprintf(path, sizeof path, "%s/old.pdf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("keep me", f);
	fclose(f);
	struct pdoc_spec spec = {"Форма ТЕСТ", "тест", false};
	struct job empty = {.rows = 0}, bad = {.rows = 5, .fail = true};
	assert_int_equal(pdoc_render(path, &spec, draw, &empty, NULL, err, sizeof err), -1);
	assert_string_equal(err, "nothing to print");
	assert_int_equal(pdoc_render(path, &spec, draw, &bad, NULL, err, sizeof err), -1);
	assert_string_equal(err, "cannot print: the test says no");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "keep me");
}

KT_UNIT_MAIN(setup, teardown,
	cmocka_unit_test(long_table_pages),
	cmocka_unit_test(a4_portrait_and_landscape),
	cmocka_unit_test(unwritable_path),
	cmocka_unit_test(nothing_or_failure_leaves_old_file))
