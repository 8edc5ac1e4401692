# dash_lib.sh: `karta dashboard` in a headless Chromium — sourced (after lib.sh) by
# tests/integration/t_dashboard.sh, bench/dashboard.sh and deploy/dashboard-shots.sh.
#   dash_region              plans, items, statuses and report requests for every
#                            organization under 'reg' (bench/rollup_gen.sql, triggers on)
#   dash_small_region NMUN NSCH [COND]  kt_gen_region's region at scale 0.01 with NMUN
#                            municipalities and NSCH schools in $G, its organizations
#                            (region_lib.sh) and dash_region; SCHOOL (the first school,
#                            its code matching the SQL condition COND when given) and MUN
#                            (its municipality), each with a device
#   dash_start ORG [ARGS…]   starts ORG's dashboard in the background: DASH_URL, DASH_PORT,
#                            DASH_PID, DASH_OUT (its stdout), DASH_ERR (its stderr)
#   dash_stop                stops it (SIGTERM) and checks it exits 0
#   dash_chromium ARGS…      headless Chromium with a fresh profile, as root too
#   dash_dom URL OUT         the DOM after the page's scripts ran (waits for data-ready)
#   dash_shot URL PNG [W,H]  a screenshot
#   dash_cells FILE          the DOM's figures: "row key value" lines, sorted

dash_region() {
	psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c "SELECT setseed(0.42)" \
		-f "$KT_SRC/bench/rollup_gen.sql" >/dev/null || kt_fail "bench/rollup_gen.sql failed"
}

dash_small_region() {
	G=$KT_WORK/gen
	"$KT_BIN/tests/kt_gen_region" "$G" --scale 0.01 --municipalities "$1" --schools "$2" >/dev/null
	region_orgs "$G"
	dash_region
	SCHOOL=$(kt_psql "SELECT min(code) FROM organization WHERE level = 'school'${3:+ AND $3}")
	MUN=$(kt_psql "SELECT m.code FROM organization s JOIN organization m ON m.id = s.parent_id
		WHERE s.code = '$SCHOOL'")
	local o
	for o in "$SCHOOL" "$MUN"; do region_device "$o"; done
}

dash_start() {
	local org=$1 i
	shift
	DASH_PORT=$(kt_free_port)
	DASH_OUT=$KT_WORK/dash.$org.out
	DASH_ERR=$KT_WORK/dash.$org.err
	kt_bg "$KT_KARTA" --config "$KT_WORK/$org.conf" dashboard --port "$DASH_PORT" "$@" \
		>"$DASH_OUT" 2>"$DASH_ERR"
	DASH_PID=$KT_BG_PID
	for ((i = 0; i < 300; i++)); do
		DASH_URL=$(sed -n 's/^karta dashboard: \(http[^ ]*\)$/\1/p' "$DASH_OUT")
		[ -n "$DASH_URL" ] && return 0
		kt__exited "$DASH_PID" && kt_fail "karta dashboard exited: $(cat "$DASH_ERR")"
		sleep 0.1
	done
	kt_fail "karta dashboard printed no URL within 30 s: $(cat "$DASH_ERR")"
}

dash_stop() {
	local rc=0 i
	kill -TERM "$DASH_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kt__exited "$DASH_PID" && break
		sleep 0.1
	done
	wait "$DASH_PID" || rc=$?
	kt_assert_eq "$rc" 0 "karta dashboard exits 0 on SIGTERM"
}

dash_chromium() {
	local prof
	prof=$(mktemp -d "$KT_WORK/chromium.XXXXXX")
	LANGUAGE=ru LANG=ru_RU.UTF-8 timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --lang=ru-RU --enable-logging=stderr --log-level=0 --user-data-dir="$prof" "$@" \
		2>>"$KT_WORK/chromium.err"
	rm -rf -- "$prof"
}

# The page sets body[data-ready] when a view is drawn; the virtual time budget lets its
# fetches and scripts finish before the DOM is written.
dash_dom() {
	dash_chromium --virtual-time-budget=30000 --run-all-compositor-stages-before-draw \
		--dump-dom "$1" >"$2"
	grep -q 'data-ready=' "$2" || kt_fail "the page at ${1%%#*}… did not finish drawing"
}

dash_shot() {
	dash_chromium --virtual-time-budget=30000 --run-all-compositor-stages-before-draw \
		--hide-scrollbars --window-size="${3:-1500,1400}" --screenshot="$2" "$1" >/dev/null
	[ -s "$2" ] || kt_fail "no screenshot of ${1%%#*}…"
}

# Every <tr data-org="X"> cell with data-k/data-v: "X key value".
dash_cells() {
	tr -d '\n' <"$1" | sed 's/<tr /\n<tr /g' | grep '^<tr data-org="' |
		while IFS= read -r row; do
			local org=${row#<tr data-org=\"}
			org=${org%%\"*}
			grep -o 'data-k="[a-z_]*" data-v="[^"]*"' <<<"$row" |
				sed "s/^data-k=\"\\([a-z_]*\\)\" data-v=\"\\([^\"]*\\)\"/$org \\1 \\2/"
		done | sort
}
