/* test_gds_write: the GIADBSet package writer (common/giadbset/kt_gds_write.c). A package
 * written here is read back by karta's own reader (kt_gds_read.c) value by value — escapes,
 * Cyrillic, absent optional columns, kept unknown columns, a table of thousands of rows
 * (many reads of libzip's), a table nobody filled (empty); values the schema would refuse
 * are refused naming table, row and column; a refused or abandoned package leaves the file
 * that was at its path untouched and no temporary folder behind; a missing folder is said. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_gds.h"
#include "kt_gds_write.h"

static char dir[64];

#define GUID1 "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
#define GUID2 "3f2504e0-4f89-11d3-9a0c-0305e82c3302"

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_gds_write.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries of dir (. and .. left out). */
static int entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static const struct kt_gds_table *areas(void)
{
	const struct kt_gds_table *t = kt_gds_table("rbd_Areas");
	assert_non_null(t);
	return t;
}

/* A row of rbd_Areas: id, code, name, the optional Address (NULL: absent), IsDeleted. */
static void area(const char **v, const char *id, const char *code, const char *name,
	const char *addr, const char *deleted)
{
	const struct kt_gds_table *t = areas();
	for (int i = 0; i < t->ncols; i++)
		v[i] = NULL;
	v[kt_gds_col(t, "AreaID")] = id;
	v[kt_gds_col(t, "Region")] = "50";
	v[kt_gds_col(t, "AreaCode")] = code;
	v[kt_gds_col(t, "AreaName")] = name;
	v[kt_gds_col(t, "Address")] = addr;
	v[kt_gds_col(t, "IsDeleted")] = deleted;
}

#define MANY 5000

/* kt_gds_rows_fn of rbd_Areas: MANY rows, the first two as test_round_trip reads them. */
static int area_rows(void *ctx, struct kt_gds_file *f, char *err, size_t errlen)
{
	int *at = ctx;
	const char *v[KT_GDS_MAX_COLS];
	const char *xn[] = {"FutureColumn"}, *xv[] = {"значение & <текст>"};
	char code[16], name[64];
	if (*at == MANY)
		return 0;
	int nx = 0;
	if (*at == 0) {
		area(v, GUID1, "1", "Район «Север» & <Юг>", NULL, "false");
		nx = 1;
	} else if (*at == 1) {
		area(v, GUID2, "2", "Второй", "ул. Ленина, 1", "true");
	} else {
		snprintf(code, sizeof code, "%d", *at + 1);
		snprintf(name, sizeof name, "Район № %d", *at + 1);
		area(v, GUID2, code, name, NULL, NULL);
	}
	++*at;
	return kt_gds_file_row(f, v, nx, xn, xv, err, errlen) == 0 ? 1 : -1;
}

