/* report_parse (client/report_parse.c): status words in English and Russian, evidence text
 * («Приказ №12 от 01.10.2023») to the evidence object of docs/reports.md, dates that are
 * not days refused, and the shortening of timestamps for the roll-up tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "report_parse.h"

static void test_status_words(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"done", "done"}, {"DONE", "done"}, {"in_progress", "in_progress"},
		{"in-progress", "in_progress"}, {"in progress", "in_progress"},
		{"not_started", "not_started"}, {"not_applicable", "not_applicable"},
		{"blocked", "blocked"}, {"выполнено", "done"}, {"Выполнено", "done"},
		{"СДЕЛАНО", "done"}, {"в работе", "in_progress"}, {"В работе", "in_progress"},
		{"не начато", "not_started"}, {"Не_начато", "not_started"},
		{"не требуется", "not_applicable"}, {"заблокировано", "blocked"},
		{"исполнено", "done"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = report_status_word(cases[i][0]);
		if (!got || strcmp(got, cases[i][1]) != 0)
			fail_msg("'%s': expected %s, got %s", cases[i][0], cases[i][1],
				got ? got : "NULL");
	}
	static const char *const bad[] = {"", "finished", "done!", "12", "не", "выполнено 1",
		"\xff\xfe", "not__started x", NULL};
	for (size_t i = 0; bad[i]; i++)
		if (report_status_word(bad[i]))
			fail_msg("'%s' must not be a status", bad[i]);
	assert_null(report_status_word(NULL));
}

/* Parses text, expects success and the four fields. */
static void doc_ok(const char *text, const char *kind, const char *number, const char *date,
	const char *title)
{
	struct report_doc d;
	char err[256] = "";
	if (report_parse_document(text, &d, err, sizeof err) != 0)
		fail_msg("'%s': refused: %s", text, err);
	if (strcmp(d.kind, kind) || strcmp(d.number, number) || strcmp(d.date, date) ||
	    strcmp(d.title, title))
		fail_msg("'%s': got kind '%s' number '%s' date '%s' title '%s'", text, d.kind,
			d.number, d.date, d.title);
}

static void test_documents(void **state)
{
	(void)state;
	doc_ok("Приказ №12 от 01.10.2023", "приказ", "12", "2023-10-01", "Приказ №12 от 01.10.2023");
	doc_ok("  приказ УО № 45-р от 1 октября 2023 г.  ", "приказ", "45-р", "2023-10-01",
		"приказ УО № 45-р от 1 октября 2023 г.");
	doc_ok("Распоряжение № 01-08/1 от 2026-09-01", "распоряжение", "01-08/1", "2026-09-01",
		"Распоряжение № 01-08/1 от 2026-09-01");
	doc_ok("Протокол N 3 от 5.3.24", "протокол", "3", "2024-03-05", "Протокол N 3 от 5.3.24");
	doc_ok("Протокол No. 7, 29.02.2024", "протокол", "7", "2024-02-29",
		"Протокол No. 7, 29.02.2024");
	doc_ok("Письмо #15", "письмо", "15", "", "Письмо #15");
	doc_ok("Отчёт от 15 декабря 2026", "отчет", "", "2026-12-15", "Отчёт от 15 декабря 2026");
	doc_ok("№12 от 01.10.2023", "", "12", "2023-10-01", "№12 от 01.10.2023");
	/* not a reference: the title only */
	doc_ok("Справка о проведении собрания", "", "", "", "Справка о проведении собрания");
	doc_ok("Письмо от министерства", "", "", "", "Письмо от министерства");
	/* a date right after «от» wins over an earlier-looking number */
	doc_ok("Приказ № 2023-15 от 02.11.2023", "приказ", "2023-15", "2023-11-02",
		"Приказ № 2023-15 от 02.11.2023");
}

static void doc_bad(const char *text, const char *reason)
{
	struct report_doc d;
	char err[256] = "";
	if (report_parse_document(text, &d, err, sizeof err) == 0)
		fail_msg("'%s' must be refused", text);
	if (!strstr(err, reason))
		fail_msg("'%s': reason '%s' does not say '%s'", text, err, reason);
}

