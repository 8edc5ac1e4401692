/* opts: parse a command's options from its table (see opts.h). One pass over argv; each
 * option is looked up by name, converted and range-checked by its type, so a command never
 * sees a value it has to validate again. The help text and the usage line are generated
 * from the same table, so they cannot drift from what is accepted. Every command with a
 * --format also takes the output options of the table below (--wide, --keys,
 * --csv-dialect, --encoding): they set the process's table style (kt_table_set_style),
 * so each command gets them without a line of its own. */
#include "opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kt_dates.h"
#include "kt_i18n.h"
#include "kt_table.h"

/* The translation of a help text of a table; "" and NULL stay as they are (gettext("") is
 * the catalogue's header). */
static const char *tr(const char *s) { return s && *s ? _(s) : s ? s : ""; }

/* The placeholders of values and arguments that have a Russian spelling (printed through
 * tr(); one not listed here stays as written: "T", "N"). */
static const char *const placeholders[] __attribute__((unused)) = {N_("VALUE"), N_("FILE"),
	N_("TEXT"), N_("YYYY"), N_("YYYY-MM-DD"), N_("VERSION"), N_("ID"), N_("SECTION"),
	N_("SECONDS"), N_("PLAN"), N_("ORG"), N_("CODE"), N_("REF"), N_("NAME"), N_("ITEM"),
	N_("ITEM|none"), N_("\"NUM|Title\""), N_("ITEM STATUS"), N_("PARENT"),
	N_("REQUEST|SUBMISSION"), N_("SUBMISSION"), N_("SUBMISSION|REQUEST")};

enum { G_WIDE, G_KEYS, G_DIALECT, G_ENCODING, G_N };
static struct opt globals[G_N + 1] = {
	[G_WIDE] = {.name = "wide", .type = OPT_FLAG,
		.help = N_("table: every column, however wide the terminal")},
	[G_KEYS] = {.name = "keys", .type = OPT_FLAG,
		.help = N_("headers are the columns' English keys, as in json (for scripts)")},
	[G_DIALECT] = {.name = "csv-dialect", .type = OPT_CHOICE, .choices = "excel|rfc4180",
		.help = N_("csv: excel (';', decimal comma, dd.mm.yyyy, byte order mark: the "
			   "default in a Russian locale) or rfc4180 (',', ISO dates: for scripts)")},
	[G_ENCODING] = {.name = "encoding", .type = OPT_CHOICE, .choices = "utf-8|cp1251",
		.help = N_("csv: utf-8 (default) or cp1251 (Windows-1251, for old Excel)")},
};

static bool has_format(const struct opt_cmd *c)
{
	for (const struct opt *o = c->opts; o && o->name; o++)
		if (strcmp(o->name, "format") == 0)
			return true;
	return false;
}

static struct opt *find(struct opt_cmd *c, const char *name, size_t len)
{
	for (struct opt *o = c->opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	for (struct opt *o = globals; has_format(c) && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* The output options given, into the table style. */
static void apply_globals(void)
{
	struct kt_table_style s = *kt_table_get_style();
	if (globals[G_WIDE].set)
		s.wide = true;
	if (globals[G_KEYS].set)
		s.keys = true;
	if (globals[G_DIALECT].set) {
		s.csv_people = strcmp(globals[G_DIALECT].str, "excel") == 0;
		s.csv_chosen = true;
	}
	if (globals[G_ENCODING].set)
		s.cp1251 = strcmp(globals[G_ENCODING].str, "cp1251") == 0;
	kt_table_set_style(&s);
}

static void synopsis_opt(const struct opt *o, FILE *out)
{
	bool opt = !o->required;
	fprintf(out, " %s--%s", opt ? "[" : "", o->name);
	if (o->type == OPT_CHOICE)
		fprintf(out, " %s", o->choices);
	else if (o->type != OPT_FLAG)
		fprintf(out, " %s", o->meta ? tr(o->meta) : _("VALUE"));
	fprintf(out, "%s%s", opt ? "]" : "", o->type == OPT_LIST ? "..." : "");
}

void opts_usage_line(const struct opt_cmd *c, FILE *out)
{
	fprintf(out, _("usage: karta %s%s%s"), c->name, *c->args ? " " : "", tr(c->args));
	for (const struct opt *o = c->opts; o && o->name; o++)
		synopsis_opt(o, out);
	fputc('\n', out);
}

static void help(const struct opt_cmd *c)
{
	opts_usage_line(c, stdout);
	printf("\n%s\n", tr(c->about));
	if (!c->opts || !c->opts->name)
		return;
	printf(_("\noptions:\n"));
	for (const struct opt *o = c->opts; o->name; o++) {
		char left[64];
		if (o->type == OPT_FLAG)
			snprintf(left, sizeof left, "--%s", o->name);
		else
			snprintf(left, sizeof left, "--%s %s", o->name,
				o->type == OPT_CHOICE ? o->choices : o->meta ? tr(o->meta) : _("VALUE"));
		/* padded by characters, not bytes: a Russian placeholder is 2 bytes a letter */
		size_t w = 0;
		for (const char *p = left; *p; p++)
			w += ((unsigned char)*p & 0xC0) != 0x80;
		printf("  %s%*s %s%s\n", left, w < 24 ? (int)(24 - w) : 0, "", tr(o->help),
			o->required ? _(" (required)") : "");
	}
	for (const struct opt *o = globals; has_format(c) && o->name; o++) {
		char left[64];
		if (find((struct opt_cmd *)c, o->name, strlen(o->name)) != o)
			continue; /* the command has its own */
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->choices ? " " : "",
			o->choices ? o->choices : "");
		printf("  %-24s %s\n", left, tr(o->help));
	}
}

int opts_fail(const struct opt_cmd *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "karta: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	opts_usage_line(c, stderr);
	return EXIT_USAGE;
}

int opts_exit(enum opts_result r) { return r == OPTS_HELP ? EXIT_OK : EXIT_USAGE; }

static bool is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && strncmp(p, v, n) == 0)
			return true;
		p += k + (p[k] == '|');
	}
	return false;
}

