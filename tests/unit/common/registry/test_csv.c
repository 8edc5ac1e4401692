/* kt_csv and kt_registry: encodings (UTF-8 with and without BOM, Windows-1251),
 * separators, RFC 4180 quoting, line numbers in errors, the field size limit, the writer,
 * and header mapping of the four registries in both layouts. */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_cp1251.h"
#include "kt_csv.h"
#include "kt_registry.h"

/* ---- helpers ---- */

/* Reads all of buf and renders it as "f1|f2\n..." (BAD rows prefixed with '!'); the status
 * that ended the reading and the last error go to *st / *err. Caller frees. */
static char *read_all(const void *buf, size_t len, enum kt_csv_status *st, struct kt_csv_err *err,
	struct kt_csv_reader **keep)
{
	struct kt_csv_reader *r = kt_csv_reader_mem(buf, len, NULL);
	assert_non_null(r);
	char *out = NULL;
	size_t outlen = 0;
	FILE *m = open_memstream(&out, &outlen);
	struct kt_csv_row row;
	struct kt_csv_err e;
	enum kt_csv_status s;
	while ((s = kt_csv_next(r, &row, &e)) == KT_CSV_ROW || s == KT_CSV_BAD_ROW) {
		if (s == KT_CSV_BAD_ROW) {
			fputc('!', m);
			*err = e;
		}
		for (size_t i = 0; i < row.n; i++)
			fprintf(m, "%s%s", i ? "|" : "", row.f[i].s);
		fputc('\n', m);
	}
	if (s == KT_CSV_ERROR)
		*err = e;
	*st = s;
	fclose(m);
	if (keep)
		*keep = r;
	else
		kt_csv_reader_free(r);
	return out;
}


#define IN(lit) lit, sizeof(lit) - 1

/* One whole reading: its input and what it gives; a field left 0 or NULL is not checked
 * (st 0 is KT_CSV_ROW, which a whole reading never ends with). */
struct read_case {
	const char *in;
	size_t len;
	enum kt_csv_status st;
	const char *out;     /* the rows as read_all renders them */
	const char *out_has; /* a part of them */
	enum kt_csv_errcode code;
	int line;
	const char *msg;     /* the last error's message */
	const char *msg_has; /* a part of it */
	char sep;
	const char *encoding;
};

