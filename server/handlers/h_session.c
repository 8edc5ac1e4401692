/* h_session: Hello → Welcome (version negotiation, identity) and Ping → Pong. */
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../session.h"
#include "handlers.h"
#include "kt_log.h"
#include "kt_msg.h"

static Karta__OrgLevel level_of(const char *s)
{
	if (strcmp(s, "region") == 0)
		return KARTA__ORG_LEVEL__ORG_LEVEL_REGION;
	if (strcmp(s, "municipality") == 0)
		return KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY;
	if (strcmp(s, "school") == 0)
		return KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL;
	return KARTA__ORG_LEVEL__ORG_LEVEL_UNSPECIFIED;
}

int h_session_hello(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg)
{
	const Karta__Hello *hello = (const Karta__Hello *)msg;
	uint32_t lo = hello->proto_min, hi = hello->proto_max;
	if (lo > hi || hi < KT_PROTO_MIN || lo > KT_PROTO_MAX) {
		session_log(sess, KT_LOG_INFO, "event=version_mismatch client_min=%u client_max=%u",
			lo, hi);
		session_error(sess, request_id, KARTA__STATUS__STATUS_UNSUPPORTED_VERSION,
			"no common protocol version: client speaks %u..%u, server %u..%u", lo, hi,
			KT_PROTO_MIN, KT_PROTO_MAX);
		return -1;
	}
	sess->proto = hi < KT_PROTO_MAX ? hi : KT_PROTO_MAX;

	const struct server_cfg *cfg = sess->cfg;
	struct session_identity *who = &sess->who;
	Karta__Organization org = KARTA__ORGANIZATION__INIT;
	org.code = who->org_code;
	org.name = who->org_name;
	org.level = level_of(who->org_level);
	org.parent_code = who->parent_code;
	Karta__Limits limits = KARTA__LIMITS__INIT;
	limits.max_frame = (uint32_t)cfg->max_frame;
	limits.idle_timeout = (uint32_t)cfg->idle_timeout;
	limits.page_bytes = (uint32_t)cfg->page_bytes;
	limits.max_ops_per_upload = (uint32_t)cfg->max_ops_per_upload;
	Karta__Welcome w = KARTA__WELCOME__INIT;
	w.proto = sess->proto;
	static char version[] = "kartad " KT_VERSION;
	w.server_version = version;
	w.org = &org;
	w.role = who->role;
	w.device_fingerprint = who->fingerprint;
	w.limits = &limits;
	w.server_time = (int64_t)time(NULL);
	if (session_reply(sess, request_id, &w.base) != 0)
		return -1;
	session_established(sess);
	char ver[64];
	session_log(sess, KT_LOG_INFO, "event=hello level=%s role=%s proto=%u client=%s",
		who->org_level, who->role, sess->proto,
		kt_log_quote(ver, sizeof ver, hello->client_version ? hello->client_version : ""));
	return 0;
}

int h_session_ping(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg)
{
	const Karta__Ping *ping = (const Karta__Ping *)msg;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	Karta__Pong pong = KARTA__PONG__INIT;
	pong.nonce = ping->nonce;
	pong.server_time_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	return session_reply(sess, request_id, &pong.base);
}
