/* test_gds: the GIADBSet package reader (common/giadbset) on packages written here — a
 * folder and a .zip — and every hostile or malformed file the federal-exchange issue names:
 * wrong root or namespace, a DTD with a billion-laughs entity, a truncated file, a declared
 * non-UTF-8 encoding, values over maxLength or off the pattern, a missing required column, a
 * file over the size limit, a ZIP whose entry climbs out with "../". A file read ahead on a
 * thread (kt_gds_read_ahead) gives the same answers in the same order as read directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_gds.h"

static char dir[64];

#define NS "xmlns=\"" KT_GDS_NS "\""
#define AREA(id, code, name) \
	"<rbd_Areas><AreaID>" id "</AreaID><Region>50</Region><AreaCode>" code \
	"</AreaCode><AreaName>" name "</AreaName></rbd_Areas>"
#define GUID1 "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
#define GUID2 "3f2504e0-4f89-11d3-9a0c-0305e82c3302"

static void write_file(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/test_gds.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Reads every row of rbd_Areas in the package at path: the row count, or -1 with err. */
static int read_areas(const char *path, const struct kt_gds_limits *lim, char *err, size_t n,
	struct kt_gds_row *last)
{
	struct kt_gds_pkg *p = kt_gds_pkg_open(path, lim, err, n);
	if (!p)
		return -1;
	struct kt_gds_reader *r = kt_gds_open(p, "rbd_Areas", err, n);
	int rows = -1;
	if (r) {
		struct kt_gds_row row;
		int k;
		rows = 0;
		while ((k = kt_gds_next(r, &row, err, n)) == 1) {
			rows++;
			if (last) {
				if (rows > 1) { /* only the last row is kept */
					free((char *)last->val[3]);
					free((char *)last->unknown_name[0]);
					free((char *)last->unknown_val[0]);
				}
				*last = row; /* pointers die with the reader: copy what the test needs */
				last->val[3] = row.val[3] ? strdup(row.val[3]) : NULL;
				last->unknown_name[0] = row.nunknown ? strdup(row.unknown_name[0]) : NULL;
				last->unknown_val[0] = row.nunknown ? strdup(row.unknown_val[0]) : NULL;
			}
		}
		if (k < 0)
			rows = -1;
		kt_gds_close(r);
	}
	kt_gds_pkg_free(p);
	return rows;
}

static void expect_refused(const char *xml, const char *words)
{
	char err[512] = "";
	write_file("rbd_Areas.xml", xml);
	assert_int_equal(read_areas(dir, NULL, err, sizeof err, NULL), -1);
	if (!strstr(err, words))
		fail_msg("expected «%s» in: %s", words, err);
	assert_non_null(strstr(err, "rbd_Areas.xml"));
}

static void test_good_folder(void **state)
{
	write_file("rbd_Areas.xml", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GIADBSet " NS ">"
		AREA(GUID1, "1", "Северный район")
		"<rbd_Areas><AreaID>" GUID2 "</AreaID><Region>50</Region><AreaCode>2</AreaCode>"
		"<AreaName>Южный &amp; район</AreaName><Extra>хранится</Extra></rbd_Areas></GIADBSet>");
	char err[512] = "";
	struct kt_gds_row last;
	assert_int_equal(read_areas(dir, NULL, err, sizeof err, &last), 2);
	assert_int_equal(last.index, 2);
	assert_string_equal(last.val[3], "Южный & район");
	assert_int_equal(last.nunknown, 1); /* a column karta does not know is kept verbatim */
	assert_string_equal(last.unknown_name[0], "Extra");
	assert_string_equal(last.unknown_val[0], "хранится");
	free((char *)last.val[3]);
	free((char *)last.unknown_name[0]);
	free((char *)last.unknown_val[0]);
}

