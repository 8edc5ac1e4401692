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

/* Copies s into out (size n) as a logfmt value: quoted and escaped when it has spaces,
 * quotes, '=' or control bytes; truncated to fit. Returns out. */
const char *kt_log_quote(char *out, unsigned n, const char *s);

#endif
