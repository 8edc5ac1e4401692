#!/usr/bin/env bash
# demo.sh: karta from a fresh Debian 12 machine to a running server in one command.
#
#   deploy/demo.sh          install packages, build, start PostgreSQL and kartad with a demo
#                           region, then say hello and ping as a municipality
#   deploy/demo.sh stop     stop kartad and the demo PostgreSQL (deletes the demo data and the
#                           clients' local copies of it, run/state)
#   deploy/demo.sh --help
#
# Everything lives in ./run (gitignored): run/pg (PostgreSQL, data in /tmp/karta-pg.*),
# run/certs, run/kartad.conf, run/<org>.conf, run/kartad.log, run/kartad.pid.
# Re-runnable: a second run rebuilds, keeps the database and certificates, restarts kartad.
# Environment: KARTA_DEMO_PORT (default 7443), KARTA_BUILD_DIR (default build),
# KARTA_DEMO_RUN (default run).
set -euo pipefail

# The demo speaks its users' language (issue 19): karta and karta-admin print Russian in a
# Russian locale (deploy/install-deps.sh generates ru_RU.UTF-8). LC_ALL is cleared so that
# LANG decides; the few outputs this script reads back are taken in C.UTF-8 (LC_ALL=…).
export LANG=ru_RU.UTF-8 LC_ALL= LANGUAGE=

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PATH=$(deploy/pgcluster.sh bindir):$PATH # psql itself, not Debian's pg_wrapper (a Perl start a call)
BUILD=${KARTA_BUILD_DIR:-build}
RUN=${KARTA_DEMO_RUN:-run}
PORT=${KARTA_DEMO_PORT:-7443}
METRICS_PORT=$((PORT + 1)) # kartad's /metrics and /health (plain HTTP, loopback)
RUN_ABS=$ROOT/$RUN
case $RUN in /*) RUN_ABS=$RUN ;; esac

KARTAD=$BUILD/server/kartad
ADMIN=$BUILD/server/karta-admin
KARTA=$BUILD/client/karta
# karta fits its tables to $COLUMNS; its output here goes through run()'s pipe, which is
# otherwise never cut: the terminal's width (120 without one) less run()'s indent of 6.
DEMO_COLS=120
[ -t 1 ] && DEMO_COLS=$(tput cols 2>/dev/null || echo 120)
export COLUMNS=$(((DEMO_COLS > 120 ? 120 : DEMO_COLS) - 6))

# The demo region: code|name|level|parent|role
ORGS=(
	"reg|Демонстрационная область|region||coordinator"
	"mun-north|Северный муниципальный округ|municipality|reg|operator"
	"mun-south|Южный муниципальный округ|municipality|reg|operator"
	"school-n1|Школа № 1 (Северный округ)|school|mun-north|operator"
	"school-n2|Школа № 2 (Северный округ)|school|mun-north|operator"
	"school-s1|Школа № 1 (Южный округ)|school|mun-south|operator"
	"school-s2|Школа № 2 (Южный округ)|school|mun-south|operator"
)

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf '\ndemo: %s\n' "$*" >&2
	exit 1
}
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

# quote ARG: the argument as it would be typed (single quotes when needed).
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# run CMD…: shows the command, then runs it with its output indented.
run() {
	local a line='$'
	for a in "$@"; do line+=" $(quote "$a")"; done
	printf '    %s\n' "$line"
	"$@" 2>&1 | sed 's/^/      /'
	return "${PIPESTATUS[0]}"
}

kartad_pid() {
	local pid
	[ -f "$RUN/kartad.pid" ] || return 1
	pid=$(cat "$RUN/kartad.pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q kartad || return 1
	echo "$pid"
}

stop_kartad() {
	local pid i
	if pid=$(kartad_pid); then
		info "останавливаю kartad (pid $pid)"
		kill -TERM "$pid"
		for ((i = 0; i < 300; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			info "kartad не остановился за 30 с: завершаю принудительно"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$RUN/kartad.pid"
}

cmd_stop() {
	step "остановка демонстрации"
	stop_dashboard
	stop_kartad
	info "останавливаю PostgreSQL ($RUN/pg)"
	deploy/pgcluster.sh stop "$RUN/pg"
	# the clients' local copies were of the database just deleted: a next demo's fresh database
	# starts its feeds again, and a replica already past them would miss its rows
	rm -rf "$RUN/state"
	info "локальные копии клиентов ($RUN/state) удалены вместе с базой"
	info "остановлено. Сертификаты и настройки остаются в $RUN/; «deploy/demo.sh» запускает всё заново."
}

# psql_var SQL NAME=VALUE…: runs SQL (with :'NAME' placeholders) in the demo database.
psql_var() {
	local sql=$1
	shift
	local vars=() v
	for v in "$@"; do vars+=(-v "$v"); done
	psql -XAtq -v ON_ERROR_STOP=1 "${vars[@]}" "$CONNINFO" <<<"$sql"
}

# plan_id ORG: the id of ORG's first plan ("" if none).
plan_id() {
	psql_var "SELECT p.id FROM plan p JOIN organization o ON o.id = p.owner_org_id
		WHERE o.code = :'code' ORDER BY p.created_at LIMIT 1" code="$1"
}

# derive_once ORG PARENT_PLAN: ORG derives its plan from PARENT_PLAN unless it has one.
derive_once() {
	local have
	have=$(plan_id "$1")
	if [ -n "$have" ]; then
		info "у $1 план уже есть: $have"
	else
		run "$KARTA" --config "$RUN/$1.conf" plan derive "$2" || die "$1: plan derive failed"
	fi
}

# The plan cascade: the region imports its roadmap document, approves it, a municipality
# and a school derive their sub-plans. Skipped steps on a re-run say so.
demo_plans() {
	local seed=tests/fixtures/docx/001.docx reg mun sch
	step "регион загружает свою дорожную карту из документа ($seed)"
	run "$KARTA" --config "$RUN/reg.conf" plan import "$seed" --dry-run --format table |
		head -n 12 || true
	info "... (пробный разбор выше показывает прочитанное; теперь загружаем по-настоящему:)"
	reg=$(plan_id reg)
	if [ -z "$reg" ]; then
		run "$KARTA" --config "$RUN/reg.conf" plan import "$seed" || die "plan import failed"
		reg=$(plan_id reg)
		run "$KARTA" --config "$RUN/reg.conf" plan approve "$reg" --number "01-08/530" \
			--date 2023-10-12 || die "plan approve failed"
	else
		info "у региона план уже есть: $reg"
	fi

	step "Северный муниципальный округ формирует свой план на основе регионального"
	derive_once mun-north "$reg"
	mun=$(plan_id mun-north)
	info "мероприятия для муниципалитета становятся его собственными, только региональные — справочными"

	step "школа school-n1 формирует свой план на основе муниципального"
	derive_once school-n1 "$mun"
	sch=$(plan_id school-n1)

	step "кто что видит: планы, доступные school-n1, и начало её плана"
	run "$KARTA" --config "$RUN/school-n1.conf" plan list
	run "$KARTA" --config "$RUN/school-n1.conf" plan show "$sch" | head -n 32 || true
	info "... («karta plan show $sch» выводит план целиком; --format csv|json — для таблиц и программ)"

	step "права проверяет сервер: Южный округ не может править региональный план"
	local item
	item=$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' LIMIT 1" p="$reg")
	run "$KARTA" --config "$RUN/mun-south.conf" item edit "$item" --title "чужая правка" &&
		die "a municipality edited the regional plan"
	info "(отказано, как и должно быть)"
}

# Word files: the region's roadmap above came from its .docx; a document with two plans
# lists both (and imports each, or the one --plan picks); a hostile file is refused.
demo_docx() {
	step "файл Word с двумя планами: --dry-run показывает оба (загрузка создаёт каждый, --plan N — один)"
	run "$KARTA" --config "$RUN/mun-north.conf" plan import tests/fixtures/docx/two_plans.docx \
		--dry-run --format table | grep -E '[$] |== План|источник:|: прочитан' || die "plan import --dry-run of a .docx failed"
	step "замаскированная ZIP-бомба отклоняется ещё при распаковке, ничего не записано"
	local bomb="$RUN/bomb"
	mkdir -p "$bomb"
	"$BUILD/tests/kt_docx_hostile" "$bomb" >/dev/null || die "kt_docx_hostile failed"
	run "$KARTA" --config "$RUN/mun-north.conf" plan import "$bomb/bomb_lie.docx" &&
		die "a zip bomb was imported"
	info "(отказано, как и должно быть)"
}

# Sync: each client keeps a local replica (run/state/<org>) of what it may see; writes go
# to its outbox first, so a school can work offline and sync later.
demo_sync() {
	local sch item
	sch=$(plan_id school-n1)
	item=$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' AND NOT reference_only
		AND deleted_at IS NULL ORDER BY ordinal LIMIT 1" p="$sch")
	step "school-n1 синхронизирует локальную копию: свой план и вышестоящие (ничего из других школ)"
	run "$KARTA" --config "$RUN/school-n1.conf" sync || die "karta sync failed"
	run "$KARTA" --config "$RUN/school-n1.conf" status | head -n 12 || true

	step "school-n1 работает без связи: правка ждёт в очереди и уже видна на месте"
	run "$KARTA" --config "$RUN/school-n1-offline.conf" item edit "$item" \
		--institutional "Проведено совещание с учителями-предметниками (офлайн)" ||
		die "the offline edit failed"
	step "без связи школа добавляет мероприятие и тут же исправляет его название: обе записи ждут в очереди"
	local sec new
	sec=$(psql_var "SELECT id FROM plan_section WHERE plan_id = :'p' ORDER BY ordinal LIMIT 1" p="$sch")
	new=$(LC_ALL=C.UTF-8 "$KARTA" --config "$RUN/school-n1-offline.conf" item add "$sch" --section "$sec" \
		--title "Пробный экзамен по математике (черновик)" --deadline "до 20 марта" 2>/dev/null |
		grep -oE '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' | head -n 1 || true) # any language
	[ -n "$new" ] || die "the offline item add failed"
	info "мероприятие $new добавлено без связи"
	run "$KARTA" --config "$RUN/school-n1-offline.conf" item edit "$new" \
		--title "Пробный экзамен по математике" || die "the offline edit of a new item failed"
	run "$KARTA" --config "$RUN/school-n1-offline.conf" status | grep -A4 'в очереди:' || true

	step "связь восстановлена: karta sync отправляет правки из очереди и получает изменения"
	run "$KARTA" --config "$RUN/school-n1.conf" sync || die "karta sync failed"
	[ "$(psql_var "SELECT title FROM plan_item WHERE id = :'i'" i="$new")" = "Пробный экзамен по математике" ] ||
		die "the offline correction of the new item did not arrive"
	info "(на сервере мероприятие уже с исправленным названием)"

	step "муниципалитет синхронизируется и видит правку своей школы"
	run "$KARTA" --config "$RUN/mun-north.conf" sync || die "karta sync failed"
	run "$KARTA" --config "$RUN/mun-north.conf" item show "$item" | grep -A1 '^ *уровень ОО' |
		head -n 4 || true
	info "(karta watch держит связь и синхронизируется при каждом уведомлении сервера)"
}

# Pipelined upload (issue 18): 2,000 changes queued offline leave in four Uploads at a time;
# kartad applies them one by one in order, each set-wise (docs/sync.md, "Pipelined Uploads").
demo_upload_speed() {
	local plan sec t0
	step "school-s1 копит 2000 изменений без связи и отправляет их одной синхронизацией"
	run "$KARTA" --config "$RUN/school-s1.conf" plan create --title "Проверка скорости загрузки" \
		--year 2026 --section "1|Раздел" >/dev/null || die "karta plan create failed"
	plan=$(psql_var "SELECT p.id FROM plan p WHERE p.title = 'Проверка скорости загрузки'
		ORDER BY p.created_at DESC LIMIT 1")
	sec=$(psql_var "SELECT id FROM plan_section WHERE plan_id = :'p'" p="$plan")
	"$BUILD/tests/kt_outbox_fill" "$RUN/state/school-s1" "$plan" "$sec" 2000 >/dev/null ||
		die "kt_outbox_fill failed"
	t0=$(date +%s%N)
	run "$KARTA" --config "$RUN/school-s1.conf" sync || die "karta sync failed"
	info "(2000 изменений приняты и получены обратно за $((($(date +%s%N) - t0) / 1000000)) мс;" \
		"в журнале kartad — event=upload_queued: следующие пакеты ждали своей очереди)"
}

# A new replica's first fill (issues 18 and 22): its file is rebuilt with 16 KiB pages first
# (a fill about a fifth cheaper in CPU); another karta that has the replica open refuses that,
# and the sync says so and fills it with small pages (client/local/replica_pages.c).
demo_replica_pages() {
	local st=$RUN/state/mun-north-new conf=$RUN/mun-north-new.conf pid i
	sed "s#^state_dir = .*#state_dir = $RUN_ABS/state/mun-north-new#" "$RUN/mun-north.conf" >"$conf"
	sed "s/^server = .*/server = 127.0.0.1:1/" "$conf" >"$RUN/mun-north-new-offline.conf"
	step "новая локальная копия Северного округа: перед первым заполнением её файл перестраивается на страницы по 16 КиБ"
	rm -rf "$st"
	run "$KARTA" --config "$conf" sync || die "karta sync failed"
	info "(размер страницы копии: $(sqlite3 "$st/replica.db" 'PRAGMA page_size') байт)"
	step "то же, пока копию держит открытой другая karta (karta watch без связи): страницы остаются мелкими"
	rm -rf "$st"
	"$KARTA" --config "$RUN/mun-north-new-offline.conf" watch >/dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		[ -f "$st/replica.db" ] && break
		sleep 0.1
	done
	sleep 0.5
	run "$KARTA" --config "$conf" sync || die "karta sync failed"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	info "(размер страницы копии: $(sqlite3 "$st/replica.db" 'PRAGMA page_size') байт)"
}

