# bench/lib.sh: what every bench script shares — the test library (tests/integration/lib.sh)
# on a PostgreSQL cluster of the bench's own ($KT_BIN/bench-pg, not the tests'), stopped with
# kartad and the background jobs when the script exits, and ms START (milliseconds since a
# `date +%s%N` reading). Source it after `set -euo pipefail`:
#     . "$(dirname "$0")/lib.sh"
# KT_BIN (default build/) picks the build.
export KT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KT_BIN=${KT_BIN:-$KT_SRC/build}
export KT_PG_DIR=${KT_PG_DIR:-$KT_BIN/bench-pg}
# shellcheck source=tests/integration/lib.sh
. "$KT_SRC/tests/integration/lib.sh"
# lib.sh's exit trap stops kartad and background jobs; then the bench's own cluster goes
trap 'rc=$?; ( (exit $rc); kt__on_exit ); exec {KT_PG_LOCK_FD}>&- {KT_WORK_LOCK_FD}>&-
	"$KT_PGCLUSTER" stop "$KT_PG_DIR" >/dev/null 2>&1; exit $rc' EXIT
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
