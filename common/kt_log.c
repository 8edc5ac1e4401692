/* kt_log: logfmt lines to stderr, one write(2) per line so concurrent processes sharing a log
 * file never interleave within a line. */
#include "kt_log.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum kt_log_level min_level = KT_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void kt_log_set_level(enum kt_log_level lvl) { min_level = lvl; }

int kt_log_parse_level(const char *s, enum kt_log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum kt_log_level)i;
			return 0;
		}
	return -1;
}

__attribute__((format(printf, 2, 0))) void kt_logv(enum kt_log_level lvl, const char *fmt, va_list ap)
{
	if (lvl < min_level)
		return;
	char line[2048];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ lvl=%s ",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		(int)(tv.tv_usec / 1000), level_names[lvl]);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void kt_log(enum kt_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kt_logv(lvl, fmt, ap);
	va_end(ap);
}

int kt_log_limited(struct kt_log_limit *lim, enum kt_log_level lvl, const char *fmt, ...)
{
	if (lvl < min_level)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec >= lim->window + KT_LOG_LIMIT_SECONDS) {
		lim->window = now.tv_sec;
		lim->passed = 0;
	}
	if (lim->passed >= KT_LOG_LIMIT_BURST) {
		lim->suppressed++;
		return 0;
	}
	lim->passed++;
	char body[1800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	if (lim->suppressed)
		kt_log(lvl, "%s suppressed=%lu", body, lim->suppressed);
	else
		kt_log(lvl, "%s", body);
	lim->suppressed = 0;
	return 1;
}

const char *kt_log_quote(char *out, unsigned n, const char *s)
{
	if (n == 0)
		return out;
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20)
			plain = false;
	unsigned o = 0;
	if (plain) {
		while (*s && o + 1 < n)
			out[o++] = *s++;
		out[o] = '\0';
		return out;
	}
	if (o + 1 < n)
		out[o++] = '"';
	for (; *s && o + 3 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			out[o++] = '?';
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
