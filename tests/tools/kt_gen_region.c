/* kt_gen_region: a deterministic synthetic region for tests and benchmarks — registry CSV
 * files in karta's layout (Russian headers, docs/registries.md), every row valid under
 * kt_validate. Same arguments, same bytes: the generator has its own PRNG and a fixed
 * exam year, and never looks at the clock.
 *
 *   kt_gen_region OUTDIR [--scale F] [--seed N] [--cp1251] [--bom] [--comma] [--lf]
 *                 [--municipalities N] [--schools N] [--participants N] [--exam-points N]
 *                 [--auditoriums N] [--staff N]
 *   kt_gen_region --check DIR [--year Y]
 *
 * Defaults (scale 1): 60 municipalities, 1,000 schools, 30,000 participants, 300 exam
 * points, 3,000 auditoriums, 10,000 staff. Files: schools.csv, participants.csv,
 * exam-points.csv, auditoriums.csv, staff.csv (UTF-8, ';', CRLF unless told otherwise).
 * --check reads the four registry files back through kt_csv + kt_validate and prints rows,
 * refused rows and the throughput; exit 1 when a row is refused. The generated names
 * and numbers are made up; СНИЛС are unique and carry valid control numbers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kt_csv.h"
#include "kt_registry.h"
#include "kt_validate.h"

#define EXAM_YEAR 2025

struct gen {
	uint64_t rng;
	long mun, schools, participants, ppe, aud, staff;
	struct kt_csv_wopts wo;
	const char *dir;
	long *ppe_aud_cap; /* capacity of each exam point's auditoriums */
	long snils_seq;
};

/* ---- randomness (splitmix64: tiny, good enough, identical everywhere) ---- */

static uint64_t next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static long pick(struct gen *g, long n) { return (long)(next(g) % (uint64_t)n); }
static bool chance(struct gen *g, int percent) { return pick(g, 100) < percent; }

#define PICK(g, arr) ((arr)[pick((g), (long)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- made-up Russian names ---- */

static const char *const surnames[][2] = {
	{"Иванов", "Иванова"}, {"Смирнов", "Смирнова"}, {"Кузнецов", "Кузнецова"},
	{"Попов", "Попова"}, {"Васильев", "Васильева"}, {"Петров", "Петрова"},
	{"Соколов", "Соколова"}, {"Михайлов", "Михайлова"}, {"Новиков", "Новикова"},
	{"Фёдоров", "Фёдорова"}, {"Морозов", "Морозова"}, {"Волков", "Волкова"},
	{"Алексеев", "Алексеева"}, {"Лебедев", "Лебедева"}, {"Семёнов", "Семёнова"},
	{"Егоров", "Егорова"}, {"Павлов", "Павлова"}, {"Козлов", "Козлова"},
	{"Степанов", "Степанова"}, {"Николаев", "Николаева"}, {"Орлов", "Орлова"},
	{"Андреев", "Андреева"}, {"Макаров", "Макарова"}, {"Никитин", "Никитина"},
	{"Захаров", "Захарова"}, {"Зайцев", "Зайцева"}, {"Соловьёв", "Соловьёва"},
	{"Борисов", "Борисова"}, {"Яковлев", "Яковлева"}, {"Григорьев", "Григорьева"},
	{"Романов", "Романова"}, {"Воробьёв", "Воробьёва"}, {"Сергеев", "Сергеева"},
	{"Ковальский", "Ковальская"}, {"Салтыков-Щедрин", "Салтыкова-Щедрина"},
};
static const char *const male_names[] = {"Александр", "Дмитрий", "Максим", "Сергей",
	"Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил", "Никита", "Матвей", "Роман",
	"Егор", "Арсений", "Иван", "Денис", "Евгений", "Тимофей", "Владимир"};
static const char *const female_names[] = {"Анастасия", "Мария", "Анна", "Виктория",
	"Екатерина", "Наталья", "Марина", "Полина", "София", "Дарья", "Алиса", "Ксения",
	"Александра", "Елена", "Ольга", "Ирина", "Татьяна", "Юлия", "Алёна", "Вероника"};
static const char *const patronymic_roots[] = {"Александров", "Дмитриев", "Сергеев",
	"Андреев", "Алексеев", "Михайлов", "Николаев", "Иванов", "Владимиров", "Петров",
	"Евгеньев", "Викторов", "Юрьев", "Олегов", "Игорев"};
