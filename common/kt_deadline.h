/* kt_deadline: normalizes the free-text deadline cell of a roadmap item («Сроки»).
 *
 * The raw text is always kept by the caller; this module adds a normalized form:
 * a kind, up to KT_DEADLINE_MAX_WINDOWS date windows [from, to], an optional recurrence,
 * an optional external reference (the schedule, plan or requester the timing depends on),
 * an optional relative phrase (timing relative to an event), a year_inferred flag and
 * warnings. Forms, the year rule and every warning are described in docs/deadlines.md.
 *
 * struct kt_deadline is fixed-size (about 2.4 KB) and owns no heap memory: it can live on
 * the stack, be copied with memcpy and needs no release. Parsing one cell reads at most
 * KT_RU_SCAN_MAX (2048) bytes of it, does not allocate and uses about 22 KB of stack
 * (the token array); it is reentrant and thread-safe. */
#ifndef KT_DEADLINE_H
#define KT_DEADLINE_H

#include <stdbool.h>

#include <jansson.h>

#define KT_DEADLINE_MAX_WINDOWS 24
#define KT_DEADLINE_MAX_WARNINGS 8
#define KT_DEADLINE_WARNING_LEN 160 /* bytes, NUL included */
#define KT_DEADLINE_REF_LEN 256     /* bytes of external / relative text, NUL included */

/* The kind is decided by what the text starts with (its leading element): «В течение года
 * Февраль-май, сентябрь» is CONTINUOUS (with two windows), «март 2020 года, в соответствии
 * с расписанием ГИА» is MONTH (with an external reference). */
enum kt_deadline_kind {
	KT_DL_EMPTY,       /* no text, or only punctuation (a merged cell, «-») */
	KT_DL_DATE,        /* a day or a span of days: «18.01.2021г.», «с 1 по 15 ноября» */
	KT_DL_BY_DATE,     /* «до 31.10.2020г.», «до 1 ноября», «не позднее 15.10.2020» */
	KT_DL_MONTH,       /* «август 2020 года», «Сентябрь» */
	KT_DL_MONTH_RANGE, /* «Июль-сентябрь», «Ноябрь 2022-март 2023» */
	KT_DL_YEAR,        /* «2020 года», «2019 – 2020 учебный год» */
	KT_DL_LIST,        /* more than one window: «Ноябрь, январь, апрель» */
	KT_DL_CONTINUOUS,  /* «В течение года», «Постоянно», «Ежемесячно», «Весь период» */
	KT_DL_ON_DEMAND,   /* «По мере необходимости», «По запросу …» */
	KT_DL_EXTERNAL,    /* «по графику ФЦТ», «Сроки, установленные порядком проведения ГИА» */
	KT_DL_RELATIVE,    /* «за 3 дня до экзамена», «в период проведения ГИА» */
	KT_DL_UNKNOWN,     /* nothing recognised (a warning says so) */
};

enum kt_deadline_recurrence {
	KT_DL_REC_NONE,
	KT_DL_REC_DAILY,
	KT_DL_REC_WEEKLY,
	KT_DL_REC_MONTHLY,
	KT_DL_REC_QUARTERLY,  /* also «раз в четверть» (school term) */
	KT_DL_REC_SEMIANNUAL,
	KT_DL_REC_YEARLY,
};

/* A calendar day. y == 0: the year is unknown (a month without a year in a plan whose
 * academic year is unknown); m == 0: the date is unset (the open end of «до …»). */
struct kt_date {
	int y, m, d;
};

struct kt_deadline_window {
	struct kt_date from; /* unset for «до DATE»: only the due date is known */
	struct kt_date to;   /* unset for «с DATE» without an end */
};

struct kt_deadline {
	enum kt_deadline_kind kind;
	enum kt_deadline_recurrence recurrence;
	bool year_inferred; /* at least one year was taken from the academic year */
	unsigned n_windows; /* in the order written; not sorted, not merged */
	struct kt_deadline_window windows[KT_DEADLINE_MAX_WINDOWS];
	char external[KT_DEADLINE_REF_LEN]; /* "" = none; valid UTF-8, as written */
	char relative[KT_DEADLINE_REF_LEN]; /* "" = none; valid UTF-8, as written */
	unsigned n_warnings;
	char warnings[KT_DEADLINE_MAX_WARNINGS][KT_DEADLINE_WARNING_LEN]; /* lower-case English */
};

/* Parses a raw deadline cell. Never fails on any text (garbage -> kind UNKNOWN + warning);
 * returns 0, or -1 only when text or out is NULL. academic_year_first: 2019 for "2019-2020"
 * (0 = unknown: then months without a year stay without windows' years and get a warning;
 * values outside 1901..2199 count as unknown, with a warning). *out is overwritten. */
int kt_deadline_parse(const char *text, int academic_year_first, struct kt_deadline *out);

/* New jansson object: {"kind": "...", "windows": [{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}...],
 *  "recurrence": null|"monthly"|..., "external": null|"...", "relative": null|"...",
 *  "year_inferred": bool, "warnings": ["..."]}
 * A date with an unknown year is "--MM-DD"; an unset date is null. Caller owns the result
 * (json_decref); NULL when dl is NULL or memory runs out. */
json_t *kt_deadline_to_json(const struct kt_deadline *dl);

struct kt_jtext;
/* The same object as text, appended to t byte for byte as json_dumps(kt_deadline_to_json(dl),
 * JSON_COMPACT) writes it (kt_jtext.h) — no tree built. False, nothing written, where
 * kt_deadline_to_json would fail on a string that is not UTF-8. */
bool kt_deadline_json_text(const struct kt_deadline *dl, struct kt_jtext *t);

/* "empty", "date", "by_date", "month", "month_range", "year", "list", "continuous",
 * "on_demand", "external", "relative", "unknown"; "?" for values outside the enum. */
const char *kt_deadline_kind_name(enum kt_deadline_kind kind);

/* NULL for KT_DL_REC_NONE, else "daily", "weekly", "monthly", "quarterly", "semiannual",
 * "yearly". */
const char *kt_deadline_recurrence_name(enum kt_deadline_recurrence rec);

/* The day the deadline's last window ends, for the dated kinds (date, by_date, month,
 * month_range, year, list). False, *out untouched, for the other kinds and when any window
 * has an unknown year or no end: then no due date can be told from the text. */
bool kt_deadline_last_day(const struct kt_deadline *dl, struct kt_date *out);

/* Overdue by date alone on y-m-d: its last window (kt_deadline_last_day) ended before that
 * day. Continuous, on-demand, external, relative, unknown and empty deadlines are never
 * overdue by date. The caller combines this with the item's status (done is never
 * overdue). */
bool kt_deadline_overdue(const struct kt_deadline *dl, int y, int m, int d);

#endif
