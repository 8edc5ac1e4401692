/* offline: the read requests of the plan and item commands answered from the local replica
 * when the server cannot be reached — the rows as last synced, with this device's queued
 * edits laid over them (replica_get). Every answer is marked on stderr as offline. */
#include "offline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kt_dates.h"
#include "kt_msg.h"
#include "kt_table.h"
#include "replica.h"
#include "kt_i18n.h"


static int answer(struct replica *r, const ProtobufCMessage *req, struct replica_arena *a,
	ProtobufCMessage **reply)
{
	int rc = -1;
	switch (kt_msg_type_of(req)) {
	case KT_MSG_PLAN_LIST_REQ: {
		Karta__PlanList l = KARTA__PLAN_LIST__INIT;
		if (replica_plan_list(r, &l.plans, &l.n_plans, a) != 0)
			return -1;
		*reply = kt_msg_clone(&l.base);
		return 0;
	}
	case KT_MSG_PLAN_GET: {
		const Karta__PlanGetRequest *q = (const Karta__PlanGetRequest *)req;
		Karta__Plan plan = KARTA__PLAN__INIT;
		Karta__PlanPage pg = KARTA__PLAN_PAGE__INIT;
		rc = replica_plan_get(r, q->plan_id, &plan, &pg.sections, &pg.n_sections, &pg.items,
			&pg.n_items, a);
		if (rc == 1)
			fprintf(stderr, _("karta: no plan %s in the local replica\n"), q->plan_id);
		if (rc != 0)
			return rc;
		pg.plan = &plan;
		*reply = kt_msg_clone(&pg.base);
		return 0;
	}
	case KT_MSG_ITEM_GET: {
		const Karta__ItemGetRequest *q = (const Karta__ItemGetRequest *)req;
		Karta__Item it = KARTA__ITEM__INIT;
		rc = replica_item_get(r, q->item_id, &it, a);
		if (rc == 1)
			fprintf(stderr, _("karta: no item %s in the local replica\n"), q->item_id);
		if (rc != 0)
			return rc;
		Karta__ItemResult res = KARTA__ITEM_RESULT__INIT;
		res.item = &it;
		*reply = kt_msg_clone(&res.base);
		return 0;
	}
	default:
		fprintf(stderr, _("karta: %s needs the server, which cannot be reached\n"),
			kt_msg_info(kt_msg_type_of(req))->name);
		return 1;
	}
}

int offline_read(struct client *cl, const ProtobufCMessage *req, ProtobufCMessage **reply)
{
	*reply = NULL;
	struct replica *r = client_replica(cl);
	if (!r)
		return EXIT_RUNTIME;
	struct replica_status st;
	if (replica_status(r, &st) != 0) {
		fprintf(stderr, _("karta: cannot read the local replica: %s\n"), replica_error(r));
		return EXIT_RUNTIME;
	}
	struct replica_arena a = REPLICA_ARENA_INIT;
	int rc = answer(r, req, &a, reply);
	replica_arena_free(&a);
	if (rc < 0)
		fprintf(stderr, _("karta: cannot read the local replica: %s\n"), replica_error(r));
	if (rc != 0 || !*reply)
		return EXIT_RUNTIME;
	char last[64];
	kt_date_people(st.last_sync, kt_table_get_style()->people, last, sizeof last);
	fprintf(stderr, P_("karta: offline: from the local replica (last sync %s, %ld change queued)\n",
			   "karta: offline: from the local replica (last sync %s, %ld changes queued)\n",
			   st.outbox), *st.last_sync ? last : _("never"), st.outbox);
	return EXIT_OK;
}