static void test_refusals(void **state)
{
	expect_refused("<GIADBSet xmlns=\"http://example.org/x\">" AREA(GUID1, "1", "x") "</GIADBSet>",
		"expected «GIADBSet»");
	expect_refused("<Root " NS ">" AREA(GUID1, "1", "x") "</Root>", "the root element is «Root»");
	expect_refused("<?xml version=\"1.0\"?><!DOCTYPE GIADBSet [<!ENTITY a \"aaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
		"<GIADBSet " NS ">" AREA(GUID1, "1", "&c;") "</GIADBSet>", "carries a DTD"); /* at the
		DOCTYPE itself, before any of its entities is declared */
	expect_refused("<GIADBSet " NS ">" AREA(GUID1, "1", "&c;") "</GIADBSet>", "entities are not allowed");
	expect_refused("<?xml version=\"1.0\"?><!DOCTYPE GIADBSet SYSTEM \"http://example.org/x.dtd\">"
		"<GIADBSet " NS "/>", "DTD");
	expect_refused("<GIADBSet " NS ">" AREA(GUID1, "1", "x") "<rbd_Areas><AreaID>", "not well-formed");
	expect_refused("<?xml version=\"1.0\" encoding=\"windows-1251\"?><GIADBSet " NS "/>",
		"declared encoding");
	expect_refused("<GIADBSet " NS "><rbd_Areas><AreaID>" GUID1 "</AreaID><Region>50</Region>"
		"<AreaName>x</AreaName></rbd_Areas></GIADBSet>", "row 1: «AreaCode» is missing");
	expect_refused("<GIADBSet " NS ">" AREA("not-a-guid", "1", "x") "</GIADBSet>",
		"row 1: «AreaID» is not a GUID");
	expect_refused("<GIADBSet " NS ">" AREA(GUID1, "1", "x") AREA(GUID2, "один", "y") "</GIADBSet>",
		"row 2: «AreaCode» is not a whole number");
	char big[600] = "";
	for (int i = 0; i < 256; i++)
		strcat(big, "я"); /* 256 characters: over maxLength 255 */
	char xml[2048];
	snprintf(xml, sizeof xml, "<GIADBSet " NS ">" AREA(GUID1, "1", "%s") "</GIADBSet>", big);
	expect_refused(xml, "«AreaName» is longer than the schema allows");
	big[strlen(big) - 2] = '\0'; /* 255 characters: fine */
	snprintf(xml, sizeof xml, "<GIADBSet " NS ">" AREA(GUID1, "1", "%s") "</GIADBSet>", big);
	write_file("rbd_Areas.xml", xml);
	char err[512] = "";
	assert_int_equal(read_areas(dir, NULL, err, sizeof err, NULL), 1);
	expect_refused("<GIADBSet " NS "><rbd_Schools/></GIADBSet>", "row 1: element «rbd_Schools»");
}

static void test_size_limit(void **state)
{
	write_file("rbd_Areas.xml", "<GIADBSet " NS ">" AREA(GUID1, "1", "x") AREA(GUID2, "2", "y")
		"</GIADBSet>");
	struct kt_gds_limits lim;
	kt_gds_limits_default(&lim);
	lim.max_file_bytes = 100;
	char err[512] = "";
	assert_int_equal(read_areas(dir, &lim, err, sizeof err, NULL), -1);
	assert_non_null(strstr(err, "over the limit"));
}

static void add_member(zip_t *z, const char *name, const char *text)
{
	zip_source_t *s = zip_source_buffer(z, text, strlen(text), 0);
	assert_non_null(s);
	assert_true(zip_file_add(z, name, s, ZIP_FL_OVERWRITE) >= 0);
}

static void test_zip(void **state)
{
	char path[128];
	snprintf(path, sizeof path, "%s/package.zip", dir);
	int ze;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	const char *xml = "<GIADBSet " NS ">" AREA(GUID1, "1", "x") "</GIADBSet>";
	add_member(z, "export/rbd_Areas.XML", xml);
	assert_int_equal(zip_close(z), 0);
	char err[512] = "";
	assert_int_equal(read_areas(path, NULL, err, sizeof err, NULL), 1);

	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	add_member(z, "rbd_Areas.xml", xml);
	add_member(z, "../../etc/evil.xml", xml);
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(read_areas(path, NULL, err, sizeof err, NULL), -1);
	assert_non_null(strstr(err, "leaves the archive"));

	/* a member inflating past the limit is refused by its header before a byte is read */
	static char bomb[1 << 20];
	memset(bomb, ' ', sizeof bomb - 1);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	add_member(z, "rbd_Areas.xml", bomb);
	assert_int_equal(zip_close(z), 0);
	struct kt_gds_limits lim;
	kt_gds_limits_default(&lim);
	lim.max_file_bytes = 64 << 10;
	assert_int_equal(read_areas(path, &lim, err, sizeof err, NULL), -1);
	assert_non_null(strstr(err, "over the limit"));

	write_file("not-a-zip.zip", "hello");
	snprintf(path, sizeof path, "%s/not-a-zip.zip", dir);
	assert_int_equal(read_areas(path, NULL, err, sizeof err, NULL), -1);
	assert_non_null(strstr(err, "neither a folder nor a ZIP"));
}

