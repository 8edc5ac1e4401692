/* cmd_session: `karta hello` (who am I to the server) and `karta ping` (round trips). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "rpc.h"
#include "kt_i18n.h"
#include "terms.h"

static const char *level_name(Karta__OrgLevel l)
{
	switch (l) {
	case KARTA__ORG_LEVEL__ORG_LEVEL_REGION: return terms_word(TERMS_LEVEL, "region");
	case KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY:
		return terms_word(TERMS_LEVEL, "municipality");
	case KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL: return terms_word(TERMS_LEVEL, "school");
	default: return _("unknown level");
	}
}

int cmd_hello(struct client *cl, int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		printf(_("usage: karta hello\n\nConnects to kartad and prints the server version and "
		       "the identity the server\nsees for this device's certificate.\n"));
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, _("karta: hello takes no arguments\n"));
		return EXIT_USAGE;
	}
	struct rpc *r = client_rpc(cl);
	if (!r)
		return EXIT_RUNTIME;
	const Karta__Welcome *w = rpc_welcome(r);
	const Karta__Organization *o = w->org;
	printf(_("server   %s (protocol %u)\n"), w->server_version, w->proto);
	if (o) {
		printf(_("org      %s «%s» (%s)\n"), o->code, o->name, level_name(o->level));
		if (o->parent_code && *o->parent_code)
			printf(_("parent   %s\n"), o->parent_code);
	}
	printf(_("role     %s\n"), terms_word(TERMS_ROLE, w->role));
	printf(_("device   %s\n"), w->device_fingerprint);
	if (w->limits)
		printf(_("limits   frame %u bytes, idle %u s\n"), w->limits->max_frame,
			w->limits->idle_timeout);
	return EXIT_OK;
}

/* Milliseconds as the reader writes a decimal: "1.250", in Russian "1,250" (the numeric
 * locale stays "C": kt_i18n.h). */
static const char *ms(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.3f", v);
	char *dot = strchr(buf, '.');
	if (dot && kt_i18n_russian())
		*dot = ',';
	return buf;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cmd_ping(struct client *cl, int argc, char **argv)
{
	long count = 4;
	if (wants_help(argc, argv)) {
		printf(_("usage: karta ping [-n COUNT]\n\nSends COUNT pings (default 4, at most 100000) "
		       "over one connection and\nprints each round trip and a summary.\n"));
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count < 1 || count > 100000) {
				fprintf(stderr, _("karta: -n needs a count from 1 to 100000\n"));
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, _("karta: ping: unexpected argument '%s'\n"), argv[i]);
			return EXIT_USAGE;
		}
	}
	struct rpc *r = client_rpc(cl);
	if (!r)
		return EXIT_RUNTIME;
	double min = 1e18, max = 0, sum = 0;
	for (long i = 1; i <= count; i++) {
		Karta__Ping ping = KARTA__PING__INIT;
		ping.nonce = (uint64_t)i;
		ProtobufCMessage *reply = NULL;
		char err[512];
		double t0 = now_ms();
		if (rpc_call(r, &ping.base, &karta__pong__descriptor, &reply, err, sizeof err) != RPC_OK) {
			fprintf(stderr, "karta: %s\n", err);
			return EXIT_RUNTIME;
		}
		double dt = now_ms() - t0;
		bool ok = ((Karta__Pong *)reply)->nonce == (uint64_t)i;
		protobuf_c_message_free_unpacked(reply, NULL);
		if (!ok) {
			fprintf(stderr, _("karta: pong %ld carries the wrong nonce\n"), i);
			return EXIT_RUNTIME;
		}
		char b1[32];
		if (count <= 20)
			printf(_("pong %ld: %s ms\n"), i, ms(dt, b1, sizeof b1));
		sum += dt;
		min = dt < min ? dt : min;
		max = dt > max ? dt : max;
	}
	char b1[32], b2[32], b3[32];
	printf(_("%ld pings: min %s avg %s max %s ms\n"), count, ms(min, b1, sizeof b1),
		ms(sum / (double)count, b2, sizeof b2), ms(max, b3, sizeof b3));
	return EXIT_OK;
}