# Data safety (issue 16): after a restore the administrator starts a new epoch of a feed
# (karta-admin feed rebuild); a client killed in the middle of the snapshot that follows
# keeps the feed marked for resync and takes the whole snapshot again on its next sync, so
# no row the server no longer has survives in its replica.
demo_data_safety() {
	local pid i
	step "после восстановления базы: karta-admin feed rebuild school-n1 — все клиенты этого потока синхронизируются заново"
	run "$ADMIN" --db "$CONNINFO" feed rebuild school-n1 || die "feed rebuild failed"
	step "синхронизация school-n1 прерывается посреди полного снимка (её останавливает тестовая точка)"
	LC_ALL=C.UTF-8 KARTA_TEST_HANG_IN_SNAPSHOT=1 "$KARTA" --config "$RUN/school-n1.conf" sync \
		>/dev/null 2>"$RUN/snapshot-cut.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "snapshot pages applied" "$RUN/snapshot-cut.err" && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	run "$KARTA" --config "$RUN/school-n1-offline.conf" status 2>/dev/null | grep "ожидает полной синхронизации" ||
		info "(снимок успел завершиться до прерывания)"
	step "следующая синхронизация берёт снимок заново с начала: устаревшее не остаётся"
	run "$KARTA" --config "$RUN/school-n1.conf" sync || die "karta sync failed"
	LC_ALL=C.UTF-8 "$KARTA" --config "$RUN/school-n1.conf" status | grep -q "resync pending" &&
		die "a feed is still waiting for its snapshot"
	info "(потоков, ожидающих полной синхронизации, не осталось)"
}

