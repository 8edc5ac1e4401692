/* kt_registry_map: header row -> field ids, data row -> field values. */
#include <stdint.h>
#include <string.h>

#include "kt_import_int.h" /* kt_u8_next, kt_u_lower, kt_u8_put */
#include "kt_registry.h"
#include "kt_i18n.h"
#include "kt_ru_text.h"   /* kt_ru_copy_clean */

#define FOLD_CAP 256 /* headers are short; a longer one is compared by its first bytes */

static bool is_space_cp(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0 || c == 0x202F;
}

char *kt_reg_fold(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	bool space = false;
	while (*s) {
		uint32_t c = kt_u8_next(&s);
		if (is_space_cp(c)) {
			space = n > 0;
			continue;
		}
		c = kt_u_lower(c);
		if (c == 0x451) /* ё */
			c = 0x435;
		char enc[4];
		size_t k = kt_u8_put(enc, c);
		if (n + (space ? 1 : 0) + k + 1 > cap)
			break;
		if (space)
			out[n++] = ' ';
		space = false;
		memcpy(out + n, enc, k);
		n += k;
	}
	while (n > 0 && (out[n - 1] == '*' || out[n - 1] == ' '))
		n--;
	out[n] = '\0';
	return out;
}

/* False when name (as far as len bytes) cannot fold to the folded header h because their
 * first characters differ; true when it may (then fold it and compare). Folding every
 * column name and alias for every header cell was most of a header's mapping time
 * (docs/performance.md, fuzz_csv); most names differ from a header at the first letter. */
static bool may_match(const char *name, size_t len, const char *h)
{
	const char *end = name + len;
	while (name < end && (*name == ' ' || *name == '\t'))
		name++;
	if (!*h || name >= end || *name == '*' || (unsigned char)*name >= 0x80 ||
	    (unsigned char)*h >= 0x80) {
		if (name >= end || !*h || *name == '*')
			return true; /* empty or starred: the full fold decides */
		const char *a = name, *b = h;
		uint32_t x = kt_u_lower(kt_u8_next(&a)), y = kt_u8_next(&b);
		if (x == 0x451) /* ё */
			x = 0x435;
		return x == y || x == 0xA0 || x == 0x202F; /* a non-ASCII space: the full fold */
	}
	return kt_u_lower((unsigned char)*name) == (unsigned char)*h;
}

bool kt_reg_names_match(const char *names, const char *h)
{
	char one[FOLD_CAP], f[FOLD_CAP];
	for (const char *a = names; a && *a;) {
		const char *bar = strchr(a, '|');
		size_t len = bar ? (size_t)(bar - a) : strlen(a);
		if (may_match(a, len, h)) {
			size_t k = len < sizeof one ? len : sizeof one - 1;
			memcpy(one, a, k);
			one[k] = '\0';
			if (strcmp(kt_reg_fold(one, f, sizeof f), h) == 0)
				return true;
		}
		a = bar ? bar + 1 : a + len;
	}
	return false;
}

/* True when the folded header h names column c (its name or one of its aliases). */
static bool col_matches(const struct kt_reg_col *c, const char *h)
{
	char f[FOLD_CAP];
	if (may_match(c->name, strlen(c->name), h) &&
	    strcmp(kt_reg_fold(c->name, f, sizeof f), h) == 0)
		return true;
	return kt_reg_names_match(c->aliases, h);
}

static int find_col(const struct kt_reg_col *cols, size_t n, const char *h)
{
	for (size_t i = 0; i < n; i++)
		if (col_matches(&cols[i], h))
			return (int)i;
	return -1;
}

/* A header where nothing is known is probably a data row: say so without quoting it
 * (it would be personal data). */
static size_t count_known(const struct kt_reg_col *cols, size_t n, const struct kt_csv_row *h)
{
	size_t known = 0;
	for (size_t i = 0; i < h->n; i++) {
		char f[FOLD_CAP];
		known += find_col(cols, n, kt_reg_fold(h->f[i].s, f, sizeof f)) >= 0;
	}
	return known;
}

