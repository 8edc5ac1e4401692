/* kt_rule_words: the words of the C person rules (common/registry: kt_check_name,
 * kt_check_snils) over values, for t_registry_rows_checks, which holds the database's checks of a
 * registry_rows op's rows (karta_rows_name_why, karta_rows_snils_why,
 * sql/functions/35_upload_rows.sql) to them word for word.
 *
 * stdin: one JSON array a line, ["name" | "snils", VALUE] (a JSON string: any character,
 * white space at the ends included). stdout: ["RULE", VALUE, WHY] a line, WHY the C check's
 * message or null when it passes (compact JSON: one line each). A line that is not such an
 * array is an error (exit 2). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_validate.h"

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0;
	while (getline(&line, &cap, stdin) >= 0) {
		lineno++;
		json_t *in = json_loads(line, 0, NULL);
		const char *rule = json_string_value(json_array_get(in, 0));
		const char *v = json_string_value(json_array_get(in, 1));
		if (!rule || !v || (strcmp(rule, "name") && strcmp(rule, "snils"))) {
			fprintf(stderr, "kt_rule_words: line %d: not [\"name\" | \"snils\", text]\n", lineno);
			json_decref(in);
			free(line);
			return 2;
		}
		const char *why = strcmp(rule, "name") == 0 ? kt_check_name(v) : kt_check_snils(v);
		json_t *out = json_pack("[s,O,s?]", rule, json_array_get(in, 1), why);
		char *s = out ? json_dumps(out, JSON_COMPACT) : NULL;
		if (s)
			puts(s);
		free(s);
		json_decref(out);
		json_decref(in);
	}
	free(line);
	return 0;
}
