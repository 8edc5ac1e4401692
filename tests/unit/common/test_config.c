/* Config key table: defaults, INI file, flags overriding the file, bad values refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_config.h"

struct cfg {
	char *listen;
	long port;
};

static const struct kt_cfg_key keys[] = {
	{"server", "listen", "listen", KT_CFG_STR, offsetof(struct cfg, listen), "a:1", 0, 0, "addr"},
	{"server", "port", "port", KT_CFG_INT, offsetof(struct cfg, port), "7", 1, 100, "port"},
	{0},
};

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/kt_cfg_test_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_defaults_file_flags(void **state)
{
	struct cfg c = {0};
	char err[256];
	assert_int_equal(kt_cfg_defaults(keys, &c), 0);
	assert_string_equal(c.listen, "a:1");
	assert_int_equal(c.port, 7);
	char *path = write_tmp("; comment\n[server]\nlisten = b:2\nport = 9\n");
	char cfgarg[80];
	snprintf(cfgarg, sizeof cfgarg, "--config=%s", path);
	/* The flag comes before --config on the command line and still wins. */
	char *argv[] = {"prog", "--port", "42", cfgarg, "cmd", NULL};
	int i = 1;
	assert_int_equal(kt_cfg_args(keys, &c, 5, argv, &i, err, sizeof err), 0);
	assert_int_equal(i, 4);
	assert_string_equal(c.listen, "b:2");
	assert_int_equal(c.port, 42);
	unlink(path);
	kt_cfg_release(keys, &c);
}

static void test_bad_input(void **state)
{
	struct cfg c = {0};
	char err[256];
	assert_int_equal(kt_cfg_defaults(keys, &c), 0);
	char *path = write_tmp("[server]\nport = 1000\n");
	assert_int_equal(kt_cfg_load(keys, &c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "out of range"));
	unlink(path);
	path = write_tmp("[server]\nnope = 1\n");
	assert_int_equal(kt_cfg_load(keys, &c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown key 'nope'"));
	unlink(path);
	path = write_tmp("[server]\nport = 12abc\n");
	assert_int_equal(kt_cfg_load(keys, &c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a whole number"));
	unlink(path);
	assert_int_equal(kt_cfg_load(keys, &c, "/nonexistent/x.conf", err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open config"));
	char *argv[] = {"prog", "--port", NULL};
	int i = 1;
	assert_int_equal(kt_cfg_args(keys, &c, 2, argv, &i, err, sizeof err), -1);
	assert_non_null(strstr(err, "needs a value"));
	kt_cfg_release(keys, &c);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_defaults_file_flags),
	cmocka_unit_test(test_bad_input))
