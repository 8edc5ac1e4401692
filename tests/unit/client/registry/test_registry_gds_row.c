/* registry_gds_row (client/registry/registry_gds_row.c): a replica row's JSON payload read in
 * one pass must read as jansson reads it — every key's value json_equal to jansson's, the
 * text of strings (escapes, \u escapes and surrogate pairs, raw UTF-8), numbers, literals,
 * nested objects and arrays (with brackets and quotes inside strings), duplicate keys (the
 * last wins), white space — and a text jansson refuses is refused (not an object, cut
 * short, a trailing comma or word, \u0000, a lone surrogate, a raw control character, bytes
 * that are not UTF-8 or an overlong form, a leading zero, a number too large); a
 * row of more keys than the pass holds goes to jansson whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../kt_unit.h"

#include "registry_gds_row.h"

/* text read both ways: the same keys, the same values. */
static void same(struct gds_row *r, const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, 0, &e);
	int rc = gds_row_parse(r, text, strlen(text));
	if (!json_is_object(o)) {
		if (rc != -1)
			fail_msg("taken, though jansson refuses it: %s", text);
		json_decref(o);
		return;
	}
	if (rc != 0)
		fail_msg("refused, though jansson takes it: %s", text);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		const json_t *g = gds_row_get(r, key);
		if (!g || !json_equal(g, v))
			fail_msg("key %s of %s differs", key, text);
		assert_string_equal(gds_row_str(r, key), json_is_string(v) ? json_string_value(v) : "");
		assert_int_equal(gds_row_set(r, key), !json_is_null(v) &&
			!(json_is_string(v) && !*json_string_value(v)));
	}
	assert_null(gds_row_get(r, "no such key"));
	assert_string_equal(gds_row_str(r, "no such key"), "");
	assert_false(gds_row_set(r, "no such key"));
	json_decref(o);
}

static void test_same_as_jansson(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"{\"id\": \"1a060188-aefc-9d73-1f95-0de90e8f54d1\", \"extra\": null, \"org_id\": 293,"
		" \"exam_id\": \"cd3dc8b6-cffb-41e4-163d-cbd857ca87da\", \"created_at\":"
		" \"2026-12-06T18:20:46.235154+00:00\", \"deleted_at\": null, \"row_version\": 1,"
		" \"deleted_reason\": \"\", \"participant_id\": \"1bdcaea0-b99c-fcca-def0-d4eff8a56af5\"}",
		"{\"surname\": \"Иванова\", \"name\": \"\\u041c\\u0430\\u0440\\u0438\\u044f\","
		" \"smile\": \"\\ud83d\\ude00\", \"e\": \"\\u00e9\", \"esc\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\tz\"}",
		"{\"a\": 0, \"b\": -12, \"c\": 123456789012345678, \"d\": 1234567890123456789,"
		" \"f\": 1.5, \"g\": -2e3, \"h\": 0.25E+2, \"t\": true, \"u\": false, \"n\": null}",
		"{\"extra\": {\"A\": \"x}\", \"B\": [1, \"]\", {\"c\": \"\\\"]\"}], \"_unknown\": [[\"Q\", \"v\"]]},"
		" \"roles\": [\"organizer_in\"], \"e\": [], \"o\": {}, \"z\": 1}",
		"{\"a\": 1, \"a\": \"two\"}",
		"  {\n\t\"a\" :\t1 ,\r\n \"b\":\"x\"  }  ",
		"{}",
		"{\"k\\u0041y\": \"key with an escape\", \"\": \"empty key\"}",
		"[1]", "\"s\"", "", "{", "{\"a\":}", "{\"a\": 1,}", "{\"a\": 1} x", "{\"a\": 1 \"b\": 2}",
		"{\"a\": \"\\u0000\"}", "{\"a\": \"\\ud800\"}", "{\"a\": \"\\udc00\"}", "{\"a\": \"x\ny\"}",
		"{\"a\": \"\\x\"}", "{\"a\": \"\\u12\"}", "{\"a\": tru}", "{\"a\": -}", "{\"a\": [1, 2}",
		"{\"a\": \"unterminated}", "{a: 1}",
		"{\"a\": \"\xC0\xAF\"}", "{\"a\": \"\xED\xA0\x80\"}", "{\"\x8d\": 1}", "{\"a\": \"\xF4\x90\x80\x80\"}",
		"{\"a\": \"\xE2\x82\"}", "{\"a\": [\"\xff\"]}", "{\"a\": 01}", "{\"a\": -0}", "{\"a\": 1e999}",
		"{\"a\": 12345678901234567890123}", "{\"a\": \"\xF0\x9F\x98\x80 \xE2\x82\xAC\"}",
	};
	struct gds_row r = {0};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		same(&r, texts[i]);
	gds_row_free(&r);
}

/* More keys than the pass holds: jansson reads it whole, the same values come back. */
static void test_many_keys(void **state)
{
	(void)state;
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text, "{");
	for (int i = 0; i < GDS_ROW_MAX_KEYS + 10; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s\"k%d\": \"v%d\"", i ? ", " : "", i, i);
	snprintf(text + n, sizeof text - n, "}");
	struct gds_row r = {0};
	same(&r, text);
	assert_string_equal(gds_row_str(&r, "k100"), "v100");
	gds_row_free(&r);
}

/* An organization of the server's table: a jansson object's values, borrowed. */
static void test_of_json(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s, s:s, s:[[s,s]]}", "guid", "g-1", "deleted", "",
		"gds_extra", "Element", "text");
	struct gds_row r = {0};
	gds_row_of_json(&r, o);
	assert_string_equal(gds_row_str(&r, "guid"), "g-1");
	assert_false(gds_row_set(&r, "deleted"));
	assert_ptr_equal(gds_row_get(&r, "gds_extra"), json_object_get(o, "gds_extra"));
	/* parsed again: what the row held is let go, the object is not */
	assert_int_equal(gds_row_parse(&r, "{\"x\": [1]}", 10), 0);
	assert_int_equal(json_integer_value(json_array_get(gds_row_get(&r, "x"), 0)), 1);
	gds_row_free(&r);
	assert_int_equal(json_array_size(json_object_get(o, "gds_extra")), 1);
	json_decref(o);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_same_as_jansson),
	cmocka_unit_test(test_many_keys),
	cmocka_unit_test(test_of_json))