# Status reports: a school reports an item done (with its evidence), the region asks the
# municipalities for a report, the northern one submits, the region accepts; the roll-up.
demo_reports() {
	local reg mun sch item mitem req sub
	reg=$(plan_id reg)
	sch=$(plan_id school-n1)
	mun=$(plan_id mun-north)
	item=$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' AND NOT reference_only
		AND deleted_at IS NULL ORDER BY ordinal LIMIT 1" p="$sch")
	mitem=$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' AND NOT reference_only
		AND deleted_at IS NULL ORDER BY ordinal LIMIT 1" p="$mun")
	step "school-n1 отмечает мероприятие своего плана выполненным и прикладывает подтверждающий документ"
	run "$KARTA" --config "$RUN/school-n1.conf" item status "$item" done \
		--comment "проведено" --evidence "Приказ №12 от 01.10.2023" || die "item status failed"
	run "$KARTA" --config "$RUN/mun-north.conf" item status "$mitem" in_progress || die "item status failed"

	step "регион запрашивает отчёт у муниципалитетов; Северный округ направляет его, регион принимает"
	req=$(LC_ALL=C.UTF-8 "$KARTA" --config "$RUN/reg.conf" report request \
		"$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' ORDER BY ordinal LIMIT 1" p="$reg")" \
		--title "Отчёт о проведённых собраниях" --due "$(date +%F)" |
		grep -oE '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' | head -n 1 || true) # any language
	[ -n "$req" ] || die "report request failed"
	info "запрос отчёта $req"
	run "$KARTA" --config "$RUN/mun-north.conf" sync || die "karta sync failed"
	run "$KARTA" --config "$RUN/mun-north.conf" report list || true
	sub=$(LC_ALL=C.UTF-8 "$KARTA" --config "$RUN/mun-north.conf" report submit "$req" \
		--comment "собрания проведены во всех школах" |
		grep -oE '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' | head -n 1 || true) # any language
	[ -n "$sub" ] || die "report submit failed"
	info "Северный округ направил отчёт $sub"
	run "$KARTA" --config "$RUN/reg.conf" report accept "$sub" || die "report accept failed"

	step "сводка региона на сегодня: по муниципалитетам, и что просрочено"
	run "$KARTA" --config "$RUN/reg.conf" rollup --by municipality || die "rollup failed"
	run "$KARTA" --config "$RUN/reg.conf" overdue | head -n 8 || true
	info "(--as-of ДАТА — на любой прошедший день; --format csv --bom — для Excel)"
}

