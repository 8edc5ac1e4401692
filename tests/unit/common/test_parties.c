/* kt_parties: responsible and target cells from the seed documents → party kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_parties.h"

static char *levels(const char *text)
{
	static char out[256];
	json_t *j = kt_parties_responsible(text);
	json_t *l = json_object_get(j, "levels");
	out[0] = '\0';
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v) {
		if (i)
			strcat(out, ",");
		strcat(out, json_string_value(v));
	}
	json_decref(j);
	return out;
}

static void test_responsible(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"РЦОИ", "region_body"},
		{"ГКУ КЦМКО, ИРОК", "region_body"},
		{"УО, ИМЦ", "municipal_body"},
		{"Управление образования", "municipal_body"},
		{"Управление образованием, руководители ОО", "municipal_body,all_schools"},
		{"Руководители ОО", "all_schools"},
		{"МОУ", "all_schools"},
		{"общеобразовательные организации", "all_schools"},
		{"Отдел оценки качества образования", "unit"},
		{"МОУ «СОШ№3», МОУ «СОШ№32»", "school"},
		{"Министерство образования Кузбасса, ГЭК", "region_body"},
		{"", ""},
		{"Плотникова Т.А.", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = levels(cases[i].text);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].text, got, cases[i].want);
	}
}

static void test_targets(void **state)
{
	json_t *j = kt_parties_targets("Кластер 4 – ШНРО; кластер 5");
	json_t *g = json_object_get(j, "groups");
	assert_int_equal(json_array_size(g), 2);
	assert_string_equal(json_string_value(json_array_get(g, 0)), "кластер 4");
	assert_false(json_is_true(json_object_get(j, "all_schools")));
	json_decref(j);
	j = kt_parties_targets("Все ОО");
	assert_true(json_is_true(json_object_get(j, "all_schools")));
	json_decref(j);
	j = kt_parties_targets(NULL);
	assert_int_equal(json_array_size(json_object_get(j, "groups")), 0);
	json_decref(j);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_responsible),
	cmocka_unit_test(test_targets))