/* Stores v into o after checking it against o's type. */
static enum opts_result set_value(struct opt_cmd *c, struct opt *o, const char *v)
{
	switch (o->type) {
	case OPT_INT: {
		char *end;
		errno = 0;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || errno || n < o->min || (o->max && n > o->max)) {
			if (o->max)
				opts_fail(c, _("--%s needs a number from %lld to %lld, not '%s'"),
					o->name, o->min, o->max, v);
			else
				opts_fail(c, _("--%s needs a number of at least %lld, not '%s'"),
					o->name, o->min, v);
			return OPTS_USAGE;
		}
		o->num = n;
		break;
	}
	case OPT_DATE: /* 2024-05-20 or 20.05.2024; the command sees ISO */
		if (kt_date_parse(v, o->date) != 0) {
			opts_fail(c, _("--%s needs a date, YYYY-MM-DD or DD.MM.YYYY, not '%s'"), o->name,
				v);
			return OPTS_USAGE;
		}
		v = o->date;
		break;
	case OPT_CHOICE:
		if (!is_choice(o->choices, v)) {
			opts_fail(c, _("--%s must be one of %s, not '%s'"), o->name, o->choices, v);
			return OPTS_USAGE;
		}
		break;
	case OPT_LIST: {
		const char **l = realloc(o->list, (o->n_list + 1) * sizeof *l);
		if (!l) {
			opts_fail(c, _("out of memory"));
			return OPTS_USAGE;
		}
		o->list = l;
		o->list[o->n_list++] = v;
		break;
	}
	default:
		break;
	}
	o->str = v;
	o->set = true;
	return OPTS_OK;
}

/* argv[*i] is "--name" or "--name=value"; consumes its value. */
static enum opts_result one_option(struct opt_cmd *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	struct opt *o = find(c, a, len);
	if (!o) {
		opts_fail(c, _("unknown option '--%.*s'"), (int)len, a);
		return OPTS_USAGE;
	}
	if (o->type == OPT_FLAG) {
		if (eq) {
			opts_fail(c, _("--%s takes no value"), o->name);
			return OPTS_USAGE;
		}
		o->set = true;
		return OPTS_OK;
	}
	if (eq)
		return set_value(c, o, eq + 1);
	if (*i + 1 >= argc) {
		opts_fail(c, _("--%s needs a value"), o->name);
		return OPTS_USAGE;
	}
	return set_value(c, o, argv[++*i]);
}

