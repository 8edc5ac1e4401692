/* libFuzzer: any bytes as a roadmap text file. The parser either refuses them with a
 * message or returns a plan that converts to JSON and prints as a table; it never
 * crashes, leaks or reads out of bounds (built with ASan/UBSan). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kt_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_import_plan *plan = NULL;
	struct kt_import_err err;
	if (kt_import_parse_buf(data, size, "fuzz", &plan, &err) != 0) {
		if (!err.msg[0] || plan)
			__builtin_trap(); /* a refusal always says why and returns nothing */
		return 0;
	}
	json_t *j = kt_import_to_json(plan);
	json_decref(j);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		kt_import_write_table(plan, null, 100);
		fclose(null);
	}
	kt_import_plan_free(plan);
	return 0;
}