static void test_checks(void **state)
{
	struct kt_gds_col dt = {"CreateDate", KT_GDS_DATETIME, 0, true};
	assert_null(kt_gds_check(&dt, "2017-02-17T17:41:10.123"));
	assert_null(kt_gds_check(&dt, "2017-02-17 17:41:10.12"));
	assert_non_null(kt_gds_check(&dt, "2017-02-17T17:41:10"));
	assert_non_null(kt_gds_check(&dt, "17.02.2017 17:41:10.12"));
	struct kt_gds_col dn = {"ImportCreateDate", KT_GDS_DATETIME_NULL, 0, false};
	assert_null(kt_gds_check(&dn, "NULL"));
	struct kt_gds_col b = {"IsDeleted", KT_GDS_BOOL, 0, false};
	assert_null(kt_gds_check(&b, "true"));
	assert_non_null(kt_gds_check(&b, "да"));
	struct kt_gds_col i = {"Region", KT_GDS_INT, 0, true};
	assert_null(kt_gds_check(&i, "-12"));
	assert_non_null(kt_gds_check(&i, "2147483648"));
	assert_non_null(kt_gds_check(&i, ""));
	assert_non_null(kt_gds_table("rbd_Schools"));
	assert_null(kt_gds_table("rbd_Nothing"));
	assert_int_equal(kt_gds_col(kt_gds_table("rbd_Schools"), "GovernmentID"), 1);
}

/* Every answer of rbd_Areas.xml, one a line ("row N: AreaName" / "refused: message" / the
 * file's end or error), read ahead or not; stops after stop_at answers when it is > 0. */
static char *answers(bool ahead, int stop_at)
{
	char err[512];
	struct kt_gds_pkg *p = kt_gds_pkg_open(dir, NULL, err, sizeof err);
	assert_non_null(p);
	struct kt_gds_reader *r = kt_gds_open(p, "rbd_Areas", err, sizeof err);
	assert_non_null(r);
	if (ahead)
		assert_int_equal(kt_gds_read_ahead(r), 0);
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	struct kt_gds_row row;
	int k, got = 0;
	while ((k = kt_gds_next(r, &row, err, sizeof err)) != 0 && (stop_at <= 0 || got < stop_at)) {
		got++;
		if (k > 0)
			n += (size_t)snprintf(out + n, cap - n, "row %ld: %s\n", row.index, row.val[3]);
		else
			n += (size_t)snprintf(out + n, cap - n, "%s\n", err);
		if (k < 0 && !kt_gds_resumable(r)) {
			n += (size_t)snprintf(out + n, cap - n, "(the end)\n");
			break;
		}
		assert_true(n < cap - 256);
	}
	kt_gds_close(r); /* stop_at: the thread stopped while it reads on */
	kt_gds_pkg_free(p);
	return out;
}

static void test_read_ahead(void **state)
{
	(void)state;
	/* 3,000 rows (many batches), every 97th refused for its values, then a truncated one */
	size_t cap = 3000 * 256 + 256, n = 0;
	char *xml = malloc(cap);
	assert_non_null(xml);
	n += (size_t)snprintf(xml + n, cap - n, "<GIADBSet %s>", NS);
	for (int i = 1; i <= 3000; i++)
		n += (size_t)snprintf(xml + n, cap - n, "<rbd_Areas><AreaID>%s</AreaID><Region>50</Region>"
			"<AreaCode>%s</AreaCode><AreaName>район %d</AreaName></rbd_Areas>", GUID1,
			i % 97 ? "1" : "один", i);
	snprintf(xml + n, cap - n, "<rbd_Areas><AreaID>");
	write_file("rbd_Areas.xml", xml);
	char *direct = answers(false, 0), *ahead = answers(true, 0);
	assert_string_equal(ahead, direct);
	assert_non_null(strstr(direct, "row 97: «AreaCode» is not a whole number"));
	assert_non_null(strstr(direct, "row 3000: район 3000\nrbd_Areas.xml: not well-formed XML"));
	free(direct);
	free(ahead);
	for (int stop = 1; stop < 3000; stop *= 7) { /* closed early: the thread ends, nothing leaks */
		direct = answers(false, stop);
		ahead = answers(true, stop);
		assert_string_equal(ahead, direct);
		free(direct);
		free(ahead);
	}
	free(xml);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_good_folder, setup, teardown),
	cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
	cmocka_unit_test_setup_teardown(test_zip, setup, teardown),
	cmocka_unit_test(test_checks),
	cmocka_unit_test_setup_teardown(test_read_ahead, setup, teardown))
