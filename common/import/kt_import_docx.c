/* kt_import_docx: the Word entry points. A .docx (a ZIP with word/document.xml) is
 * unpacked within the limits of kt_import_zip.c, its numbering, styles and body read
 * (kt_import_docx_num.c, kt_import_docx_style.c, kt_import_docx_xml.c) and cut into plans
 * (kt_import_docx_plan.c). A Word 97 .doc (an OLE2 compound file) is first converted to
 * .docx by LibreOffice when it is installed (`soffice --headless --convert-to docx`, in a
 * private temporary directory with its own profile, killed after KT_DOC_TIMEOUT seconds);
 * without it the refusal names the package to install.
 * Invariant: nothing is left behind in the temporary directory, whatever happens. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kt_import_docx_int.h"
#include "kt_i18n.h"

#define KT_DOC_TIMEOUT 120

extern char **environ;

int kt_import_docx_buf(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err)
{
	struct kt_zip z;
	char *doc = NULL, *num = NULL, *sty = NULL;
	size_t doc_len = 0, num_len = 0, sty_len = 0;
	struct kt_docx_numbering *nb = NULL;
	struct kt_docx_styles *styles = NULL;
	struct kt_docx d = {0};
	int rc = -1;
	*plans = NULL;
	*n = 0;
	if (len > KT_IMPORT_MAX_BYTES) {
		kt_import_fail(err, KT_IMPORT_ETOOBIG, _("file is too large (%zu bytes; the limit is %u "
			"MiB)"), len, KT_IMPORT_MAX_BYTES >> 20);
		return -1;
	}
	if (kt_zip_open(&z, buf, len, err) != 0)
		return -1;
	int r = kt_zip_read(&z, "word/document.xml", &doc, &doc_len, err);
	if (r == 1)
		kt_import_fail(err, KT_IMPORT_EBINARY, _("a ZIP file without word/document.xml: not a "
			"Word document"));
	if (r != 0)
		goto out;
	if (kt_zip_read(&z, "word/numbering.xml", &num, &num_len, err) < 0)
		goto out;
	if (kt_zip_read(&z, "word/styles.xml", &sty, &sty_len, err) < 0)
		goto out;
	if (!(nb = kt_docx_numbering_new(num, num_len, err)))
		goto out;
	if (!(styles = kt_docx_styles_new(sty, sty_len, err)))
		goto out;
	if (kt_docx_parse_body(doc, doc_len, nb, styles, &d, err) != 0)
		goto out;
	free(doc);
	doc = NULL; /* the model holds what is needed; keep the peak low */
	rc = kt_docx_plans(&d, name, plans, n, err);
out:
	kt_docx_release(&d);
	kt_docx_numbering_free(nb);
	kt_docx_styles_free(styles);
	free(doc);
	free(num);
	free(sty);
	kt_zip_close(&z);
	return rc;
}

/* ---- Word 97 ---- */

bool kt_import_is_doc(const void *buf, size_t len)
{
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	return buf && len >= 8 && memcmp(buf, ole, 8) == 0;
}

/* The first of names found as an executable in $PATH, into out. */
static bool find_tool(const char *const *names, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	for (size_t i = 0; names[i]; i++) {
		for (const char *p = path ? path : ""; *p;) {
			const char *e = strchr(p, ':');
			size_t dl = e ? (size_t)(e - p) : strlen(p);
			if (dl && (size_t)snprintf(out, cap, "%.*s/%s", (int)dl, p, names[i]) < cap &&
				access(out, X_OK) == 0)
				return true;
			p += dl + (e ? 1 : 0);
		}
	}
	return false;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(p);
	return 0;
}

/* Runs argv with stdio on /dev/null; 0 when it exited 0 within the timeout. */
static int run_quiet(char *const *argv, char *msg, size_t cap)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		snprintf(msg, cap, _("cannot run %s: %s"), argv[0], strerror(e));
		return -1;
	}
	int status = 0;
	for (int waited = 0;; waited++) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(msg, cap, _("cannot wait for %s: %s"), argv[0], strerror(errno));
			return -1;
		}
		if (waited >= KT_DOC_TIMEOUT * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(msg, cap, _("%s did not finish within %d s"), argv[0], KT_DOC_TIMEOUT);
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(msg, cap, _("%s failed (exit status %d)"), argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return 0;
}

int kt_import_doc_file(const char *path, struct kt_import_plan ***plans, size_t *n,
	struct kt_import_err *err)
{
	static const char *const tools[] = {"soffice", "libreoffice", NULL};
	char tool[4096], dir[4096], profile[4200], out[4200], msg[200];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/karta-doc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	*plans = NULL;
	*n = 0;
	if (!find_tool(tools, tool, sizeof tool)) {
		kt_import_fail(err, KT_IMPORT_EBINARY, _("a Word 97 file (.doc): install LibreOffice "
			"(Debian package libreoffice-writer-nogui) to convert it, or save it as .docx"));
		return -1;
	}
	if (!mkdtemp(dir)) {
		kt_import_fail(err, KT_IMPORT_EIO, _("cannot make a temporary directory: %s"),
			strerror(errno));
		return -1;
	}
	snprintf(profile, sizeof profile, "-env:UserInstallation=file://%s/profile", dir);
	char *argv[] = {tool, profile, "--headless", "--norestore", "--convert-to", "docx",
		"--outdir", dir, (char *)path, NULL};
	int rc = -1;
	if (run_quiet(argv, msg, sizeof msg) != 0) {
		kt_import_fail(err, KT_IMPORT_EIO, _("cannot convert the Word 97 file: %s"), msg);
		goto out;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	snprintf(out, sizeof out, "%s/%.*s.docx", dir, (int)(dot ? (size_t)(dot - base) :
		strlen(base)), base);
	struct stat st;
	if (stat(out, &st) != 0) {
		kt_import_fail(err, KT_IMPORT_EIO, _("cannot convert the Word 97 file: %s made no .docx "
			"(is libreoffice-writer-nogui installed?)"), tool);
		goto out;
	}
	rc = kt_import_file(out, false, plans, n, err);
	/* the plans name the file the user gave */
	for (size_t i = 0; rc == 0 && i < *n; i++) {
		char *s = strdup(base);
		if (!s) {
			kt_import_plans_free(*plans, *n);
			*plans = NULL;
			*n = 0;
			kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
			rc = -1;
			break;
		}
		free((*plans)[i]->doc.source);
		(*plans)[i]->doc.source = s;
	}
out:
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
