/* libFuzzer: any bytes as the document.xml (and, split at the first NUL, numbering.xml) of
 * a Word file, packed into a real ZIP in memory, and any bytes as the Word file itself
 * (inputs starting with "PK"). The reader refuses with a message or returns plans that
 * convert to JSON and print as tables; it never crashes, leaks, reads out of bounds
 * (ASan/UBSan) or expands entities. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "kt_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const void *buf, size_t len)
{
	struct kt_import_plan **plans = NULL;
	size_t n = 0;
	struct kt_import_err err;
	if (kt_import_parse_buf_all(buf, len, "fuzz.docx", &plans, &n, &err) != 0) {
		if (!err.msg[0] || plans || n)
			__builtin_trap(); /* a refusal always says why and returns nothing */
		return;
	}
	if (n == 0)
		__builtin_trap();
	json_t *j = kt_import_plans_to_json(plans, n);
	json_decref(j);
	FILE *null = fopen("/dev/null", "w");
	for (size_t i = 0; null && i < n; i++)
		kt_import_write_table(plans[i], null, 100);
	if (null)
		fclose(null);
	kt_import_plans_free(plans, n);
}

/* A ZIP holding word/document.xml (and word/numbering.xml), built in memory. */
static void as_members(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t dl = nul ? (size_t)(nul - data) : size;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	if (!z) {
		zip_source_free(src);
		zip_error_fini(&ze);
		return;
	}
	zip_source_keep(src);
	zip_source_t *d = zip_source_buffer(z, data, dl, 0);
	if (!d || zip_file_add(z, "word/document.xml", d, 0) < 0)
		zip_source_free(d);
	if (nul) {
		zip_source_t *nb = zip_source_buffer(z, nul + 1, size - dl - 1, 0);
		if (!nb || zip_file_add(z, "word/numbering.xml", nb, 0) < 0)
			zip_source_free(nb);
	}
	if (zip_close(z) != 0) {
		zip_discard(z);
		zip_source_free(src);
		zip_error_fini(&ze);
		return;
	}
	zip_stat_t st;
	if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
		void *buf = malloc(st.size ? st.size : 1);
		zip_int64_t r = buf ? zip_source_read(src, buf, st.size) : -1;
		if (r >= 0)
			check(buf, (size_t)r);
		free(buf);
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K')
		check(data, size);
	else
		as_members(data, size);
	return 0;
}
