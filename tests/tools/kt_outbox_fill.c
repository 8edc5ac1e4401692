/* kt_outbox_fill: queues N "item add" ops in a client replica's outbox, as N offline
 * `karta item add` would (the same ItemPut body, fresh ids), in one local transaction — so
 * bench/sync.sh can time an upload of 10,000 ops without starting 10,000 processes.
 *   kt_outbox_fill STATE_DIR PLAN_ID SECTION_ID N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "karta.pb-c.h"
#include "kt_msg.h"
#include "replica.h"

static void uuid4(char out[37])
{
	unsigned char b[16];
	RAND_bytes(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		b[13], b[14], b[15]);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: kt_outbox_fill STATE_DIR PLAN_ID SECTION_ID N\n");
		return 2;
	}
	long n = atol(argv[4]);
	struct replica *r;
	char err[512];
	if (replica_open(argv[1], &r, err, sizeof err) != 0) {
		fprintf(stderr, "kt_outbox_fill: %s\n", err);
		return 1;
	}
	for (long i = 1; i <= n; i++) {
		char id[37], op[37], title[64];
		uuid4(id);
		uuid4(op);
		snprintf(title, sizeof title, "Новое мероприятие %ld", i);
		Karta__Item it = KARTA__ITEM__INIT;
		it.id = id;
		it.plan_id = argv[2];
		it.section_id = argv[3];
		it.ordinal = (int32_t)(1000 + i);
		it.title = title;
		it.deadline_text = "до 1 мая";
		Karta__ItemPut req = KARTA__ITEM_PUT__INIT;
		req.item = &it;
		uint8_t buf[1024];
		size_t len = karta__item_put__pack(&req, buf);
		if (replica_outbox_add(r, op, KT_MSG_ITEM_PUT, buf, len, "plan_item", id, NULL,
			"item add (bench)", NULL) != 0) {
			fprintf(stderr, "kt_outbox_fill: %s\n", replica_error(r));
			replica_close(r);
			return 1;
		}
	}
	replica_close(r);
	printf("queued %ld ops\n", n);
	return 0;
}
