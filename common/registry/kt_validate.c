/* kt_validate: value validators for numbers, codes, dates, GUIDs, СНИЛС and flags. */
#include <string.h>

#include "kt_validate_int.h"
#include "kt_i18n.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool kt_v_trim(const char *s, char *buf, size_t cap)
{
	if (!s)
		s = "";
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	/* NBSP (C2 A0) around a value comes from spreadsheets too */
	while (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
		s += 2, n -= 2;
	while (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
		n -= 2;
	if (n >= cap) {
		buf[0] = '\0';
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

const char *kt_v_trimmed(const char *s, bool (*ok)(const char *b), const char *bad)
{
	char b[KT_V_SHORT];
	return kt_v_trim(s, b, sizeof b) && ok(b) ? NULL : bad;
}

bool kt_v_blank(const char *s)
{
	char b[4];
	return kt_v_trim(s, b, sizeof b) && b[0] == '\0';
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

bool kt_parse_int(const char *s, long lo, long hi, long *out)
{
	char b[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b) || !b[0] || strlen(b) > 12 || !all_digits(b, strlen(b)))
		return false;
	long v = 0;
	for (const char *p = b; *p; p++)
		v = v * 10 + (*p - '0');
	if (v < lo || v > hi)
		return false;
	if (out)
		*out = v;
	return true;
}

const char *kt_check_digits(const char *s, int ndigits)
{
	char b[KT_V_SHORT];
	size_t n = kt_v_trim(s, b, sizeof b) ? strlen(b) : sizeof b;
	bool ok = all_digits(b, n) && n > 0 &&
		(ndigits > 0 ? n == (size_t)ndigits : n <= (size_t)-ndigits);
	if (ok)
		return NULL;
	switch (ndigits) {
	case 4: return N_("must be 4 digits");
	case 6: return N_("must be 6 digits");
	case -2: return N_("must be 1 or 2 digits");
	case -3: return N_("must be 1 to 3 digits");
	case -4: return N_("must be 1 to 4 digits");
	case -6: return N_("must be 1 to 6 digits");
	default: return N_("must be digits");
	}
}

/* ---- СНИЛС ---- */

/* The control number of the first nine digits (Пенсионный фонд's rule). */
static int snils_control(const char *d)
{
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (d[i] - '0') * (9 - i);
	if (sum > 101)
		sum %= 101;
	return sum == 100 || sum == 101 ? 0 : sum;
}

const char *kt_check_snils(const char *s)
{
	char b[KT_V_SHORT], d[12];
	size_t n = 0;
	if (!kt_v_trim(s, b, sizeof b))
		return N_("must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
	for (const char *p = b; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (!is_digit(*p) || n == 11)
			return N_("must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
		d[n++] = *p;
	}
	if (n != 11)
		return N_("must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)");
	d[11] = '\0';
	if (memcmp(d, "000000000", 9) == 0)
		return N_("is not a real number (all zeros)");
	if (memcmp(d, "001001998", 9) <= 0) /* issued before control numbers existed */
		return NULL;
	int ctl = (d[9] - '0') * 10 + (d[10] - '0');
	return ctl == snils_control(d) ? NULL : N_("control number does not match");
}

/* ---- dates ---- */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "дд.ММ.гггг" at s (exactly 10 bytes checked); 0 ok, 1 bad shape, 2 no such date. */
static int parse_date10(const char *s, struct kt_date *out)
{
	if (!all_digits(s, 2) || s[2] != '.' || !all_digits(s + 3, 2) || s[5] != '.' ||
		!all_digits(s + 6, 4))
		return 1;
	struct kt_date d = {num(s + 6, 4), num(s + 3, 2), num(s, 2)};
	if (d.y < 1900 || d.y > 2099 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > days_in(d.y, d.m))
		return 2;
	if (out)
		*out = d;
	return 0;
}

const char *kt_check_date(const char *s, struct kt_date *out)
{
	char b[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b) || strlen(b) != 10)
		return N_("must be a date дд.ММ.гггг");
	switch (parse_date10(b, out)) {
	case 0: return NULL;
	case 1: return N_("must be a date дд.ММ.гггг");
	default: return N_("is not a calendar date from 1900 to 2099");
	}
}

const char *kt_check_datetime(const char *s)
{
	char b[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b) || strlen(b) != 19 || b[10] != ' ' ||
		!all_digits(b + 11, 2) || b[13] != ':' || !all_digits(b + 14, 2) || b[16] != ':' ||
		!all_digits(b + 17, 2))
		return N_("must be дд.ММ.гггг ЧЧ:мм:сс");
	int rc = parse_date10(b, NULL);
	if (rc == 1)
		return N_("must be дд.ММ.гггг ЧЧ:мм:сс");
	if (rc == 2 || num(b + 11, 2) > 23 || num(b + 14, 2) > 59 || num(b + 17, 2) > 59)
		return N_("is not a real date and time");
	return NULL;
}

int kt_age_on(const struct kt_date *b, const struct kt_date *ref)
{
	int age = ref->y - b->y;
	if (ref->m < b->m || (ref->m == b->m && ref->d < b->d))
		age--;
	return age;
}

const char *kt_check_birth(const struct kt_date *b, const struct kt_date *ref, int min_age,
	int max_age)
{
	if (b->y > ref->y || (b->y == ref->y && (b->m > ref->m || (b->m == ref->m && b->d > ref->d))))
		return N_("is in the future");
	int age = kt_age_on(b, ref);
	return age < min_age || age > max_age ? "gives an implausible age" : NULL;
}

/* ---- keys and flags ---- */

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool guid_ok(const char *b)
{
	const char *g = b;
	size_t n = strlen(b);
	if (n == 38 && b[0] == '{' && b[37] == '}')
		g++, n -= 2;
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? g[i] != '-' : !is_hex(g[i]))
			return false;
	}
	return true;
}

const char *kt_check_guid(const char *s)
{
	return kt_v_trimmed(s, guid_ok, N_("must be a GUID (8-4-4-4-12 hex digits)"));
}

static bool org_code_ok(const char *b)
{
	size_t n = strlen(b);
	if (n < 1 || n > 32 || !((b[0] >= '0' && b[0] <= '9') || ((b[0] | 32) >= 'a' && (b[0] | 32) <= 'z')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

const char *kt_check_org_code(const char *s)
{
	return kt_v_trimmed(s, org_code_ok,
		N_("must be an organization code (letters, digits, '.', '_', '-'; at most 32)"));
}

const char *kt_check_ppe_code(const char *s, bool ris)
{
	return kt_check_digits(s, ris ? -4 : 4);
}

const char *kt_check_flag(const char *s, bool *out)
{
	static const struct kt_v_code flags[] = {
		{0, "0|нет|no|false|-"}, {1, "1|да|yes|true|+"}};
	if (kt_v_blank(s)) {
		if (out)
			*out = false;
		return NULL;
	}
	int v = kt_v_code_parse(flags, 2, s, false);
	if (v < 0)
		return N_("must be 0 or 1");
	if (out)
		*out = v == 1;
	return NULL;
}

const char *kt_check_deleted(const char *s, int *out)
{
	long v;
	if (!kt_parse_int(s, 0, 12, &v) || v == 3 || v == 8 || v == 9)
		return N_("must be one of 0, 1, 2, 4, 5, 6, 7, 10, 11, 12");
	if (out)
		*out = (int)v;
	return NULL;
}
