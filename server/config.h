/* config: kartad's settings — one key table (config.c) gives defaults, INI parsing,
 * command-line flags, --help and --dump-config (deploy/kartad.conf.example). */
#ifndef KT_SERVER_CONFIG_H
#define KT_SERVER_CONFIG_H

#include "kt_config.h"

struct server_cfg {
	char *listen;
	long max_conns;
	long hello_timeout;  /* seconds for TLS handshake + Hello */
	long idle_timeout;   /* seconds without a frame after Welcome */
	long write_timeout;  /* seconds a slow reader may stall our writes */
	long drain_timeout;  /* seconds SIGTERM waits for connections to finish */
	char *log_level;
	char *cert_file, *key_file, *ca_file;
	char *conninfo;
	long pool_size, queue_max, statement_timeout_ms;
	long max_frame, frames_per_read, out_high_water;
	long page_bytes, max_ops_per_upload;
	long upload_parallel; /* Uploads of one connection applied at once (h_upload.c) */
	long frame_timeout, frame_min_rate; /* a started frame's deadline (limits.c) */
	long max_conns_per_device, max_conns_per_address;
	long input_budget; /* bytes reserved by unfinished frames, all connections */
	char *metrics_listen;
};

extern const struct kt_cfg_key server_cfg_keys[];

#endif
