#!/usr/bin/env bash
# tests/unit/ mirrors the sources: every tests/unit/<dir>/test_<name>.c sits under the path
# of a source folder that exists (tests/unit/client/local/test_replica_plans.c ↔
# client/local/), and none sits loose in tests/unit/ itself. Fails naming each misplaced test.
set -euo pipefail
src=${1:-${KT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}}
cd "$src"
bad=0
while IFS= read -r t; do
	dir=$(dirname "${t#tests/unit/}")
	if [ "$dir" = . ] || [ ! -d "$dir" ]; then
		echo "unit_paths: $t is not under a source folder's path (tests/unit/<folder>/…)" >&2
		bad=1
	fi
done < <(find tests/unit -name 'test_*.c' | LC_ALL=C sort)
[ $bad -eq 0 ] && echo "unit_paths: every unit test is under its source folder's path"
exit $bad