static const char *const towns[] = {"Энск", "Приозёрск", "Заречный", "Светлогорск",
	"Краснознаменск", "Лесной", "Михайловка", "Сосновка", "Берёзовка", "Южный"};
static const char *const streets[] = {"Мира", "Ленина", "Советская", "Школьная",
	"Садовая", "Молодёжная", "Лесная", "Центральная", "Набережная", "Гагарина"};
static const char *const subjects[] = {"Русский язык", "Математика", "Физика", "Химия",
	"Биология", "История", "Обществознание", "География", "Информатика",
	"Литература", "Английский язык"};

/* ---- field builders ---- */

/* A unique СНИЛС with its control number: an affine walk over 9-digit numbers above the
 * exempt range, so no two people share one. */
static void snils(struct gen *g, char out[32])
{
	uint64_t n = 2000000 + ((uint64_t)g->snils_seq++ * 7919 + 12345) % 997000000;
	char d[10];
	snprintf(d, sizeof d, "%09" PRIu64, n);
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (d[i] - '0') * (9 - i);
	if (sum > 101)
		sum %= 101;
	if (sum == 100 || sum == 101)
		sum = 0;
	snprintf(out, 32, "%.3s-%.3s-%.3s %02d", d, d + 3, d + 6, sum);
}

static void person(struct gen *g, bool female, char *last, char *first, char *middle)
{
	int s = (int)pick(g, (long)(sizeof surnames / sizeof surnames[0]));
	strcpy(last, surnames[s][female]);
	strcpy(first, female ? PICK(g, female_names) : PICK(g, male_names));
	sprintf(middle, "%s%s", PICK(g, patronymic_roots), female ? "на" : "ич");
}

static void date_in(struct gen *g, int year, char out[32])
{
	int m = (int)pick(g, 12) + 1, d = (int)pick(g, 28) + 1;
	snprintf(out, 32, "%02d.%02d.%04d", d, m, year);
}

/* Document: mostly passports of the RF, some birth certificates and foreign passports.
 * type/series/number are written into the given buffers. */
static void document(struct gen *g, bool adult_only, char *type, char *series, char *number)
{
	static const char *const romans[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII",
		"IX", "X", "XI", "XII"};
	static const char *const letters[] = {"АГ", "МЮ", "УН", "ЖК", "ЕР", "ОТ", "КБ", "ЛД"};
	long r = pick(g, 100);
	if (r < 97 || adult_only) {
		strcpy(type, "1");
		sprintf(series, "%02ld%02ld", 10 + pick(g, 89), 10 + pick(g, 15));
		sprintf(number, "%06ld", pick(g, 1000000));
	} else if (r < 98) {
		strcpy(type, "2");
		sprintf(series, "%s-%s", PICK(g, romans), PICK(g, letters));
		sprintf(number, "%06ld", pick(g, 1000000));
	} else {
		strcpy(type, "3");
		strcpy(series, "");
		sprintf(number, "N%07ld", pick(g, 10000000));
	}
}

/* ---- files ---- */

struct out {
	FILE *f;
	struct kt_csv_writer *w;
	enum kt_reg_kind kind;
	const struct kt_reg_col *cols;
	size_t ncols;
};

static int out_open(struct gen *g, struct out *o, const char *name, enum kt_reg_kind kind)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", g->dir, name);
	o->f = fopen(path, "wb");
	if (!o->f) {
		fprintf(stderr, "kt_gen_region: %s: %s\n", path, strerror(errno));
		return -1;
	}
	o->w = kt_csv_writer_file(o->f, &g->wo);
	o->kind = kind;
	o->cols = kt_reg_columns(kind, KT_LAYOUT_KARTA, &o->ncols);
	const char *h[KT_REG_MAX_COLS];
	for (size_t i = 0; i < o->ncols; i++)
		h[i] = o->cols[i].name;
	return kt_csv_write_row(o->w, h, o->ncols);
}

