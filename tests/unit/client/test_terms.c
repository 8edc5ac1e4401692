/* terms (client/terms.c) and the Russian catalogue it reads: in English the identifiers
 * themselves; in Russian the field's words, the same English word by kind ("draft": a plan's
 * «проект», a report's «черновик»); the three plural forms; every item status a table shows
 * is accepted back as input by `karta item status` (report_parse.c). The catalogue is the
 * build tree's (build/locale, found next to the test binary by kt_i18n_init). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "../common/i18n_fixture.h"
#include "kt_i18n.h"
#include "replica.h"
#include "report_parse.h"
#include "terms.h"

static void test_english_keeps_identifiers(void **state)
{
	(void)state;
	i18n_fixture_lang("C.UTF-8");
	assert_false(kt_i18n_russian());
	assert_string_equal(terms_word(TERMS_PLAN_STATUS, "draft"), "draft");
	assert_string_equal(terms_word(TERMS_ITEM_STATUS, "in_progress"), "in_progress");
	assert_string_equal(terms_word(TERMS_LEVEL, "municipality"), "municipality");
	assert_string_equal(terms_q("item|updated"), "updated");
	assert_string_equal(terms_q("no context"), "no context");
	assert_string_equal(P_("%ld item", "%ld items", 1), "%ld item");
	assert_string_equal(P_("%ld item", "%ld items", 3), "%ld items");
}

static void test_russian_terms(void **state)
{
	(void)state;
	i18n_fixture_lang("ru_RU.UTF-8");
	if (!kt_i18n_russian())
		skip(); /* no ru_RU.UTF-8 on this machine: deploy/install-deps.sh makes it */
	static const struct {
		enum terms_kind kind;
		const char *word, *term;
	} cases[] = {
		{TERMS_PLAN_STATUS, "draft", "проект"},
		{TERMS_PLAN_STATUS, "approved", "утверждён"},
		{TERMS_REPORT_STATE, "draft", "черновик"},
		{TERMS_REPORT_STATE, "returned", "на доработке"},
		{TERMS_REPORT_STATE, "missing", "не представлен"},
		{TERMS_ITEM_STATUS, "not_reported", "нет отчёта"},
		{TERMS_ITEM_STATUS, "done", "выполнено"},
		{TERMS_LEVEL, "school", "ОО"},
		{TERMS_OVERDUE_KIND, "request", "отчёт"},
		{TERMS_YES_NO, "no", "нет"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(terms_word(cases[i].kind, cases[i].word), cases[i].term);
	/* unknown words and NULL pass through */
	assert_string_equal(terms_word(TERMS_PLAN_STATUS, "someday"), "someday");
	assert_null(terms_word(TERMS_PLAN_STATUS, NULL));
	assert_string_equal(terms_q("item|updated"), "изменено");
	/* the three plural forms */
	static const struct {
		long n;
		const char *form;
	} plural[] = {{1, "%ld мероприятие"}, {3, "%ld мероприятия"}, {5, "%ld мероприятий"},
		{11, "%ld мероприятий"}, {21, "%ld мероприятие"}, {22, "%ld мероприятия"},
		{0, "%ld мероприятий"}};
	for (size_t i = 0; i < sizeof plural / sizeof plural[0]; i++)
		assert_string_equal(P_("%ld item", "%ld items", plural[i].n), plural[i].form);
}

/* What a table shows as an item's status can be typed back. */
/* Every kind of the replica (REPLICA_KINDS, the one list) has its word: a kind added there
 * without one in terms.c fails here. */
static void test_every_replica_kind_has_a_word(void **state)
{
	(void)state;
	i18n_fixture_lang("ru_RU.UTF-8");
	if (!kt_i18n_russian())
		skip();
	for (int k = 0; k < REPLICA_NKINDS; k++) {
		const char *name = replica_kind_name((enum replica_kind)k);
		const char *word = terms_word(TERMS_DATA_KIND, name);
		if (strcmp(word, name) == 0)
			fail_msg("replica kind '%s' has no word in client/terms.c", name);
	}
}

static void test_statuses_round_trip(void **state)
{
	(void)state;
	i18n_fixture_lang("ru_RU.UTF-8");
	if (!kt_i18n_russian())
		skip();
	static const char *const statuses[] = {"not_started", "in_progress", "done",
		"not_applicable", "blocked"};
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		const char *shown = terms_word(TERMS_ITEM_STATUS, statuses[i]);
		const char *back = report_status_word(shown);
		if (!back || strcmp(back, statuses[i]) != 0)
			fail_msg("«%s» (%s) is not accepted back: %s", shown, statuses[i],
				back ? back : "NULL");
	}
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_english_keeps_identifiers),
	cmocka_unit_test(test_russian_terms),
	cmocka_unit_test(test_every_replica_kind_has_a_word),
	cmocka_unit_test(test_statuses_round_trip))