static const struct read_case read_cases[] = {
	/* ---- records ---- */
	/* ';', CRLF, quoted separators, doubled quotes and a line break inside quotes */
	{IN("a;b;c\r\n1;\"2;x\";3\r\n\"say \"\"hi\"\"\";\"two\r\nlines\";z\r\n"), KT_CSV_END,
		.out = "a|b|c\n1|2;x|3\nsay \"hi\"|two\r\nlines|z\n"},
	/* ',' detected, LF */
	{IN("Фамилия,Имя,Адрес\nИванов,Пётр,\"г. Москва; ул. Ленина, 1\"\n"), .sep = ',',
		.encoding = "utf-8", .out = "Фамилия|Имя|Адрес\nИванов|Пётр|г. Москва; ул. Ленина, 1\n"},
	/* ';' wins over commas inside the text */
	{IN("Код ППЭ;Наименование, полное;Адрес\n0101;Школа, №1;ул. Мира\n"), .sep = ';',
		.out = "Код ППЭ|Наименование, полное|Адрес\n0101|Школа, №1|ул. Мира\n"},
	/* a BOM: UTF-8, no BOM in the first field */
	{IN("\xEF\xBB\xBF" "Фамилия;Имя\nЁлкина;Алёна\n"), .encoding = "utf-8",
		.out = "Фамилия|Имя\nЁлкина|Алёна\n"},
	/* "Фамилия;Имя\r\nЁлкина;Пётр\r\n" in Windows-1251 */
	{IN("\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF\r\n\xA8\xEB\xEA\xE8\xED\xE0;\xCF\xB8\xF2\xF0\r\n"),
		KT_CSV_END, .encoding = "windows-1251", .out = "Фамилия|Имя\nЁлкина|Пётр\n"},
	/* blank lines and empty rows skipped */
	{IN("\r\na;b\r\n\r\n;\r\n1;2\n\n"), KT_CSV_END, .out = "a|b\n1|2\n"},
	/* a quote inside an unquoted field is kept */
	{IN("a;b\nООО \"Ромашка\";1\n"), .out = "a|b\nООО \"Ромашка\"|1\n"},

	/* ---- refusals ---- */
	{IN("a;b\n1;2\n3;\"open\n4;5\n"), KT_CSV_ERROR, .code = KT_CSV_EQUOTE, .line = 3,
		.msg = "line 3: unbalanced quote: field 2 opens a quote on this line that is not closed "
		"by the end of the file"},
	/* text after a closing quote: a bad row, the rest of its line is skipped, reading goes on */
	{IN("a;b\n\"x\"y;1\n2;3\n"), KT_CSV_END, .code = KT_CSV_EQUOTE,
		.msg_has = "line 2: field 1: text after the closing quote", .out = "a|b\n!\n2|3\n"},
	/* … in the header: nothing to read the rest by */
	{IN("\"a\"x;b\n1;2\n"), KT_CSV_ERROR, .code = KT_CSV_EQUOTE},
	/* a wrong field count: reading goes on after a bad row */
	{IN("a;b;c\n1;2;3\n4;5\n6;7;8;9\n10;11;12\n"), KT_CSV_END,
		.out = "a|b|c\n1|2|3\n!4|5\n!6|7|8|9\n10|11|12\n", .code = KT_CSV_ECOLUMNS,
		.msg = "line 4: the row has 4 fields, the header has 3"},
	{IN("a;b;c\n4;5\n"), .msg = "line 2: the row has 2 fields, the header has 3"},
	/* empty and binary */
	{IN(""), KT_CSV_ERROR, .code = KT_CSV_EEMPTY},
	{IN("\r\n\r\n"), .code = KT_CSV_EEMPTY},
	{IN("a;b\n1\0002;3\n"), KT_CSV_ERROR, .code = KT_CSV_EBINARY, .line = 2},
	/* not UTF-8, and high bytes outside Windows-1251's letters */
	{IN("a;b\n\x80\x81\x82\x83;\x84\x85\x86\n"), KT_CSV_ERROR, .code = KT_CSV_EENCODING},
	/* A UTF-8 file with a line of Windows-1251 pasted in: that line is a bad row (its line
	 * named), the lines around it are read; a file mostly in Windows-1251 stays Windows-1251. */
	{IN("Фамилия;Имя\nАнна;Ивановна\n\xC0\xED\xED\xE0;x\nОльга;Петровна\n"), KT_CSV_END,
		.code = KT_CSV_EENCODING, .line = 3, .msg_has = "line 3: invalid UTF-8",
		.out = "Фамилия|Имя\nАнна|Ивановна\n!\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
		"\xEF\xBF\xBD|x\nОльга|Петровна\n"},
	/* a quoted field across lines with a bad byte: the whole record is the bad row */
	{IN("a;b\n\"Анна Ивановна\n\xFF\";1\nБорис;2\n"), KT_CSV_END, .line = 2,
		.out_has = "\nБорис|2\n"},
	/* the header itself: nothing to read the rest by */
	{IN("Фамилия;\xC8\xec\xff\nАнна;Ивановна\nОльга;Петровна\nИра;Х\n"), KT_CSV_ERROR,
		.code = KT_CSV_EENCODING},
	/* mostly Windows-1251: read as Windows-1251, every line */
	{IN("\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF\n\xC0\xED\xED\xE0;x\n"), KT_CSV_END,
		.out = "Фамилия|Имя\nАнна|x\n"},
};

static void test_read_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
		const struct read_case *c = &read_cases[i];
		enum kt_csv_status st;
		struct kt_csv_err err = {0};
		struct kt_csv_reader *r;
		char *out = read_all(c->in, c->len, &st, &err, &r);
		if ((c->st && st != c->st) || (c->code && err.code != c->code) ||
			(c->line && err.line != c->line) || (c->msg && strcmp(err.msg, c->msg) != 0) ||
			(c->msg_has && !strstr(err.msg, c->msg_has)) ||
			(c->out && strcmp(out, c->out) != 0) || (c->out_has && !strstr(out, c->out_has)) ||
			(c->sep && kt_csv_sep(r) != c->sep) ||
			(c->encoding && strcmp(kt_csv_encoding(r), c->encoding) != 0))
			fail_msg("case %zu (%.40s): status %d, error %d line %d '%s', sep '%c', %s, rows:\n%s",
				i, c->in, st, err.code, err.line, err.msg, kt_csv_sep(r), kt_csv_encoding(r), out);
		kt_csv_reader_free(r);
		free(out);
	}
}

/* ---- records ---- */