# The dashboard: the region's page in the browser, served by the region's own karta on
# 127.0.0.1 (a free port from 8780 on), in the background until 'deploy/demo.sh stop'.
stop_dashboard() {
	local pid
	[ -f "$RUN/dashboard.pid" ] || return 0
	pid=$(cat "$RUN/dashboard.pid")
	if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'dashboard'; then
		info "останавливаю панель (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/dashboard.pid" "$RUN/dashboard.url"
}

demo_dashboard() {
	local i url=''
	stop_dashboard
	step "панель региона в браузере: сводка, школы, просроченное"
	run "$KARTA" --config "$RUN/reg.conf" sync || die "karta sync failed"
	setsid "$KARTA" --config "$RUN/reg.conf" dashboard --no-sync >"$RUN/dashboard.out" \
		2>"$RUN/dashboard.log" </dev/null &
	echo $! >"$RUN/dashboard.pid"
	for ((i = 0; i < 300; i++)); do # up to 30 s: a loaded machine starts it slowly
		url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/[^ ]*' "$RUN/dashboard.out" | head -n 1 || true)
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || die "karta dashboard did not start: $(cat "$RUN/dashboard.log")"
	echo "$url" >"$RUN/dashboard.url"
	info "откройте в браузере на этой машине (ключ в адресе служит паролем):"
	info "  $url"
	info "(с другой машины: ssh -L ПОРТ:127.0.0.1:ПОРТ этот-сервер, затем тот же адрес)"
}

# Registries: a school imports its participants from a CSV file (validated first, all or
# nothing); a wrong СНИЛС is refused with its line; people are seen by the school, its
# municipality and the region only.
demo_registries() {
	local f=$RUN/participants-n1.csv bad=$RUN/participants-bad.csv
	# the sample's people, as school-n1's (a row naming another school would be refused)
	awk -F';' -v OFS=';' 'NR > 1 { $11 = "school-n1" } { print }' \
		docs/samples/registry-participants.csv >"$f"
	step "school-n1 загружает участников ГИА (docs/samples/registry-participants.csv)"
	run "$KARTA" --config "$RUN/school-n1.conf" registry import participants "$f" ||
		die "registry import failed"
	step "файл с одним неверным СНИЛС отклоняется с указанием строки и поля, в очередь ничего не попадает"
	sed '2s/002-012-345 49/002-012-345 48/' "$f" >"$bad"
	run "$KARTA" --config "$RUN/school-n1.conf" registry import participants "$bad" &&
		die "a wrong СНИЛС was accepted"
	step "персональные данные видят только школа, её муниципалитет и регион"
	run "$KARTA" --config "$RUN/mun-north.conf" sync || die "karta sync failed"
	run "$KARTA" --config "$RUN/mun-north.conf" registry list participants | head -n 6 || true
	run "$KARTA" --config "$RUN/school-n2.conf" sync || die "karta sync failed"
	run "$KARTA" --config "$RUN/school-n2.conf" registry list participants || true
	run "$KARTA" --config "$RUN/mun-north.conf" registry duplicates || true
}

# One identity per registry row (docs/registries.md «Identity»): an export re-imports as
# nothing to change; a corrected document number in the file is one update of the same
# person; `registry edit` and `registry delete` go through the outbox with their history.
demo_registry_ids() {
	local s="$RUN/school-n1.conf" x="$RUN/participants-n1-export.csv" id
	step "school-n1 выгружает участников и загружает файл обратно: изменять нечего"
	run "$KARTA" --config "$s" registry export participants -o "$x" || die "registry export failed"
	run "$KARTA" --config "$s" registry import participants "$x" || die "re-import failed"
	run "$KARTA" --config "$s" registry export participants --layout ris -o "$x.ris" ||
		die "registry export --layout ris failed"
	run "$KARTA" --config "$s" registry import participants "$x.ris" || die "re-import failed"
	step "исправленный номер документа в выгруженном файле: одно изменение, никто не добавлен"
	awk -F';' -v OFS=';' 'NR == 2 { $6 = "015168" } { print }' "$x" >"$x.fixed"
	run "$KARTA" --config "$s" registry import participants "$x.fixed" || die "import failed"
	id=$(awk -F';' 'NR == 2 { print $17 }' "$x")
	step "registry edit и registry delete (без связи они, как любая запись, ждут в очереди)"
	run "$KARTA" --config "$s" registry edit participants "$id" --citizenship "Российская Федерация" ||
		die "registry edit failed"
	run "$KARTA" --config "$s" registry show participant "$id" | head -n 14 || true
	run "$KARTA" --config "$s" registry delete participants "$id" --reason "выбыл в другую школу" ||
		die "registry delete failed"
	run "$KARTA" --config "$s" registry export participants --all -o "$x.all" || true
	run "$KARTA" --config "$s" registry import participants "$x.all" || die "re-import failed"
}

