/* kt_dates: the two spellings of a date, and machine times shown to people (kt_dates.h).
 * Only the shapes named there are touched: anything else (a range, a word, "never") is
 * left as it is, so a cell that merely starts like a date is never mangled. */
#define _DEFAULT_SOURCE /* timegm */
#include "kt_dates.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool real_day(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
		d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

/* n (1..max) decimal digits at *s → *v; advances *s. */
static bool digits(const char **s, int min, int max, int *v)
{
	int k = 0;
	*v = 0;
	while (k < max && (*s)[k] >= '0' && (*s)[k] <= '9')
		*v = *v * 10 + ((*s)[k++] - '0');
	*s += k;
	return k >= min;
}

/* "YYYY-MM-DD" at s: its parts, and the rest after it. */
static bool iso_at(const char *s, int *y, int *m, int *d, const char **rest)
{
	const char *p = s;
	if (!digits(&p, 4, 4, y) || *p++ != '-' || !digits(&p, 2, 2, m) || *p++ != '-' ||
	    !digits(&p, 2, 2, d) || (*p >= '0' && *p <= '9'))
		return false;
	*rest = p;
	return real_day(*y, *m, *d);
}

int kt_date_parse(const char *s, char iso[KT_DATE_ISO_LEN])
{
	int y, m, d;
	const char *p = s ? s : "";
	if (iso_at(p, &y, &m, &d, &p) && !*p) {
	} else {
		p = s ? s : "";
		if (!digits(&p, 1, 2, &d) || *p++ != '.' || !digits(&p, 1, 2, &m) || *p++ != '.' ||
		    !digits(&p, 4, 4, &y) || *p || !real_day(y, m, d))
			return -1;
	}
	snprintf(iso, KT_DATE_ISO_LEN, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* " HH:MM[:SS[.fff]][Z|±HH[[:]MM]]" or "T…" at s: the time and, when given, the zone's
 * offset in seconds east of UTC. False when s is anything else. */
static bool time_at(const char *s, int *hh, int *mm, int *ss, bool *zoned, long *off)
{
	const char *p = s;
	*ss = 0;
	*zoned = false;
	*off = 0;
	if ((*p != ' ' && *p != 'T') || (p++, !digits(&p, 2, 2, hh)) || *p++ != ':' ||
	    !digits(&p, 2, 2, mm) || *hh > 23 || *mm > 59)
		return false;
	if (*p == ':' && (p++, !digits(&p, 2, 2, ss)))
		return false;
	if (*p == '.') {
		int frac;
		p++;
		if (!digits(&p, 1, 9, &frac))
			return false;
	}
	if (*p == 'Z') {
		*zoned = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (!digits(&p, 2, 2, &oh))
			return false;
		if (*p == ':')
			p++;
		if (*p >= '0' && *p <= '9' && !digits(&p, 2, 2, &om))
			return false;
		*zoned = true;
		*off = sign * (oh * 3600L + om * 60L);
	}
	return *p == '\0';
}

void kt_date_people(const char *s, bool ru, char *buf, size_t n)
{
	int y, m, d, hh, mm, ss;
	bool zoned;
	long off;
	const char *rest;
	if (!n)
		return;
	if (!s)
		s = "";
	if (!ru || !iso_at(s, &y, &m, &d, &rest)) {
		snprintf(buf, n, "%s", s);
	} else if (!*rest) {
		snprintf(buf, n, "%02d.%02d.%04d", d, m, y);
	} else if (!time_at(rest, &hh, &mm, &ss, &zoned, &off)) {
		snprintf(buf, n, "%s", s);
	} else if (!zoned) {
		snprintf(buf, n, "%02d.%02d.%04d %02d:%02d", d, m, y, hh, mm);
	} else {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh,
			.tm_min = mm, .tm_sec = ss};
		time_t t = timegm(&tm) - off;
		struct tm local;
		if (!localtime_r(&t, &local) || !strftime(buf, n, "%d.%m.%Y %H:%M %Z", &local))
			snprintf(buf, n, "%s", s);
	}
}