static void test_cp1251_table_matches_iconv(void **state)
{
	(void)state;
	iconv_t cd = iconv_open("UTF-32LE", "CP1251");
	assert_true(cd != (iconv_t)-1);
	for (int b = 0x80; b < 0x100; b++) {
		char in = (char)b, *ip = &in;
		unsigned char out[4];
		char *op = (char *)out;
		size_t il = 1, ol = 4;
		size_t rc = iconv(cd, &ip, &il, &op, &ol);
		uint32_t want = rc == (size_t)-1 ? 0 :
			out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 24;
		assert_int_equal(kt_cp1251_to_u((unsigned char)b), want);
		if (want)
			assert_int_equal(kt_cp1251_from_u(want), b);
	}
	iconv_close(cd);
	assert_int_equal(kt_cp1251_from_u(0x4E2D), -1); /* 中 */
}

static void test_line_numbers(void **state)
{
	(void)state;
	const char in[] = "a;b\n\n\"x\ny\";1\n2;3";
	struct kt_csv_reader *r = kt_csv_reader_mem(in, sizeof in - 1, NULL);
	struct kt_csv_row row;
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_int_equal(row.line, 1);
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_int_equal(row.line, 3);
	assert_int_equal(row.last_line, 4);
	assert_true(row.f[0].quoted);
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_int_equal(row.line, 5);
	assert_int_equal(row.last_line, 5);
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_END);
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_END);
	kt_csv_reader_free(r);
}

/* ---- refusals ---- */

static char *big_field_file(size_t big, bool quoted, size_t *len)
{
	char *b = malloc(big + 32);
	assert_non_null(b);
	size_t n = (size_t)sprintf(b, "a;b\n1;%s", quoted ? "\"" : "");
	memset(b + n, 'x', big);
	n += big;
	n += (size_t)sprintf(b + n, "%s\n", quoted ? "\"" : "");
	*len = n;
	return b;
}

static void test_10mb_field_refused(void **state)
{
	(void)state;
	for (int quoted = 0; quoted < 2; quoted++) {
		size_t len;
		char *b = big_field_file(10u << 20, quoted, &len);
		enum kt_csv_status st;
		struct kt_csv_err err = {0};
		struct kt_csv_reader *r;
		char *out = read_all(b, len, &st, &err, &r);
		assert_int_equal(err.code, KT_CSV_ETOOLONG);
		assert_non_null(strstr(err.msg, "line 2: field 2 is longer than 65536 bytes"));
		if (quoted) { /* where the record ends cannot be known: refused early, for good */
			assert_int_equal(st, KT_CSV_ERROR);
			assert_true(kt_csv_bytes_read(r) < 1u << 20);
		} else { /* a bad row: the rest of its line skipped unstored, reading goes on */
			assert_int_equal(st, KT_CSV_END);
			assert_string_equal(out, "a|b\n!1\n");
		}
		kt_csv_reader_free(r);
		free(out);
		free(b);
	}
}

static void test_field_at_limit_accepted(void **state)
{
	(void)state;
	size_t len;
	char *b = big_field_file(KT_CSV_MAX_FIELD_DEFAULT, false, &len);
	enum kt_csv_status st;
	struct kt_csv_err err = {0};
	char *out = read_all(b, len, &st, &err, NULL);
	assert_int_equal(st, KT_CSV_END);
	free(out);
	free(b);
}

/* A source that hands out one byte per call: every window boundary is exercised. */
struct trickle {
	const char *s;
	size_t len, pos;
};

static ssize_t trickle_read(void *ctx, void *buf, size_t n)
{
	struct trickle *t = ctx;
	if (t->pos >= t->len || n == 0)
		return 0;
	*(char *)buf = t->s[t->pos++];
	return 1;
}

static void test_streaming_one_byte_reads(void **state)
{
	(void)state;
	const char in[] = "\xEF\xBB\xBF" "Фамилия;Имя\r\n\"Ёлкина\r\nА\";\"x\"\"y\"\r\nЩ;Ы";
	struct trickle t = {in, sizeof in - 1, 0};
	struct kt_csv_reader *r = kt_csv_reader_new(trickle_read, &t, NULL);
	struct kt_csv_row row;
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_string_equal(row.f[1].s, "Имя");
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_string_equal(row.f[0].s, "Ёлкина\r\nА");
	assert_string_equal(row.f[1].s, "x\"y");
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	assert_string_equal(row.f[0].s, "Щ");
	assert_int_equal(row.line, 4);
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_END);
	kt_csv_reader_free(r);
}