# Spreadsheets: the region's roll-up as an Excel workbook (one sheet, numbers, percentages
# and dates typed, header frozen) in run/, and where it is.
demo_xlsx() {
	local f=$RUN_ABS/rollup.xlsx
	step "сводка региона в виде книги Excel (--format xlsx -o ФАЙЛ.xlsx)"
	run "$KARTA" --config "$RUN/reg.conf" rollup --by municipality --format xlsx -o "$f" ||
		die "rollup --format xlsx failed"
	info "откройте её в Excel или LibreOffice Calc: лист «Свод по муниципалитетам»"
	info "(--format xlsx -o ФАЙЛ.xlsx понимает каждая табличная команда: plan show, overdue, control,"
	info " exam seating, registry list, registry export, report list …)"
}

# CSV for people: in Russian what Excel opens as it is (';', decimal comma, дд.мм.гггг,
# UTF-8 with a BOM); short ids in tables name the rows again.
demo_formats() {
	local f=$RUN_ABS/rollup.csv reg
	step "сводка региона в CSV для Excel (--format csv -o ФАЙЛ.csv)"
	run "$KARTA" --config "$RUN/reg.conf" rollup --by municipality --format csv -o "$f" ||
		die "rollup --format csv failed"
	info "строки файла (первой идёт строка заголовков по-русски, перед ней — метка BOM для UTF-8):"
	run sed -n '2,3p' "$f"
	info "(--encoding cp1251 — для старого Excel; --csv-dialect rfc4180 — для программ: разделитель ',' и даты ISO)"
	reg=$(plan_id reg)
	step "план можно назвать первыми знаками его идентификатора — так, как их показывают таблицы"
	run "$KARTA" --config "$RUN/reg.conf" plan show "${reg:0:8}" | head -n 14 || true
}

demo_metrics() {
	local m=http://127.0.0.1:$METRICS_PORT
	step "что видит администратор: проверка работоспособности и метрики kartad ($m, только локально)"
	run curl -s "$m/health" || die "no answer on $m/health"
	curl -s "$m/metrics" | grep -E '^karta_(connections\{|requests_total|upload_ops_total|pokes_sent|db_pool_connections|db_queue_depth|listen_up)' |
		sed 's/^/    /'
	info "HAProxy опрашивает /health, Prometheus собирает /metrics (перечень и оповещения — в docs/operations.md)"
}

demo_org_import() {
	local pkg=docs/samples/demo-region codes=docs/samples/demo-region-codes.csv
	step "заводим демонстрационный регион из федерального пакета ($pkg: регион, муниципалитеты, школы)"
	info "(сначала пробный разбор; --codes сохраняет короткие коды демонстрации: reg, mun-north, school-n1 …)"
	run "$ADMIN" --db "$CONNINFO" org import "$pkg" --codes "$codes" --dry-run ||
		die "karta-admin org import --dry-run failed"
	run "$ADMIN" --db "$CONNINFO" org import "$pkg" --codes "$codes" || die "karta-admin org import failed"
	run "$ADMIN" --db "$CONNINFO" org list || die "karta-admin org list failed"
}

# Registrations from the federal exchange package (docs/registries.md «Registries: karta
# registry import --layout giadbset»): the region imports its exam schedule (the package's
# registrations name their exams by ExamGlobalID), then the participants and registrations of
# docs/samples/demo-region, a dry run first; the server puts each row in the school its GUID
# names. The same package again changes nothing; a package whose registration names a
# participant it does not hold is refused with file and row, nothing written.
demo_gds() {
	local r="$RUN/reg.conf" pkg=docs/samples/demo-region bad=$RUN/demo-region-bad
	step "регион загружает расписание экзаменов (ЕГЭ, ОГЭ, ГВЭ с федеральными кодами ExamGlobalID)"
	run "$KARTA" --config "$r" exam schedule import docs/samples/demo-exam-schedule.csv ||
		die "karta exam schedule import failed"
	run "$KARTA" --config "$r" registry list exams || die "karta registry list exams failed"
	step "регион загружает участников и их регистрации на экзамены из федерального пакета ($pkg; сначала пробный запуск)"
	run "$KARTA" --config "$r" registry import --layout giadbset "$pkg" --dry-run ||
		die "registry import --layout giadbset --dry-run failed"
	run "$KARTA" --config "$r" registry import --layout giadbset "$pkg" ||
		die "registry import --layout giadbset failed"
	info "(каждого участника сервер относит к школе по GUID из SchoolRegistration; сведения, которые"
	info " karta не ведёт, сохраняются как есть и вернутся в пакет при выгрузке: docs/registries.md)"
	step "тот же пакет повторно: изменять нечего"
	run "$KARTA" --config "$r" registry import --layout giadbset "$pkg" ||
		die "registry import --layout giadbset (again) failed"
	step "регистрация на экзамен ссылается на участника, которого нет в пакете: пакет отклонён, ничего не записано"
	rm -rf "$bad" && cp -r "$pkg" "$bad"
	sed -i '0,/<ParticipantID>[^<]*</s//<ParticipantID>11111111-2222-3333-4444-555555555555</' \
		"$bad/rbd_ParticipantsExams.xml"
	run "$KARTA" --config "$r" registry import --layout giadbset "$bad" &&
		die "a registration of an unknown participant was accepted"
	step "school-n1 видит своих участников из пакета — и ни одного из других школ"
	run "$KARTA" --config "$RUN/school-n1.conf" sync >/dev/null || die "karta sync failed"
	run "$KARTA" --config "$RUN/school-n1.conf" registry list participants || true
}