/* Writes v (indexed by field id) in the layout's column order. */
static int out_row(struct out *o, const char *const *v)
{
	const char *row[KT_REG_MAX_COLS];
	for (size_t i = 0; i < o->ncols; i++)
		row[i] = v[o->cols[i].field] ? v[o->cols[i].field] : "";
	if (kt_csv_write_row(o->w, row, o->ncols) != 0) {
		fprintf(stderr, "kt_gen_region: %s\n", kt_csv_writer_error(o->w));
		return -1;
	}
	return 0;
}

static int out_close(struct out *o)
{
	kt_csv_writer_free(o->w);
	return fclose(o->f) == 0 ? 0 : -1;
}

static void school_code(long school, long mun_count, char out[32])
{
	/* municipality in the first two digits, so codes group like real ones */
	snprintf(out, 32, "%02d%04d", (int)(1 + school % mun_count), (int)(1 + school / mun_count));
}

static int gen_schools(struct gen *g)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/schools.csv", g->dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	struct kt_csv_writer *w = kt_csv_writer_file(f, &g->wo);
	const char *h[] = {"Код МСУ", "Наименование МСУ", "Код ОО", "Наименование ОО", "Адрес"};
	int rc = kt_csv_write_row(w, h, 5);
	for (long s = 0; s < g->schools && rc == 0; s++) {
		char mun[24], mname[64], code[32], name[96], addr[160];
		long m = 1 + s % g->mun;
		snprintf(mun, sizeof mun, "%02ld", m);
		snprintf(mname, sizeof mname, "Муниципальный район № %ld", m);
		school_code(s, g->mun, code);
		snprintf(name, sizeof name, "МБОУ «Средняя школа № %ld»", 1 + s / g->mun);
		snprintf(addr, sizeof addr, "г. %s, ул. %s, д. %ld", towns[m % 10], PICK(g, streets),
			1 + pick(g, 120));
		const char *row[] = {mun, mname, code, name, addr};
		rc = kt_csv_write_row(w, row, 5);
	}
	kt_csv_writer_free(w);
	return fclose(f) == 0 ? rc : -1;
}

static int gen_participant(struct gen *g, struct out *o)
{
	char last[64], first[64], middle[64], type[4], series[32], number[32], birth[32];
	char grade[24], sn[32], school[32];
	const char *v[KT_P_NFIELDS] = {0};
	bool female = chance(g, 50);
	long r = pick(g, 100);
	const char *category = "1", *form;
	bool ovz = chance(g, 3);
	int age;
	if (r < 55) { /* grade 9 */
		snprintf(grade, sizeof grade, "9%s", PICK(g, ((const char *const[]){"А", "Б", "В", "Г"})));
		form = ovz && chance(g, 60) ? "ГВЭ" : "ОГЭ";
		age = 15;
	} else if (r < 95) { /* grade 11 */
		snprintf(grade, sizeof grade, "11%s", PICK(g, ((const char *const[]){"А", "Б", "В"})));
		form = ovz && chance(g, 60) ? "ГВЭ" : "ЕГЭ";
		age = 17;
	} else { /* past years and colleges take ЕГЭ */
		grade[0] = '\0';
		category = r < 99 ? "2" : "3";
		form = "ЕГЭ";
		age = 18 + (int)pick(g, 15);
	}
	person(g, female, last, first, middle);
	document(g, false, type, series, number);
	date_in(g, EXAM_YEAR - age - (chance(g, 30) ? 1 : 0), birth);
	snils(g, sn);
	school_code(pick(g, g->schools), g->mun, school);
	v[KT_P_LAST_NAME] = last, v[KT_P_FIRST_NAME] = first, v[KT_P_MIDDLE_NAME] = middle;
	v[KT_P_DOC_TYPE] = type, v[KT_P_DOC_SERIES] = series, v[KT_P_DOC_NUMBER] = number;
	v[KT_P_SEX] = female ? "Ж" : "М", v[KT_P_BIRTH_DATE] = birth, v[KT_P_GRADE] = grade;
	v[KT_P_SNILS] = sn, v[KT_P_SCHOOL] = school, v[KT_P_CATEGORY] = category;
	v[KT_P_FORM] = form, v[KT_P_OVZ] = ovz ? "1" : "0", v[KT_P_DISABLED] = "0";
	v[KT_P_CITIZENSHIP] = chance(g, 98) ? "Россия" : "Казахстан";
	return out_row(o, v);
}

