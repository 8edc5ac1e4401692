/* kt_msg: the message table (data, not code: see house-style "data over code").
 * Adding a message = one line here + the proto definition + a handler row in the server's
 * dispatch table. */
#include "kt_msg.h"

#include "kt_i18n.h"

#include <stdlib.h>
#include <string.h>

static const struct kt_msg_info msgs[] = {
	{KT_MSG_ERROR, "Error", &karta__error__descriptor, 64 * 1024, KT_TO_CLIENT},
	{KT_MSG_HELLO, "Hello", &karta__hello__descriptor, 4 * 1024, KT_TO_SERVER},
	{KT_MSG_WELCOME, "Welcome", &karta__welcome__descriptor, 64 * 1024, KT_TO_CLIENT},
	{KT_MSG_PING, "Ping", &karta__ping__descriptor, 64, KT_TO_SERVER},
	{KT_MSG_PONG, "Pong", &karta__pong__descriptor, 64, KT_TO_CLIENT},
	{KT_MSG_GOAWAY, "GoAway", &karta__go_away__descriptor, 4 * 1024, KT_TO_CLIENT},
	{KT_MSG_PLAN_LIST_REQ, "PlanListRequest", &karta__plan_list_request__descriptor, 64, KT_TO_SERVER},
	{KT_MSG_PLAN_LIST, "PlanList", &karta__plan_list__descriptor, 0, KT_TO_CLIENT},
	{KT_MSG_PLAN_GET, "PlanGetRequest", &karta__plan_get_request__descriptor, 1024, KT_TO_SERVER},
	{KT_MSG_PLAN_PAGE, "PlanPage", &karta__plan_page__descriptor, 0, KT_TO_CLIENT},
	/* PlanPut … ItemDelete: retired as requests (one write path, issue 15): op bodies only */
	{KT_MSG_PLAN_PUT, "PlanPut", &karta__plan_put__descriptor, 1024 * 1024, KT_OP_BODY},
	{KT_MSG_PLAN_APPROVE, "PlanApprove", &karta__plan_approve__descriptor, 4 * 1024, KT_OP_BODY},
	{KT_MSG_PLAN_DERIVE, "PlanDerive", &karta__plan_derive__descriptor, 8 * 1024, KT_OP_BODY},
	{KT_MSG_PLAN_RESULT, "PlanResult", &karta__plan_result__descriptor, 64 * 1024, KT_TO_CLIENT},
	{KT_MSG_ITEM_PUT, "ItemPut", &karta__item_put__descriptor, 256 * 1024, KT_OP_BODY},
	{KT_MSG_ITEM_MOVE, "ItemMove", &karta__item_move__descriptor, 1024, KT_OP_BODY},
	{KT_MSG_ITEM_DELETE, "ItemDelete", &karta__item_delete__descriptor, 8 * 1024, KT_OP_BODY},
	{KT_MSG_ITEM_RESULT, "ItemResult", &karta__item_result__descriptor, 512 * 1024, KT_TO_CLIENT},
	{KT_MSG_ITEM_HISTORY_REQ, "ItemHistoryRequest", &karta__item_history_request__descriptor, 256, KT_TO_SERVER},
	{KT_MSG_ITEM_HISTORY, "ItemHistory", &karta__item_history__descriptor, 0, KT_TO_CLIENT},
	{KT_MSG_ITEM_GET, "ItemGetRequest", &karta__item_get_request__descriptor, 256, KT_TO_SERVER},
	/* as a request: the dry run only; the import that writes is an op body */
	{KT_MSG_PLAN_IMPORT, "PlanImport", &karta__plan_import__descriptor, 0, KT_TO_SERVER},
	{KT_MSG_IMPORT_RESULT, "ImportResult", &karta__import_result__descriptor, 0, KT_TO_CLIENT},
	{KT_MSG_PULL, "Pull", &karta__pull__descriptor, 256 * 1024, KT_TO_SERVER},
	{KT_MSG_CHANGE_PAGE, "ChangePage", &karta__change_page__descriptor, 0, KT_TO_CLIENT},
	{KT_MSG_SNAPSHOT_REQ, "SnapshotRequest", &karta__snapshot_request__descriptor, 1024, KT_TO_SERVER},
	{KT_MSG_SNAPSHOT_PAGE, "SnapshotPage", &karta__snapshot_page__descriptor, 0, KT_TO_CLIENT},
	{KT_MSG_UPLOAD, "Upload", &karta__upload__descriptor, 0, KT_TO_SERVER},
	{KT_MSG_UPLOAD_RESULT, "UploadResult", &karta__upload_result__descriptor, 0, KT_TO_CLIENT},
	/* never a frame of its own: only packed inside an Upload op */
	{KT_MSG_CONFLICT_RESOLVE, "ConflictResolve", &karta__conflict_resolve__descriptor, 1024, KT_OP_BODY},
	{KT_MSG_POKE, "Poke", &karta__poke__descriptor, 64 * 1024, KT_TO_CLIENT},
	{KT_MSG_RECORD_OP, "RecordOp", &karta__record_op__descriptor, 256 * 1024, KT_OP_BODY},
	{KT_MSG_TABLE_REQ, "TableRequest", &karta__table_request__descriptor, 4096, KT_TO_SERVER},
	{KT_MSG_TABLE, "Table", &karta__table__descriptor, 0, KT_TO_CLIENT},
};

