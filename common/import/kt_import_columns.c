/* kt_import_columns: what a header cell names, and the shape of item numbers. Column roles
 * come from a keyword table (data, not code): the first entry whose every keyword occurs in
 * the header text wins, so the specific entries («Муниципальный уровень», «Срок
 * исполнения») come before the general ones («Мероприятия»). Invariant: nothing here
 * allocates or depends on a particular document's wording beyond these generic keywords. */
#include <string.h>

#include "kt_import_int.h"

static const struct {
	enum kt_import_col role;
	const char *kw[2]; /* all must occur (case-insensitive; written in lower case); NULL ends */
} col_keywords[] = {
	{KT_COL_NUMBER, {"№", NULL}},
	{KT_COL_NUMBER, {"п/п", NULL}},
	{KT_COL_NUMBER, {"номер", NULL}},
	{KT_COL_MUNICIPAL, {"муниципальн", "уров"}},
	{KT_COL_INSTITUTIONAL, {"институцион", NULL}},
	{KT_COL_INSTITUTIONAL, {"школьн", "уров"}},
	{KT_COL_INSTITUTIONAL, {"уровень оо", NULL}},
	{KT_COL_UNKNOWN, {"региональн", "уров"}},
	{KT_COL_UNKNOWN, {"федеральн", "уров"}},
	{KT_COL_ACTIONS, {"действи", NULL}},
	{KT_COL_DEADLINE, {"срок", NULL}},
	{KT_COL_DEADLINE, {"дата", NULL}},
	{KT_COL_DEADLINE, {"период", NULL}},
	{KT_COL_RESPONSIBLE, {"ответствен", NULL}},
	{KT_COL_RESPONSIBLE, {"исполнител", NULL}},
	{KT_COL_RESULT, {"результат", NULL}},
	{KT_COL_RESULT, {"подтвержда", NULL}},
	{KT_COL_RESULT, {"управленческ", NULL}},
	{KT_COL_RESULT, {"отчетн", NULL}},
	{KT_COL_RESULT, {"отчётн", NULL}},
	{KT_COL_RESULT, {"документ", NULL}},
	{KT_COL_RESULT, {"показател", NULL}},
	{KT_COL_TARGET, {"участник", NULL}},
	{KT_COL_TARGET, {"целев", NULL}},
	{KT_COL_TARGET, {"специфик", NULL}},
	{KT_COL_TARGET, {"категори", NULL}},
	{KT_COL_TITLE, {"наименовани", NULL}},
	{KT_COL_TITLE, {"мероприят", NULL}},
	{KT_COL_TITLE, {"содержани", NULL}},
	{KT_COL_TITLE, {"меры", NULL}},
	{KT_COL_TITLE, {"название", NULL}},
};

static const char *const col_names[] = {
	[KT_COL_UNKNOWN] = "unknown", [KT_COL_NUMBER] = "number", [KT_COL_TITLE] = "title",
	[KT_COL_DEADLINE] = "deadline", [KT_COL_RESPONSIBLE] = "responsible",
	[KT_COL_ACTIONS] = "actions", [KT_COL_MUNICIPAL] = "municipal_action",
	[KT_COL_INSTITUTIONAL] = "institutional_action", [KT_COL_RESULT] = "result",
	[KT_COL_TARGET] = "target",
};

const char *kt_import_col_name(enum kt_import_col col)
{
	if ((unsigned)col >= sizeof col_names / sizeof col_names[0])
		return "unknown";
	return col_names[col];
}

/* text folded to lower case (kt_u_lower per character) into out; false when it does not fit.
 * A valid UTF-8 keyword then occurs in out (strstr) exactly where kt_u8_casestr would find
 * it in text: a match can only start on a character boundary. */
static bool fold(const char *text, char *out, size_t cap)
{
	size_t n = 0;
	while (*text) {
		if (n + 5 > cap)
			return false;
		n += kt_u8_put(out + n, kt_u_lower(kt_u8_next(&text)));
	}
	out[n] = '\0';
	return true;
}

/* Index of the matching keyword entry, -1 when none. The text is folded once and each
 * keyword (written in lower case) found with strstr: a case-insensitive scan per keyword
 * was most of the import's time on header-like lines (docs/performance.md, fuzz_import). */
static int match_entry(const char *text)
{
	char low[1024];
	bool folded = fold(text, low, sizeof low);
	for (size_t i = 0; i < sizeof col_keywords / sizeof col_keywords[0]; i++) {
		bool all = true;
		for (size_t k = 0; k < 2 && col_keywords[i].kw[k] && all; k++)
			all = folded ? strstr(low, col_keywords[i].kw[k]) != NULL
				     : kt_u8_casestr(text, col_keywords[i].kw[k]) != NULL;
		if (all)
			return (int)i;
	}
	return -1;
}

