/* kt_validate: every registry rule refused with its message, valid records accepted, and
 * no message ever repeating the value it refuses (personal data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "kt_validate.h"

static const struct kt_check_ctx ctx = {{2025, 6, 1}};

/* ---- values ---- */

static void test_snils(void **state)
{
	(void)state;
	assert_null(kt_check_snils("112-233-445 95"));
	assert_null(kt_check_snils("11223344595"));
	assert_null(kt_check_snils(" 920-000-100 00 ")); /* sum 100 -> 00 */
	assert_null(kt_check_snils("99999999901"));     /* sum 405 -> 405 mod 101 = 1 */
	assert_null(kt_check_snils("001-001-998 00"));  /* before control numbers: exempt */
	assert_string_equal(kt_check_snils("112-233-445 96"), "control number does not match");
	assert_string_equal(kt_check_snils("001-001-999 00"), "control number does not match");
	assert_string_equal(kt_check_snils("1122334459"), "must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
	assert_string_equal(kt_check_snils("112233445950"), "must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
	assert_string_equal(kt_check_snils("11a23344595"), "must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
	assert_string_equal(kt_check_snils("000-000-000 00"), "is not a real number (all zeros)");
}

static void test_dates(void **state)
{
	(void)state;
	struct kt_date d;
	assert_null(kt_check_date("29.02.2008", &d));
	assert_int_equal(d.y, 2008);
	assert_int_equal(d.m, 2);
	assert_int_equal(d.d, 29);
	assert_string_equal(kt_check_date("29.02.2009", NULL),
		"is not a calendar date from 1900 to 2099");
	assert_string_equal(kt_check_date("31.04.2009", NULL),
		"is not a calendar date from 1900 to 2099");
	assert_string_equal(kt_check_date("01.01.1899", NULL),
		"is not a calendar date from 1900 to 2099");
	assert_string_equal(kt_check_date("2008-02-29", NULL), "must be a date дд.ММ.гггг");
	assert_string_equal(kt_check_date("1.2.2008", NULL), "must be a date дд.ММ.гггг");
	assert_null(kt_check_datetime("01.09.2024 08:30:00"));
	assert_string_equal(kt_check_datetime("01.09.2024 8:30:00"), "must be дд.ММ.гггг ЧЧ:мм:сс");
	assert_string_equal(kt_check_datetime("01.09.2024 24:00:00"), "is not a real date and time");
}

static void test_birth(void **state)
{
	(void)state;
	struct kt_date b = {2010, 6, 2}, ref = {2025, 6, 1};
	assert_int_equal(kt_age_on(&b, &ref), 14);
	assert_null(kt_check_birth(&b, &ref, 11, 30));
	assert_string_equal(kt_check_birth(&b, &ref, 15, 30), "gives an implausible age");
	struct kt_date future = {2025, 6, 2};
	assert_string_equal(kt_check_birth(&future, &ref, 0, 100), "is in the future");
}

static void test_guid_codes_flags(void **state)
{
	(void)state;
	assert_null(kt_check_guid("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
	assert_null(kt_check_guid("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"));
	assert_string_equal(kt_check_guid("3f2504e0-4f89-11d3-9a0c-0305e82c330"),
		"must be a GUID (8-4-4-4-12 hex digits)");
	assert_string_equal(kt_check_guid("3f2504e0x4f89-11d3-9a0c-0305e82c3301"),
		"must be a GUID (8-4-4-4-12 hex digits)");
	assert_null(kt_check_ppe_code("0101", false));
	assert_string_equal(kt_check_ppe_code("101", false), "must be 4 digits");
	assert_null(kt_check_ppe_code("101", true));
	assert_string_equal(kt_check_ppe_code("10101", true), "must be 1 to 4 digits");
	assert_null(kt_check_aud_code("0012"));
	assert_null(kt_check_aud_code("101А"));
	assert_string_equal(kt_check_aud_code("12"), "must be 4 digits or letters");
	assert_string_equal(kt_check_aud_code("1 23"), "must be 4 digits or letters");
	bool f;
	assert_null(kt_check_flag("да", &f));
	assert_true(f);
	assert_null(kt_check_flag("", &f));
	assert_false(f);
	assert_string_equal(kt_check_flag("2", NULL), "must be 0 or 1");
	int del;
	assert_null(kt_check_deleted("12", &del));
	assert_int_equal(del, 12);
	assert_string_equal(kt_check_deleted("3", NULL),
		"must be one of 0, 1, 2, 4, 5, 6, 7, 10, 11, 12");
	assert_null(kt_check_digits("500101", 6));
	assert_string_equal(kt_check_digits("50010", 6), "must be 6 digits");
	assert_string_equal(kt_check_digits("1234567", -6), "must be 1 to 6 digits");
	long v;
	assert_true(kt_parse_int(" 42 ", 1, 50, &v));
	assert_int_equal(v, 42);
	assert_false(kt_parse_int("51", 1, 50, NULL));
	assert_false(kt_parse_int("-1", 0, 50, NULL));
}

static void test_names_emails(void **state)
{
	(void)state;
	assert_null(kt_check_name("Салтыков-Щедрин"));
	assert_null(kt_check_name("Д'Артаньян"));
	assert_null(kt_check_name("Smith"));
	assert_string_equal(kt_check_name("Иван0в"),
		"may hold only letters, spaces, hyphens, apostrophes and dots");
	assert_string_equal(kt_check_name("-Иванов"), "must start with a letter");
	char longname[300];
	memset(longname, 'a', 101);
	longname[101] = '\0';
	assert_string_equal(kt_check_name(longname), "is longer than 100 characters");
	assert_null(kt_check_name("Łukasz")); /* Latin Extended, as karta_name_ok */
	assert_non_null(kt_check_name("Ωмега"));
	assert_non_null(kt_check_emails("a@b.ru;"));        /* nothing empty between separators */
	assert_non_null(kt_check_emails("a@b.ru c@d.ru"));  /* a space alone does not separate */
	assert_null(kt_check_emails(" a@b.ru , c@d.org "));
	assert_null(kt_check_emails("ppe@school.ru; head@mail.ru"));
	assert_null(kt_check_emails(""));
	assert_string_equal(kt_check_emails("ppe@school"),
		"must be e-mail addresses (name@domain.ru) separated by ';'");
	assert_string_equal(kt_check_emails("a@@b.ru"),
		"must be e-mail addresses (name@domain.ru) separated by ';'");
}

static void test_documents(void **state)
{
	(void)state;
	assert_int_equal(kt_doc_type_parse("1"), KT_DOC_PASSPORT_RF);
	assert_int_equal(kt_doc_type_parse("паспорт  гражданина РФ"), KT_DOC_PASSPORT_RF);
	assert_int_equal(kt_doc_type_parse("Свидетельство о рождении"), KT_DOC_BIRTH_CERT);
	assert_int_equal(kt_doc_type_parse("7"), 0);
	assert_string_equal(kt_doc_type_name(KT_DOC_BIRTH_CERT), "Свидетельство о рождении");
	/* passport of the RF */
	assert_null(kt_check_doc_series(KT_DOC_PASSPORT_RF, "4506"));
	assert_null(kt_check_doc_series(KT_DOC_PASSPORT_RF, "45 06"));
	assert_string_equal(kt_check_doc_series(KT_DOC_PASSPORT_RF, "450"),
		"must be 4 digits for a passport of the RF");
	assert_null(kt_check_doc_number(KT_DOC_PASSPORT_RF, "123456"));
	assert_string_equal(kt_check_doc_number(KT_DOC_PASSPORT_RF, "12345А"),
		"must be 6 digits for a passport of the RF");
	/* birth certificate */
	assert_null(kt_check_doc_series(KT_DOC_BIRTH_CERT, "IV-МЮ"));
	assert_null(kt_check_doc_series(KT_DOC_BIRTH_CERT, "VIII УН"));
	assert_null(kt_check_doc_series(KT_DOC_BIRTH_CERT, "ХIV-АБ")); /* Cyrillic Х */
	assert_null(kt_check_doc_series(KT_DOC_BIRTH_CERT, "IIМЮ"));
	const char *bc = "must be a roman numeral and 2 Cyrillic letters (IV-МЮ) for a birth "
		"certificate";
	assert_string_equal(kt_check_doc_series(KT_DOC_BIRTH_CERT, "IIII-МЮ"), bc);
	assert_string_equal(kt_check_doc_series(KT_DOC_BIRTH_CERT, "IV-MU"), bc);
	assert_string_equal(kt_check_doc_series(KT_DOC_BIRTH_CERT, "4-МЮ"), bc);
	assert_string_equal(kt_check_doc_series(KT_DOC_BIRTH_CERT, "IV-М"), bc);
	assert_null(kt_check_doc_number(KT_DOC_BIRTH_CERT, "256319"));
	assert_string_equal(kt_check_doc_number(KT_DOC_BIRTH_CERT, "25631"),
		"must be 6 digits for a birth certificate");
	/* international passport */
	assert_null(kt_check_doc_series(KT_DOC_PASSPORT_RF_INTL, "75"));
	assert_string_equal(kt_check_doc_number(KT_DOC_PASSPORT_RF_INTL, "123456"),
		"must be 7 digits for an international passport");
	/* foreign documents: lax */
	assert_null(kt_check_doc_series(KT_DOC_FOREIGN_PASSPORT, "AB"));
	assert_null(kt_check_doc_number(KT_DOC_FOREIGN_PASSPORT, "KZ-0123456/7"));
	assert_string_equal(kt_check_doc_number(KT_DOC_FOREIGN_PASSPORT, "12#4"),
		"may hold only letters, digits, spaces, '-', '/', '.' (at most 30)");
}

static void test_coded_values(void **state)
{
	(void)state;
	assert_int_equal(kt_parse_sex("ж", false), 2);
	assert_int_equal(kt_parse_sex("Мужской", false), 1);
	assert_int_equal(kt_parse_sex("1", false), 0); /* digits only in the interop layout */
	assert_int_equal(kt_parse_sex("1", true), 2);
	assert_int_equal(kt_parse_sex("0", true), 1);
	assert_int_equal(kt_parse_sex("М", true), 0);
	assert_int_equal(kt_form_parse("егэ"), KT_FORM_EGE);
	assert_int_equal(kt_form_parse("ЕГЭ, ГВЭ"), KT_FORM_EGE | KT_FORM_GVE);
	assert_int_equal(kt_form_parse("ЕГЭ, ВПР"), 0);
	assert_int_equal(kt_form_parse("1"), 0);
	assert_int_equal(kt_form_from_ris("1", 9), KT_FORM_OGE);
	assert_int_equal(kt_form_from_ris("1", 11), KT_FORM_EGE);
	assert_int_equal(kt_form_from_ris("3", 11), KT_FORM_EGE | KT_FORM_GVE);
	assert_int_equal(kt_form_from_ris("8", 11), 0);
	assert_int_equal(kt_category_parse("ВПЛ"), KT_CAT_PAST);
	assert_int_equal(kt_category_parse("выпускник текущего года"), KT_CAT_CURRENT);
	assert_int_equal(kt_category_parse("6"), 0);
	assert_int_equal(kt_role_parse("член гэк"), KT_ROLE_GEK);
	assert_int_equal(kt_role_parse("2"), KT_ROLE_ORG_IN);
	assert_int_equal(kt_role_parse("директор"), 0);
	assert_int_equal(kt_grade_parse("11А"), 11);
	assert_int_equal(kt_grade_parse("9 б"), 9);
	assert_int_equal(kt_grade_parse("9-B"), 9);
	assert_int_equal(kt_grade_parse("13"), 0);
	assert_int_equal(kt_grade_parse("11АБ"), 0);
	assert_int_equal(kt_grade_parse("011"), 0); /* one or two digits, as karta_grade */
	assert_int_equal(kt_grade_parse("09"), 9);
}

/* ---- records ---- */

/* A valid current-year grade 11 participant (karta layout). */
static void base_participant(struct kt_participant *p)
{
	memset(p, 0, sizeof *p);
	p->layout = KT_LAYOUT_KARTA;
	p->v[KT_P_LAST_NAME] = "Иванов";
	p->v[KT_P_FIRST_NAME] = "Пётр";
	p->v[KT_P_MIDDLE_NAME] = "Сергеевич";
	p->v[KT_P_DOC_TYPE] = "Паспорт гражданина РФ";
	p->v[KT_P_DOC_SERIES] = "4506";
	p->v[KT_P_DOC_NUMBER] = "123456";
	p->v[KT_P_SEX] = "М";
	p->v[KT_P_BIRTH_DATE] = "15.03.2007";
	p->v[KT_P_GRADE] = "11А";
	p->v[KT_P_SNILS] = "112-233-445 95";
	p->v[KT_P_SCHOOL] = "500101";
	p->v[KT_P_CATEGORY] = "Выпускник текущего года";
	p->v[KT_P_FORM] = "ЕГЭ";
	p->v[KT_P_OVZ] = "0";
}

/* One refused record: the base record with up to three values replaced (a NULL value
 * clears the field), expected to fail with exactly one error, msg, on field. */
struct rule_case {
	int nset;
	struct { int f; const char *v; } set[3];
	int field;
	const char *msg;
};

#define NCASES(a) (sizeof(a) / sizeof(a)[0])

static void apply_case(const char **v, const struct rule_case *c)
{
	for (int i = 0; i < c->nset; i++)
		v[c->set[i].f] = c->set[i].v;
}

/* Expects the n errors in e to be exactly one, msg on field. */
static void expect_only(size_t n, const struct kt_field_errors *e, int field, const char *msg)
{
	for (size_t i = 0; n != 1 && i < e->n; i++)
		fprintf(stderr, "  got: %s\n", e->e[i].msg);
	assert_int_equal(n, 1);
	assert_int_equal(e->e[0].field, field);
	assert_string_equal(e->e[0].msg, msg);
}

/* Checks p and expects exactly one error, msg; and that no field value shows in it. */
static void expect_one(const struct kt_participant *p, int field, const char *msg)
{
	struct kt_field_errors e;
	expect_only(kt_participant_check(p, &ctx, &e), &e, field, msg);
	for (int f = 0; f < KT_P_NFIELDS; f++)
		if (p->v[f] && strlen(p->v[f]) >= 4 && (f != KT_P_FORM && f != KT_P_CATEGORY &&
			f != KT_P_DOC_TYPE))
			assert_null(strstr(e.e[0].msg, p->v[f]));
}

/* Each case on a fresh base participant. */
static void expect_participant_cases(void (*base)(struct kt_participant *),
	const struct rule_case *c, size_t n)
{
	struct kt_participant p;
	for (size_t i = 0; i < n; i++) {
		base(&p);
		apply_case(p.v, &c[i]);
		expect_one(&p, c[i].field, c[i].msg);
	}
}

static void test_participant_valid(void **state)
{
	(void)state;
	struct kt_participant p;
	struct kt_field_errors e;
	base_participant(&p);
	assert_int_equal(kt_participant_check(&p, &ctx, &e), 0);
	/* a grade 9 ОГЭ participant with a birth certificate */
	p.v[KT_P_DOC_TYPE] = "2";
	p.v[KT_P_DOC_SERIES] = "II-МЮ";
	p.v[KT_P_DOC_NUMBER] = "256319";
	p.v[KT_P_GRADE] = "9";
	p.v[KT_P_FORM] = "ОГЭ";
	p.v[KT_P_BIRTH_DATE] = "01.09.2010";
	assert_int_equal(kt_participant_check(&p, &ctx, &e), 0);
	/* a graduate of past years: no grade, ЕГЭ */
	base_participant(&p);
	p.v[KT_P_CATEGORY] = "2";
	p.v[KT_P_GRADE] = NULL;
	p.v[KT_P_BIRTH_DATE] = "01.01.1990";
	assert_int_equal(kt_participant_check(&p, &ctx, &e), 0);
}

static void test_participant_field_rules(void **state)
{
	(void)state;
	static const struct rule_case cases[] = {
		{1, {{KT_P_SNILS, "112-233-445 96"}}, KT_P_SNILS,
			"«СНИЛС»: control number does not match"},
		{1, {{KT_P_LAST_NAME, " "}}, KT_P_LAST_NAME, "«Фамилия»: is required"},
		{1, {{KT_P_FIRST_NAME, "П3тр"}}, KT_P_FIRST_NAME,
			"«Имя»: may hold only letters, spaces, hyphens, apostrophes and dots"},
		{1, {{KT_P_DOC_TYPE, "Водительское удостоверение"}}, KT_P_DOC_TYPE,
			"«Тип документа»: is not a known document type (codes 1-5, "
			"9, or the names in docs/registries.md)"},
		{1, {{KT_P_DOC_SERIES, "45061"}}, KT_P_DOC_SERIES,
			"«Серия документа»: must be 4 digits for a passport of the RF"},
		{1, {{KT_P_DOC_SERIES, ""}}, KT_P_DOC_SERIES,
			"«Серия документа»: is required for this document type"},
		{1, {{KT_P_DOC_NUMBER, "12345"}}, KT_P_DOC_NUMBER,
			"«Номер документа»: must be 6 digits for a passport of the RF"},
		{1, {{KT_P_SEX, "X"}}, KT_P_SEX, "«Пол»: must be М or Ж"},
		{1, {{KT_P_BIRTH_DATE, "2007-03-15"}}, KT_P_BIRTH_DATE,
			"«Дата рождения»: must be a date дд.ММ.гггг"},
		/* a space and a Cyrillic О: not a code */
		{1, {{KT_P_SCHOOL, "50 О101"}}, KT_P_SCHOOL,
			"«Код ОО»: must be an organization code (letters, digits, '.', '_', '-'; at most 32)"},
		{1, {{KT_P_GRADE, "11АБ"}}, KT_P_GRADE,
			"«Класс»: must be a grade 1-12 with an optional letter (11А)"},
		{1, {{KT_P_CATEGORY, "Студент"}}, KT_P_CATEGORY,
			"«Категория участника»: is not a known participant category (codes 1-5)"},
		{1, {{KT_P_FORM, "ВПР"}}, KT_P_FORM,
			"«Форма ГИА»: must be ЕГЭ, ОГЭ or ГВЭ (or a list: ЕГЭ, ГВЭ)"},
		{1, {{KT_P_OVZ, "может быть"}}, KT_P_OVZ, "«ОВЗ»: must be 0 or 1"},
	};
	expect_participant_cases(base_participant, cases, NCASES(cases));
}

static void test_participant_cross_rules(void **state)
{
	(void)state;
	static const struct rule_case cases[] = {
		{3, {{KT_P_CATEGORY, "ВПЛ"}, {KT_P_GRADE, NULL}, {KT_P_FORM, "ГВЭ"}}, KT_P_FORM,
			"«Форма ГИА»: ГВЭ is only for current-year students and those "
			"retaking ГИА, not for «Выпускник прошлых лет»"},
		{1, {{KT_P_FORM, "ОГЭ, ЕГЭ"}}, KT_P_FORM,
			"«Форма ГИА»: ОГЭ and ЕГЭ cannot be combined"},
		{1, {{KT_P_FORM, "ОГЭ"}}, KT_P_GRADE, "«Класс»: must be 9 for ОГЭ"},
		{2, {{KT_P_GRADE, "9"}, {KT_P_BIRTH_DATE, "15.03.2010"}}, KT_P_GRADE,
			"«Класс»: must be 10, 11 or 12 for ЕГЭ"},
		{3, {{KT_P_GRADE, "8"}, {KT_P_FORM, "ГВЭ"}, {KT_P_BIRTH_DATE, "15.03.2011"}},
			KT_P_GRADE, "«Класс»: must be 9 to 12 for ГВЭ"},
		{1, {{KT_P_GRADE, NULL}}, KT_P_GRADE,
			"«Класс»: is required for a current-year student"},
		{1, {{KT_P_BIRTH_DATE, "15.03.2020"}}, KT_P_BIRTH_DATE,
			"«Дата рождения»: gives an implausible age (14-100 years on 01.06.2025)"},
		{3, {{KT_P_GRADE, "9"}, {KT_P_FORM, "ОГЭ"}, {KT_P_BIRTH_DATE, "15.03.1980"}},
			KT_P_BIRTH_DATE, "«Дата рождения»: gives an implausible age (11-30 years on "
			"01.06.2025 for grade 9 / ОГЭ)"},
		{1, {{KT_P_BIRTH_DATE, "15.03.2026"}}, KT_P_BIRTH_DATE,
			"«Дата рождения»: is in the future"},
	};
	expect_participant_cases(base_participant, cases, NCASES(cases));
}

static void base_ris_participant(struct kt_participant *p)
{
	memset(p, 0, sizeof *p);
	p->layout = KT_LAYOUT_RIS;
	p->v[KT_P_GUID] = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
	p->v[KT_P_DELETED] = "0";
	p->v[KT_P_LAST_NAME] = "Петрова";
	p->v[KT_P_FIRST_NAME] = "Анна";
	p->v[KT_P_DOC_SERIES] = "4506";
	p->v[KT_P_DOC_NUMBER] = "654321";
	p->v[KT_P_DOC_TYPE] = "1";
	p->v[KT_P_SEX] = "1";
	p->v[KT_P_GRADE] = "9";
	p->v[KT_P_BIRTH_DATE] = "02.02.2010";
	p->v[KT_P_OVZ] = "0";
	p->v[KT_P_CATEGORY] = "1";
	p->v[KT_P_REGION] = "50";
	p->v[KT_P_SCHOOL] = "{6F9619FF-8B86-D011-B42D-00CF4FC964FF}";
	p->v[KT_P_CREATED] = "01.10.2024 10:00:00";
	p->v[KT_P_FORM] = "1";
	p->v[KT_P_RESULTS] = "0";
	p->v[KT_P_SNILS] = "11223344595";
}

static void test_participant_ris(void **state)
{
	(void)state;
	struct kt_participant p;
	struct kt_field_errors e;
	base_ris_participant(&p);
	assert_int_equal(kt_participant_check(&p, &ctx, &e), 0);
	static const struct rule_case cases[] = {
		{1, {{KT_P_SNILS, "11223344594"}}, KT_P_SNILS,
			"«Снилс»: control number does not match"},
		{1, {{KT_P_GUID, "42"}}, KT_P_GUID, "«Guid»: must be a GUID (8-4-4-4-12 hex digits)"},
		{1, {{KT_P_DELETED, "3"}}, KT_P_DELETED,
			"«Признак удаленной строки»: must be one of 0, 1, 2, 4, 5, 6, 7, 10, 11, 12"},
		{1, {{KT_P_SEX, "Ж"}}, KT_P_SEX, "«Пол»: must be 0 (male) or 1 (female)"},
		{1, {{KT_P_FORM, "9"}}, KT_P_FORM,
			"«Форма ГИА»: must be flags 1 (ЕГЭ/ОГЭ), 2 (ГВЭ), 4 (other), 1 to 7"},
		{1, {{KT_P_CREATED, "2024-10-01T10:00:00"}}, KT_P_CREATED,
			"«Дата-время создания»: must be дд.ММ.гггг ЧЧ:мм:сс"},
		{1, {{KT_P_SCHOOL_GRAD, "not-a-guid"}}, KT_P_SCHOOL_GRAD,
			"«Guid ОО, выпускная ОО»: must be a GUID (8-4-4-4-12 hex digits)"},
		{1, {{KT_P_RESULTS, "4"}}, KT_P_RESULTS,
			"«Действующие результаты ГИА»: must be a whole number from 0 to 3"},
	};
	expect_participant_cases(base_ris_participant, cases, NCASES(cases));
	/* a deleted row is history: only its keys are checked */
	base_ris_participant(&p);
	p.v[KT_P_DELETED] = "10";
	p.v[KT_P_SNILS] = "1";
	p.v[KT_P_FORM] = "";
	assert_int_equal(kt_participant_check(&p, &ctx, &e), 0);
}

static void base_exam_point(struct kt_exam_point *p)
{
	memset(p, 0, sizeof *p);
	p->layout = KT_LAYOUT_KARTA;
	p->v[KT_E_CODE] = "0101";
	p->v[KT_E_NAME] = "МБОУ СОШ № 1";
	p->v[KT_E_ADDRESS] = "г. Энск, ул. Мира, 1";
	p->v[KT_E_MUNICIPALITY] = "01";
	p->v[KT_E_SCHOOL] = "500101";
	p->v[KT_E_CAPACITY] = "150";
	p->v[KT_E_FORM] = "ЕГЭ";
	p->v[KT_E_VIDEO] = "1";
	p->v[KT_E_EMAILS] = "ppe0101@edu.ru";
}

static void test_exam_point(void **state)
{
	(void)state;
	struct kt_exam_point p;
	struct kt_field_errors e;
	base_exam_point(&p);
	assert_int_equal(kt_exam_point_check(&p, &e), 0);
	static const struct rule_case cases[] = {
		{1, {{KT_E_CODE, "101"}}, KT_E_CODE, "«Код ППЭ»: must be 4 digits"},
		{1, {{KT_E_CAPACITY, "0"}}, KT_E_CAPACITY,
			"«Вместимость»: must be a whole number from 1 to 5000"},
		{1, {{KT_E_HOME, "1"}}, KT_E_CAPACITY,
			"«Вместимость»: must be at most 5 for a ППЭ на дому"},
		{1, {{KT_E_FORM, ""}}, KT_E_FORM, "«Форма экзамена»: is required"},
		{1, {{KT_E_MUNICIPALITY, "-mun1"}}, KT_E_MUNICIPALITY,
			"«Код МСУ»: must be an organization code (letters, digits, '.', '_', '-'; at most 32)"},
		{1, {{KT_E_EMAILS, "ppe0101"}}, KT_E_EMAILS, "«Электронная почта»: must be e-mail "
			"addresses (name@domain.ru) separated by ';'"},
		{1, {{KT_E_TOM, "иногда"}}, KT_E_TOM, "«ТОМ»: must be 0 or 1"},
	};
	for (size_t i = 0; i < NCASES(cases); i++) {
		base_exam_point(&p);
		apply_case(p.v, &cases[i]);
		expect_only(kt_exam_point_check(&p, &e), &e, cases[i].field, cases[i].msg);
	}
	/* interop */
	memset(&p, 0, sizeof p);
	p.layout = KT_LAYOUT_RIS;
	p.v[KT_E_GUID] = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
	p.v[KT_E_DELETED] = "0";
	p.v[KT_E_CODE] = "101";
	p.v[KT_E_NAME] = "МБОУ СОШ № 1";
	p.v[KT_E_ADDRESS] = "г. Энск";
	p.v[KT_E_MUNICIPALITY] = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
	p.v[KT_E_UPDATED] = "01.10.2024 10:00:00";
	assert_int_equal(kt_exam_point_check(&p, &e), 0);
	p.v[KT_E_MUNICIPALITY] = ""; /* optional: karta exports rows it made without it */
	assert_int_equal(kt_exam_point_check(&p, &e), 0);
	p.v[KT_E_MUNICIPALITY] = "mun1";
	expect_only(kt_exam_point_check(&p, &e), &e, KT_E_MUNICIPALITY,
		"«Guid МСУ, к которому относится ППЭ»: must be a GUID (8-4-4-4-12 hex digits)");
}

static void base_auditorium(struct kt_auditorium *a)
{
	memset(a, 0, sizeof *a);
	a->v[KT_A_PPE] = "0101";
	a->v[KT_A_CODE] = "0012";
	a->v[KT_A_ROWS] = "5";
	a->v[KT_A_SEATS] = "3";
	a->v[KT_A_OVZ] = "0";
}

static void test_auditorium(void **state)
{
	(void)state;
	struct kt_auditorium a;
	struct kt_field_errors e;
	base_auditorium(&a);
	assert_int_equal(kt_auditorium_check(&a, &e), 0);
	static const struct rule_case cases[] = {
		{1, {{KT_A_CODE, "12"}}, KT_A_CODE, "«Код аудитории»: must be 4 digits or letters"},
		{1, {{KT_A_ROWS, "0"}}, KT_A_ROWS,
			"«Количество рядов»: must be a whole number from 1 to 50"},
		{1, {{KT_A_SEATS, "51"}}, KT_A_SEATS,
			"«Количество мест в ряду»: must be a whole number from 1 to 50"},
		{2, {{KT_A_ROWS, "40"}, {KT_A_SEATS, "20"}}, KT_A_SEATS,
			"«Количество мест в ряду»: rows × seats must be at most 500"},
		{1, {{KT_A_UNUSABLE, "15"}}, KT_A_UNUSABLE,
			"«Непригодные места»: must leave at least one usable seat (rows × seats)"},
		{1, {{KT_A_PPE, ""}}, KT_A_PPE, "«Код ППЭ»: is required"},
		{1, {{KT_A_LAB, "лаборатория"}}, KT_A_LAB, "«Лаборатория»: must be 0 or 1"},
	};
	for (size_t i = 0; i < NCASES(cases); i++) {
		base_auditorium(&a);
		apply_case(a.v, &cases[i]);
		expect_only(kt_auditorium_check(&a, &e), &e, cases[i].field, cases[i].msg);
	}
}

static void base_staff(struct kt_staff *s)
{
	memset(s, 0, sizeof *s);
	s->v[KT_S_CODE] = "000123";
	s->v[KT_S_LAST_NAME] = "Сидорова";
	s->v[KT_S_FIRST_NAME] = "Мария";
	s->v[KT_S_DOC_TYPE] = "1";
	s->v[KT_S_DOC_SERIES] = "4510";
	s->v[KT_S_DOC_NUMBER] = "111222";
	s->v[KT_S_BIRTH_DATE] = "10.10.1975";
	s->v[KT_S_ROLE] = "Организатор в аудитории";
	s->v[KT_S_PPE] = "0101";
}

static void test_staff(void **state)
{
	(void)state;
	struct kt_staff s;
	struct kt_field_errors e;
	base_staff(&s);
	assert_int_equal(kt_staff_check(&s, &ctx, &e), 0);
	static const struct rule_case cases[] = {
		{1, {{KT_S_CODE, "123"}}, KT_S_CODE, "«Код работника»: must be 6 digits"},
		{1, {{KT_S_ROLE, "Директор"}}, KT_S_ROLE, "«Роль в ППЭ»: is not a known role in the "
			"ППЭ (codes 1-7 or the names in docs/registries.md)"},
		{1, {{KT_S_BIRTH_DATE, "10.10.2015"}}, KT_S_BIRTH_DATE,
			"«Дата рождения»: gives an implausible age (16-100 years)"},
		{1, {{KT_S_PPE, "11"}}, KT_S_PPE, "«Код ППЭ»: must be 4 digits"},
		{1, {{KT_S_SEX, "?"}}, KT_S_SEX, "«Пол»: must be М or Ж"},
		{1, {{KT_S_SNILS, "123"}}, KT_S_SNILS, "«СНИЛС»: must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)"},
	};
	for (size_t i = 0; i < NCASES(cases); i++) {
		base_staff(&s);
		apply_case(s.v, &cases[i]);
		expect_only(kt_staff_check(&s, &ctx, &e), &e, cases[i].field, cases[i].msg);
	}
}

static void test_errors_capped(void **state)
{
	(void)state;
	struct kt_participant p = {.layout = KT_LAYOUT_KARTA};
	struct kt_field_errors e;
	/* everything blank: each required field fails once */
	size_t n = kt_participant_check(&p, &ctx, &e);
	assert_true(n >= 8 && n <= KT_FIELD_ERRORS_MAX);
	assert_false(e.more);
	assert_string_equal(e.e[0].msg, "«Код ОО»: is required");
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_snils),
	cmocka_unit_test(test_dates),
	cmocka_unit_test(test_birth),
	cmocka_unit_test(test_guid_codes_flags),
	cmocka_unit_test(test_names_emails),
	cmocka_unit_test(test_documents),
	cmocka_unit_test(test_coded_values),
	cmocka_unit_test(test_participant_valid),
	cmocka_unit_test(test_participant_field_rules),
	cmocka_unit_test(test_participant_cross_rules),
	cmocka_unit_test(test_participant_ris),
	cmocka_unit_test(test_exam_point),
	cmocka_unit_test(test_auditorium),
	cmocka_unit_test(test_staff),
	cmocka_unit_test(test_errors_capped))
