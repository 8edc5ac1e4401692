/* kt_config: INI files driven by one key table per program (house-style: data over code).
 * The same table gives defaults, parses the file (inih), maps command-line flags, and prints
 * the commented example (--dump-config). Precedence: defaults < file < flags. */
#ifndef KT_CONFIG_H
#define KT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum kt_cfg_type {
	KT_CFG_STR, /* char *, heap (owned by the config struct) */
	KT_CFG_INT, /* long, checked against [min, max] */
};

struct kt_cfg_key {
	const char *section;
	const char *key;
	const char *flag; /* long option name without "--", or NULL */
	enum kt_cfg_type type;
	size_t offset; /* offsetof(the config struct, field) */
	const char *def;
	long min, max;
	const char *help; /* one line for --help and the example file */
};

/* Sets every key to its default. */
int kt_cfg_defaults(const struct kt_cfg_key *keys, void *cfg) __attribute__((warn_unused_result));
/* Loads an INI file; unknown sections/keys and bad values are errors (err gets
 * "FILE:LINE: reason"). */
int kt_cfg_load(const struct kt_cfg_key *keys, void *cfg, const char *path, char *err,
	size_t errlen) __attribute__((warn_unused_result));
/* Sets one key by section+key. */
int kt_cfg_set(const struct kt_cfg_key *keys, void *cfg, const char *section, const char *key,
	const char *value, char *err, size_t errlen) __attribute__((warn_unused_result));
/* The key whose flag is name, or NULL. */
const struct kt_cfg_key *kt_cfg_by_flag(const struct kt_cfg_key *keys, const char *name);
/* Sets the value of a key found by kt_cfg_by_flag. */
int kt_cfg_set_key(const struct kt_cfg_key *k, void *cfg, const char *value, char *err,
	size_t errlen) __attribute__((warn_unused_result));
/* Writes the commented example file. */
void kt_cfg_dump(const struct kt_cfg_key *keys, FILE *out, const char *title);
/* Writes "  --flag VALUE   help (default: X)" lines for --help. */
void kt_cfg_usage(const struct kt_cfg_key *keys, FILE *out);
/* Frees every string key. */
void kt_cfg_release(const struct kt_cfg_key *keys, void *cfg);

#endif

#ifndef KT_CONFIG_ARGS_H
#define KT_CONFIG_ARGS_H
/* Command-line handling shared by the programs:
 * kt_cfg_args applies "--flag VALUE" / "--flag=VALUE" for the table's flags, plus
 * "--config FILE" (loaded first, wherever it appears), from argv[*i] on; it stops at the
 * first argument that is not an option (a subcommand) or at one it does not know, leaving
 * *i there. Returns 0, or -1 with err (bad value, unreadable file, missing value). */
int kt_cfg_args(const struct kt_cfg_key *keys, void *cfg, int argc, char **argv, int *i,
	char *err, size_t errlen) __attribute__((warn_unused_result));
#endif
