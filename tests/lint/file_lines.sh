#!/usr/bin/env bash
# A file is a module a newcomer reads whole (issue 15): no source, script, SQL or build file
# the project writes is over 800 lines. Fails naming each one and its length.
# --self-test: proves a planted 801-line file is caught.
set -euo pipefail
MAX=800
src=${KT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

long() { # FILE…: "file: N lines" for each over MAX
	local f n
	for f in "$@"; do
		n=$(wc -l <"$f")
		[ "$n" -le $MAX ] || echo "$f: $n lines"
	done
}

if [ "${1:-}" = --self-test ]; then
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	seq 801 >"$t/long.c"
	seq 800 >"$t/ok.c"
	[ "$(long "$t/long.c" "$t/ok.c")" = "$t/long.c: 801 lines" ] ||
		{ echo "file_lines: the planted 801-line file was not told apart" >&2; exit 1; }
	echo "file_lines: self-test caught the planted 801-line file"
	exit 0
fi

cd "${1:-$src}"
listed() { # the tracked files, or (a tree without git) every file of those kinds
	git ls-files '*.c' '*.h' '*.sql' '*.sh' '*.py' '*.js' '*.html' '*.css' '*.proto' \
		'*CMakeLists.txt' 2>/dev/null ||
		find . -path ./.git -prune -o -path './build*' -prune -o -type f \( -name '*.[ch]' \
			-o -name '*.sql' -o -name '*.sh' -o -name '*.py' -o -name '*.js' -o -name '*.html' \
			-o -name '*.css' -o -name '*.proto' -o -name CMakeLists.txt \) -print
}
mapfile -t files < <(listed | grep -v '/fixtures/')
bad=$(long "${files[@]}")
if [ -n "$bad" ]; then
	sed "s/\$/ (over $MAX: split it by what its parts do)/" <<<"$bad" >&2
	exit 1
fi
echo "file_lines: ${#files[@]} files, none over $MAX lines"
