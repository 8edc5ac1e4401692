/* kt_validate_text: validators that look at characters — names, documents, auditorium
 * codes, e-mail lists. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kt_import_int.h" /* kt_u8_next, kt_u_is_letter */
#include "kt_validate_int.h"
#include "kt_i18n.h"

#define NAME_MAX_CHARS 100

static bool is_cyr_letter(uint32_t c)
{
	return (c >= 0x410 && c <= 0x44F) || c == 0x401 || c == 0x451;
}

/* A letter of a name or a document: Latin (with Latin-1 and Latin Extended-A/B) and
 * Cyrillic — exactly the class [A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ] of the SQL checks (karta_name_letters in
 * sql/functions/00_schema.sql, which every SQL name and document rule builds on);
 * t_rule_parity_sql and t_registry_rows_checks hold the two together. */
static bool is_name_letter(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0xD6) ||
		(c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x24F) || (c >= 0x400 && c <= 0x4FF);
}

const char *kt_check_name(const char *s)
{
	char b[NAME_MAX_CHARS * 4 + 1];
	if (!kt_v_trim(s, b, sizeof b))
		return N_("is longer than 100 characters");
	const char *p = b;
	size_t chars = 0;
	while (*p) {
		uint32_t c = kt_u8_next(&p);
		bool letter = is_name_letter(c);
		if (chars == 0 && !letter)
			return N_("must start with a letter");
		/* hyphen, apostrophes (ASCII and ’), dot, space: «Салтыков-Щедрин», «Д'Артаньян» */
		if (!letter && c != '-' && c != '\'' && c != 0x2019 && c != '.' && c != ' ')
			return N_("may hold only letters, spaces, hyphens, apostrophes and dots");
		chars++;
	}
	return chars > NAME_MAX_CHARS ? "is longer than 100 characters" : NULL;
}

static int roman_digit(char c)
{
	switch (c) {
	case 'I': return 1;
	case 'V': return 5;
	case 'X': return 10;
	case 'L': return 50;
	default: return 100; /* 'C': nothing else gets this far */
	}
}

/* Value of a roman numeral (Latin I V X L C, or the Cyrillic look-alikes І Х С that
 * keyboards mix in), 0 when not a well-formed one from 1 to 399. */
static int roman_value(const char *s, size_t n)
{
	static const char *const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
	static const char *const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
	static const char *const hund[] = {"", "C", "CC", "CCC"};
	char lat[32];
	size_t k = 0;
	const char *p = s, *end = s + n;
	while (p < end && k + 1 < sizeof lat) {
		uint32_t c = kt_u8_next(&p);
		if (c == 0x406 || c == 0x456 || c == 'i') c = 'I';
		else if (c == 0x425 || c == 0x445 || c == 'x') c = 'X';
		else if (c == 0x421 || c == 0x441 || c == 'c') c = 'C';
		else if (c == 'v') c = 'V';
		else if (c == 'l') c = 'L';
		if (c != 'I' && c != 'V' && c != 'X' && c != 'L' && c != 'C')
			return 0;
		lat[k++] = (char)c;
	}
	lat[k] = '\0';
	int v = 0;
	for (size_t i = 0; i < k; i++) {
		int a = roman_digit(lat[i]), b = i + 1 < k ? roman_digit(lat[i + 1]) : 0;
		v += a < b ? -a : a;
	}
	if (v < 1 || v >= 400)
		return 0;
	/* the canonical spelling of the value must be what was written: rejects IIII, VX, IC */
	char w[32];
	snprintf(w, sizeof w, "%s%s%s", hund[v / 100], tens[v / 10 % 10], ones[v % 10]);
	return strcmp(w, lat) == 0 ? v : 0;
}

/* Birth certificate series: a roman numeral, an optional '-' or space, two Cyrillic
 * letters («IV-МЮ», «VIII УН»). */
static bool birth_series_ok(const char *b)
{
	size_t n = strlen(b);
	const char *tail = b + n;
	int letters = 0;
	while (tail > b && letters < 2) {
		const char *q = tail - 1;
		while (q > b && ((unsigned char)*q & 0xC0) == 0x80)
			q--;
		const char *t = q;
		if (!is_cyr_letter(kt_u8_next(&t)))
			return false;
		tail = q;
		letters++;
	}
	if (letters != 2)
		return false;
	size_t rn = (size_t)(tail - b);
	if (rn > 0 && (b[rn - 1] == '-' || b[rn - 1] == ' '))
		rn--;
	return rn > 0 && roman_value(b, rn) > 0;
}