static int map_karta(enum kt_reg_kind kind, const struct kt_csv_row *h, struct kt_reg_map *m,
	struct kt_csv_err *err)
{
	size_t n;
	const struct kt_reg_col *cols = kt_reg_columns(kind, KT_LAYOUT_KARTA, &n);
	int seen[KT_REG_MAX_FIELDS];
	for (size_t i = 0; i < KT_REG_MAX_FIELDS; i++)
		seen[i] = 0;
	if (count_known(cols, n, h) == 0) {
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line, N_("no column of the header is a %s "
			"column: is the header line missing, or is it another registry?"),
			kt_reg_kind_name(kind));
		return -1;
	}
	for (size_t i = 0; i < h->n; i++) {
		char f[FOLD_CAP];
		int c = find_col(cols, n, kt_reg_fold(h->f[i].s, f, sizeof f));
		if (c < 0) {
			char cut[64]; /* cut at a character, not inside one */
			kt_ru_copy_clean(cut, sizeof cut, f, strlen(f));
			kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line,
				N_("column %zu «%s» is not a column of the %s registry "
				"(docs/registries.md lists them)"),
				i + 1, cut, kt_reg_kind_name(kind));
			return -1;
		}
		int field = cols[c].field;
		if (seen[field]) {
			kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line, N_("columns %d and %zu are both «%s»"),
				seen[field], i + 1, cols[c].name);
			return -1;
		}
		seen[field] = (int)i + 1;
		m->col_field[i] = field;
	}
	for (size_t c = 0; c < n; c++)
		if (cols[c].required && !seen[cols[c].field]) {
			kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line, N_("required column «%s» is missing"),
				cols[c].name);
			return -1;
		}
	return 0;
}

static int map_ris(enum kt_reg_kind kind, const struct kt_csv_row *h, struct kt_reg_map *m,
	struct kt_csv_err *err)
{
	size_t n;
	const struct kt_reg_col *cols = kt_reg_columns(kind, KT_LAYOUT_RIS, &n);
	if (!cols) {
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line, N_("the header starts with «Guid» (the "
			"interop layout), which exists only for participants and exam points, not %s"),
			kt_reg_kind_name(kind));
		return -1;
	}
	if (h->n != n) {
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line, N_("the interop %s layout has %zu columns, "
			"the header has %zu"), kt_reg_kind_name(kind), n, h->n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char f[FOLD_CAP], want[FOLD_CAP];
		if (strcmp(kt_reg_fold(h->f[i].s, f, sizeof f),
			kt_reg_fold(cols[i].name, want, sizeof want)) != 0) {
			char cut[64];
			kt_ru_copy_clean(cut, sizeof cut, f, strlen(f));
			kt_csv_set_err(err, KT_CSV_ECOLUMNS, h->line,
				N_("column %zu of the interop layout must be «%s», not «%s»"), i + 1,
				cols[i].name, cut);
			return -1;
		}
		m->col_field[i] = cols[i].field;
	}
	return 0;
}

int kt_reg_map_header(enum kt_reg_kind kind, const struct kt_csv_row *header,
	struct kt_reg_map *map, struct kt_csv_err *err)
{
	memset(map, 0, sizeof *map);
	map->kind = kind;
	if ((unsigned)kind >= KT_REG_NKINDS) {
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, 0, N_("unknown registry"));
		return -1;
	}
	if (header->n > KT_REG_MAX_COLS) {
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, header->line,
			N_("the header has %zu columns, more than %d"), header->n, KT_REG_MAX_COLS);
		return -1;
	}
	map->ncols = header->n;
	char f[FOLD_CAP];
	bool ris = header->n > 0 && strcmp(kt_reg_fold(header->f[0].s, f, sizeof f), "guid") == 0;
	map->layout = ris ? KT_LAYOUT_RIS : KT_LAYOUT_KARTA;
	return ris ? map_ris(kind, header, map, err) : map_karta(kind, header, map, err);
}

void kt_reg_fill(const struct kt_reg_map *map, const struct kt_csv_row *row,
	const char **v, size_t nv)
{
	for (size_t i = 0; i < nv; i++)
		v[i] = "";
	for (size_t c = 0; c < map->ncols && c < row->n; c++) {
		int field = map->col_field[c];
		if (field >= 0 && (size_t)field < nv)
			v[field] = row->f[c].s;
	}
}
