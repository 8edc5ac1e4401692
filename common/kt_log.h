/* kt_log: one structured (logfmt) line per event on stderr:
 *   ts=2026-11-24T08:00:00.123Z lvl=info conn=42 org=mun1 event=hello proto=1
 * Callers pass the key=value body. Never log personal data, payloads or secrets. */
#ifndef KT_LOG_H
#define KT_LOG_H

#include <stdarg.h>

enum kt_log_level { KT_LOG_DEBUG, KT_LOG_INFO, KT_LOG_WARN, KT_LOG_ERROR };

void kt_log_set_level(enum kt_log_level lvl);
/* Parses "debug|info|warn|error"; returns -1 on anything else. */
int kt_log_parse_level(const char *s, enum kt_log_level *out);
void kt_log(enum kt_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kt_logv(enum kt_log_level lvl, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Rate limit for one repeated log line (a hot error path an attacker or a broken
 * environment can trigger in a loop). Declare one per call site, zero-initialized:
 *   static struct kt_log_limit lim;
 *   kt_log_limited(&lim, KT_LOG_ERROR, "event=accept_error reason=…");
 * At most KT_LOG_LIMIT_BURST lines pass per KT_LOG_LIMIT_SECONDS; the rest are counted, and
 * the next line that passes ends with " suppressed=N". */
#define KT_LOG_LIMIT_BURST 5
#define KT_LOG_LIMIT_SECONDS 10
struct kt_log_limit {
	long long window; /* start of the current window, seconds (CLOCK_MONOTONIC) */
	unsigned passed;  /* lines written in this window */
	unsigned long suppressed; /* lines dropped since the last one written */
};
/* Returns 1 when the line was written, 0 when it was counted and dropped. */
int kt_log_limited(struct kt_log_limit *lim, enum kt_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies s into out (size n) as a logfmt value: quoted and escaped when it has spaces,
 * quotes, '=' or control bytes; truncated to fit. Returns out. */
const char *kt_log_quote(char *out, unsigned n, const char *s);

#endif