demo_exam_planning() {
	local m="$RUN/mun-north.conf" r="$RUN/reg.conf" x=2026-06-01:2
	step "Северный округ загружает свои ППЭ и их аудитории"
	run "$KARTA" --config "$m" registry import exam-points docs/samples/demo-exam-points.csv ||
		die "registry import exam-points failed"
	run "$KARTA" --config "$m" registry import auditoriums docs/samples/demo-auditoriums.csv ||
		die "registry import auditoriums failed"
	info "(расписание экзаменов и регистрации на экзамен $x пришли в федеральном пакете: demo_gds)"
	run "$KARTA" --config "$m" sync >/dev/null || die "karta sync failed"
	step "Северный округ планирует экзамен: ППЭ 0001 с двумя аудиториями, распределение (сначала пробное), рассадка"
	run "$KARTA" --config "$m" exam plan --exam "$x" --point 0001 --room 0101 --room 0102 ||
		die "karta exam plan failed"
	run "$KARTA" --config "$m" exam distribute --exam "$x" --dry-run || die "the dry run failed"
	run "$KARTA" --config "$m" exam distribute --exam "$x" || die "karta exam distribute failed"
	run "$KARTA" --config "$m" exam seat --exam "$x" --order even || die "karta exam seat failed"
	run "$KARTA" --config "$m" exam seating --exam "$x" --point 0001 || die "the seating list failed"
	step "контрольные отчёты: К-02 для региона, К-06 — готовность ППЭ Северного округа"
	run "$KARTA" --config "$r" control K-02 --exam "$x" || die "karta control K-02 failed"
	run "$KARTA" --config "$m" control K-06 --exam "$x" || die "karta control K-06 failed"
	step "регион закрывает планирование экзамена: изменения отклоняются до снятия блокировки"
	run "$KARTA" --config "$r" exam lock --exam "$x" --reason "выгружено в ППЭ" || die "lock failed"
	run "$KARTA" --config "$m" exam seat --exam "$x" --order sequential &&
		die "a locked exam accepted a change"
	run "$KARTA" --config "$r" exam unlock --exam "$x" || die "unlock failed"
}

# Staff of an exam point (docs/exam-planning.md «Staff»): mun-north imports its staff, assigns
# the head and two organizers to room 0101, one of them responsible (a second responsible
# organizer in the room is refused), and prints ППЭ-07 with the responsible one marked.
demo_staff() {
	local m="$RUN/mun-north.conf" x=2026-06-01:2
	step "Северный округ загружает работников (docs/samples/demo-staff.csv) и назначает их в ППЭ 0001"
	run "$KARTA" --config "$m" registry import staff docs/samples/demo-staff.csv ||
		die "registry import staff failed"
	run "$KARTA" --config "$m" exam assign-staff --exam "$x" --point 0001 --staff 900001 --role head ||
		die "karta exam assign-staff failed"
	run "$KARTA" --config "$m" exam assign-staff --exam "$x" --point 0001 --staff 900002 \
		--role organizer_in --room 0101 || die "karta exam assign-staff failed"
	run "$KARTA" --config "$m" exam assign-staff --exam "$x" --point 0001 --staff 900003 \
		--role organizer_in --room 0101 --responsible || die "karta exam assign-staff --responsible failed"
	step "второй ответственный организатор в аудитории 0101 не допускается"
	run "$KARTA" --config "$m" exam assign-staff --exam "$x" --point 0001 --staff 900002 \
		--role organizer_in --room 0101 --responsible && die "a second responsible organizer was accepted"
	step "в ППЭ-07, списке работников ППЭ 0001, ответственный организатор отмечен «(отв.)»"
	run "$KARTA" --config "$m" print ppe-07 --exam "$x" --point 0001 -o "$RUN/ppe-07.pdf" ||
		die "karta print ppe-07 failed"
	info "откройте $RUN_ABS/ppe-07.pdf"
}

