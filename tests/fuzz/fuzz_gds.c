/* fuzz_gds: the GIADBSet package reader (common/giadbset) on arbitrary bytes as one table
 * file (rbd_Schools.xml in a scratch folder): whatever the bytes, the reader ends with rows, a
 * clean end or an error message — never a crash, a leak or an unbounded allocation. A first
 * byte below the number of mapped tables picks one of them instead (kt_gds_maps): each row
 * read — reading on past rows refused for their values — goes through the mapping to karta's
 * columns (kt_gds_to_text, whose text must be a JSON object jansson reads, and
 * kt_gds_to_karta) and back (kt_gds_render), as `registry import --layout giadbset` and an
 * export do; an input of odd length is read ahead on a thread (kt_gds_read_ahead), as the
 * import's check pass reads. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kt_gds.h"
#include "kt_gds_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static struct kt_gds_text text; /* kept from input to input, as the import keeps it */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_gds.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	const struct kt_gds_map *m = NULL;
	if (size > 0 && data[0] < kt_gds_maps_count) {
		m = &kt_gds_maps[data[0]];
		data++, size--;
	}
	const char *table = m ? m->gds : "rbd_Schools";
	char path[128];
	snprintf(path, sizeof path, "%s/%s.xml", dir, table);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	struct kt_gds_limits lim;
	kt_gds_limits_default(&lim);
	lim.max_file_bytes = 1 << 20;
	char err[512];
	struct kt_gds_pkg *p = kt_gds_pkg_open(dir, &lim, err, sizeof err);
	if (!p)
		abort(); /* the folder is ours: it always opens */
	struct kt_gds_reader *r = kt_gds_open(p, table, err, sizeof err);
	if (r && size % 2 == 1 && kt_gds_read_ahead(r) != 0)
		abort();
	if (r) {
		struct kt_gds_row row;
		int k;
		while ((k = kt_gds_next(r, &row, err, sizeof err)) != 0) {
			if (k < 0 && kt_gds_resumable(r))
				continue;
			if (k < 0)
				break;
			if (m && kt_gds_to_text(m, kt_gds_table(table), &row, &text, err, sizeof err) == 0) {
				json_t *o = json_loadb(text.p, text.n, 0, NULL);
				if (!json_is_object(o))
					abort(); /* the text written is not JSON: an escape is missing */
				json_decref(o);
			}
			json_t *j = m ? kt_gds_to_karta(m, kt_gds_table(table), &row, err, sizeof err) : NULL;
			for (int i = 0; j && i < m->ncols; i++) {
				char buf[128];
				kt_gds_render(&m->cols[i], j, NULL, NULL, buf, sizeof buf);
			}
			json_decref(j);
		}
		kt_gds_close(r);
	}
	unlink(path);
	kt_gds_pkg_free(p);
	return 0;
}
