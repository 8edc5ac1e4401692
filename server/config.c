/* config: the kartad key table. Keep deploy/kartad.conf.example in step: it is generated
 * from this table by `kartad --dump-config`. */
#include "config.h"

#include <stddef.h>

#define K(sec, key, flag, type, field, def, min, max, help) \
	{sec, key, flag, type, offsetof(struct server_cfg, field), def, min, max, help}

const struct kt_cfg_key server_cfg_keys[] = {
	K("server", "listen", "listen", KT_CFG_STR, listen, "127.0.0.1:7443", 0, 0,
		"address:port to accept TLS connections on ([::1]:7443 for IPv6)"),
	K("server", "max_conns", "max-conns", KT_CFG_INT, max_conns, "10000", 1, 1000000,
		"connections served at once; more are closed at accept"),
	K("server", "hello_timeout", "hello-timeout", KT_CFG_INT, hello_timeout, "10", 1, 600,
		"seconds a new connection has to finish TLS and send Hello"),
	K("server", "idle_timeout", "idle-timeout", KT_CFG_INT, idle_timeout, "120", 1, 86400,
		"seconds an established connection may stay silent"),
	K("server", "write_timeout", "write-timeout", KT_CFG_INT, write_timeout, "30", 1, 3600,
		"seconds a client may leave our replies unread before it is closed"),
	K("server", "drain_timeout", "drain-timeout", KT_CFG_INT, drain_timeout, "10", 0, 600,
		"seconds SIGTERM waits for in-flight work before closing everything"),
	K("server", "log_level", "log-level", KT_CFG_STR, log_level, "info", 0, 0,
		"debug, info, warn or error"),
	K("tls", "cert_file", "cert", KT_CFG_STR, cert_file, "/etc/karta/server.pem", 0, 0,
		"server certificate chain (PEM); reloaded on SIGHUP"),
	K("tls", "key_file", "key", KT_CFG_STR, key_file, "/etc/karta/server.key", 0, 0,
		"server private key (PEM); reloaded on SIGHUP"),
	K("tls", "ca_file", "ca", KT_CFG_STR, ca_file, "/etc/karta/ca.pem", 0, 0,
		"CA that signs client certificates (PEM); reloaded on SIGHUP"),
	K("db", "conninfo", "db", KT_CFG_STR, conninfo, "dbname=karta", 0, 0,
		"libpq connection string"),
	K("db", "pool_size", "pool-size", KT_CFG_INT, pool_size, "4", 1, 256,
		"PostgreSQL connections in the pool"),
	K("db", "queue_max", "queue-max", KT_CFG_INT, queue_max, "1000", 1, 1000000,
		"queries waiting for a connection before requests get BUSY"),
	K("db", "statement_timeout", "statement-timeout", KT_CFG_INT, statement_timeout_ms,
		"30000", 100, 3600000, "milliseconds a statement may run"),
	K("limits", "max_frame_bytes", "max-frame", KT_CFG_INT, max_frame, "4194304", 1024,
		268435456, "largest frame payload accepted; bigger frames close the connection"),
	K("limits", "frames_per_read", "frames-per-read", KT_CFG_INT, frames_per_read, "16", 1,
		10000, "frames handled per connection per read event (fairness)"),
	K("limits", "out_high_water", "out-high-water", KT_CFG_INT, out_high_water, "8388608",
		65536, 1073741824, "bytes queued to a client before its requests stop being read"),
	K("limits", "page_bytes", "page-bytes", KT_CFG_INT, page_bytes, "3145728", 4096,
		67108864, "payload bytes per page of changes or snapshot rows (sync)"),
	K("limits", "max_ops_per_upload", "max-ops", KT_CFG_INT, max_ops_per_upload, "500", 1,
		100000, "ops in one Upload; a bigger upload is refused whole"),
	K("limits", "frame_timeout", "frame-timeout", KT_CFG_INT, frame_timeout, "30", 1, 3600,
		"seconds a frame may take to arrive once its first byte has, plus its size / frame_min_rate"),
	K("limits", "frame_min_rate", "frame-min-rate", KT_CFG_INT, frame_min_rate, "16384", 1,
		1073741824, "bytes per second a large frame must arrive at, at least (see frame_timeout)"),
	K("limits", "max_conns_per_device", "max-conns-per-device", KT_CFG_INT,
		max_conns_per_device, "32", 1, 1000000,
		"connections one device (client certificate) may hold; more are refused with BUSY"),
	K("limits", "max_conns_per_address", "max-conns-per-address", KT_CFG_INT,
		max_conns_per_address, "1000", 1, 1000000,
		"connections one IPv4 address or IPv6 /64 may hold; more are closed at accept"),
	K("limits", "input_budget", "input-budget", KT_CFG_INT, input_budget, "268435456", 65536,
		68719476736, "bytes of unfinished frames all clients together may have kartad hold; past it a new large frame gets BUSY"),
	K("upload", "parallel", "upload-parallel", KT_CFG_INT, upload_parallel, "2", 1, 2,
		"Uploads of one connection applied at once: 2 applies the next one beside the one "
		"before when their ops are independent items and statuses; 1 applies them one at a time"),
	K("metrics", "listen", "metrics-listen", KT_CFG_STR, metrics_listen, "127.0.0.1:7444", 0,
		0, "address:port of the plain-HTTP /metrics (Prometheus) and /health port; "
		"empty: off"),
	{0},
};
