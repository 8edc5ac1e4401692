/* kt_import_zip: one member of a ZIP archive (a .docx) read into memory with libzip, with
 * the checks a file from outside needs: the archive is read from the caller's buffer (so it
 * is never larger than the importer's file limit), a member name that climbs out of the
 * archive («../», an absolute path, a drive letter) refuses the whole archive, encrypted
 * members are refused, and inflating stops as soon as the output passes the member's
 * declared size, KT_DOCX_MAX_XML, or KT_DOCX_MAX_RATIO times the compressed size (a zip
 * bomb is caught while it inflates, not from the header it lies in).
 * Invariant: on failure nothing is returned and err says why in one line. */
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "kt_import_docx_int.h"
#include "kt_i18n.h"

/* A member name that would leave the directory it is unpacked into. */
static bool unsafe_name(const char *n)
{
	if (n[0] == '/' || n[0] == '\\' || (n[0] && n[1] == ':'))
		return true;
	for (const char *p = n; *p; p++) {
		bool at_start = p == n || p[-1] == '/' || p[-1] == '\\';
		if (at_start && p[0] == '.' && p[1] == '.' && (!p[2] || p[2] == '/' || p[2] == '\\'))
			return true;
	}
	return false;
}

int kt_zip_open(struct kt_zip *z, const void *buf, size_t len, struct kt_import_err *err)
{
	zip_error_t ze;
	memset(z, 0, sizeof *z);
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(buf, len, 0, &ze);
	if (!src) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		zip_error_fini(&ze);
		return -1;
	}
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!za) {
		zip_source_free(src);
		snprintf(err->msg, sizeof err->msg, _("not a readable Word file (ZIP: %s)"),
			zip_error_strerror(&ze));
		err->code = KT_IMPORT_EBINARY;
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n < 0 || n > KT_DOCX_MAX_ENTRIES) {
		kt_import_fail(err, KT_IMPORT_ETOOBIG, _("the Word file has %lld entries (the limit is %d)"),
			(long long)n, KT_DOCX_MAX_ENTRIES);
		zip_discard(za);
		return -1;
	}
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		if (name && unsafe_name(name)) {
			kt_import_fail(err, KT_IMPORT_EBINARY, _("the Word file has an entry outside the archive "
				"('%.100s'); refused"), name);
			zip_discard(za);
			return -1;
		}
	}
	z->za = za;
	return 0;
}

void kt_zip_close(struct kt_zip *z)
{
	if (z->za)
		zip_discard(z->za);
	z->za = NULL;
}

int kt_zip_read(struct kt_zip *z, const char *name, char **out, size_t *outlen,
	struct kt_import_err *err)
{
	*out = NULL;
	*outlen = 0;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat(z->za, name, ZIP_FL_ENC_GUESS, &st) != 0)
		return 1; /* absent */
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		kt_import_fail(err, KT_IMPORT_EBINARY, _("%s is encrypted (a password-protected Word file)"),
			name);
		return -1;
	}
	unsigned long long declared = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
	unsigned long long packed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	if (declared > KT_DOCX_MAX_XML) {
		kt_import_fail(err, KT_IMPORT_ETOOBIG, _("%s is too large (%llu bytes unpacked; the limit is "
			"%u MiB)"), name, declared, KT_DOCX_MAX_XML >> 20);
		return -1;
	}
	zip_file_t *f = zip_fopen(z->za, name, ZIP_FL_ENC_GUESS);
	if (!f) {
		snprintf(err->msg, sizeof err->msg, _("cannot unpack %s: %s"), name,
			zip_strerror(z->za));
		err->code = KT_IMPORT_EBINARY;
		return -1;
	}
	size_t cap = declared + 1 < 65536 ? 65536 : (size_t)declared + 1, len = 0;
	char *buf = malloc(cap);
	int rc = -1;
	if (!buf) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		goto out;
	}
	for (;;) {
		if (cap - len < 65536 + 1) {
			size_t ncap = cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		zip_int64_t r = zip_fread(f, buf + len, 65536);
		if (r < 0) {
			snprintf(err->msg, sizeof err->msg, _("cannot unpack %s: %s"), name,
				zip_file_strerror(f));
			err->code = KT_IMPORT_EBINARY;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		/* checked while inflating: a member that lies about its size, or swells past the
		 * limit or the ratio no real document reaches, stops here */
		if (len > declared) {
			kt_import_fail(err, KT_IMPORT_EBINARY, _("%s unpacks to more than its declared %llu bytes "
				"(a damaged or hostile file)"), name, declared);
			goto out;
		}
		if (len > KT_DOCX_MAX_XML) {
			kt_import_fail(err, KT_IMPORT_ETOOBIG, _("%s is too large (over %u MiB unpacked)"), name,
				KT_DOCX_MAX_XML >> 20);
			goto out;
		}
		if (len > KT_DOCX_RATIO_FROM && len / (packed ? packed : 1) > KT_DOCX_MAX_RATIO) {
			kt_import_fail(err, KT_IMPORT_ETOOBIG, _("%s unpacks more than %llu times its packed size "
				"(a zip bomb?)"), name, (unsigned long long)KT_DOCX_MAX_RATIO);
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	zip_fclose(f);
	return rc;
}