/* ---- writer ---- */

static void test_writer_round_trip(void **state)
{
	(void)state;
	for (int cp = 0; cp < 2; cp++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		struct kt_csv_wopts o = {.sep = ',', .crlf = true, .bom = true, .cp1251 = cp};
		struct kt_csv_writer *w = kt_csv_writer_file(m, &o);
		const char *h[] = {"Фамилия", "Адрес; полный"};
		const char *d[] = {"Ёлкина \"Ель\"", "г. Москва,\nул. Мира"};
		assert_int_equal(kt_csv_write_row(w, h, 2), 0);
		assert_int_equal(kt_csv_write_row(w, d, 2), 0);
		const char *bad[] = {"中", "x"};
		assert_int_equal(kt_csv_write_row(w, bad, 2), cp ? -1 : 0);
		if (cp)
			assert_non_null(strstr(kt_csv_writer_error(w), "field 1"));
		kt_csv_writer_free(w);
		fclose(m);
		enum kt_csv_status st;
		struct kt_csv_err err = {0};
		struct kt_csv_reader *r;
		char *out = read_all(buf, len, &st, &err, &r);
		assert_string_equal(kt_csv_encoding(r), cp ? "windows-1251" : "utf-8");
		assert_int_equal(kt_csv_sep(r), ',');
		const char *want = "Фамилия|Адрес; полный\nЁлкина \"Ель\"|г. Москва,\nул. Мира\n";
		if (!cp) /* UTF-8 holds every character; Windows-1251 refused the last row */
			assert_string_equal(out, "Фамилия|Адрес; полный\nЁлкина \"Ель\"|г. Москва,\n"
				"ул. Мира\n中|x\n");
		else
			assert_string_equal(out, want);
		kt_csv_reader_free(r);
		free(out);
		free(buf);
	}
}

/* ---- headers ---- */

static int map_of(enum kt_reg_kind kind, const char *csv, struct kt_reg_map *m,
	struct kt_csv_err *err)
{
	struct kt_csv_reader *r = kt_csv_reader_mem(csv, strlen(csv), NULL);
	struct kt_csv_row row;
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	int rc = kt_reg_map_header(kind, &row, m, err);
	kt_csv_reader_free(r);
	return rc;
}

static void test_header_karta_tolerant(void **state)
{
	(void)state;
	struct kt_reg_map m;
	struct kt_csv_err err = {0};
	const char *h = "  ФАМИЛИЯ ;имя*;Отчество;Тип  документа;Номер\xC2\xA0документа;Пол;"
		"Дата рождения;Код ОО;Категория;Форма ГИА;СНИЛС\n";
	assert_int_equal(map_of(KT_REG_PARTICIPANTS, h, &m, &err), 0);
	assert_int_equal(m.layout, KT_LAYOUT_KARTA);
	assert_int_equal(m.col_field[0], KT_P_LAST_NAME);
	assert_int_equal(m.col_field[1], KT_P_FIRST_NAME);
	assert_int_equal(m.col_field[4], KT_P_DOC_NUMBER);
	assert_int_equal(m.col_field[8], KT_P_CATEGORY);
	/* ё and е are one letter for headers */
	char f[128];
	assert_string_equal(kt_reg_fold(" Признак  удалённой\tСтроки *", f, sizeof f),
		"признак удаленной строки");
}

static void test_header_unknown_missing_doubled(void **state)
{
	(void)state;
	struct kt_reg_map m;
	struct kt_csv_err err = {0};
	assert_int_equal(map_of(KT_REG_AUDITORIUMS, "Код ППЭ;Код аудитории;Рядов;Мест в ряду;"
		"Цвет стен\n", &m, &err), -1);
	assert_string_equal(err.msg, "line 1: column 5 «цвет стен» is not a column of the "
		"auditoriums registry (docs/registries.md lists them)");
	assert_int_equal(map_of(KT_REG_AUDITORIUMS, "Код ППЭ;Код аудитории;Рядов\n", &m, &err), -1);
	assert_string_equal(err.msg, "line 1: required column «Количество мест в ряду» is missing");
	assert_int_equal(map_of(KT_REG_AUDITORIUMS, "Код ППЭ;Код аудитории;Рядов;Количество рядов\n",
		&m, &err), -1);
	assert_string_equal(err.msg, "line 1: columns 3 and 4 are both «Количество рядов»");
	/* a data row where the header should be: not quoted back (personal data) */
	assert_int_equal(map_of(KT_REG_PARTICIPANTS, "Иванов;Пётр;11223344595\n", &m, &err), -1);
	assert_null(strstr(err.msg, "Иванов"));
	assert_non_null(strstr(err.msg, "is the header line missing"));
}