static int gen_auditoriums(struct gen *g, struct out *o)
{
	for (long a = 0; a < g->aud; a++) {
		long p = a % g->ppe, k = a / g->ppe;
		long rows = 3 + pick(g, 4), seats = 2 + pick(g, 3);
		g->ppe_aud_cap[p] += rows * seats;
		char ppe[24], code[24], name[48], r[24], s[24];
		snprintf(ppe, sizeof ppe, "%04ld", 1 + p);
		snprintf(code, sizeof code, "%04ld", 101 + k % 30 + (k / 30) * 100);
		snprintf(name, sizeof name, "Кабинет %ld", 101 + k);
		snprintf(r, sizeof r, "%ld", rows);
		snprintf(s, sizeof s, "%ld", seats);
		const char *v[KT_A_NFIELDS] = {0};
		v[KT_A_PPE] = ppe, v[KT_A_CODE] = code, v[KT_A_NAME] = name, v[KT_A_ROWS] = r;
		v[KT_A_SEATS] = s, v[KT_A_UNUSABLE] = "0", v[KT_A_OVZ] = k == 0 ? "1" : "0";
		v[KT_A_VIDEO] = "1", v[KT_A_LAB] = k == 1 ? "1" : "0";
		if (out_row(o, v) != 0)
			return -1;
	}
	return 0;
}

static int gen_exam_point(struct gen *g, struct out *o, long p)
{
	static const char *const forms[] = {"ЕГЭ", "ОГЭ", "ОГЭ", "ЕГЭ", "ЕГЭ, ГВЭ"};
	char code[24], name[128], addr[160], mun[24], school[32], cap[32], phone[32], mail[64];
	long s = pick(g, g->schools);
	snprintf(code, sizeof code, "%04ld", 1 + p);
	snprintf(name, sizeof name, "ППЭ на базе МБОУ «Средняя школа № %ld»", 1 + s / g->mun);
	snprintf(mun, sizeof mun, "%02ld", 1 + s % g->mun);
	snprintf(addr, sizeof addr, "г. %s, ул. %s, д. %ld", towns[(1 + s % g->mun) % 10],
		PICK(g, streets), 1 + pick(g, 120));
	school_code(s, g->mun, school);
	long c = g->ppe_aud_cap[p] ? g->ppe_aud_cap[p] : 15;
	snprintf(cap, sizeof cap, "%ld", c > 5000 ? 5000 : c);
	snprintf(phone, sizeof phone, "+7 (%03ld) %03ld-%02ld-%02ld", 800 + pick(g, 100),
		pick(g, 1000), pick(g, 100), pick(g, 100));
	snprintf(mail, sizeof mail, "ppe%s@edu.example.ru", code);
	const char *form = PICK(g, forms);
	const char *v[KT_E_NFIELDS] = {0};
	v[KT_E_CODE] = code, v[KT_E_NAME] = name, v[KT_E_ADDRESS] = addr;
	v[KT_E_MUNICIPALITY] = mun, v[KT_E_SCHOOL] = school, v[KT_E_CAPACITY] = cap;
	v[KT_E_FORM] = form, v[KT_E_HOME] = "0", v[KT_E_TOM] = chance(g, 5) ? "1" : "0";
	v[KT_E_VIDEO] = "1", v[KT_E_KIM_PRINT] = strncmp(form, "ЕГЭ", strlen("ЕГЭ")) == 0 ? "1" : "0";
	v[KT_E_RESERVE] = chance(g, 5) ? "1" : "0", v[KT_E_PHONES] = phone, v[KT_E_EMAILS] = mail;
	return out_row(o, v);
}

