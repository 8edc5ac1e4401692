/* libFuzzer: any bytes as a config file of kartad (server/config.c) or of the client
 * (client/config.c) — the first byte picks which; the file goes through kt_cfg_load as a
 * memfd. Loaded, every number is within its key's range and every text key is set;
 * refused, the error says where and why. Then the same bytes, split at newlines, as the
 * command line (kt_cfg_args; not when they name --config, which would read any file).
 * Built with ASan/UBSan: never a crash, leak or bad read. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

/* Every key as the table says: numbers in [min, max], strings set. */
static void check(const struct kt_cfg_key *keys, const void *cfg)
{
	for (const struct kt_cfg_key *k = keys; k->key; k++) {
		const char *f = (const char *)cfg + k->offset;
		if (k->type == KT_CFG_INT) {
			long v = *(const long *)(const void *)f;
			if (v < k->min || v > k->max)
				__builtin_trap();
		} else if (!*(char *const *)(const void *)f) {
			__builtin_trap();
		}
	}
}

static void one(const struct kt_cfg_key *keys, void *cfg, const uint8_t *data, size_t size)
{
	char err[512] = "";
	if (kt_cfg_defaults(keys, cfg) != 0)
		__builtin_trap();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return;
	if (kt_cfg_load(keys, cfg, path, err, sizeof err) == 0)
		check(keys, cfg);
	else if (!err[0])
		__builtin_trap(); /* a refusal says why */
	/* the same bytes as argv: one argument a line */
	if (memmem(data, size, "config", 6)) /* --config FILE would read any file: not here */
		goto out;
	char *buf = malloc(size + 1), *argv[64];
	int argc = 0;
	if (buf) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		for (char *s = buf, *e; s && argc < 63; s = e ? e + 1 : NULL) {
			e = strchr(s, '\n');
			if (e)
				*e = '\0';
			argv[argc++] = s;
		}
		argv[argc] = NULL;
		int i = 0;
		err[0] = '\0';
		if (kt_cfg_args(keys, cfg, argc, argv, &i, err, sizeof err) == 0)
			check(keys, cfg);
		else if (!err[0])
			__builtin_trap();
		if (i < 0 || i > argc)
			__builtin_trap();
	}
	free(buf);
out:
	kt_cfg_release(keys, cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) { /* once: the "file" every input is written to */
		fd = memfd_create("fuzz_config", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		struct server_cfg cfg;
		memset(&cfg, 0, sizeof cfg);
		one(server_cfg_keys, &cfg, data + 1, size - 1);
	} else {
		struct client_cfg cfg;
		memset(&cfg, 0, sizeof cfg);
		one(client_cfg_keys, &cfg, data + 1, size - 1);
	}
	return 0;
}
