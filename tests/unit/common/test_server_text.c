/* kt_server_text: a server's English text matched against templates and rendered in the
 * user's words. Over a table of its own: arguments with spaces, templates sharing a prefix
 * (the more specific wins), positional arguments, nested texts and words, unknown text
 * returned as it is (the same pointer), a template without a translation, invalid UTF-8
 * and a small buffer. Over the generated table and the build tree's catalogue: real
 * refusals in Russian, and byte-identical English outside a Russian locale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "i18n_fixture.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

/* Most specific first, as po/server_texts.py orders them. */
static const struct kt_stext tab[] = {
	{"plan %s is %s: its text is read-only", 2},
	{"no write access to plan %s", 1},
	{"no write access to %s", 1},
	{"dry run: %s", 1},
	{"point %s, rooms: %s assigned, %s unassigned", 3},
	{"fill 100%% of %s", 1},
	{"untranslated %s", 1},
	{"approved", 0},
	{"locked", 0},
};

static const char *tr(const char *id)
{
	static const char *const map[][2] = {
		{"plan %s is %s: its text is read-only", "план %1$s — %2$s: текст не изменить"},
		{"no write access to plan %s", "нет права изменять план %s"},
		{"no write access to %s", "нет права изменять: %s"},
		{"dry run: %s", "пробный запуск: %s"},
		{"point %s, rooms: %s assigned, %s unassigned", "ППЭ %s: снято %3$s, назначено %2$s"},
		{"fill 100%% of %s", "заполнено 100%% из %s"},
		{"approved", "утверждён"},
		{"locked", "планирование закрыто"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i][0], id) == 0)
			return map[i][1];
	return id;
}

static const char *say(const char *text, char *buf, size_t n)
{
	return kt_server_text_with(tab, sizeof tab / sizeof tab[0], tr, text, buf, n);
}

static void test_args(void **state)
{
	(void)state;
	char buf[256];
	/* an argument with spaces and a colon of its own */
	assert_string_equal(say("no write access to plan План школы № 5: 2024", buf, sizeof buf),
		"нет права изменять план План школы № 5: 2024");
	/* reordered by position; the state is a word of its own */
	assert_string_equal(say("plan 1f2e is approved: its text is read-only", buf, sizeof buf),
		"план 1f2e — утверждён: текст не изменить");
	assert_string_equal(say("point 0101, rooms: 3 assigned, 0 unassigned", buf, sizeof buf),
		"ППЭ 0101: снято 0, назначено 3");
	/* nested: the summary after "dry run: " is itself a server text */
	assert_string_equal(say("dry run: point 7, rooms: 1 assigned, 2 unassigned", buf, sizeof buf),
		"пробный запуск: ППЭ 7: снято 2, назначено 1");
	assert_string_equal(say("locked", buf, sizeof buf), "планирование закрыто");
	/* a literal percent in the template */
	assert_string_equal(say("fill 100% of 12", buf, sizeof buf), "заполнено 100% из 12");
	/* an empty argument */
	assert_string_equal(say("no write access to plan ", buf, sizeof buf), "нет права изменять план ");
}

static void test_shared_prefix(void **state)
{
	(void)state;
	char buf[256];
	/* "no write access to plan %s" is tried before the shorter "no write access to %s" */
	assert_string_equal(say("no write access to plan 42", buf, sizeof buf), "нет права изменять план 42");
	assert_string_equal(say("no write access to this participant", buf, sizeof buf),
		"нет права изменять: this participant");
}

static void test_unknown(void **state)
{
	(void)state;
	char buf[256];
	const char *t = "something the server never wrote";
	assert_ptr_equal(say(t, buf, sizeof buf), t);
	/* anchored: a template inside a longer text is not a match */
	t = "note: no write access to plan 42";
	assert_ptr_equal(say(t, buf, sizeof buf), t);
	t = "plan 1 is approved: its text is read-only, really";
	assert_ptr_equal(say(t, buf, sizeof buf), t);
	/* a template without a translation keeps the whole text */
	t = "untranslated 42";
	assert_ptr_equal(say(t, buf, sizeof buf), t);
	assert_string_equal(say(NULL, buf, sizeof buf), "");
	t = "locked"; /* no room to render into: the text as it is */
	assert_ptr_equal(say(t, NULL, 0), t);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	char buf[256];
	/* bytes that are not UTF-8 inside an argument come out as U+FFFD, never half a letter */
	const char *out = say("no write access to plan \xff\xd0", buf, sizeof buf);
	assert_string_equal(out, "нет права изменять план \xef\xbf\xbd\xef\xbf\xbd");
	/* not matching: returned as it is, untouched */
	const char *raw = "\xd0\xd0\xff garbage \xc3";
	assert_ptr_equal(say(raw, buf, sizeof buf), raw);
	/* a small buffer is cut at a letter's boundary and stays NUL-terminated */
	char small[12];
	out = say("no write access to plan 1", small, sizeof small);
	assert_true(strlen(out) < sizeof small);
	assert_string_equal(out, "нет пр"); /* 11 bytes: 5 letters of 2 and a space */
}

static void test_catalogue(void **state)
{
	(void)state;
	char buf[512];
	const char *t = "no write access to plan 5d3c2b1a";
	i18n_fixture_lang("C.UTF-8");
	assert_ptr_equal(kt_server_text(t, buf, sizeof buf), t); /* English: the same bytes */
	i18n_fixture_lang("ru_RU.UTF-8");
	if (!kt_i18n_russian())
		skip(); /* no ru_RU.UTF-8 on this machine: deploy/install-deps.sh makes it */
	assert_true(kt_server_texts_n > 100);
	assert_string_equal(kt_server_text(t, buf, sizeof buf), "нет права изменять план 5d3c2b1a");
	assert_string_equal(kt_server_text("plan 9 is approved: its text is read-only", buf, sizeof buf),
		"план 9 — утверждён: его текст изменять нельзя");
	assert_string_equal(kt_server_text("dry run: distributed 3, not distributed 0 (ОВЗ 0), same-day 0, "
		"added 3, removed 0", buf, sizeof buf),
		"пробный запуск: распределено: 3, не распределено: 0 (с ОВЗ: 0), экзамены в один день: 0, "
		"добавлено: 3, снято: 0");
	assert_string_equal(kt_server_text("no deadline recognised", buf, sizeof buf), "срок не распознан");
	/* every template the generator wrote matches its own text with arguments filled in */
	for (size_t i = 0; i < kt_server_texts_n; i++) {
		char text[512], *o = text;
		for (const char *c = kt_server_texts[i].msgid; *c && o < text + sizeof text - 4; c++) {
			if (c[0] == '%' && c[1] == 's')
				o += (size_t)(stpcpy(o, "7") - o), c++;
			else if (c[0] == '%' && c[1] == '%')
				*o++ = '%', c++;
			else
				*o++ = *c;
		}
		*o = '\0';
		if (kt_server_text(text, buf, sizeof buf) == text)
			fail_msg("template %zu '%s' left '%s' in English", i, kt_server_texts[i].msgid, text);
	}
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_args),
	cmocka_unit_test(test_shared_prefix),
	cmocka_unit_test(test_unknown),
	cmocka_unit_test(test_invalid_utf8),
	cmocka_unit_test(test_catalogue))