const struct kt_msg_info *kt_msg_info(uint16_t type)
{
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		if (msgs[i].type == type)
			return &msgs[i];
	return NULL;
}

uint32_t kt_msg_max_payload(uint16_t type, uint32_t max_frame)
{
	const struct kt_msg_info *mi = kt_msg_info(type);
	if (mi && mi->max_payload && mi->max_payload < max_frame)
		return mi->max_payload;
	return max_frame;
}

uint16_t kt_msg_type_of(const ProtobufCMessage *msg)
{
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		if (msgs[i].desc == msg->descriptor)
			return msgs[i].type;
	return 0;
}

int kt_status_of_word(const char *w)
{
	static const struct {
		const char *word;
		int st;
	} words[] = {
		{"ok", KARTA__STATUS__STATUS_OK},
		{"conflict", KARTA__STATUS__STATUS_CONFLICT},
		{"denied", KARTA__STATUS__STATUS_PERMISSION_DENIED},
		{"not_found", KARTA__STATUS__STATUS_NOT_FOUND},
		{"bad", KARTA__STATUS__STATUS_BAD_REQUEST},
		{"precondition", KARTA__STATUS__STATUS_FAILED_PRECONDITION},
		{"busy", KARTA__STATUS__STATUS_BUSY},
	};
	for (size_t i = 0; w && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(w, words[i].word) == 0)
			return words[i].st;
	return KARTA__STATUS__STATUS_INTERNAL;
}

const char *kt_status_name(int status)
{
	static const char *const names[] = {
		[KARTA__STATUS__STATUS_OK] = N_("ok"),
		[KARTA__STATUS__STATUS_BAD_REQUEST] = N_("bad request"),
		[KARTA__STATUS__STATUS_UNSUPPORTED_VERSION] = N_("unsupported version"),
		[KARTA__STATUS__STATUS_UNAUTHENTICATED] = N_("unauthenticated"),
		[KARTA__STATUS__STATUS_PERMISSION_DENIED] = N_("permission denied"),
		[KARTA__STATUS__STATUS_NOT_FOUND] = N_("not found"),
		[KARTA__STATUS__STATUS_CONFLICT] = N_("conflict"),
		[KARTA__STATUS__STATUS_BUSY] = N_("busy"),
		[KARTA__STATUS__STATUS_INTERNAL] = N_("internal error"),
		[KARTA__STATUS__STATUS_UNKNOWN_TYPE] = N_("unknown message type"),
		[KARTA__STATUS__STATUS_SHUTTING_DOWN] = N_("shutting down"),
		[KARTA__STATUS__STATUS_TIMEOUT] = N_("timeout"),
		[KARTA__STATUS__STATUS_PROTOCOL] = N_("protocol error"),
		[KARTA__STATUS__STATUS_FAILED_PRECONDITION] = N_("failed precondition"),
	};
	if (status < 0 || (size_t)status >= sizeof names / sizeof names[0] || !names[status])
		return N_("unknown status");
	return names[status];
}

const char *kt_status_text(int status)
{
	return _(kt_status_name(status));
}

ProtobufCMessage *kt_msg_clone(const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return NULL;
	protobuf_c_message_pack(m, buf);
	ProtobufCMessage *c = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
	free(buf);
	return c;
}
