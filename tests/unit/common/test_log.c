/* kt_log: rate-limited lines — a burst passes, the rest is counted, the count rides on the
 * next line written; levels below the minimum are neither written nor counted; logfmt quoting.
 * stderr is redirected to a temporary file to read back what was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_log.h"

static FILE *captured;
static int saved_stderr = -1;

static int capture(void **state)
{
	captured = tmpfile();
	assert_non_null(captured);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
	return 0;
}

static int restore(void **state)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(captured);
	return 0;
}

/* The lines written since the last call, as one string (static buffer). */
static const char *written(void)
{
	static char buf[16384];
	static long done;
	fflush(captured);
	long end = ftell(captured);
	fseek(captured, done, SEEK_SET);
	size_t n = fread(buf, 1, sizeof buf - 1, captured);
	buf[n] = '\0';
	done = end;
	fseek(captured, end, SEEK_SET);
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_burst_then_counted(void **state)
{
	struct kt_log_limit lim = {0};
	kt_log_set_level(KT_LOG_INFO);
	int passed = 0;
	for (int i = 0; i < 100; i++)
		passed += kt_log_limited(&lim, KT_LOG_ERROR, "event=accept_error n=%d", i);
	assert_int_equal(passed, KT_LOG_LIMIT_BURST);
	const char *out = written();
	assert_int_equal(count_lines(out), KT_LOG_LIMIT_BURST);
	assert_non_null(strstr(out, "event=accept_error n=0\n"));
	assert_null(strstr(out, "suppressed="));
	assert_int_equal(lim.suppressed, 100 - KT_LOG_LIMIT_BURST);
	/* The next window (simulated: its start moved back) writes the count once. */
	lim.window -= KT_LOG_LIMIT_SECONDS;
	assert_int_equal(kt_log_limited(&lim, KT_LOG_ERROR, "event=accept_error n=%d", 100), 1);
	assert_int_equal(kt_log_limited(&lim, KT_LOG_ERROR, "event=accept_error n=%d", 101), 1);
	out = written();
	assert_non_null(strstr(out, "event=accept_error n=100 suppressed=95\n"));
	assert_non_null(strstr(out, "event=accept_error n=101\n"));
	assert_int_equal(lim.suppressed, 0);
}

static void test_below_level_not_counted(void **state)
{
	struct kt_log_limit lim = {0};
	kt_log_set_level(KT_LOG_WARN);
	for (int i = 0; i < 20; i++)
		assert_int_equal(kt_log_limited(&lim, KT_LOG_INFO, "event=quiet"), 0);
	assert_int_equal(lim.suppressed, 0);
	assert_int_equal(lim.passed, 0);
	assert_string_equal(written(), "");
	kt_log_set_level(KT_LOG_INFO);
}

static void test_quote(void **state)
{
	char out[32];
	assert_string_equal(kt_log_quote(out, sizeof out, "plain"), "plain");
	assert_string_equal(kt_log_quote(out, sizeof out, "two words"), "\"two words\"");
	assert_string_equal(kt_log_quote(out, sizeof out, "a\"b\n"), "\"a\\\"b?\"");
	assert_string_equal(kt_log_quote(out, sizeof out, ""), "\"\"");
}

KT_UNIT_MAIN(capture, restore,
	cmocka_unit_test(test_burst_then_counted),
	cmocka_unit_test(test_below_level_not_counted),
	cmocka_unit_test(test_quote))