static int gen_staff(struct gen *g, struct out *o, long i)
{
	/* roughly what a ППЭ needs: organisers in and out of the rooms dominate */
	static const int weights[] = {3, 60, 20, 7, 3, 4, 3};
	char code[24], last[64], first[64], middle[64], type[4], series[32], number[32];
	char birth[32], sn[32], school[32], role[4], ppe[24];
	bool female = chance(g, 75);
	long r = pick(g, 100), acc = 0;
	int k = 0;
	while (k < 6 && r >= acc + weights[k])
		acc += weights[k++];
	snprintf(code, sizeof code, "%06ld", 1 + i);
	person(g, female, last, first, middle);
	document(g, true, type, series, number);
	date_in(g, 1960 + (int)pick(g, 40), birth);
	snils(g, sn);
	school_code(pick(g, g->schools), g->mun, school);
	snprintf(role, sizeof role, "%d", k + 1);
	snprintf(ppe, sizeof ppe, "%04ld", 1 + pick(g, g->ppe));
	const char *v[KT_S_NFIELDS] = {0};
	v[KT_S_CODE] = code, v[KT_S_LAST_NAME] = last, v[KT_S_FIRST_NAME] = first;
	v[KT_S_MIDDLE_NAME] = middle, v[KT_S_DOC_TYPE] = type, v[KT_S_DOC_SERIES] = series;
	v[KT_S_DOC_NUMBER] = number, v[KT_S_SEX] = female ? "Ж" : "М", v[KT_S_BIRTH_DATE] = birth;
	v[KT_S_SNILS] = sn, v[KT_S_SCHOOL] = school, v[KT_S_ROLE] = role;
	v[KT_S_SUBJECT] = k == 1 ? PICK(g, subjects) : "", v[KT_S_PPE] = k == 6 ? "" : ppe;
	return out_row(o, v);
}

static int generate(struct gen *g)
{
	if (mkdir(g->dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "kt_gen_region: %s: %s\n", g->dir, strerror(errno));
		return -1;
	}
	g->ppe_aud_cap = calloc((size_t)g->ppe, sizeof *g->ppe_aud_cap);
	if (!g->ppe_aud_cap || gen_schools(g) != 0)
		return -1;
	struct out o;
	int rc = out_open(g, &o, "participants.csv", KT_REG_PARTICIPANTS);
	for (long i = 0; i < g->participants && rc == 0; i++)
		rc = gen_participant(g, &o);
	if (out_close(&o) != 0 || rc != 0)
		return -1;
	rc = out_open(g, &o, "auditoriums.csv", KT_REG_AUDITORIUMS);
	rc = rc ? rc : gen_auditoriums(g, &o);
	if (out_close(&o) != 0 || rc != 0)
		return -1;
	rc = out_open(g, &o, "exam-points.csv", KT_REG_EXAM_POINTS);
	for (long p = 0; p < g->ppe && rc == 0; p++)
		rc = gen_exam_point(g, &o, p);
	if (out_close(&o) != 0 || rc != 0)
		return -1;
	rc = out_open(g, &o, "staff.csv", KT_REG_STAFF);
	for (long i = 0; i < g->staff && rc == 0; i++)
		rc = gen_staff(g, &o, i);
	if (out_close(&o) != 0 || rc != 0)
		return -1;
	free(g->ppe_aud_cap);
	return 0;
}

/* ---- --check ---- */

static int check_file(const char *dir, const char *name, enum kt_reg_kind kind,
	const struct kt_check_ctx *ctx)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "kt_gen_region: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct kt_csv_reader *r = kt_csv_reader_file(f, NULL);
	struct kt_csv_row row;
	struct kt_csv_err err;
	struct kt_reg_map map;
	long rows = 0, refused = 0;
	enum kt_csv_status st = kt_csv_next(r, &row, &err);
	int rc = st == KT_CSV_ROW ? kt_reg_map_header(kind, &row, &map, &err) : -1;
	while (rc == 0 && (st = kt_csv_next(r, &row, &err)) != KT_CSV_END) {
		struct kt_field_errors fe;
		if (st == KT_CSV_ERROR) {
			rc = -1;
			break;
		}
		rows++;
		if (st == KT_CSV_BAD_ROW || kt_reg_check_row(&map, &row, ctx, &fe) > 0) {
			/* line and messages only: the values are (synthetic) personal data */
			if (refused++ < 5)
				fprintf(stderr, "%s: line %d: %s\n", name, row.line,
					st == KT_CSV_BAD_ROW ? err.msg : fe.e[0].msg);
		}
	}
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	size_t bytes = kt_csv_bytes_read(r);
	printf("%-18s %-12s %8ld rows %6ld refused %9zu bytes %7.1f MB/s\n", name,
		kt_csv_encoding(r), rows, refused, bytes, sec > 0 ? (double)bytes / 1e6 / sec : 0.0);
	kt_csv_reader_free(r);
	fclose(f);
	return rc != 0 || refused ? -1 : 0;
}

