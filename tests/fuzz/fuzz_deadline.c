/* libFuzzer: any bytes as a deadline cell, with the academic year taken from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt_deadline.h"
#include "kt_parties.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int year = 1990 + data[0] % 80;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	struct kt_deadline dl;
	kt_deadline_parse(text, year, &dl);
	json_decref(kt_deadline_to_json(&dl));
	struct kt_date last;
	kt_deadline_last_day(&dl, &last);
	json_decref(kt_parties_responsible(text));
	json_decref(kt_parties_targets(text));
	free(text);
	return 0;
}