static void test_round_trip(void **state)
{
	(void)state;
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/out.zip", dir);
	struct kt_gds_write *w = kt_gds_write_open(path, err, sizeof err);
	assert_non_null(w);
	struct kt_gds_file *f = kt_gds_write_table(w, areas(), err, sizeof err);
	assert_non_null(f);
	assert_non_null(kt_gds_write_table(w, kt_gds_table("rbd_Schools"), err, sizeof err));
	int at = 0;
	assert_int_equal(kt_gds_file_fill(f, area_rows, &at, err, sizeof err), 0);
	assert_int_equal(kt_gds_file_rows(f), MANY);
	assert_int_equal(kt_gds_write_finish(w, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(), 1); /* the package, and no temporary folder */

	struct kt_gds_pkg *p = kt_gds_pkg_open(path, NULL, err, sizeof err);
	assert_non_null(p);
	struct kt_gds_reader *r = kt_gds_open(p, "rbd_Areas", err, sizeof err);
	assert_non_null(r);
	struct kt_gds_row row;
	const struct kt_gds_table *t = areas();
	assert_int_equal(kt_gds_next(r, &row, err, sizeof err), 1);
	assert_string_equal(row.val[kt_gds_col(t, "AreaName")], "Район «Север» & <Юг>");
	assert_null(row.val[kt_gds_col(t, "Address")]);
	assert_int_equal(row.nunknown, 1);
	assert_string_equal(row.unknown_name[0], "FutureColumn");
	assert_string_equal(row.unknown_val[0], "значение & <текст>");
	assert_int_equal(kt_gds_next(r, &row, err, sizeof err), 1);
	assert_string_equal(row.val[kt_gds_col(t, "AreaID")], GUID2);
	assert_string_equal(row.val[kt_gds_col(t, "Address")], "ул. Ленина, 1");
	assert_string_equal(row.val[kt_gds_col(t, "IsDeleted")], "true");
	assert_int_equal(row.nunknown, 0);
	int n = 2;
	char last[64] = "";
	while (kt_gds_next(r, &row, err, sizeof err) == 1) {
		n++;
		snprintf(last, sizeof last, "%s", row.val[kt_gds_col(t, "AreaName")]);
	}
	assert_int_equal(n, MANY);
	assert_string_equal(last, "Район № 5000");
	kt_gds_close(r);
	r = kt_gds_open(p, "rbd_Schools", err, sizeof err); /* nobody filled it: no rows */
	assert_non_null(r);
	assert_int_equal(kt_gds_next(r, &row, err, sizeof err), 0);
	kt_gds_close(r);
	kt_gds_pkg_free(p);
}

struct bad_row {
	const char **v;
	int nx, at;
	const char *const *xn, *const *xv;
};

/* kt_gds_rows_fn: a good row, then the bad one. */
static int bad_rows(void *ctx, struct kt_gds_file *f, char *err, size_t errlen)
{
	struct bad_row *b = ctx;
	const char *ok[KT_GDS_MAX_COLS];
	area(ok, GUID1, "1", "Первый", NULL, NULL);
	int rc = b->at++ ? kt_gds_file_row(f, b->v, b->nx, b->xn, b->xv, err, errlen)
		: kt_gds_file_row(f, ok, 0, NULL, NULL, err, errlen);
	return rc == 0 ? 1 : -1;
}

/* Writes one row with v changed by the caller; expects a refusal containing want. */
static void refused(const char **v, int nx, const char *const *xn, const char *const *xv,
	const char *want)
{
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/keep.zip", dir);
	FILE *f = fopen(path, "w");
	fputs("the file that was here", f);
	fclose(f);
	struct kt_gds_write *w = kt_gds_write_open(path, err, sizeof err);
	assert_non_null(w);
	struct kt_gds_file *tf = kt_gds_write_table(w, areas(), err, sizeof err);
	assert_non_null(tf);
	struct bad_row b = {v, nx, 0, xn, xv};
	assert_int_equal(kt_gds_file_fill(tf, bad_rows, &b, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("'%s' does not say '%s'", err, want);
	kt_gds_write_abort(w);
	char buf[64] = "";
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "the file that was here");
	assert_int_equal(entries(), 1);
}

static void test_refusals(void **state)
{
	(void)state;
	const char *v[KT_GDS_MAX_COLS];
	area(v, GUID2, "2", NULL, NULL, NULL);
	refused(v, 0, NULL, NULL, "rbd_Areas.xml: row 2: «AreaName» is required and karta has no value");
	char longname[600] = "";
	for (int i = 0; i < 256; i++)
		strcat(longname, "Ы");
	area(v, GUID2, "2", longname, NULL, NULL);
	refused(v, 0, NULL, NULL, "rbd_Areas.xml: row 2: «AreaName» is longer than the schema allows");
	area(v, "not-a-guid", "2", "Второй", NULL, NULL);
	refused(v, 0, NULL, NULL, "«AreaID» is not a GUID");
	area(v, GUID2, "два", "Второй", NULL, NULL);
	refused(v, 0, NULL, NULL, "«AreaCode» is not a whole number");
	area(v, GUID2, "2", "Второй\001", NULL, NULL);
	refused(v, 0, NULL, NULL, "«AreaName» is not text XML can carry");
	area(v, GUID2, "2", "\xff\xfe", NULL, NULL);
	refused(v, 0, NULL, NULL, "«AreaName» is not text XML can carry");
	area(v, GUID2, "2", "Второй", NULL, NULL);
	const char *bad[] = {"1abc"}, *same[] = {"AreaName"}, *val[] = {"x"};
	refused(v, 1, bad, val, "kept column 1 has a name that is not an XML element name");
	refused(v, 1, same, val, "kept column 1 has a name that is not an XML element name");
}

static void test_missing_folder(void **state)
{
	(void)state;
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/no/such/out.zip", dir);
	assert_null(kt_gds_write_open(path, err, sizeof err));
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(entries(), 0);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown))
