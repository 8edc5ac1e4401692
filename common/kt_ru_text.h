/* kt_ru_text: a bounded tokenizer for short Russian free text (table cells of a roadmap),
 * used by the deadline parser and usable by the plan importer.
 *
 * Text is read as UTF-8 (invalid bytes become OTHER tokens and are reported, never fatal).
 * Words are case-folded by hand for Cyrillic (the C locale knows only ASCII): А-Я -> а-я,
 * Ѐ-Џ -> ѐ-џ, ё -> е; Latin look-alikes inside a Cyrillic word («Mapт» typed with Latin
 * M, a, p) are mapped to their Cyrillic twins. All dashes (-, ‐, ‒, –, —, ―, −) are one
 * token type. Nothing allocates; input past KT_RU_SCAN_MAX bytes or past KT_RU_MAX_TOKENS
 * tokens is ignored and flagged. */
#ifndef KT_RU_TEXT_H
#define KT_RU_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define KT_RU_SCAN_MAX 2048u  /* bytes of input looked at; real cells are < 400 */
#define KT_RU_MAX_TOKENS 192u
#define KT_RU_WORD_MAX 64u    /* bytes kept of a folded word (32 Cyrillic letters) */

enum kt_ru_tok_type {
	KT_RU_WORD,   /* letters (Cyrillic, Latin); soft hyphens and stress marks dropped */
	KT_RU_NUM,    /* ASCII digits */
	KT_RU_DASH,
	KT_RU_COMMA,
	KT_RU_DOT,
	KT_RU_SEMI,
	KT_RU_COLON,
	KT_RU_LPAREN, /* ( [ { */
	KT_RU_RPAREN, /* ) ] } */
	KT_RU_SLASH,
	KT_RU_OTHER,  /* anything else, one code point (quotes, U+FFFD for bad bytes) */
};

struct kt_ru_tok {
	enum kt_ru_tok_type type;
	unsigned start, end;   /* byte range in the source text */
	bool space_before;     /* whitespace (or the start of text) precedes the token */
	bool mixed_script;     /* WORD: Latin look-alikes were folded to Cyrillic */
	unsigned ndigits;      /* NUM: digit count */
	long value;            /* NUM: value, saturated at 999999999 */
	char w[KT_RU_WORD_MAX]; /* WORD: folded UTF-8, NUL-terminated (may be cut at a letter) */
};

struct kt_ru_toks {
	unsigned n;
	bool truncated;        /* input or token limit reached: the tail was not read */
	bool bad_utf8;         /* at least one invalid UTF-8 sequence */
	unsigned bad_utf8_at;  /* byte offset of the first one */
	struct kt_ru_tok t[KT_RU_MAX_TOKENS];
};

/* Tokenizes s[0..len) (s need not be NUL-terminated). Never fails. */
void kt_ru_tokenize(const char *s, size_t len, struct kt_ru_toks *out);

/* Month number 1..12 of a folded word in any case form (январь, января, январе, январю,
 * январем) or abbreviation (янв, февр, сент, нояб...), else 0. *abbrev (may be NULL) tells
 * the caller an abbreviation may be followed by a dot. */
int kt_ru_month(const char *w, bool *abbrev);

/* Month number of a folded word of at least 6 letters that is one edit (insert, delete,
 * substitute, swap of neighbours) away from a month form and starts with the same letter
 * («декбарь»), else 0. Only for words kt_ru_month rejected. */
int kt_ru_month_fuzzy(const char *w);

/* Nominative month name (1..12), "?" otherwise. */
const char *kt_ru_month_name(int m);

/* True when the folded word w is stem followed by at most max_extra letters. */
bool kt_ru_stem(const char *w, const char *stem, unsigned max_extra);

/* Copies src[0..len) into dst (capacity cap >= 1) as valid UTF-8: invalid sequences become
 * U+FFFD, the copy is cut at a character boundary to fit. Returns bytes written (without
 * the NUL it always adds). */
size_t kt_ru_copy_clean(char *dst, size_t cap, const char *src, size_t len);

#endif
