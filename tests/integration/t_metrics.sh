#!/usr/bin/env bash
# t_metrics: kartad's operator port (server/metrics.c), scraped with curl from a real kartad
# while real clients work:
#  - /health answers 200 "ok"; other paths 404; nothing but GET/HEAD/OPTIONS;
#  - /metrics is the Prometheus text format (every sample line parses, histogram buckets are
#    cumulative and end at +Inf = _count);
#  - counters move with what happened: connections accepted, TLS handshakes ok and failed
#    (a client without a certificate), an unknown device, requests by type, an error reply
#    by type and status, Upload ops applied and then a duplicate (the same op resent), pokes
#    sent to a subscribed `karta watch`, database queries, the feed lag histogram;
#  - no organization name, device fingerprint or personal data appears in the scrape.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_metrics
kt_start_kartad
M=http://127.0.0.1:$KT_METRICS_PORT

scrape() { curl -sS --max-time 10 "$M/metrics"; }
# value SCRAPE 'name{labels}' → the sample's value (0 when absent)
value() {
	local v
	v=$(awk -v k="$2" '$1 == k { print $2 }' <<<"$1")
	echo "${v:-0}"
}
# grew BEFORE AFTER KEY [BY]: the counter grew by at least BY (default 1)
grew() {
	local a b
	a=$(value "$1" "$3") b=$(value "$2" "$3")
	awk -v a="$a" -v b="$b" -v by="${4:-1}" 'BEGIN { exit !(b - a >= by) }' ||
		kt_fail "$3: expected to grow by ${4:-1}, went $a → $b"
}

# --- health and the HTTP surface -------------------------------------------------------
kt_run curl -sS --max-time 10 -w '%{http_code}' "$M/health"
kt_assert_rc 0 "curl /health"
kt_assert_eq $'ok\n200' "$KT_OUT" "/health body and status"
kt_assert_eq 404 "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$M/nothing")" "unknown path"
kt_assert_eq 501 "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -X POST "$M/metrics")" \
	"POST /metrics (not implemented)"
ctype=$(curl -sS -o /dev/null --max-time 10 -w '%{content_type}' "$M/metrics")
kt_assert_contains "$ctype" "text/plain; version=0.0.4" "content type"

before=$(scrape)
kt_assert_eq 1 "$(value "$before" karta_up)" "karta_up"
kt_assert_eq 1 "$(value "$before" karta_listen_up)" "karta_listen_up"
kt_assert_eq 0 "$(value "$before" karta_draining)" "karta_draining"

# --- clients work ----------------------------------------------------------------------
kt_ok mun1 hello
kt_ok reg plan create --title "План для метрик" --year 2026 --section "1|Раздел"
PLAN=$(kt_id_of "$KT_OUT" plan)
[ -n "$PLAN" ] || kt_fail "no plan id in: $KT_OUT"
kt_ok reg sync
# an error reply: a plan that does not exist
kt_run kt_karta reg item history 00000000-0000-4000-8000-000000000000
kt_assert_rc 1 "history of an item that does not exist"
# a handshake without a client certificate, an unknown device
kt_s_client </dev/null >/dev/null 2>&1 || true
"$KT_CERTSH" "$KT_CERTS" stranger >/dev/null
kt_run kt_karta reg --cert "$KT_CERTS/stranger.pem" --key "$KT_CERTS/stranger.key" hello
kt_assert_rc 1 "karta hello with an unregistered certificate"

# a subscriber: `karta watch` as mun1, then the region writes a derived-visible change
kt_ok mun1 sync
kt_bg bash -c 'exec timeout 60 "$0" --config "$1" watch --interval 600 >"$2" 2>&1' \
	"$KT_KARTA" "$KT_WORK/mun1.conf" "$KT_WORK/watch.out"
WATCH=$KT_BG_PID
at_least() { [ "$(value "$(scrape)" "$1")" -ge "$2" ]; }
kt_wait_until 10 at_least karta_subscribers 1 || true
kt_assert_eq 1 "$(value "$(scrape)" karta_subscribers)" "subscribers while karta watch runs"
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Пункт" --deadline "до 1 декабря" \
	--responsible "УО"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok reg sync
kt_wait_until 10 at_least karta_pokes_sent_total 1 || true # grew … checks it below
kt_bg_kill "$WATCH"

