/* fuzz_gds: the GIADBSet package reader (common/giadbset) on arbitrary bytes as one table
 * file (rbd_Schools.xml in a scratch folder): whatever the bytes, the reader ends with rows, a
 * clean end or an error message — never a crash, a leak or an unbounded allocation. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kt_gds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_gds.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	char path[128];
	snprintf(path, sizeof path, "%s/rbd_Schools.xml", dir);
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
	struct kt_gds_reader *r = kt_gds_open(p, "rbd_Schools", err, sizeof err);
	if (r) {
		struct kt_gds_row row;
		while (kt_gds_next(r, &row, err, sizeof err) == 1)
			;
		kt_gds_close(r);
	}
	kt_gds_pkg_free(p);
	return 0;
}
