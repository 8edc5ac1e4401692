#!/usr/bin/env bash
# bench/giadbset.sh: the federal exchange package, end to end. Today: the organization tree
# (`karta-admin org import`) of a generated region (tests/tools/gds_gen.py orgs: M
# municipalities × S schools, one territory per municipality) — a dry run, the import, the
# same package again (nothing to change) — with karta-admin's peak RSS beside the package
# size. Side by side, the floor: psql COPY of the same rows (GUID, parent GUID, code, name)
# into an untriggered table of the organization's shape. The registries of the package
# (participants, registrations, points, staff) are not imported yet (issue 22, part 3).
# Usage: bench/giadbset.sh [MUNICIPALITIES=60] [SCHOOLS_PER_MUNICIPALITY=25]. Needs a build
# in build/. Prints Markdown.
set -euo pipefail
M=${1:-60}
S=${2:-25}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_giadbset
P=$KT_WORK/region.zip
"$KT_SRC/tests/tools/gds_gen.py" orgs "$P" --region 77 --municipalities "$M" --schools "$S" --zip
BYTES=$(wc -c <"$P")
XBYTES=$(cat "$P.d"/*.xml | wc -c)
N=$((1 + M + M * S))

# run NAME ARGS…: karta-admin ARGS under /usr/bin/time; sets T (ms) and RSS (KiB)
run() {
	local t0
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$KT_WORK/$1.rss" "$KT_ADMIN" --db "$KT_CONNINFO" "${@:2}" \
		>"$KT_WORK/$1.out" 2>"$KT_WORK/$1.err" || kt_fail "$1: $(cat "$KT_WORK/$1.err")"
	T=$(ms "$t0")
	RSS=$(tail -n 1 "$KT_WORK/$1.rss")
}
run dry org import "$P" --dry-run
t_dry=$T rss_dry=$RSS
run import org import "$P"
t_imp=$T rss_imp=$RSS
run again org import "$P"
t_again=$T rss_again=$RSS
grep -q "org import: 0 added, 0 updated" "$KT_WORK/again.out" || kt_fail "the second import changed something"
got=$(kt_psql "SELECT count(*) FROM organization WHERE guid IS NOT NULL")
[ "$got" = "$N" ] || kt_fail "expected $N organizations with a GUID, got $got"

# the floor: the same rows, COPY into an untriggered table
python3 - "$P.d" >"$KT_WORK/rows.tsv" <<'EOF'
import re, sys
for t, g, p, c, n in (('rbd_Governments', 'GovernmentID', 'RegionID', 'GovernmentCode', 'GovernmentName'),
                      ('rbd_Schools', 'SchoolID', 'GovernmentID', 'SchoolCode', 'SchoolName')):
    for row in re.findall(r'<%s>(.*?)</%s>' % (t, t), open('%s/%s.xml' % (sys.argv[1], t)).read(), re.S):
        v = lambda k: re.search(r'<%s>([^<]*)</%s>' % (k, k), row).group(1)
        print('\t'.join((v(g), v(p), v(c), v(n))))
EOF
kt_psql "CREATE TABLE floor_org (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, guid uuid UNIQUE,
	parent uuid, code text UNIQUE, name text)"
t0=$(date +%s%N)
kt_psql "COPY floor_org(guid, parent, code, name) FROM STDIN" <"$KT_WORK/rows.tsv"
t_copy=$(ms "$t0")

echo "## giadbset: organization tree, $N organizations ($M municipalities × $S schools)"
echo
echo "Package: $((BYTES / 1024)) KiB zipped, $((XBYTES / 1024)) KiB of XML."
echo
echo "| step | ms | rows/s | peak RSS KiB | ratio to COPY |"
echo "|---|---|---|---|---|"
r() { echo "$(( $1 * 10 / (t_copy > 0 ? t_copy : 1) ))" | sed 's/\(.\)$/.\1/; s/^\./0./'; }
echo "| karta-admin org import --dry-run | $t_dry | $((N * 1000 / (t_dry > 0 ? t_dry : 1))) | $rss_dry | $(r "$t_dry") |"
echo "| karta-admin org import | $t_imp | $((N * 1000 / (t_imp > 0 ? t_imp : 1))) | $rss_imp | $(r "$t_imp") |"
echo "| the same package again (nothing to change) | $t_again | $((N * 1000 / (t_again > 0 ? t_again : 1))) | $rss_again | $(r "$t_again") |"
echo "| floor: psql COPY of the same rows | $t_copy | $((N * 1000 / (t_copy > 0 ? t_copy : 1))) | | 1.0 |"
