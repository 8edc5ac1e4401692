#!/usr/bin/env bash
# bench/gds_client_ab.sh: two builds' clients side by side on the same server, the federal
# package's registries imported end to end (`karta registry import --layout giadbset`), the
# client's CPU (user + system), peak RSS and SQLite's writes measured — the machine is shared,
# so CPU, not wall. Once: a region (78) and its package (tests/tools/gds_gen.py, as
# bench/giadbset.sh), the server's database after the region's first sync kept as a template
# and the client's state dir beside it; then ROUNDS rounds, each importing with A then B
# (alternated: B first in even rounds), every import from the same start (the database made
# again from the template, the state dir copied back). kartad and the cluster are this
# build's (KT_BIN); A and B are karta binaries (KT_KARTA_A, default /tmp/clientimport-main's,
# KT_KARTA_B, default this build's).
# KT_AB_BY_OWNER=1: one client (B) twice instead — A's runs import the package as generated,
# B's the same rows with the participants and their registrations ordered by school
# (bench/gds_by_owner.py): an op naming ~15 owners instead of ~1,000, the server's time
# compared (the database time columns).
# Usage: bench/gds_client_ab.sh [ROUNDS=3] [MUNICIPALITIES=6] [SCHOOLS=25] [PARTICIPANTS=10000]
# [POINTS=50] [STAFF=2000]. Prints Markdown.
set -euo pipefail
ROUNDS=${1:-3}
M=${2:-6}
S=${3:-25}
NP=${4:-10000}
NPOINTS=${5:-50}
NSTAFF=${6:-2000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
A=${KT_KARTA_A:-/tmp/clientimport-main/build/client/karta}
B=${KT_KARTA_B:-$KT_KARTA}
[ "${KT_AB_BY_OWNER:-0}" != 1 ] || A=$B

kt_setup bench_gds_ab
# copies: a rebuild while the bench runs does not change what it measures
cp "$A" "$KT_WORK/karta-A"
cp "$B" "$KT_WORK/karta-B"
R=$KT_WORK/registries
bench_gds_region78 "$R" "$M" "$S"
"$KT_SRC/tests/tools/gds_gen.py" registries "$R" --participants "$NP" --points "$NPOINTS" \
	--auditoriums 12 --staff "$NSTAFF" --schedule "$KT_WORK/schedule.csv"
rm "$R"/rbd_{Governments,Schools}.xml
bench_zip_dir "$R" "$KT_WORK/registries.zip"
NROWS=$(cat "$R"/*.xml | grep -c '^  <rbd_')
PKG_A=$KT_WORK/registries.zip PKG_B=$KT_WORK/registries.zip
if [ "${KT_AB_BY_OWNER:-0}" = 1 ]; then
	"$KT_SRC/bench/gds_by_owner.py" "$R" "$KT_WORK/by-owner"
	bench_zip_dir "$KT_WORK/by-owner" "$KT_WORK/by-owner.zip"
	PKG_B=$KT_WORK/by-owner.zip
fi
kt_start_kartad
kt_karta reg sync >/dev/null
kt_karta reg exam schedule import "$KT_WORK/schedule.csv" >/dev/null
kt_stop_kartad
cp -a "$KT_WORK/reg.state" "$KT_WORK/reg.state.pre"
ADMIN_DB="$KT_CONNINFO dbname=postgres"
psql -XAtq -v ON_ERROR_STOP=1 "$ADMIN_DB" -c "DROP DATABASE IF EXISTS ${KT_DB}_tpl" \
	-c "CREATE DATABASE ${KT_DB}_tpl TEMPLATE $KT_DB" >/dev/null

kcpu() { awk '{ print $14 + $15 }' "/proc/$KT_KARTAD_PID/stat"; }
# one NAME BIN ROUND PACKAGE: the import of PACKAGE by BIN from the common start; a line of the table
one() {
	local name=$1 bin=$2 t0 k0
	psql -XAtq -v ON_ERROR_STOP=1 "$ADMIN_DB" -c "DROP DATABASE $KT_DB" \
		-c "CREATE DATABASE $KT_DB TEMPLATE ${KT_DB}_tpl" \
		-c "ALTER DATABASE $KT_DB SET track_functions = 'all'" >/dev/null
	rm -rf "$KT_WORK/reg.state"
	cp -a "$KT_WORK/reg.state.pre" "$KT_WORK/reg.state"
	kt_start_kartad
	k0=$(kcpu)
	t0=$(date +%s%N)
	local ev=syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_fdatasync
	local -a perf=(perf stat -x "," -o "$KT_WORK/$name.perf" -e "$ev")
	# KT_AB_THREADS=1: each event recorded, counted by thread below (the reader is the first)
	[ "${KT_AB_THREADS:-0}" = 1 ] && perf=(perf record -q -o "$KT_WORK/$name.data" -e "$ev")
	# KT_AB_PROFILE=1: the client's CPU sampled instead (perf report -i $KT_WORK/NAME.prof)
	[ "${KT_AB_PROFILE:-0}" = 1 ] && perf=(perf record -q -F 499 -g -o "$KT_WORK/$name.prof")
	/usr/bin/time -f '%U %S %M %w %c' -o "$KT_WORK/$name.rss" "${perf[@]}" \
		"$bin" --config "$KT_WORK/reg.conf" registry import --layout giadbset "$4" \
		>"$KT_WORK/$name.out" 2>"$KT_WORK/$name.err" || kt_fail "$name: $(tail -n 5 "$KT_WORK/$name.err")"
	local wall kc got
	wall=$(ms "$t0")
	kc=$(awk -v t="$(($(kcpu) - k0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
	sleep 1 # the backends report their function times when idle
	# the CPU of kartad's database backends (its pool, started with it): the server's apply
	local bcpu=0 pid
	for pid in $(kt_psql "SELECT pid FROM pg_stat_activity WHERE datname = '$KT_DB' AND pid <> pg_backend_pid()"); do
		bcpu=$((bcpu + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	bcpu=$(awk -v t="$bcpu" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
	kt_psql "SELECT funcname || ' ' || calls || ' calls, ' || round(total_time) || ' ms, self '
		|| round(self_time) || ' ms' FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 8" |
		sed "s/^/$3 $name: /" >&2
	local dbt
	dbt=$(kt_psql "SELECT coalesce(round((sum(total_time) FILTER (WHERE funcname = 'karta_upload') / 1000)::numeric, 1), 0)
		|| ' | ' || coalesce(round((sum(total_time) FILTER (WHERE funcname = 'karta_rows_apply') / 1000)::numeric, 1), 0)
		|| ' | ' || coalesce(round((sum(total_time) FILTER (WHERE funcname = 'karta_pull') / 1000)::numeric, 1), 0)
		FROM pg_stat_user_functions")
	kt_stop_kartad
	got=$(kt_psql "SELECT (SELECT count(*) FROM participant) + (SELECT count(*) FROM exam_registration)
		+ (SELECT count(*) FROM exam_point) + (SELECT count(*) FROM auditorium) + (SELECT count(*) FROM staff)
		+ (SELECT count(*) FROM exam_point_assignment) + (SELECT count(*) FROM exam_auditorium)")
	[ "$got" = "$NROWS" ] || kt_fail "$name: expected $NROWS registry rows, got $got"
	local pw pr fs
	if [ "${KT_AB_THREADS:-0}" = 1 ]; then
		perf script -i "$KT_WORK/$name.data" -F tid,event 2>/dev/null |
			awk '{ n[$1 " " $2]++ } END { for (k in n) print k, n[k] }' | sort -n >"$KT_WORK/$name.threads"
		awk -v r="$3" -v c="$name" '{ printf "%s %s: thread %s %s %d\n", r, c, $1, $2, $3 }' \
			"$KT_WORK/$name.threads" >&2
		awk '/pwrite64/ { w += $3 } /pread64/ { r += $3 } /fdatasync/ { f += $3 }
			END { printf "%d,x,pwrite64\n%d,x,pread64\n%d,x,fdatasync\n", w, r, f }' \
			"$KT_WORK/$name.threads" >"$KT_WORK/$name.perf"
	fi
	[ -f "$KT_WORK/$name.perf" ] || : >"$KT_WORK/$name.perf"
	pw=$(awk -F, '/pwrite64/ { print $1 }' "$KT_WORK/$name.perf")
	pr=$(awk -F, '/pread64/ { print $1 }' "$KT_WORK/$name.perf")
	fs=$(awk -F, '/fdatasync/ { print $1 }' "$KT_WORK/$name.perf")
	read -r u s rss _ <<<"$(tail -n 1 "$KT_WORK/$name.rss")"
	echo "| $3 | $name | $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f (%.2f sys)", u + s, s }') |" \
		"$((rss / 1024)) | $pw | $pr | $fs | $kc | $bcpu | $dbt | $wall | $(cut -d' ' -f1 /proc/loadavg) |"
}

echo "## gds_client_ab: $NROWS rows, $ROUNDS rounds"
echo
echo "A = $A ($(basename "$PKG_A")), B = $B ($(basename "$PKG_B"))"
echo
echo "| round | client | client CPU s | peak RSS MiB | pwrite64 | pread64 | fdatasync | kartad CPU s | backends CPU s |" \
	"karta_upload s | karta_rows_apply s | karta_pull s | wall ms | load |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for ((i = 1; i <= ROUNDS; i++)); do
	if ((i % 2)); then
		one A "$KT_WORK/karta-A" "$i" "$PKG_A"
		one B "$KT_WORK/karta-B" "$i" "$PKG_B"
	else
		one B "$KT_WORK/karta-B" "$i" "$PKG_B"
		one A "$KT_WORK/karta-A" "$i" "$PKG_A"
	fi
done
psql -XAtq "$ADMIN_DB" -c "DROP DATABASE IF EXISTS ${KT_DB}_tpl" >/dev/null
