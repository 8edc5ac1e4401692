/* kt_docx_hostile: writes the hostile Word files the importer must refuse (issue 23) into
 * DIR, for tests/integration/t_plan_import_docx.sh:
 *   bomb_lie.docx    document.xml of 64 MiB whose headers claim 1000 bytes
 *   bomb_ratio.docx  document.xml of 12 MiB of one letter (under the size limit, packed
 *                    over 1000 times: a zip bomb by ratio)
 *   big_xml.docx     a 100 MiB document.xml (real paragraphs), honest headers
 *   dotdot.docx      a member named ../../etc/karta-evil
 *   laughs.docx      document.xml with nested entities ("billion laughs")
 *   xxe.docx         document.xml with an external entity naming /etc/passwd
 *   nodoc.docx       a ZIP without word/document.xml
 *   cut.docx         a real .docx cut in half
 *   badxml.docx      document.xml that is not well-formed
 *   wide.docx        a table row with 100 cells
 * usage: kt_docx_hostile DIR [REAL.docx]  (REAL is cut for cut.docx) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

static const char *const head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
	"<w:body>";
static const char *const tail = "</w:body></w:document>";

static int write_zip(const char *path, const char *member, const void *data, size_t len,
	const char *member2, const char *data2)
{
	int err;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!z)
		return -1;
	zip_source_t *s = zip_source_buffer(z, data, len, 0);
	if (!s || zip_file_add(z, member, s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		zip_discard(z);
		return -1;
	}
	if (member2) {
		zip_source_t *s2 = zip_source_buffer(z, data2, strlen(data2), 0);
		if (!s2 || zip_file_add(z, member2, s2, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(s2);
			zip_discard(z);
			return -1;
		}
	}
	return zip_close(z) == 0 ? 0 : -1;
}

static char *repeat(const char *piece, size_t times, size_t *len)
{
	size_t pl = strlen(piece), hl = strlen(head), tl = strlen(tail);
	*len = hl + pl * times + tl;
	char *b = malloc(*len + 1);
	if (!b)
		return NULL;
	memcpy(b, head, hl);
	for (size_t i = 0; i < times; i++)
		memcpy(b + hl + i * pl, piece, pl);
	memcpy(b + hl + pl * times, tail, tl + 1);
	return b;
}

static void put32(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

/* Rewrites the uncompressed size of every member to `size` in the local and central
 * headers: the archive then lies about what it unpacks to. */
static int lie_about_size(const char *path, unsigned size)
{
	FILE *f = fopen(path, "r+b");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	unsigned char *b = malloc((size_t)n);
	fseek(f, 0, SEEK_SET);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return -1;
	}
	for (long i = 0; i + 46 < n; i++) {
		if (memcmp(b + i, "PK\x03\x04", 4) == 0)
			put32(b + i + 22, size);
		else if (memcmp(b + i, "PK\x01\x02", 4) == 0)
			put32(b + i + 24, size);
	}
	fseek(f, 0, SEEK_SET);
	int rc = fwrite(b, 1, (size_t)n, f) == (size_t)n ? 0 : -1;
	free(b);
	return fclose(f) == 0 ? rc : -1;
}

/* DIR/NAME, written into p (4096 bytes) */
static const char *at(char *p, const char *dir, const char *name)
{
	snprintf(p, 4096, "%s/%s", dir, name);
	return p;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kt_docx_hostile DIR [REAL.docx]\n");
		return 2;
	}
	char p[4096];
	size_t len;
	int bad = 0;
	const char *doc = "word/document.xml";
	const char *para = "<w:p><w:r><w:t>Проведение пробного экзамена по математике</w:t></w:r></w:p>";

	char *x = repeat("a", 64u << 20, &len);
	bad |= !x || write_zip(at(p, argv[1], "bomb_lie.docx"), doc, x, len, NULL, NULL) ||
		lie_about_size(p, 1000);
	free(x);

	x = repeat(" ", 12u << 20, &len);
	bad |= !x || write_zip(at(p, argv[1], "bomb_ratio.docx"), doc, x, len, NULL, NULL);
	free(x);

	x = repeat(para, (100u << 20) / strlen(para), &len);
	bad |= !x || write_zip(at(p, argv[1], "big_xml.docx"), doc, x, len, NULL, NULL);
	free(x);

	x = repeat(para, 10, &len);
	bad |= !x ||
		write_zip(at(p, argv[1], "dotdot.docx"), doc, x, len, "../../etc/karta-evil", "x");
	bad |= !x || write_zip(at(p, argv[1], "nodoc.docx"), "word/other.xml", x, len, NULL, NULL);
	free(x);

	static const char laughs[] = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"ha\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
		"<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
		"<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
		"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
		"<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>";
	bad |= write_zip(at(p, argv[1], "laughs.docx"), doc, laughs, strlen(laughs), NULL, NULL);

	static const char xxe[] = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM "
		"\"file:///etc/passwd\">]><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
		"wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body>"
		"</w:document>";
	bad |= write_zip(at(p, argv[1], "xxe.docx"), doc, xxe, strlen(xxe), NULL, NULL);

	static const char badxml[] = "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
		"wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>текст</w:r></w:body>";
	bad |= write_zip(at(p, argv[1], "badxml.docx"), doc, badxml, strlen(badxml), NULL, NULL);

	x = repeat("<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>", 100, &len);
	if (x) { /* wrap the cells into one row of one table */
		size_t hl = strlen(head);
		char *w = malloc(len + 64);
		if (w) {
			int k = snprintf(w, len + 64, "%s<w:tbl><w:tr>", head);
			memcpy(w + k, x + hl, len - hl - strlen(tail));
			k += (int)(len - hl - strlen(tail));
			k += sprintf(w + k, "</w:tr></w:tbl>%s", tail);
			bad |= write_zip(at(p, argv[1], "wide.docx"), doc, w, (size_t)k, NULL, NULL);
			free(w);
		}
		free(x);
	}

	if (argc > 2) { /* the first half of a real Word file */
		FILE *in = fopen(argv[2], "rb");
		FILE *out = fopen(at(p, argv[1], "cut.docx"), "wb");
		char buf[65536];
		if (in && out) {
			fseek(in, 0, SEEK_END);
			long half = ftell(in) / 2;
			fseek(in, 0, SEEK_SET);
			while (half > 0) {
				size_t r = fread(buf, 1, half < (long)sizeof buf ? (size_t)half : sizeof buf, in);
				if (r == 0)
					break;
				fwrite(buf, 1, r, out);
				half -= (long)r;
			}
		} else {
			bad = 1;
		}
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	if (bad)
		fprintf(stderr, "kt_docx_hostile: cannot write the files in '%s'\n", argv[1]);
	return bad ? 1 : 0;
}