static void test_documents_refused(void **state)
{
	(void)state;
	doc_bad("Приказ №12 от 31.02.2023", "'31.02.2023' is not a day");
	doc_bad("Приказ №12 от 29.02.2023", "is not a day");
	doc_bad("Приказ от 2023-13-01", "'2023-13-01' is not a day");
	doc_bad("Приказ от 32 января 2024", "is not a day");
	doc_bad("   ", "empty");
	doc_bad(NULL, "empty");
	char *long_text = malloc(1200 * 2 + 1);
	assert_non_null(long_text);
	for (int i = 0; i < 1001; i++)
		memcpy(long_text + 2 * i, "я", 2);
	long_text[2 * 1001] = '\0';
	doc_bad(long_text, "longer than 1000");
	long_text[2 * 1000] = '\0'; /* exactly 1000 characters: fine */
	struct report_doc d;
	char err[128];
	assert_int_equal(report_parse_document(long_text, &d, err, sizeof err), 0);
	free(long_text);
	/* bytes that are not UTF-8 are replaced, never passed on */
	assert_int_equal(report_parse_document("Приказ \xff №1", &d, err, sizeof err), 0);
	assert_string_equal(d.title, "Приказ \xEF\xBF\xBD №1");
}

/* e dumped compact with sorted keys is want; e is released. */
static void expect_json_then_free(json_t *e, const char *want)
{
	char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, want);
	free(s);
	json_decref(e);
}

static void test_evidence_json(void **state)
{
	(void)state;
	bool oom;
	assert_null(report_evidence_json(NULL, NULL, -1, NULL, 0, &oom));
	assert_false(oom);
	struct report_doc d;
	char err[64];
	assert_int_equal(report_parse_document("Приказ №12 от 01.10.2023", &d, err, sizeof err), 0);
	const char *recs[] = {"a1", "b2"};
	json_t *e = report_evidence_json(&d, "docs/2023/prikaz-12.pdf", 25, recs, 2, &oom);
	assert_non_null(e);
	expect_json_then_free(e,
		"{\"attachment\":{\"name\":\"prikaz-12.pdf\",\"ref\":\"docs/2023/prikaz-12.pdf\"},"
		"\"count\":25,\"document\":{\"date\":\"2023-10-01\",\"kind\":\"приказ\","
		"\"number\":\"12\",\"title\":\"Приказ №12 от 01.10.2023\"},\"records\":[\"a1\",\"b2\"]}");
	/* a title-only document; count 0 is a count */
	assert_int_equal(report_parse_document("Справка", &d, err, sizeof err), 0);
	expect_json_then_free(report_evidence_json(&d, NULL, 0, NULL, 0, &oom),
		"{\"count\":0,\"document\":{\"title\":\"Справка\"}}");
	/* an attachment that is a URL: the name is its last part */
	expect_json_then_free(report_evidence_json(NULL, "https://disk.example/d/abc/", -1, NULL, 0,
		&oom), "{\"attachment\":{\"name\":\"abc\",\"ref\":\"https://disk.example/d/abc/\"}}");
}

static void expect_short_time(const char *in, bool local, const char *want)
{
	char b[32];
	report_short_time(in, local, b, sizeof b);
	assert_string_equal(b, want);
}

static void test_short_time(void **state)
{
	(void)state;
	expect_short_time("2026-11-24 10:15:03.123456+03", false, "2026-11-24 10:15");
	expect_short_time("2026-11-24T10:15:03Z", false, "2026-11-24 10:15");
	expect_short_time("", false, "");
	expect_short_time("2026-11-24", false, "2026-11-24");
	expect_short_time(NULL, false, "");
	/* for a Russian reader: local time as people write it, with the zone */
	setenv("TZ", "Europe/Moscow", 1);
	tzset();
	expect_short_time("2026-11-24 10:15:03.123456+03", true, "24.11.2026 10:15 MSK");
	expect_short_time("2026-11-24T07:15:03Z", true, "24.11.2026 10:15 MSK");
	expect_short_time("2026-11-24", true, "24.11.2026");
	expect_short_time("не время", true, "не время");
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_status_words),
	cmocka_unit_test(test_documents),
	cmocka_unit_test(test_documents_refused),
	cmocka_unit_test(test_evidence_json),
	cmocka_unit_test(test_short_time))