static enum opts_result parse(struct opt_cmd *c, int argc, char **argv, const char **pos)
{
	unsigned npos = 0;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) /* help wins over any other mistake */
		if (strcmp(argv[i], "--") == 0)
			break;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help(c);
			return OPTS_HELP;
		}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
		} else if (!only_pos && strncmp(a, "--", 2) == 0) {
			enum opts_result r = one_option(c, argc, argv, &i);
			if (r != OPTS_OK)
				return r;
		} else if (!only_pos && strcmp(a, "-o") == 0 && find(c, "output", 6)) {
			if (i + 1 >= argc)
				return opts_fail(c, _("-o needs a file name")), OPTS_USAGE;
			enum opts_result r = set_value(c, find(c, "output", 6), argv[++i]);
			if (r != OPTS_OK)
				return r;
		} else if (!only_pos && a[0] == '-' && a[1]) {
			return opts_fail(c, _("unknown option '%s'"), a), OPTS_USAGE;
		} else if (npos < c->npos) {
			pos[npos++] = a;
		} else {
			return opts_fail(c, _("unexpected argument '%s'"), a), OPTS_USAGE;
		}
	}
	if (npos < c->npos)
		return opts_fail(c, _("missing %s"), tr(c->args)), OPTS_USAGE;
	for (const struct opt *o = c->opts; o && o->name; o++)
		if (o->required && !o->set)
			return opts_fail(c, _("missing option --%s"), o->name), OPTS_USAGE;
	apply_globals();
	return OPTS_OK;
}

enum opts_result opts_parse(struct opt_cmd *c, int argc, char **argv, const char **pos)
{
	enum opts_result r = parse(c, argc, argv, pos);
	if (r != OPTS_OK) /* the command returns at once: nothing of the table is kept */
		opts_free(c);
	return r;
}

void opts_free(struct opt_cmd *c)
{
	for (struct opt *o = c->opts; o && o->name; o++) {
		free(o->list);
		o->list = NULL;
		o->n_list = 0;
	}
}

bool opts_is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	if (!s || strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/* The WHAT of opts_check_id's callers, for the catalogue (printed through _()). */
static const char *const id_kinds[] __attribute__((unused)) = {N_("plan"), N_("item"),
	N_("conflict"), N_("participant"), N_("request"), N_("submission"), N_("series"),
	N_("request or submission"), N_("submission or request"), N_("exam")};

static int (*id_resolver)(const char *what, const char **id);

void opts_set_id_resolver(int (*fn)(const char *what, const char **id)) { id_resolver = fn; }

int opts_check_id(const char *what, const char **id)
{
	if (opts_is_uuid(*id))
		return EXIT_OK;
	if (id_resolver)
		return id_resolver(what, id);
	fprintf(stderr, _("karta: '%s' is not a valid %s id (a UUID)\n"), *id, _(what));
	return EXIT_RUNTIME;
}

bool opts_ok(struct opt_cmd *c, int argc, char **argv, const char **pos, int *rc)
{
	enum opts_result pr = opts_parse(c, argc, argv, pos);
	*rc = pr == OPTS_OK ? EXIT_OK : opts_exit(pr);
	return pr == OPTS_OK;
}

bool opts_parse_id(struct opt_cmd *c, int argc, char **argv, const char *what,
	const char **pos, int *rc)
{
	if (!opts_ok(c, argc, argv, pos, rc))
		return false;
	*rc = opts_check_id(what, &pos[0]);
	return *rc == EXIT_OK;
}

const struct opt *opts_find(const struct opt_cmd *c, const char *name)
{
	for (const struct opt *o = c->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

bool opts_any_set(const struct opt *o, int n)
{
	for (int i = 0; i < n; i++)
		if (o[i].set)
			return true;
	return false;
}

static void group_usage(const char *group, const struct opts_sub *subs, size_t n, FILE *out)
{
	int w = 9;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(subs[i].name) > w)
			w = (int)strlen(subs[i].name);
	fprintf(out, _("usage: karta %s SUBCOMMAND [ARGS]\n\nsubcommands:\n"), group);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-*s %s\n", w, subs[i].name, tr(subs[i].help));
	fprintf(out, _("\n'karta %s SUBCOMMAND --help' describes one.\n"), group);
}

int opts_dispatch(const char *group, const struct opts_sub *subs, size_t n,
	struct client *cl, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		group_usage(group, subs, n, stdout);
		return EXIT_OK;
	}
	if (argc < 2) {
		fprintf(stderr, _("karta: %s: missing subcommand\n"), group);
		group_usage(group, subs, n, stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(cl, argc - 1, argv + 1);
	fprintf(stderr, _("karta: %s: unknown subcommand '%s'\n"), group, argv[1]);
	group_usage(group, subs, n, stderr);
	return EXIT_USAGE;
}