# The region hands its registries and planning back as the federal exchange package
# (docs/registries.md «GIADBSet export»), each file checked against the published schema.
demo_gds_export() {
	local r="$RUN/reg.conf" out="$RUN/region-package.zip" f x
	step "регион выгружает свои данные федеральным пакетом обмена (GIADBSet, .zip)"
	run "$KARTA" --config "$r" sync >/dev/null || die "karta sync failed"
	run "$KARTA" --config "$r" registry export --layout giadbset -o "$out" ||
		die "karta registry export --layout giadbset failed"
	step "каждый файл пакета проверен по опубликованной схеме XSD (xmllint --schema)"
	x=$(mktemp -d)
	unzip -q -o "$out" -d "$x" || die "cannot unzip $out"
	for f in "$x"/*.xml; do
		xmllint --noout --schema "tests/fixtures/giadbset/xsd/$(basename "$f" .xml).xsd" "$f" 2>&1 |
			sed 's/^/      /; s|'"$x"'/||; s/ validates$/: соответствует схеме/'
		[ "${PIPESTATUS[0]}" = 0 ] || die "$(basename "$f") is not valid against its schema"
	done
	rm -rf "$x"
	info "пакет: $RUN_ABS/region-package.zip (доступ только владельцу, 0600: в нём персональные данные)"
}

# Connection limits (server/guard.c, docs/operations.md): kartad checks its open file limit
# before it starts, and one device may hold only max_conns_per_device connections.
demo_guard() {
	step "kartad до запуска сверяет предел открытых файлов с max_conns (здесь ulimit -n 256)"
	run bash -c 'ulimit -n 256 && exec "$1" --config "$2" --check-config' guard "$KARTAD" \
		"$RUN/kartad.conf" && die "kartad accepted 10000 connections with 256 open files"
	info "(отказано, как и должно быть; если низок лишь мягкий предел, kartad поднимает его сам)"
	local probe=$BUILD/tests/kt_probe
	[ -x "$probe" ] || return 0
	step "одно устройство открывает 40 соединений: сверх max_conns_per_device (32) получает BUSY"
	run "$probe" --server "127.0.0.1:$PORT" --ca "$RUN/certs/ca.pem" \
		--cert "$RUN/certs/school-s2.pem" --key "$RUN/certs/school-s2.key" hold 40 hello ||
		die "kt_probe failed"
	grep 'event=device_conns_refused' "$RUN/kartad.log" | tail -n 1 | sed 's/^/      /'
}

# Print forms: the seating list of an auditorium (ППЭ-05-01) and the participants'
# notifications, as PDF files a school and an exam point print (docs/print-forms.md).
demo_print() {
	local m="$RUN/mun-north.conf" x=2026-06-01:2
	step "Северный округ печатает списки рассадки ППЭ 0001 (ППЭ-05-01) и уведомления участников school-n1"
	run "$KARTA" --config "$m" print ppe-05-01 --exam "$x" --point 0001 -o "$RUN/ppe-05-01.pdf" ||
		die "karta print ppe-05-01 failed"
	run "$KARTA" --config "$m" print notice --school school-n1 --per-page 2 -o "$RUN/notices.pdf" ||
		die "karta print notice failed"
	info "откройте $RUN_ABS/ppe-05-01.pdf и $RUN_ABS/notices.pdf (A4, шрифты встроены)"
	info "(а также: print ppe-06-01|ppe-06-02|ppe-07 --exam … --point …, print plan ПЛАН, print rollup)"
	step "ППЭ другого муниципалитета напечатать нельзя: его люди — не Северного округа"
	run "$KARTA" --config "$RUN/mun-south.conf" print ppe-05-01 --exam "$x" --point 0001 \
		-o "$RUN/refused.pdf" && die "a foreign point's list was printed"
	[ ! -e "$RUN/refused.pdf" ] || die "a refused print left $RUN/refused.pdf"
}

# Everyday gaps (issue 19): an item's status with its evidence and what each version changed;
# a school sees where its own students sit; a long outbox summarized, an upload's progress;
# an expired device certificate named as such, and karta-admin device add warning about it.
demo_gaps() {
	local s="$RUN/school-n1.conf" item x=2026-06-01:2 ca="$RUN/expired-ca"
	item=$(psql_var "SELECT id FROM plan_item WHERE plan_id = :'p' AND NOT reference_only
		AND deleted_at IS NULL ORDER BY ordinal LIMIT 1" p="$(plan_id school-n1)")
	step "school-n1 смотрит своё мероприятие: статус, комментарий и подтверждающий документ"
	run "$KARTA" --config "$s" item show "$item" | tail -n 4 || die "karta item show failed"
	step "что изменила каждая версия: было → стало (правка без связи выше)"
	run "$KARTA" --config "$s" item history "$(psql_var "SELECT c.item_id FROM item_change c
		JOIN plan_item i ON i.id = c.item_id WHERE i.plan_id = :'p' ORDER BY c.row_version DESC
		LIMIT 1" p="$(plan_id school-n1)")" || die "karta item history failed"
	step "school-n1 видит, где сидят её участники (только чтение; чужих — нет)"
	run "$KARTA" --config "$s" exam seating --exam "$x" | head -n 8 || die "karta exam seating failed"
	step "длинная очередь отправки — сводкой по видам (karta status; --queue — все операции)"
	if [ -x "$BUILD/tests/kt_outbox_fill" ]; then
		"$BUILD/tests/kt_outbox_fill" "$RUN/state/school-n1" "$(plan_id school-n1)" \
			"$(psql_var "SELECT section_id FROM plan_item WHERE id = :'i'" i="$item")" 600 >/dev/null
		run "$KARTA" --config "$s" status | sed -n '/в очереди:/,/отклонено:/p' || true
		info "(в терминале синхронизация показывает ход отправки: отправлено, подтверждено, скорость, сколько осталось)"
		run "$KARTA" --config "$s" sync >/dev/null || die "karta sync failed"
	fi
	step "просроченный сертификат устройства называется прямо, device add предупреждает о нём"
	mkdir -p "$ca"
	deploy/certs.sh "$RUN/certs" --dated "$ca/old" school-n1-old 20200101000000Z 20210101000000Z \
		>/dev/null || die "cannot make the expired certificate"
	run "$ADMIN" --db "$CONNINFO" device add --org school-n1 --cert "$ca/old.pem" --label expired ||
		die "karta-admin device add failed"
	run "$KARTA" --config "$s" --cert "$ca/old.pem" --key "$ca/old.key" hello &&
		die "an expired certificate connected"
	run "$ADMIN" --db "$CONNINFO" device revoke --cert "$ca/old.pem" >/dev/null || true
}

cmd_start() {
	step "установка пакетов Debian, нужных karta (deploy/install-deps.sh)"
	deploy/install-deps.sh

	mkdir -p "$RUN"
	step "сборка karta (cmake -S . -B $BUILD && cmake --build $BUILD; журнал $RUN/build.log)"
	if ! { cmake -S . -B "$BUILD" && cmake --build "$BUILD" -j"$(nproc)"; } >"$RUN/build.log" 2>&1; then
		tail -n 30 "$RUN/build.log" | sed 's/^/    /' >&2
		die "the build failed (last lines above, full log in $RUN/build.log)"
	fi
	for b in "$KARTAD" "$ADMIN" "$KARTA"; do
		[ -x "$b" ] || die "the build did not produce $b"
	done
	info "собраны $KARTAD, $ADMIN, $KARTA"

	stop_kartad # a previous demo's server: restarted below with the fresh build

	step "запуск PostgreSQL 15 (временный кластер для демонстрации: $RUN/pg)"
	deploy/pgcluster.sh start "$RUN/pg" >/dev/null
	if [ -z "$(psql -XAtq "$(deploy/pgcluster.sh conninfo "$RUN/pg" postgres)" \
		-c "SELECT 1 FROM pg_database WHERE datname = 'karta'")" ]; then
		deploy/pgcluster.sh createdb "$RUN/pg" karta
		info "создана база данных karta"
	else
		info "база данных karta уже есть: данные сохраняются"
	fi
	CONNINFO=$(deploy/pgcluster.sh conninfo "$RUN/pg" karta)
	info "подключение: $CONNINFO"

	local codes=() o
	for o in "${ORGS[@]}"; do codes+=("${o%%|*}"); done
	step "выпуск сертификатов: региональный УЦ, сервер, по одному на устройство ($RUN/certs)"
	deploy/certs.sh "$RUN/certs" "${codes[@]}" | sed 's/^/    /'
	info "(имеющиеся сохраняются)"

	step "создание схемы базы данных (karta-admin migrate)"
	run "$ADMIN" --db "$CONNINFO" migrate || die "karta-admin migrate failed"

	demo_org_import
	step "регистрация устройства для каждой организации"
	local code name level parent role fp
	for o in "${ORGS[@]}"; do
		IFS='|' read -r code name level parent role <<<"$o"
		[ -n "$(psql_var "SELECT 1 FROM organization WHERE code = :'code'" code="$code")" ] ||
			die "the package did not make organization $code"
		fp=$(openssl x509 -in "$RUN/certs/$code.pem" -noout -fingerprint -sha256 |
			sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
		if [ -n "$(psql_var "SELECT 1 FROM device
				WHERE replace(lower(fingerprint::text), ':', '') LIKE '%' || :'fp' || '%'" fp="$fp")" ]; then
			info "устройство $RUN/certs/$code.pem уже зарегистрировано"
		else
			run "$ADMIN" --db "$CONNINFO" device add --org "$code" --cert "$RUN/certs/$code.pem" \
				--role "$role" --label "demo device of $code" || die "cannot register the device of $code"
		fi
	done

	step "файлы настроек: $RUN/kartad.conf и по одному для клиента каждой организации ($RUN/<org>.conf)"
	{
		echo "; kartad config written by deploy/demo.sh (all keys: $KARTAD --dump-config)"
		deploy/kartad-conf.sh "127.0.0.1:$PORT" "$RUN_ABS/certs" "$CONNINFO" "127.0.0.1:$METRICS_PORT"
	} >"$RUN/kartad.conf"
	for code in "${codes[@]}"; do
		cat >"$RUN/$code.conf" <<-EOF
			; karta client config for the demo org $code (written by deploy/demo.sh)
			[client]
			server = 127.0.0.1:$PORT
			server_name = localhost
			cert_file = $RUN_ABS/certs/$code.pem
			key_file = $RUN_ABS/certs/$code.key
			ca_file = $RUN_ABS/certs/ca.pem
			state_dir = $RUN_ABS/state/$code
		EOF
		# the same device and replica with the server out of reach: the offline demo
		sed "s/^server = .*/server = 127.0.0.1:1/" "$RUN/$code.conf" >"$RUN/$code-offline.conf"
	done

	step "запуск kartad на 127.0.0.1:$PORT (журнал $RUN/kartad.log)"
	if (exec 9<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		die "something else listens on port $PORT: stop it or set KARTA_DEMO_PORT"
	fi
	[ -f "$RUN/kartad.log" ] && mv "$RUN/kartad.log" "$RUN/kartad.log.1"
	setsid "$KARTAD" --config "$RUN/kartad.conf" </dev/null >/dev/null 2>"$RUN/kartad.log" &
	local pid=$! i
	echo "$pid" >"$RUN/kartad.pid"
	for ((i = 0; i < 100; i++)); do
		grep -qs 'event=listening' "$RUN/kartad.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'event=listening' "$RUN/kartad.log"; then
		tail -n 20 "$RUN/kartad.log" | sed 's/^/    /' >&2
		die "kartad did not start (log above, full log in $RUN/kartad.log)"
	fi
	info "kartad работает, pid $pid"

	step "приветствие от имени Северного округа (mun-north)"
	run "$KARTA" --config "$RUN/mun-north.conf" hello || die "karta hello failed"

	step "измерение времени отклика сервера"
	run "$KARTA" --config "$RUN/mun-north.conf" ping -n 3 || die "karta ping failed"

	demo_plans
	demo_docx

	demo_sync
	demo_reports
	demo_registries
	demo_registry_ids
	demo_gds
	demo_exam_planning
	demo_staff
	demo_xlsx
	demo_formats
	demo_data_safety
	demo_guard
	demo_metrics
	demo_print
	demo_gds_export
	demo_gaps

	# --- LATER STEPS ----------------------------------------------------------------------
	# New features add their demo steps here, after the plans and before the summary.
	# ------------------------------------------------------------------------------------
	demo_upload_speed
	demo_replica_pages

	demo_dashboard

	step "готово: демонстрационный сервер работает"
	cat <<-EOF
		    Что ещё попробовать: планы — от имени школы, региона; устройства, база данных, журнал
		      $KARTA --config $RUN/mun-north.conf plan list
		      $KARTA --config $RUN/mun-north.conf item history ITEM_ID
		      $KARTA --config $RUN/school-s1.conf hello
		      $KARTA --config $RUN/reg.conf ping -n 10
		      $ADMIN --db "$CONNINFO" device list
		      deploy/pgcluster.sh psql $RUN/pg karta
		      tail -f $RUN/kartad.log
		    Отозвать устройство и увидеть отказ:
		      $ADMIN --db "$CONNINFO" device revoke --cert $RUN/certs/school-n2.pem
		      $KARTA --config $RUN/school-n2.conf hello
		    Панель региона (браузер на этой машине):
		      $(cat "$RUN/dashboard.url")
		    Остановить всё:
		      deploy/demo.sh stop
	EOF
}

case ${1:-start} in
start) cmd_start ;;
stop) cmd_stop ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
