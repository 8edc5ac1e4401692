/* libFuzzer: any bytes as a deadline cell, with the academic year taken from the input; the
 * text forms (kt_deadline_json_text, kt_parties_*_text) the very bytes jansson dumps of the
 * trees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt_deadline.h"
#include "kt_jtext.h"
#include "kt_parties.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* j (taken) dumped compactly is the text t wrote (taken); a NULL j, no text written */
static void same(json_t *j, struct kt_jtext *t, bool written)
{
	char *d = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char *s = kt_jtext_take(t, NULL);
	if (j ? !written || !d || !s || strcmp(d, s) != 0 : written)
		__builtin_trap();
	free(d);
	free(s);
	json_decref(j);
}

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
	struct kt_jtext t = {0};
	bool written = kt_deadline_json_text(&dl, &t);
	same(kt_deadline_to_json(&dl), &t, written);
	struct kt_date last;
	kt_deadline_last_day(&dl, &last);
	kt_parties_responsible_text(text, &t);
	same(kt_parties_responsible(text), &t, true);
	kt_parties_targets_text(text, &t);
	same(kt_parties_targets(text), &t, true);
	free(text);
	return 0;
}