/* Digits with spaces ignored ("45 06"): their count, or -1 when another character occurs. */
static int digit_count(const char *b)
{
	int n = 0;
	for (; *b; b++) {
		if (*b == ' ')
			continue;
		if (*b < '0' || *b > '9')
			return -1;
		n++;
	}
	return n;
}

/* Foreign and other documents: formats vary by country, so only the characters are
 * checked. */
static bool lax_doc_ok(const char *b, size_t max_chars)
{
	const char *p = b;
	size_t chars = 0;
	while (*p) {
		uint32_t c = kt_u8_next(&p);
		if (!is_name_letter(c) && !(c >= '0' && c <= '9') && c != ' ' &&
			c != '-' && c != '/' && c != '.' && c != 0x2116 /* № */)
			return false;
		chars++;
	}
	return chars <= max_chars;
}

/* The document types whose series and number have fixed rules; the others' are lax_doc_ok. */
static const struct doc_rule {
	int type;
	int series_digits; /* 0: a birth certificate's series, birth_series_ok */
	int number_digits;
	const char *series_bad, *number_bad;
} doc_rules[] = {
	{KT_DOC_PASSPORT_RF, 4, 6, N_("must be 4 digits for a passport of the RF"),
		N_("must be 6 digits for a passport of the RF")},
	{KT_DOC_PASSPORT_RF_INTL, 2, 7, N_("must be 2 digits for an international passport"),
		N_("must be 7 digits for an international passport")},
	{KT_DOC_BIRTH_CERT, 0, 6,
		N_("must be a roman numeral and 2 Cyrillic letters (IV-МЮ) for a birth certificate"),
		N_("must be 6 digits for a birth certificate")},
};

/* A document's series (number false) or number by the rule of its type. */
static const char *doc_part(int doc_type, const char *s, bool number)
{
	char b[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b))
		return N_("is too long");
	for (size_t i = 0; i < sizeof doc_rules / sizeof *doc_rules; i++) {
		const struct doc_rule *r = &doc_rules[i];
		if (r->type != doc_type)
			continue;
		if (number)
			return digit_count(b) == r->number_digits ? NULL : r->number_bad;
		bool ok = r->series_digits ? digit_count(b) == r->series_digits : birth_series_ok(b);
		return ok ? NULL : r->series_bad;
	}
	if (number)
		return lax_doc_ok(b, 30) && b[0] ? NULL :
			N_("may hold only letters, digits, spaces, '-', '/', '.' (at most 30)");
	return lax_doc_ok(b, 20) ? NULL :
		N_("may hold only letters, digits, spaces, '-', '/', '.' (at most 20)");
}

const char *kt_check_doc_series(int doc_type, const char *s)
{
	return doc_part(doc_type, s, false);
}

const char *kt_check_doc_number(int doc_type, const char *s)
{
	return doc_part(doc_type, s, true);
}

static bool aud_code_ok(const char *b)
{
	const char *p = b;
	int n = 0;
	while (*p) {
		uint32_t c = kt_u8_next(&p);
		bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			is_cyr_letter(c);
		if (!ok)
			return false;
		n++;
	}
	return n == 4;
}

const char *kt_check_aud_code(const char *s)
{
	return kt_v_trimmed(s, aud_code_ok, N_("must be 4 digits or letters"));
}

static bool is_email_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* One address: name@domain.tld, no spaces, ',' or ';' inside; its length, 0 when the text
 * at a does not start with one. */
static size_t email_len(const char *a)
{
	size_t n = 0, at = 0, ats = 0, dot = 0;
	for (; a[n] && !is_email_space(a[n]) && a[n] != ',' && a[n] != ';'; n++) {
		if (a[n] == '@')
			at = n, ats++, dot = 0;
		else if (a[n] == '.' && ats && !dot && n > at + 1)
			dot = n; /* the first dot with something between it and the '@' */
	}
	bool ok = ats == 1 && at > 0 && dot && dot + 1 < n;
	return ok ? n : 0;
}

/* Addresses separated by ',' or ';' with spaces around the separators, nothing empty in
 * between — the grammar of exam_point_emails_check (sql/0008). */
const char *kt_check_emails(const char *s)
{
	const char *bad = N_("must be e-mail addresses (name@domain.ru) separated by ';'");
	if (!s)
		return NULL;
	while (is_email_space(*s))
		s++;
	if (!*s)
		return NULL;
	for (;;) {
		size_t n = email_len(s);
		if (n == 0)
			return bad;
		s += n;
		while (is_email_space(*s))
			s++;
		if (!*s)
			return NULL;
		if (*s != ',' && *s != ';')
			return bad;
		s++;
		while (is_email_space(*s))
			s++;
	}
}
