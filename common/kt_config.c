/* kt_config: see kt_config.h. Keys are addressed by offset into the caller's struct, so one
 * implementation serves kartad, karta and karta-admin. */
#include "kt_config.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include "kt_i18n.h"

static const struct kt_cfg_key *find(const struct kt_cfg_key *keys, const char *section,
	const char *key)
{
	for (; keys->key; keys++)
		if (strcmp(keys->section, section) == 0 && strcmp(keys->key, key) == 0)
			return keys;
	return NULL;
}

int kt_cfg_set_key(const struct kt_cfg_key *k, void *cfg, const char *value, char *err,
	size_t errlen)
{
	char *field = (char *)cfg + k->offset;
	if (k->type == KT_CFG_STR) {
		char **sp = (char **)(void *)field;
		char *copy = strdup(value);
		if (!copy) {
			snprintf(err, errlen, _("out of memory"));
			return -1;
		}
		free(*sp);
		*sp = copy;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0') {
		snprintf(err, errlen, _("%s.%s: '%s' is not a whole number"), k->section, k->key, value);
		return -1;
	}
	if (v < k->min || v > k->max) {
		snprintf(err, errlen, _("%s.%s: %ld is out of range %ld..%ld"), k->section, k->key, v,
			k->min, k->max);
		return -1;
	}
	*(long *)(void *)field = v;
	return 0;
}

int kt_cfg_defaults(const struct kt_cfg_key *keys, void *cfg)
{
	char err[256];
	for (; keys->key; keys++)
		if (kt_cfg_set_key(keys, cfg, keys->def ? keys->def : "", err, sizeof err) != 0)
			return -1;
	return 0;
}

int kt_cfg_set(const struct kt_cfg_key *keys, void *cfg, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	const struct kt_cfg_key *k = find(keys, section, key);
	if (!k) {
		snprintf(err, errlen, _("unknown key '%s' in section [%s]"), key, section);
		return -1;
	}
	return kt_cfg_set_key(k, cfg, value, err, errlen);
}

const struct kt_cfg_key *kt_cfg_by_flag(const struct kt_cfg_key *keys, const char *name)
{
	for (; keys->key; keys++)
		if (keys->flag && strcmp(keys->flag, name) == 0)
			return keys;
	return NULL;
}

struct load_ctx {
	const struct kt_cfg_key *keys;
	void *cfg;
	char msg[256];
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	if (lc->msg[0]) /* keep the first error */
		return 0;
	if (kt_cfg_set(lc->keys, lc->cfg, section, name, value, lc->msg, sizeof lc->msg) != 0)
		return 0;
	return 1;
}

int kt_cfg_load(const struct kt_cfg_key *keys, void *cfg, const char *path, char *err,
	size_t errlen)
{
	struct load_ctx lc = {.keys = keys, .cfg = cfg};
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, _("cannot open config '%s': %s"), path, strerror(errno));
		return -1;
	}
	int line = ini_parse_file(f, on_ini, &lc);
	fclose(f);
	if (line == 0)
		return 0;
	if (lc.msg[0])
		snprintf(err, errlen, "%s:%d: %s", path, line, lc.msg);
	else
		snprintf(err, errlen, _("%s:%d: syntax error"), path, line);
	return -1;
}

void kt_cfg_dump(const struct kt_cfg_key *keys, FILE *out, const char *title)
{
	const char *section = NULL;
	fprintf(out, "; %s\n; Every key is optional; the value shown is the default.\n"
		"; Command-line flags override this file.\n", title);
	for (; keys->key; keys++) {
		if (!section || strcmp(section, keys->section) != 0) {
			section = keys->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "; %s", keys->help);
		if (keys->type == KT_CFG_INT)
			fprintf(out, " (%ld..%ld)", keys->min, keys->max);
		if (keys->flag)
			fprintf(out, " [--%s]", keys->flag);
		fprintf(out, "\n%s = %s\n", keys->key, keys->def ? keys->def : "");
	}
}

void kt_cfg_usage(const struct kt_cfg_key *keys, FILE *out)
{
	for (; keys->key; keys++) {
		if (!keys->flag)
			continue;
		char left[64];
		snprintf(left, sizeof left, "--%s %s", keys->flag,
			keys->type == KT_CFG_INT ? "N" : _("VALUE"));
		size_t w = 0; /* padded by characters: a Russian placeholder is 2 bytes a letter */
		for (const char *p = left; *p; p++)
			w += ((unsigned char)*p & 0xC0) != 0x80;
		fprintf(out, "  %s%*s %s", left, w < 26 ? (int)(26 - w) : 0, "",
			*keys->help ? _(keys->help) : "");
		if (keys->def && *keys->def)
			fprintf(out, _(" (default %s)"), keys->def);
		fputc('\n', out);
	}
}

void kt_cfg_release(const struct kt_cfg_key *keys, void *cfg)
{
	for (; keys->key; keys++)
		if (keys->type == KT_CFG_STR) {
			char **sp = (char **)(void *)((char *)cfg + keys->offset);
			free(*sp);
			*sp = NULL;
		}
}

/* "--name=value" or "--name value": returns the value, advancing *i; NULL if arg isn't --name. */
static const char *opt_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	*missing = false;
	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return NULL;
	if (a[2 + n] == '=')
		return a + 3 + n;
	if (a[2 + n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int kt_cfg_args(const struct kt_cfg_key *keys, void *cfg, int argc, char **argv, int *i,
	char *err, size_t errlen)
{
	bool missing;
	int start = *i;
	/* Pass 1: the config file, so that flags override it whatever their order. */
	for (int j = start; j < argc && strncmp(argv[j], "--", 2) == 0; j++) {
		const char *path = opt_value("config", argc, argv, &j, &missing);
		if (missing) {
			snprintf(err, errlen, _("--config needs a file"));
			return -1;
		}
		if (path && kt_cfg_load(keys, cfg, path, err, errlen) != 0)
			return -1;
		if (!path && !strchr(argv[j], '=') && kt_cfg_by_flag(keys, argv[j] + 2))
			j++; /* skip the flag's value */
	}
	/* Pass 2: table flags. */
	for (; *i < argc && strncmp(argv[*i], "--", 2) == 0; (*i)++) {
		if (opt_value("config", argc, argv, i, &missing))
			continue;
		const char *a = argv[*i] + 2;
		char name[64];
		size_t n = strcspn(a, "=");
		if (n >= sizeof name)
			return 0;
		memcpy(name, a, n);
		name[n] = '\0';
		const struct kt_cfg_key *k = kt_cfg_by_flag(keys, name);
		if (!k)
			return 0; /* not ours: the caller decides */
		const char *v = opt_value(name, argc, argv, i, &missing);
		if (!v) {
			snprintf(err, errlen, _("--%s needs a value"), name);
			return -1;
		}
		if (kt_cfg_set_key(k, cfg, v, err, errlen) != 0)
			return -1;
	}
	return 0;
}
