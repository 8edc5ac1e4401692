/* opts: the table-driven option parser of the plan and item commands.
 *
 * A command describes itself in one struct opt_cmd: its synopsis, how many positional
 * arguments it takes, and a table of options terminated by {0}. opts_parse fills the
 * table's result fields from argv; --help/-h prints the help built from the same table,
 * and every usage error prints "karta: reason" and the usage line on stderr. Options are
 * "--name VALUE" or "--name=VALUE"; "-o FILE" is "--output FILE" where the table has an
 * "output" option; "--" ends the options.
 *
 * Typical use, with an enum indexing the table:
 *
 *   enum { O_TITLE, O_BASE, O_N };
 *   struct opt o[O_N + 1] = {   (the zeroed entry O_N ends the table)
 *       [O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
 *                    .help = "the new title", .required = true},
 *       [O_BASE] = {.name = "base", .type = OPT_INT, .meta = "VERSION",
 *                   .help = "row version edited", .min = 1},
 *   };
 *   struct opt_cmd c = {"plan edit", "PLAN", 1, "Changes a plan.", o};
 *   const char *pos[1];
 *   int rc;
 *   if (!opts_ok(&c, argc, argv, pos, &rc))
 *       return rc;
 *
 * String results point into argv (borrowed); OPT_LIST arrays are heap: opts_free. */
#ifndef KT_OPTS_H
#define KT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kt_i18n.h"

enum opt_type {
	OPT_STR,    /* --name VALUE */
	OPT_INT,    /* --name N, an integer in [min, max] (max 0: no upper bound) */
	OPT_DATE,   /* --name YYYY-MM-DD or ДД.ММ.ГГГГ, a real calendar date; str is ISO */
	OPT_CHOICE, /* --name WORD, one of choices ("table|csv|json") */
	OPT_FLAG,   /* --name, no value */
	OPT_LIST,   /* --name VALUE, repeatable, kept in order */
};

struct opt {
	const char *name; /* without the leading "--" */
	enum opt_type type;
	const char *meta; /* value placeholder in usage ("T", "YYYY") */
	const char *help;
	bool required;
	long long min, max;  /* OPT_INT */
	const char *choices; /* OPT_CHOICE */

	/* results */
	bool set;
	const char *str; /* STR, CHOICE: the value (borrowed from argv); DATE: date, ISO */
	char date[11];   /* DATE: the value as YYYY-MM-DD */
	long long num;   /* INT */
	const char **list; /* LIST (heap) */
	size_t n_list;
};

struct opt_cmd {
	const char *name;  /* "plan create" */
	const char *args;  /* positional synopsis ("PLAN"), "" for none */
	unsigned npos;     /* exact number of positional arguments */
	const char *about; /* the help paragraph */
	struct opt *opts;  /* terminated by an entry with name NULL */
};

enum opts_result {
	OPTS_OK,
	OPTS_HELP,  /* help printed on stdout: exit 0 */
	OPTS_USAGE, /* reason and usage line printed on stderr: exit 2 */
};

/* Parses argv[1..argc-1] (argv[0] is the subcommand word). pos receives c->npos positional
 * arguments. Checks required options, integer ranges, dates and choices. On OPTS_OK the
 * caller frees with opts_free when a table has OPT_LIST entries; otherwise this did.
 * A command with a --format option also takes --wide, --keys, --csv-dialect and
 * --encoding (unless its table has its own): on OPTS_OK they are in the table style. */
enum opts_result opts_parse(struct opt_cmd *c, int argc, char **argv, const char **pos);

/* Frees the OPT_LIST arrays of c's table. */
void opts_free(struct opt_cmd *c);

/* "usage: karta plan create --title T [--year YYYY]..." and a newline. */
void opts_usage_line(const struct opt_cmd *c, FILE *out);

/* Prints "karta: <command>: <message>" and the usage line on stderr; returns 2 (the usage
 * exit code) so a command can `return opts_fail(&c, "...")`. */
int opts_fail(const struct opt_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True when s has the shape of a UUID ("8-4-4-4-12" hex digits). */
bool opts_is_uuid(const char *s);

/* EXIT_OK when *id is a UUID, or the first characters of exactly one the client knows:
 * then *id becomes the whole id (ids.c, through the resolver). Else the reason ("not a
 * valid WHAT id", unknown, ambiguous with the candidates) and EXIT_RUNTIME: a wrong id is
 * a wrong value, like an unknown one, not a usage error. */
int opts_check_id(const char *what, const char **id);

/* Who completes a short id (ids_resolve); without one only whole UUIDs are taken. */
void opts_set_id_resolver(int (*fn)(const char *what, const char **id));

/* Exit code of a parse result that is not OPTS_OK: 0 for help, 2 for usage. */
int opts_exit(enum opts_result r);

/* opts_parse: true when the command goes on; false when it must return *rc (help shown:
 * 0, usage error: 2). */
bool opts_ok(struct opt_cmd *c, int argc, char **argv, const char **pos, int *rc)
	__attribute__((warn_unused_result));

/* opts_parse, then opts_check_id on the first positional argument (a WHAT id). True when
 * the command goes on; false when it must return *rc (help shown, usage error, bad id). */
bool opts_parse_id(struct opt_cmd *c, int argc, char **argv, const char *what,
	const char **pos, int *rc);

/* The option of c's table with that name, or NULL. */
const struct opt *opts_find(const struct opt_cmd *c, const char *name);

/* True when any of the first n options was given. */
bool opts_any_set(const struct opt *o, int n);

/* The output options most commands share. */
#define OPTS_FORMAT(list)                                                        \
	{.name = "format", .type = OPT_CHOICE, .help = N_("output format (default: table)"), \
		.choices = (list)}
#define OPTS_OUTPUT                                                              \
	{.name = "output", .type = OPT_STR, .meta = "FILE",                      \
		.help = N_("write to FILE (also -o): csv, json or xlsx; replaced only when complete")}
#define OPTS_BOM \
	{.name = "bom", .type = OPT_FLAG, .help = N_("csv: start with a UTF-8 byte order mark")}

/* A command group ("karta plan SUBCOMMAND ..."): a table of subcommands. */
struct client;
typedef int opts_fn(struct client *cl, int argc, char **argv); /* argv[0]: the subcommand */
struct opts_sub {
	const char *name;
	opts_fn *fn;
	const char *help; /* one line */
};

/* Runs the subcommand named by argv[1] with argv + 1; prints the group's help for
 * --help/-h (0) and its usage for a missing or unknown subcommand (2). */
int opts_dispatch(const char *group, const struct opts_sub *subs, size_t n,
	struct client *cl, int argc, char **argv);

#endif
