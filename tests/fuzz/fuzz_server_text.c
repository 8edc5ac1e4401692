/* libFuzzer: any bytes as a server's text, matched against the generated templates
 * (kt_server_text_with) with a translation that reorders every argument and has a literal
 * percent, into a buffer of a size taken from the input: never reads or writes out of
 * bounds, always ends in a NUL, and what it writes is valid UTF-8 no longer than asked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt_server_text.h"
#include "kt_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "R 100%% %3$s %2$s %1$s": every argument of an n-argument template, backwards */
static const char *tr(const char *msgid)
{
	static char forms[10][64];
	static int ready;
	if (!ready) {
		for (int n = 0; n < 10; n++) {
			char *o = forms[n];
			o += sprintf(o, "R 100%%%% ");
			for (int i = n; i >= 1; i--)
				o += sprintf(o, "%%%d$s ", i);
		}
		ready = 1;
	}
	int n = 0;
	for (const char *c = msgid; *c; c++)
		if (c[0] == '%' && c[1] == 's')
			n++;
		else if (c[0] == '%' && c[1] == '%')
			c++;
	return forms[n < 10 ? n : 9];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t cap = 1 + data[0] % 200;
	char *text = malloc(size);
	char *buf = malloc(cap);
	if (!text || !buf) {
		free(text);
		free(buf);
		return 0;
	}
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	const char *r = kt_server_text_with(kt_server_texts, kt_server_texts_n, tr, text, buf, cap);
	if (r != text) {
		size_t n = strlen(r);
		if (r != buf || n >= cap)
			abort();
		char *v = kt_utf8_dup_valid(r);
		if (v && strcmp(v, r) != 0)
			abort(); /* the rendering is valid UTF-8 */
		free(v);
	}
	free(text);
	free(buf);
	return 0;
}
