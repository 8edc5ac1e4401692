#!/usr/bin/env bash
# include_rules: the server's layers as docs/architecture.md states them, checked on the
# source (issue 15). Each rule names files and what they must not include or mention:
#   conn (conn.c/.h, guard.c/.h)  moves bytes and frames: no session, auth, listen or
#                                 handler header, no protobuf
#   session.h                     what handlers include: not conn.h, server.h or libpq
#   handlers (server/handlers/)   no conn.h, server.h, listen.h, libpq; no struct conn, ->srv
#   listen.c (the poke fan-out)   no libpq, no bufferevent
#   kartad outside server/db/     no libpq (server/admin/ is karta-admin, a blocking tool)
#   common/ (what both share)     no libpq, libevent or SQLite: no loop, no store
#   client/ outside client/local/ no SQLite (the replica owns the local store), no libpq
# Usage: include_rules.sh [SRC]   (default: the repository this script is in)
#        include_rules.sh --self-test   breaks each rule in a scratch copy and expects a
#                                       failure every time (the check can fail)
set -u

check() { # check SRC: prints every violation, returns 1 if any
	local src=$1 bad=0 f
	# forbid FILES... -- PATTERN WHY: a line of a file matching PATTERN (extended regex)
	forbid() {
		local files=() pat why
		while [ "$1" != -- ]; do files+=("$1"); shift; done
		pat=$2 why=$3
		local present=() hits
		for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done
		[ ${#present[@]} -gt 0 ] || return 0
		# one grep a rule over all its files (a grep a file made the self-test's 19 checks
		# take ~100 s of CI)
		hits=$(grep -nHE "$pat" "${present[@]}") || return 0
		while IFS= read -r hit; do
			echo "layer rule broken: ${hit#"$src"/} — $why"
		done <<<"$hits"
		bad=1
		return 0
	}
	local inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?'
	local conn=("$src"/server/conn.[ch] "$src"/server/guard.[ch])
	local handlers=("$src"/server/handlers/*.[ch])
	local kartad=()
	for f in "$src"/server/*.[ch] "$src"/server/handlers/*.[ch]; do kartad+=("$f"); done
	forbid "${conn[@]}" -- "${inc}(session|auth|listen|handlers)\.h[\">]" \
		"conn calls up only through its callback table (struct conn_cb)"
	forbid "${conn[@]}" -- "${inc}(karta\.pb-c|protobuf-c)\.h[\">]|Karta__|KARTA__" \
		"conn knows no protobuf: the layer above words every reply"
	forbid "$src"/server/session.h -- "${inc}(conn|server|libpq-fe)\.h[\">]" \
		"handlers include session.h: it must not bring the connection, the server or libpq"
	forbid "${handlers[@]}" -- "${inc}(conn|server|listen|libpq-fe)\.h[\">]" \
		"handlers see the session (session.h) and the pool (db.h), nothing below"
	forbid "${handlers[@]}" -- "struct conn\b|->srv\b" \
		"handlers never reach into the connection or the server"
	forbid "$src"/server/listen.c "$src"/server/listen.h -- \
		"${inc}(libpq-fe|event2/bufferevent|event2/buffer)\.h[\">]|\bPQ[a-z]+\(|\bPG(conn|result)[[:space:]]*\*" \
		"the poke fan-out keeps no libpq or bufferevent code (the LISTEN link is db/'s)"
	forbid "${kartad[@]}" -- "${inc}(libpq-fe|kt_migrations)\.h[\">]|\bPG(conn|result)[[:space:]]*\*" \
		"only server/db/ sees libpq"
	local common=() client=()
	while IFS= read -r f; do common+=("$f"); done < <(find "$src/common" -name '*.[ch]' 2>/dev/null)
	while IFS= read -r f; do client+=("$f"); done < <(find "$src/client" -name '*.[ch]' \
		-not -path "$src/client/local/*" 2>/dev/null)
	forbid "${common[@]}" -- "${inc}(libpq-fe|sqlite3|event2/[a-z_]+)\.h[\">]" \
		"common/ is what both programs share: no event loop, no database, no local store"
	forbid "${client[@]}" -- "${inc}(libpq-fe|sqlite3)\.h[\">]|\bsqlite3_[a-z_]+\(" \
		"the client's SQLite store is client/local's (replica.h); no libpq in the client"
	[ -f "$src/server/db/db.h" ] && forbid "$src"/server/db/db.h -- "${inc}libpq-fe\.h[\">]|\bPG(conn|result)[[:space:]]*\*" \
		"no libpq type crosses db.h"
	return $bad
}

here=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --self-test ]; then
	src=${2:-$here}
	check "$src" >/dev/null || { echo "self-test: the tree itself breaks a rule"; exit 1; }
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	# one broken rule per case: FILE | LINE appended
	cases=(
		'server/conn.c|#include "session.h"'
		'server/conn.c|#include "listen.h"'
		'server/guard.c|#include "auth.h"'
		'server/conn.c|static int x = KARTA__STATUS__STATUS_BUSY;'
		'server/session.h|#include "conn.h"'
		'server/handlers/h_sync.c|#include "../conn.h"'
		'server/handlers/h_plan.c|#include "../server.h"'
		'server/handlers/h_table.c|static struct conn *c;'
		'server/handlers/h_item.c|#define X(s) ((s)->srv)'
		'server/listen.c|#include <libpq-fe.h>'
		'server/listen.c|#include <event2/bufferevent.h>'
		'server/main.c|#include <libpq-fe.h>'
		'server/server.c|#include "db/kt_migrations.h"'
		'server/db/db.h|#include <libpq-fe.h>'
		'common/kt_grow.c|#include <sqlite3.h>'
		'common/import/kt_import.c|#include <event2/event.h>'
		'client/plans/cmd_plan.c|#include <sqlite3.h>'
		'client/print/pdata.c|#include <libpq-fe.h>'
	)
	# one scratch copy; each case breaks one file and puts it back after its check
	mkdir -p "$scratch/t"
	cp -r "$src/server" "$src/common" "$src/client" "$scratch/t/"
	for c in "${cases[@]}"; do
		file=${c%%|*} line=${c#*|}
		cp "$scratch/t/$file" "$scratch/orig"
		printf '%s\n' "$line" >>"$scratch/t/$file"
		if check "$scratch/t" >/dev/null; then
			echo "self-test: '$line' in $file was not caught"
			exit 1
		fi
		mv "$scratch/orig" "$scratch/t/$file"
	done
	echo "self-test: ${#cases[@]} broken rules, each caught"
	exit 0
fi
check "${1:-$here}" && echo "layer rules hold"
