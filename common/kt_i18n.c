/* kt_i18n: binds the "karta" gettext catalogue (kt_i18n.h). The catalogue is looked for,
 * first found wins: $KARTA_LOCALEDIR; <binary's dir>/../locale (the build tree: build/locale
 * beside build/client/karta); the install's locale dir (KT_LOCALEDIR, /usr/share/locale). */
#include "kt_i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KT_LOCALEDIR
#define KT_LOCALEDIR "/usr/share/locale"
#endif

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <dir of /proc/self/exe>/../locale when it exists, into buf; NULL otherwise. */
static const char *build_tree_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if (snprintf(buf, size, "%s/../locale", exe) >= (int)size)
		return NULL;
	return is_dir(buf) ? buf : NULL;
}

void kt_i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	char buf[PATH_MAX + 16];
	const char *dir = getenv("KARTA_LOCALEDIR");
	if (!dir || !*dir)
		dir = build_tree_dir(buf, sizeof buf);
	if (!dir)
		dir = KT_LOCALEDIR;
	bindtextdomain("karta", dir);
	bind_textdomain_codeset("karta", "UTF-8");
	textdomain("karta");
}

bool kt_i18n_russian(void)
{
	const char *m = setlocale(LC_MESSAGES, NULL);
	return m && strncmp(m, "ru", 2) == 0;
}
