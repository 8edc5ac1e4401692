/* op_words: a queued op's summary and kind in the user's words — in Russian through the
 * build tree's catalogue, in English byte for byte as the outbox stores them; a record op
 * by its kind; what is not a known summary as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "../../common/i18n_fixture.h"
#include "kt_i18n.h"
#include "op_words.h"

static void test_english(void **state)
{
	(void)state;
	i18n_fixture_lang("C.UTF-8");
	char b[256];
	const char *s = "item add 1.1 «Собрания»";
	assert_ptr_equal(op_words_summary(s, b, sizeof b), s);
	assert_string_equal(op_words_kind("registry_put"), "registry_put");
}

static void test_russian(void **state)
{
	(void)state;
	i18n_fixture_lang("ru_RU.UTF-8");
	if (!kt_i18n_russian())
		skip(); /* no ru_RU.UTF-8 on this machine: deploy/install-deps.sh makes it */
	char b[256];
	assert_string_equal(op_words_summary("item add 1.1 «Собрания, совещания»", b, sizeof b),
		"мероприятие: добавление 1.1 «Собрания, совещания»");
	assert_string_equal(op_words_summary("conflict 4f2a: keep mine", b, sizeof b),
		"конфликт 4f2a: оставить моё");
	assert_string_equal(op_words_summary("registry_put 7c1d-0e", b, sizeof b), "запись реестра 7c1d-0e");
	assert_string_equal(op_words_kind("item add"), "мероприятие: добавление");
	assert_string_equal(op_words_kind("exam_seat"), "рассадка");
	const char *s = "something else";
	assert_ptr_equal(op_words_summary(s, b, sizeof b), s);
	assert_string_equal(op_words_kind("unknown_kind"), "unknown_kind");
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_english),
	cmocka_unit_test(test_russian))