enum kt_import_col kt_col_classify(const char *text)
{
	int e = match_entry(text);
	return e < 0 ? KT_COL_UNKNOWN : col_keywords[e].role;
}

bool kt_col_is_header_cell(const char *text)
{
	size_t chars = 0, words = 0;
	bool in_word = false;
	for (const char *p = text; *p && chars <= 120;) {
		uint32_t c = kt_u8_next(&p);
		chars++;
		if (kt_u_is_space(c))
			in_word = false;
		else if (!in_word) {
			in_word = true;
			words++;
		}
	}
	if (words == 0 || words > 10 || chars > 120)
		return false;
	int dummy;
	if (kt_number_prefix(text, &dummy) > 0)
		return false;
	return match_entry(text) >= 0;
}

bool kt_col_is_abbrev_header(const char *a, const char *b)
{
	if (!a || !b || strlen(a) >= 80 || strlen(b) >= 120)
		return false;
	bool left = kt_u8_casestr(a, "сокращ") || kt_u8_casestr(a, "аббревиатур") ||
		kt_u8_casestr(a, "условн");
	bool right = kt_u8_casestr(b, "расшифр") || kt_u8_casestr(b, "наименовани") ||
		kt_u8_casestr(b, "значени") || kt_u8_casestr(b, "полн") ||
		kt_u8_casestr(b, "определени") || kt_u8_casestr(b, "обозначени");
	return left && right;
}

/* Parses digits{1,3}(.digits{1,3})* with an optional final dot at s; returns the length,
 * 0 when s does not start with one. */
static size_t scan_number(const char *s, int *depth, bool *final_dot)
{
	const char *p = s;
	int d = 0;
	*final_dot = false;
	for (;;) {
		const char *q = p;
		while (*q >= '0' && *q <= '9' && q - p < 4)
			q++;
		if (q == p || q - p > 3 || (*q >= '0' && *q <= '9')) {
			*depth = d;
			*final_dot = d > 0;
			return d ? (size_t)(p - s) : 0;
		}
		d++;
		p = q;
		if (*p != '.') {
			*depth = d;
			return (size_t)(p - s);
		}
		if (p[1] >= '0' && p[1] <= '9' && d < 8) {
			p++;
			continue;
		}
		p++;
		*final_dot = true;
		*depth = d;
		return (size_t)(p - s);
	}
}

bool kt_is_item_number(const char *s)
{
	while (*s == ' ' || *s == '\n')
		s++;
	int depth = 0;
	bool dot;
	size_t n = scan_number(s, &depth, &dot);
	if (n == 0)
		return false;
	return kt_blank(s + n);
}

size_t kt_number_prefix(const char *s, int *depth)
{
	const char *p = s;
	while (*p == ' ' || *p == '\n')
		p++;
	bool dot;
	*depth = 0;
	size_t n = scan_number(p, depth, &dot);
	if (n == 0)
		return 0;
	const char *rest = p + n;
	if (*rest == '\0')
		return (size_t)(rest - s);
	/* "1.Анализ", "1. Анализ", "1.1 Анализ"; not "2020 года" nor "1 раз в месяц" */
	const char *q = rest;
	uint32_t c = kt_u8_next(&q);
	if (!dot && *depth < 2)
		return 0;
	if (c == ' ' || c == '\n' || kt_u_is_letter(c) || c == 0xAB /* « */)
		return (size_t)(rest - s);
	return 0;
}

/* The first line of text after a table that signs it off: a position, a stamp word or a
 * name with initials («Начальник управления», «Согласовано», «И.И. Иванов»). */
bool kt_signs_off(const char *s)
{
	static const char *const words[] = {"начальник", "директор", "заместитель", "руководитель",
		"исполнитель", "председатель", "согласовано", "подпись", "и.о.", "глава", "специалист",
		"министр", "заведующ", NULL};
	while (*s == ' ' || *s == '\n')
		s++;
	for (size_t k = 0; words[k]; k++)
		if (kt_u8_casestarts(s, words[k]))
			return true;
	const char *p = s; /* «И.И. Иванов», «И.И.Иванов» */
	if (!kt_u_is_upper(kt_u8_next(&p)) || *p != '.')
		return false;
	p++;
	if (*p == ' ')
		p++;
	return kt_u_is_upper(kt_u8_next(&p)) && *p == '.';
}
