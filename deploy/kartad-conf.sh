#!/usr/bin/env bash
# deploy/kartad-conf.sh LISTEN CERTS CONNINFO METRICS [KEY=VALUE…]: prints a kartad config:
# LISTEN (host:port), the certificates of the folder CERTS (server.pem, server.key, ca.pem),
# the database (CONNINFO, a pool of 4), the metrics address METRICS (host:port), and in
# [limits] max_frame_bytes with each KEY=VALUE given. Every key: kartad --dump-config.
# The servers of deploy/demo.sh and deploy/ha/test.sh are configured by it.
set -euo pipefail
if [ $# -lt 4 ]; then
	echo "usage: deploy/kartad-conf.sh LISTEN CERTS CONNINFO METRICS [KEY=VALUE…]" >&2
	exit 2
fi
cat <<-CONF
	[server]
	listen = $1
	hello_timeout = 10
	idle_timeout = 120

	[tls]
	cert_file = $2/server.pem
	key_file = $2/server.key
	ca_file = $2/ca.pem

	[db]
	conninfo = $3
	pool_size = 4

	[limits]
	max_frame_bytes = 4194304
CONF
for kv in "${@:5}"; do
	echo "${kv%%=*} = ${kv#*=}"
done
printf '\n[metrics]\nlisten = %s\n' "$4"