# an Upload resent with the same op: the server says duplicate, applies nothing
OPS_BEFORE=$(kt_psql "SELECT count(*) FROM op_log")
kt_psql "SELECT 1" >/dev/null
mid=$(scrape)
# queued offline (a config pointing at a closed port), so the outbox holds it
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
kt_ok reg-off item edit "$ITEM" --title "Пункт (исправлен)"
sqlite3 "$KT_WORK/reg.state/replica.db" ".backup '$KT_WORK/reg-copy.db'"
kt_ok reg sync
# the copy still holds the op in its outbox, as if the reply had been lost
cp "$KT_WORK/reg-copy.db" "$KT_WORK/reg.state/replica.db"
rm -f "$KT_WORK/reg.state/replica.db-wal" "$KT_WORK/reg.state/replica.db-shm"
kt_ok reg sync
kt_assert_contains "$KT_OUT" "1 duplicate" "second sync of the same op"
kt_assert_eq $((OPS_BEFORE + 1)) "$(kt_psql "SELECT count(*) FROM op_log")" "op_log rows (the op once)"

after=$(scrape)

# --- counters moved --------------------------------------------------------------------
grew "$before" "$after" karta_connections_accepted_total 5
grew "$before" "$after" 'karta_tls_handshakes_total{result="ok"}' 4
grew "$before" "$after" 'karta_tls_handshakes_total{result="failed"}' 1
grew "$before" "$after" 'karta_device_auth_total{result="ok"}' 4
kt_assert_eq 1 "$(value "$after" 'karta_device_auth_total{result="unknown"}')" "unknown devices"
grew "$before" "$after" 'karta_requests_total{type="Hello"}' 4
grew "$before" "$after" 'karta_requests_total{type="Upload"}' 3
grew "$before" "$after" 'karta_requests_total{type="Pull"}' 3
grew "$before" "$after" 'karta_upload_ops_total{outcome="applied"}' 3
grew "$mid" "$after" 'karta_upload_ops_total{outcome="applied"}' 1
grew "$mid" "$after" 'karta_upload_ops_total{outcome="duplicate"}' 1
grew "$before" "$after" karta_pokes_sent_total 1
grew "$before" "$after" karta_feed_notifications_total 1
grew "$before" "$after" karta_feed_lag_seconds_count 1
grew "$before" "$after" 'karta_db_queries_total{result="ok"}' 10
grew "$before" "$after" karta_db_wait_seconds_count 10
grew "$before" "$after" 'karta_request_duration_seconds_count{type="Upload"}' 3
errs=$(grep '^karta_request_errors_total{' <<<"$after" || true)
kt_assert_match "$errs" 'status="not_found"' "error replies by status"
kt_assert_eq 4 "$(value "$after" 'karta_db_pool_connections{state="idle"}')" "idle pool connections"
kt_assert_eq 0 "$(value "$after" karta_db_queue_depth)" "queue depth at rest"

# --- the format: every sample parses, histograms are cumulative -------------------------
bad=$(grep -v '^#' <<<"$after" |
	grep -Ev '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+(\.[0-9]+)?$' || true)
[ -z "$bad" ] || kt_fail "lines that are not Prometheus samples:"$'\n'"$bad"
awk '/_bucket\{/ {
	key = $1; sub(/le="[^"]*"/, "", key)
	if (key == prev && $2 + 0 < last + 0) { print "not cumulative: " $0; exit 1 }
	prev = key; last = $2
}' <<<"$after" || kt_fail "histogram buckets are not cumulative"
inf=$(value "$after" 'karta_db_query_seconds_bucket{le="+Inf"}')
kt_assert_eq "$inf" "$(value "$after" karta_db_query_seconds_count)" "+Inf bucket = count"

# --- nothing personal in it -------------------------------------------------------------
for org in "${KT_ORGS[@]}"; do
	kt_assert_not_contains "$after" "${KT_ORG_NAME[$org]}" "scrape"
	kt_assert_not_contains "$after" "\"$org\"" "scrape labels"
done
kt_assert_not_contains "$after" "$(kt_fingerprint "$KT_CERTS/reg.pem" | cut -c1-16)" "scrape"

curl -s "$M/metrics" > "$KT_WORK/last.prom"
kt_stop_kartad

# --- a bad [metrics] setting is refused at start, saying what and where --------------------
printf '[metrics]\nlisten = 127.0.0.1:%s\nport = 1\n' "$KT_METRICS_PORT" >"$KT_WORK/bad.conf"
kt_run timeout 10 "$KT_KARTAD" --config "$KT_WORK/bad.conf"
kt_assert_rc 2 "kartad with an unknown key"
kt_assert_contains "$KT_ERR" "unknown key 'port' in section [metrics]" "kartad's refusal"
kt_run timeout 10 "$KT_KARTAD" --config "$KT_KARTAD_CONF" --metrics-listen "nowhere"
kt_assert_rc 1 "kartad with a metrics address that is not address:port"
kt_assert_contains "$KT_ERR" "event=metrics_failed addr=nowhere" "kartad's refusal"
kt_pass
