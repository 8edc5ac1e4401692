/* registry_import_send: what a CSV import (registry_import.c) and the exam schedule's share
 * with the server — the replica brought up to date before comparing, the outbox sent and
 * pulled back, each answer counted against its queued op, the exit code. */
#include <stdio.h>

#include "client.h"
#include "kt_i18n.h"
#include "kt_server_text.h"
#include "registry_import_int.h"
#include "sync.h"

int ri_answer(struct qop *q, const Karta__OpResult *res, struct ri_tally *t, char *said,
	size_t n, const char **msg)
{
	int o = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE ? (int)res->first_outcome
		: (int)res->outcome;
	q->outcome = o;
	*msg = res->message && *res->message ? kt_server_text(res->message, said, n)
		: _("no reason given");
	if (o == KARTA__OP_OUTCOME__OP_APPLIED) {
		t->added += q->action == 'a';
		t->updated += q->action == 'u';
		t->deleted += q->action == 'd';
	}
	t->refused += o == KARTA__OP_OUTCOME__OP_REJECTED && q->action != 'p';
	t->conflicts += o == KARTA__OP_OUTCOME__OP_CONFLICT;
	return o;
}

/* Connects, sends the outbox (fn answers each result) and pulls back. Offline (the server
 * cannot be reached): *offline set, 0 — the queued rows wait for 'karta sync'. -1: the
 * connection failed otherwise; -2: sending or pulling failed (said by sync.c). */
static int ri_sync(struct client *cl, sync_result_fn fn, void *arg, bool *offline)
{
	struct sync_report rep = {0};
	if (!sync_connect(cl, true)) {
		if (!cl->unreachable)
			return -1;
		*offline = true;
		return 0;
	}
	return sync_push(cl, &rep, fn, arg) == 0 && sync_pull(cl, false, &rep) == 0 ? 0 : -2;
}

bool ri_nothing_imported(const char *file, long rejected, long rows, bool partial, bool dry)
{
	if (!rejected || partial || dry)
		return false;
	fprintf(stderr, _("karta: %s: %ld of %ld rows rejected (above): nothing imported; fix them, "
			"or import the valid rows with --partial\n"), file, rejected, rows);
	return true;
}

int ri_deliver(struct client *cl, sync_result_fn fn, void *arg, bool dry, bool *offline,
	const char *file, size_t nq)
{
	if (!dry && nq && !*offline && ri_send(cl, fn, arg, offline, file, nq) != 0)
		return -1;
	if (*offline && nq)
		fprintf(stderr, P_("karta: offline: %zu change queued; 'karta sync' sends it\n",
				"karta: offline: %zu changes queued; 'karta sync' sends them\n", nq),
			nq);
	return 0;
}

int ri_exit(long rejected, const struct ri_tally *t)
{
	return rejected || t->refused || t->conflicts ? EXIT_RUNTIME : EXIT_OK;
}

int ri_refresh(struct client *cl, bool *offline)
{
	return ri_sync(cl, NULL, NULL, offline) == 0 ? 0 : -1;
}

int ri_send(struct client *cl, sync_result_fn fn, void *arg, bool *offline, const char *file,
	size_t nq)
{
	int rc = ri_sync(cl, fn, arg, offline);
	if (rc != -2)
		return rc;
	fprintf(stderr, _("karta: %s: the rows are queued (%zu changes); 'karta sync' sends what "
			"was not sent\n"), file, nq);
	return -1;
}