static const char ris_participants[] =
	"Guid;Признак удаленной строки;Фамилия;Имя;Отчество;Серия документа;Номер документа;"
	"Код типа документа, удостоверяющего личность;Пол;Класс;Дата рождения;"
	"Признак специализированной рассадки;Код категории участника;"
	"Код субъекта Российской Федерации, в котором участник закончил ОО;"
	"Guid ОО, основная ОО участника;Guid ОО, выпускная ОО;Дата-время создания;"
	"Дата-время изменения;Форма ГИА;Действующие результаты ГИА;Код формы обучения;"
	"Код гражданства;Снилс\n";

static void test_header_ris(void **state)
{
	(void)state;
	struct kt_reg_map m;
	struct kt_csv_err err = {0};
	assert_int_equal(map_of(KT_REG_PARTICIPANTS, ris_participants, &m, &err), 0);
	assert_int_equal(m.layout, KT_LAYOUT_RIS);
	assert_int_equal(m.ncols, 23);
	assert_int_equal(m.col_field[22], KT_P_SNILS);
	assert_int_equal(m.col_field[7], KT_P_DOC_TYPE);
	/* order matters in the interop layout */
	char *swapped = strdup(ris_participants);
	char *f = strstr(swapped, "Фамилия;Имя");
	memcpy(f, "Имя;Фамилия", strlen("Имя;Фамилия"));
	assert_int_equal(map_of(KT_REG_PARTICIPANTS, swapped, &m, &err), -1);
	assert_string_equal(err.msg, "line 1: column 3 of the interop layout must be «Фамилия», "
		"not «имя»");
	free(swapped);
	assert_int_equal(map_of(KT_REG_EXAM_POINTS, "Guid;Признак удаленной строки;Код ППЭ\n", &m,
		&err), -1);
	assert_string_equal(err.msg, "line 1: the interop exam-points layout has 17 columns, "
		"the header has 3");
	assert_int_equal(map_of(KT_REG_STAFF, "Guid;Фамилия\n", &m, &err), -1);
	assert_non_null(strstr(err.msg, "exists only for participants and exam points"));
}

static void test_fill(void **state)
{
	(void)state;
	const char *csv = "Имя;Фамилия;Пол\nПётр;Иванов;М\n";
	struct kt_csv_reader *r = kt_csv_reader_mem(csv, strlen(csv), NULL);
	struct kt_csv_row row;
	struct kt_reg_map m;
	struct kt_csv_err err;
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	/* participants lack required columns here: map them as staff-like via the tables */
	assert_int_equal(kt_reg_map_header(KT_REG_PARTICIPANTS, &row, &m, &err), -1);
	m.kind = KT_REG_PARTICIPANTS;
	m.layout = KT_LAYOUT_KARTA;
	m.ncols = 3;
	m.col_field[0] = KT_P_FIRST_NAME;
	m.col_field[1] = KT_P_LAST_NAME;
	m.col_field[2] = KT_P_SEX;
	assert_int_equal(kt_csv_next(r, &row, NULL), KT_CSV_ROW);
	const char *v[KT_P_NFIELDS];
	kt_reg_fill(&m, &row, v, KT_P_NFIELDS);
	assert_string_equal(v[KT_P_LAST_NAME], "Иванов");
	assert_string_equal(v[KT_P_FIRST_NAME], "Пётр");
	assert_string_equal(v[KT_P_SNILS], "");
	kt_csv_reader_free(r);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_read_cases),
	cmocka_unit_test(test_cp1251_table_matches_iconv),
	cmocka_unit_test(test_line_numbers),
	cmocka_unit_test(test_10mb_field_refused),
	cmocka_unit_test(test_field_at_limit_accepted),
	cmocka_unit_test(test_streaming_one_byte_reads),
	cmocka_unit_test(test_writer_round_trip),
	cmocka_unit_test(test_header_karta_tolerant),
	cmocka_unit_test(test_header_unknown_missing_doubled),
	cmocka_unit_test(test_header_ris),
	cmocka_unit_test(test_fill))