static int check_dir(const char *dir, int year)
{
	struct kt_check_ctx ctx = {{year, 6, 1}};
	int rc = 0;
	rc |= check_file(dir, "participants.csv", KT_REG_PARTICIPANTS, &ctx);
	rc |= check_file(dir, "exam-points.csv", KT_REG_EXAM_POINTS, &ctx);
	rc |= check_file(dir, "auditoriums.csv", KT_REG_AUDITORIUMS, &ctx);
	rc |= check_file(dir, "staff.csv", KT_REG_STAFF, &ctx);
	return rc ? 1 : 0;
}

/* ---- arguments ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: kt_gen_region OUTDIR [--scale F] [--seed N] [--cp1251] [--bom] [--comma]\n"
		"                     [--lf] [--municipalities N] [--schools N] [--participants N]\n"
		"                     [--exam-points N] [--auditoriums N] [--staff N]\n"
		"       kt_gen_region --check DIR [--year Y]\n");
}

static bool num_arg(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static long scaled(long base, double scale)
{
	long v = (long)((double)base * scale + 0.5);
	return v < 1 ? 1 : v;
}

static int parse_counts(struct gen *g, int argc, char **argv)
{
	double scale = 1.0;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			scale = strtod(argv[++i], NULL);
	if (!(scale > 0 && scale <= 30)) {
		fprintf(stderr, "kt_gen_region: --scale must be above 0 and at most 30\n");
		return -1;
	}
	g->mun = scaled(60, scale > 1 ? 1 : scale);
	g->schools = scaled(1000, scale), g->participants = scaled(30000, scale);
	g->ppe = scaled(300, scale), g->aud = scaled(3000, scale), g->staff = scaled(10000, scale);
	struct { const char *opt; long *v; long max; } o[] = {
		{"--municipalities", &g->mun, 99}, {"--schools", &g->schools, 99 * 9999},
		{"--participants", &g->participants, 10000000}, {"--exam-points", &g->ppe, 9999},
		{"--auditoriums", &g->aud, 10000000}, {"--staff", &g->staff, 999999},
		{"--seed", (long *)NULL, 0}};
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--scale") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--cp1251") == 0) { g->wo.cp1251 = true; continue; }
		if (strcmp(argv[i], "--bom") == 0) { g->wo.bom = true; continue; }
		if (strcmp(argv[i], "--comma") == 0) { g->wo.sep = ','; continue; }
		if (strcmp(argv[i], "--lf") == 0) { g->wo.crlf = false; continue; }
		size_t k = 0;
		while (k < sizeof o / sizeof o[0] && strcmp(argv[i], o[k].opt) != 0)
			k++;
		long v;
		if (k == sizeof o / sizeof o[0] || i + 1 >= argc ||
			!num_arg(argv[i + 1], 1, o[k].v ? o[k].max : 0x7fffffff, &v)) {
			usage();
			return -1;
		}
		i++;
		if (o[k].v)
			*o[k].v = v;
		else
			g->rng = (uint64_t)v;
	}
	if (g->ppe > 9999 || g->aud < g->ppe) {
		fprintf(stderr, "kt_gen_region: at most 9999 exam points, and at least one "
			"auditorium each\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--check") == 0) {
		long year = EXAM_YEAR;
		if (argc == 5 && strcmp(argv[3], "--year") == 0 && !num_arg(argv[4], 1900, 2099, &year))
			return 2;
		return check_dir(argv[2], (int)year);
	}
	if (argc < 2 || argv[1][0] == '-') {
		usage();
		return 2;
	}
	struct gen g = {.rng = 20250601, .dir = argv[1], .wo = {.sep = ';', .crlf = true}};
	if (parse_counts(&g, argc, argv) != 0)
		return 2;
	if (generate(&g) != 0) {
		fprintf(stderr, "kt_gen_region: writing %s failed\n", g.dir);
		return 1;
	}
	printf("%s: %ld municipalities, %ld schools, %ld participants, %ld exam points, "
		"%ld auditoriums, %ld staff%s\n", g.dir, g.mun, g.schools, g.participants, g.ppe,
		g.aud, g.staff, g.wo.cp1251 ? " (Windows-1251)" : "");
	return 0;
}
