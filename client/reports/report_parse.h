/* report_parse: the pure parts of the status and report commands (docs/reports.md) — the
 * words a status may be given in, and evidence as people write it («Приказ №12 от
 * 01.10.2023») turned into the evidence object the server checks (karta_evidence_check):
 *   {"document": {"kind", "number", "date": "YYYY-MM-DD", "title"},
 *    "attachment": {"ref", "name"}, "count": n, "records": [id, …]}
 * No I/O, no server: tested by tests/unit/test_report_parse.c. */
#ifndef KT_REPORT_PARSE_H
#define KT_REPORT_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The status a word names: the API's own (not_started, in_progress, done, not_applicable,
 * blocked; any case, '-' or ' ' for '_') or a Russian one («не начато», «в работе»,
 * «выполнено», «не требуется», «заблокировано» and a few synonyms, any case). NULL when it
 * names none. */
const char *report_status_word(const char *s);

/* "not_started|in_progress|done|not_applicable|blocked" */
#define REPORT_STATUS_WORDS "not_started|in_progress|done|not_applicable|blocked"

#define REPORT_DOC_TEXT_MAX 1000 /* characters of each document field (server's limit) */

/* A document reference. Fields are "" when the text does not say. */
struct report_doc {
	char kind[256];   /* the first word, lower-case: «приказ», «распоряжение», «протокол» */
	char number[256]; /* after «№» (or "N", "No", "#"): «12», «45-р», «01-08/1» */
	char date[11];    /* YYYY-MM-DD: «от 01.10.2023», «от 1.10.23», «от 1 октября 2023 г.»,
	                   * «от 2023-10-01» */
	char title[4 * REPORT_DOC_TEXT_MAX + 1]; /* the text as given, spaces trimmed */
};

/* Parses text into d. kind, number and date are filled only when the text looks like a
 * reference (it has a number sign or a date); the title is always the text. 0, or -1 with
 * the reason in err: empty text, more than 1000 characters, a date that is not a day
 * («от 31.02.2023»). */
int report_parse_document(const char *text, struct report_doc *d, char *err, size_t errlen);

/* The evidence object from what a command was given: doc (NULL: none), an attachment
 * reference (NULL: none; its name is the last part of the path or URL), count (< 0: none),
 * record ids. NULL when nothing was given (the command then sends no evidence) or out of
 * memory (*oom set). */
json_t *report_evidence_json(const struct report_doc *doc, const char *attachment,
	long long count, const char *const *records, size_t n_records, bool *oom);

/* A timestamp as PostgreSQL prints it («2026-11-24 10:15:03.123456+03») shortened to
 * «2026-11-24 10:15»; for people (a Russian reader: kt_table_style.people) in local time as
 * they write it, «24.11.2026 10:15 MSK» (kt_date_people); other text is copied as is. */
void report_short_time(const char *ts, bool people, char *buf, size_t n);

#endif
