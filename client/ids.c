/* ids: short ids to full ones (see ids.h). Candidates come from the replica only: asking
 * the server would need a round trip and a protocol message for every command, and the
 * replica holds every row the device can see. A prefix the replica does not know is an
 * error that says so (a sync fetches new rows); a full UUID never needs the replica. */
#include "ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kt_i18n.h"
#include "opts.h"
#include "replica.h"

#define MAX_SHOWN 10

static struct client *ids_client;

void ids_init(struct client *cl)
{
	ids_client = cl;
	opts_set_id_resolver(ids_resolve);
}

/* The replica's entity types of a WHAT id as the commands name it; NULL: any. */
static const char *types_of(const char *what)
{
	static const struct {
		const char *what, *types;
	} map[] = {
		{"plan", ",plan,"}, {"item", ",plan_item,"}, {"conflict", ",conflict,"},
		{"participant", ",participant,"}, {"request", ",report_request,"},
		{"submission", ",report_submission,"},
		{"request or submission", ",report_request,report_submission,"},
		{"submission or request", ",report_request,report_submission,"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].what, what) == 0)
			return map[i].types;
	return NULL;
}

/* Hex digits and dashes where a UUID has them, fewer than 36. */
static bool is_prefix(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof shape - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

int ids_resolve(const char *what, const char **id)
{
	const char *s = *id ? *id : "";
	if (opts_is_uuid(s))
		return EXIT_OK;
	if (!is_prefix(s)) {
		fprintf(stderr, _("karta: '%s' is not a valid %s id (a UUID or its first "
				  "characters)\n"), s, _(what));
		return EXIT_RUNTIME;
	}
	if (strlen(s) < IDS_MIN_PREFIX) {
		fprintf(stderr, _("karta: '%s' is too short for a %s id: give at least %d of its "
				  "characters\n"), s, _(what), IDS_MIN_PREFIX);
		return EXIT_RUNTIME;
	}
	struct replica *r = ids_client ? client_replica(ids_client) : NULL;
	if (!r) {
		fprintf(stderr, _("karta: '%s' is not a whole %s id, and there is no local copy "
				  "to complete it from: give the whole id\n"), s, _(what));
		return EXIT_RUNTIME;
	}
	static char found[MAX_SHOWN][REPLICA_ID_LEN];
	size_t n;
	if (replica_ids_with_prefix(r, types_of(what), s, found, MAX_SHOWN, &n) != 0) {
		fprintf(stderr, "karta: %s\n", replica_error(r));
		return EXIT_RUNTIME;
	}
	if (n == 1) {
		*id = found[0];
		return EXIT_OK;
	}
	if (n == 0) {
		fprintf(stderr, _("karta: no %s id starts with '%s' (of those this device knows: "
				  "'karta sync' fetches new ones)\n"), _(what), s);
		return EXIT_RUNTIME;
	}
	if (n > MAX_SHOWN)
		fprintf(stderr, _("karta: '%s' is ambiguous: more than %d %s ids start with it; "
				  "give more characters:\n"), s, MAX_SHOWN, _(what));
	else
		fprintf(stderr, _("karta: '%s' is ambiguous: %zu %s ids start with it; give more "
				  "characters:\n"), s, n, _(what));
	for (size_t i = 0; i < n && i < MAX_SHOWN; i++)
		fprintf(stderr, "  %s\n", found[i]);
	return EXIT_RUNTIME;
}
