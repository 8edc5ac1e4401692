#!/usr/bin/env bash
# t_registry: `karta registry import` end to end (docs/registries.md), real kartad, real
# PostgreSQL, real clients with their SQLite replicas.
#  - a school imports participants from a hand-written CSV (UTF-8, ';'); the same data in
#    Windows-1251 with ',' gives the identical result; a re-import queues nothing and adds no
#    change_log row; a changed row is one update;
#  - malformed files (unbalanced quote, wrong column count, a 10 MB field, an unknown column,
#    a missing required column) are refused with their line, nothing queued or written;
#  - a row failing validation is reported as FILE:LINE: «column»: reason, nothing queued;
#    --partial queues the valid rows and still exits 1; --dry-run queues nothing;
#  - offline: the import is queued, a re-import offline queues nothing more, 'karta sync'
#    sends it;
#  - exam points, auditoriums and staff by a municipality;
#  - sync everywhere: each side holds exactly what it may read (sch12 and mun2 none of
#    sch11's participants);
#  - a generated municipality (kt_gen_region) imported by the region: counts end to end;
#  - privacy: no surname, document number or СНИЛС in any kartad log line or client stderr.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

KT_GEN=$KT_BIN/tests/kt_gen_region
[ -x "$KT_GEN" ] || kt_fail "'$KT_GEN' is not built"

kt_setup t_registry
kt_start_kartad

CLIENT_ERR=$KT_WORK/client.stderr
: >"$CLIENT_ERR"
# Every client run's stderr also goes to $CLIENT_ERR (the privacy check reads it).
kt_karta() {
	local org=$1 rc=0 e
	shift
	e=$(mktemp)
	timeout 120 "$KT_KARTA" --config "$KT_WORK/$org.conf" "$@" 2>"$e" || rc=$?
	cat "$e" >>"$CLIENT_ERR"
	cat "$e" >&2
	rm -f "$e"
	return "$rc"
}
offline() { sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$1.conf" >"$KT_WORK/$1-off.conf"; }
offline sch11
sq() { sqlite3 -batch "$KT_WORK/$1.state/replica.db" "$2"; }
outbox() { sq "$1" "SELECT count(*) FROM outbox"; }
org_id() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
n_part() { kt_psql "SELECT count(*) FROM participant WHERE org_id = $(org_id "$1") AND deleted_at IS NULL"; }
n_log() { kt_psql "SELECT count(*) FROM change_log"; }
db_sum() { # one checksum over the registry tables and the log
	kt_psql "SELECT md5(coalesce(string_agg(t, '|' ORDER BY t), '')) FROM (
	SELECT p::text AS t FROM participant p UNION ALL SELECT e::text FROM exam_point e
	UNION ALL SELECT a::text FROM auditorium a UNION ALL SELECT s::text FROM staff s
	UNION ALL SELECT x::text FROM staff_point x UNION ALL SELECT c.seq::text FROM change_log c) x"
}
D=$KT_WORK/data
mkdir -p "$D"

# --- participants of sch11 ----------------------------------------------------------------
# Synthetic people; surnames, document numbers and СНИЛС are checked for in the logs below.
SURNAMES=(Сидоренкова Кузнецовский Мельниковская Ворожейкин)
DOCNUMS=(731946 582017 649302 815274)
SNILS=(11223344595 27845196323 39051728487 46172938507)
H='Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;Класс;СНИЛС;Код ОО;Категория участника;Форма ГИА;ОВЗ'
cat >"$D/p.csv" <<EOF
$H
Сидоренкова;Анна;Петровна;1;45 06;731946;Ж;12.03.2008;11А;112-233-445 95;sch11;1;ЕГЭ;0
Кузнецовский;Иван;Сергеевич;Паспорт РФ;4507;582017;М;01.02.2008;11Б;27845196323;sch11;1;ЕГЭ;нет
Мельниковская;Дарья;;2;IV-МЮ;649302;Ж;05.05.2010;9А;390-517-284 87;sch11;1;ОГЭ;да
EOF
# the same data: Windows-1251, ',' and CRLF, columns in another order, header in capitals
{
	echo 'ФАМИЛИЯ*,Имя,Отчество,Код типа документа,Серия,Номер,Пол,Дата рождения,Класс,Страховой номер,ОО,Категория,Форма,Признак ОВЗ'
	tail -n +2 "$D/p.csv" | tr ';' ','
} | sed 's/$/\r/' | iconv -f UTF-8 -t CP1251 >"$D/p1251.csv"

kt_ok sch11 sync
kt_ok sch11 registry import participants "$D/p.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 3 added, 0 updated, 0 unchanged, 0 rejected by the server"
kt_assert_eq 3 "$(n_part sch11)" "sch11 participants after the import"
kt_assert_eq 0 "$(outbox sch11)" "sch11 outbox after an online import"
kt_assert_eq 3 "$(sq sch11 "SELECT count(*) FROM row WHERE entity_type = 'participant'")" \
	"participants in sch11's replica"
# stored forms: codes, ISO dates, digits
kt_assert_eq "2|2010-05-05|IV-МЮ|649302|39051728487|9А|1|2|true" "$(kt_psql "SELECT sex || '|' || birth_date
	|| '|' || doc_series || '|' || doc_number || '|' || snils || '|' || class || '|' || category
	|| '|' || form || '|' || ovz FROM participant WHERE doc_number = '649302'")" "stored participant"
kt_assert_eq "4506" "$(kt_psql "SELECT doc_series FROM participant WHERE doc_number = '731946'")"
LOG0=$(n_log)
SUM0=$(db_sum)

# the same file again, and the same data in Windows-1251 with ',': nothing changes
kt_ok sch11 registry import participants "$D/p.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 0 added, 0 updated, 3 unchanged, 0 rejected"
kt_ok sch11 registry import participants "$D/p1251.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 0 added, 0 updated, 3 unchanged, 0 rejected"
kt_assert_eq "$LOG0" "$(n_log)" "change_log rows after re-imports"
kt_assert_eq "$SUM0" "$(db_sum)" "registry tables after re-imports"
kt_assert_eq 0 "$(outbox sch11)" "outbox after re-imports"

# one changed row: one update
sed 's/;11Б;/;10Б;/' "$D/p.csv" >"$D/p2.csv"
kt_ok sch11 registry import participants "$D/p2.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 0 added, 1 updated, 2 unchanged, 0 rejected"
kt_assert_eq "10Б|2" "$(kt_psql "SELECT class || '|' || row_version FROM participant WHERE doc_number = '582017'")"
kt_assert_eq $((LOG0 + 1)) "$(n_log)" "change_log rows after one changed row"
kt_ok sch11 registry import participants "$D/p2.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged"
# a pipe cannot be read twice: imported online in one pass (not the check pass, then the
# sending pass over the file read again), as a file is
kt_ok sch11 registry import participants <(cat "$D/p.csv")
kt_assert_contains "$KT_OUT" "imported 3 rows: 0 added, 1 updated, 2 unchanged, 0 rejected"
kt_assert_eq "11Б" "$(kt_psql "SELECT class FROM participant WHERE doc_number = '582017'")"
kt_ok sch11 registry import participants "$D/p2.csv"
kt_assert_contains "$KT_OUT" "0 added, 1 updated, 2 unchanged"
kt_assert_eq 0 "$(outbox sch11)" "outbox after the pipe's import"

# --- malformed files: refused with the line, nothing queued or written ---------------------
SUM1=$(db_sum)
refused_file() { # NAME PATTERN: the import of $D/NAME is refused, nothing written or queued
	kt_refused sch11 "$2" registry import participants "$D/$1"
	kt_assert_contains "$KT_ERR" "nothing imported" "stderr for $1"
	kt_assert_eq 0 "$(outbox sch11)" "outbox after $1"
	kt_assert_eq "$SUM1" "$(db_sum)" "database after $1"
}
{ cat "$D/p.csv"; echo 'Новикова;"Ольга;Ивановна;1;4508;123457;Ж;01.01.2008;11А;;sch11;1;ЕГЭ;0'; } >"$D/quote.csv"
refused_file quote.csv "line 5: unbalanced quote"
{ head -n 2 "$D/p.csv"; echo 'Новикова;Ольга;1;4508;123457;Ж'; tail -n 1 "$D/p.csv"; } >"$D/cols.csv"
refused_file cols.csv "cols.csv:3: the row has 6 fields, the header has 14"
{
	head -n 2 "$D/p.csv"
	printf 'Новикова;Ольга;'
	head -c 10485760 /dev/zero | tr '\0' 'x'
	printf ';1;4508;123457;Ж;01.01.2008;11А;;sch11;1;ЕГЭ;0\n'
} >"$D/huge.csv"
refused_file huge.csv "huge.csv:3: field 3 is longer than 65536 bytes"
sed '1s/;ОВЗ$/;Цвет глаз/' "$D/p.csv" >"$D/unknown.csv"
refused_file unknown.csv "line 1: column 14 «Цвет глаз» is not a column"
cut -d';' -f1,2,3,4,5,6,7,8,9,10,11,13,14 "$D/p.csv" >"$D/missing.csv" # no «Категория участника»
refused_file missing.csv "line 1: required column «Категория участника» is missing"
: >"$D/empty.csv"
refused_file empty.csv "empty"

# --- rows failing validation -----------------------------------------------------------------
{
	cat "$D/p2.csv"
	echo 'Ворожейкин;Пётр;Ильич;1;4509;815274;М;07.07.2008;11В;461-729-385 08;sch11;1;ЕГЭ;0'
	echo 'Ворожейкин;Павел;Ильич;1;4509;815275;М;07.07.2008;11В;46172938507;sch11;1;ЕГЭ;0'
	echo 'Ворожейкина;Мария;;1;4510;815276;Ж;31.02.2008;9Б;;sch11;2;ОГЭ;0'
} >"$D/bad.csv"
kt_refused sch11 "bad.csv:5: «СНИЛС»: control number does not match" registry import participants "$D/bad.csv"
kt_assert_contains "$KT_ERR" "bad.csv:7: «Дата рождения»: is not a calendar date"
kt_assert_contains "$KT_ERR" "bad.csv:7: «Форма ГИА»: ОГЭ is only for current-year students"
kt_assert_contains "$KT_ERR" "2 of 6 rows rejected (above): nothing imported"
kt_assert_not_contains "$KT_ERR" "bad.csv:6:"
kt_assert_eq 0 "$(outbox sch11)" "outbox after a rejected file"
kt_assert_eq "$SUM1" "$(db_sum)" "database after a rejected file"
# --dry-run: the same report, nothing queued
kt_refused sch11 "bad.csv:5: «СНИЛС»" registry import participants "$D/bad.csv" --dry-run
kt_assert_contains "$KT_OUT" "dry run: 6 rows checked: 1 to add, 0 to update, 3 unchanged, 2 rejected; nothing queued"
kt_assert_eq 0 "$(outbox sch11)" "outbox after --dry-run"
# --partial: the valid rows go in, exit 1 all the same
kt_refused sch11 "bad.csv:5: «СНИЛС»" registry import participants "$D/bad.csv" --partial
kt_assert_contains "$KT_OUT" "imported 4 rows: 1 added, 0 updated, 3 unchanged, 0 rejected by the server"
kt_assert_contains "$KT_ERR" "2 of 6 rows rejected (above) and not imported (--partial: the others were)"
kt_assert_eq 4 "$(n_part sch11)" "sch11 participants after --partial"
kt_assert_eq 0 "$(outbox sch11)" "outbox after --partial"
# online the file is read twice (checked, then queued while sent): each refusal said once
kt_assert_eq 1 "$(grep -c 'bad.csv:5: «СНИЛС»' <<<"$KT_ERR")" "--partial: the refused row said once"
kt_assert_eq 1 "$(grep -c 'bad.csv:7: «Дата рождения»' <<<"$KT_ERR")" "--partial: the refused row said once"
# the same document twice in one file
{ cat "$D/p2.csv"; tail -n 1 "$D/p2.csv" | sed 's/Мельниковская/Мельникова/'; } >"$D/dup.csv"
kt_refused sch11 "dup.csv:5: «Номер документа»: the same document as line 4" \
	registry import participants "$D/dup.csv"

# --- offline ---------------------------------------------------------------------------------
echo 'Ворожейкина;Мария;;1;4510;815276;Ж;21.02.2008;11В;;sch11;1;ЕГЭ;0' >"$D/new.csv.tail"
cat "$D/p2.csv" "$D/new.csv.tail" >"$D/p3.csv"
SURNAMES+=(Ворожейкина)
DOCNUMS+=(815276 815275)
kt_ok sch11-off registry import participants "$D/p3.csv"
kt_assert_contains "$KT_ERR" "offline: 1 change queued"
kt_assert_contains "$KT_OUT" "queued 4 rows: 1 to add, 0 to update, 3 unchanged"
kt_assert_eq 1 "$(outbox sch11)" "outbox after an offline import"
kt_ok sch11-off registry import participants "$D/p3.csv" # the pending row compares equal
kt_assert_contains "$KT_OUT" "0 to add, 0 to update, 4 unchanged"
kt_assert_eq 1 "$(outbox sch11)" "outbox after an offline re-import"
kt_ok sch11 sync
kt_assert_eq 0 "$(outbox sch11)" "outbox after sync"
kt_assert_eq 5 "$(n_part sch11)" "sch11 participants after the offline import and sync"
kt_ok sch11 registry import participants "$D/p3.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 4 unchanged"

# a school cannot write another school's participants: --org, or a row naming it, refused
kt_refused sch11 "org sch12: not this organization .sch11. nor one below it" \
	registry import participants "$D/p.csv" --org sch12
sed '3s/;sch11;/;sch12;/' "$D/p3.csv" >"$D/p-other.csv"
kt_refused sch11 "p-other.csv:3: «Код ОО»: names organization sch12: not this organization .sch11. nor one below it" \
	registry import participants "$D/p-other.csv"
kt_assert_contains "$KT_ERR" "1 of 4 rows rejected (above): nothing imported"
kt_assert_eq 0 "$(outbox sch11)" "outbox after a row of another school"

# --- the interop layout (sch12, never synced before: the import learns its organization) ------
RH='Guid;Признак удаленной строки;Фамилия;Имя;Отчество;Серия документа;Номер документа;Код типа документа, удостоверяющего личность;Пол;Класс;Дата рождения;Признак специализированной рассадки;Код категории участника;Код субъекта Российской Федерации, в котором участник закончил ОО;Guid ОО, основная ОО участника;Guid ОО, выпускная ОО;Дата-время создания;Дата-время изменения;Форма ГИА;Действующие результаты ГИА;Код формы обучения;Код гражданства;Снилс'
cat >"$D/ris.csv" <<EOF
$RH
{6F9619FF-8B86-D011-B42D-00CF4FC964FF};0;Богдановская;Алина;Олеговна;4511;613579;1;1;11А;03.04.2008;0;1;50;;;01.09.2025 10:00:00;01.09.2025 10:00:00;1;0;1;643;
6f9619ff-8b86-d011-b42d-00cf4fc964a0;2;Удалённова;Семён;;4512;613580;1;0;;03.04.2008;0;2;;;;;;1;0;;;
EOF
RIS_VALUES=(Богдановская Удалённова 613579 613580) # sch12's own: in the log check only
kt_ok sch12 registry import participants "$D/ris.csv"
# a row flagged deleted that names no row here is reported and skipped, nothing stored
kt_assert_contains "$KT_OUT" "imported 2 rows: 1 added, 0 updated, 0 unchanged, 0 rejected by the server, 1 skipped"
kt_assert_contains "$KT_ERR" "ris.csv:3: «Признак удаленной строки»: marks as deleted a row that is not here: skipped"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM participant WHERE guid = '6f9619ff-8b86-d011-b42d-00cf4fc964a0'")" \
	"a flagged row naming no row is not stored"
kt_assert_eq "2|1|50|643|1|11А|false" "$(kt_psql "SELECT sex || '|' || form || '|' || region_code || '|'
	|| citizenship || '|' || study_form || '|' || class || '|' || (deleted_at IS NOT NULL)
	FROM participant WHERE guid = '6f9619ff-8b86-d011-b42d-00cf4fc964ff' AND org_id = $(org_id sch12)")" \
	"participant of the interop layout"
kt_ok sch12 registry import participants "$D/ris.csv"
kt_assert_contains "$KT_OUT" "imported 2 rows: 0 added, 0 updated, 1 unchanged, 0 rejected by the server, 1 skipped"
sed '2s/;0;Богдановская;/;2;Богдановская;/' "$D/ris.csv" >"$D/ris-del.csv" # deleted by the school
kt_ok sch12 registry import participants "$D/ris-del.csv"
kt_assert_contains "$KT_OUT" "imported 2 rows: 0 added, 0 updated, 0 unchanged, 0 rejected by the server, 1 deleted, 1 skipped"
kt_assert_eq "true|2|РИС: признак удаленной строки 2" "$(kt_psql "SELECT (deleted_at IS NOT NULL) || '|' || ris_deleted
	|| '|' || deleted_reason FROM participant WHERE guid = '6f9619ff-8b86-d011-b42d-00cf4fc964ff'")" \
	"deleted by the interop flag, the flag and the reason kept"
kt_ok sch12 registry import participants "$D/ris-del.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 1 unchanged, 0 rejected by the server, 1 skipped"
# a history row karta cannot keep (no surname) only deletes the live row of its GUID
printf '%s\n%s\n' "$RH" '6f9619ff-8b86-d011-b42d-00cf4fc964b1;0;Стираемова;Ольга;;4519;613589;1;1;;03.04.2008;0;2;;;;;;1;0;;;' \
	>"$D/ris-live.csv"
sed '2s/;0;Стираемова;/;10;;/' "$D/ris-live.csv" >"$D/ris-gone.csv"
RIS_VALUES+=(Стираемова 613589)
kt_ok sch12 registry import participants "$D/ris-live.csv"
kt_assert_contains "$KT_OUT" "imported 1 rows: 1 added"
kt_ok sch12 registry import participants "$D/ris-gone.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 0 unchanged, 0 rejected by the server, 1 deleted"
kt_assert_eq "true|10" "$(kt_psql "SELECT (deleted_at IS NOT NULL) || '|' || ris_deleted FROM participant
	WHERE guid = '6f9619ff-8b86-d011-b42d-00cf4fc964b1'")" "deleted by a history row, its flag kept"

# --- exam points, auditoriums, staff of mun1 -----------------------------------------------------
cat >"$D/ppe.csv" <<'EOF'
Код ППЭ;Наименование ППЭ;Адрес ППЭ;Код МСУ;Вместимость;Форма экзамена;ППЭ на дому;Видеонаблюдение;Телефон;Электронная почта
0101;ППЭ на базе школы № 11;"г. Первый, ул. Школьная, д. 1";mun1;120;ЕГЭ;0;1;+7 (800) 100-00-01;ppe0101@edu.example.ru
0102;ППЭ на базе школы № 12;"г. Первый, ул. Садовая, д. 5";mun1;60;ОГЭ, ГВЭ;0;да;;
0103;ППЭ на дому;г. Первый, ул. Лесная, д. 3;mun1;1;ГВЭ;1;0;;
EOF
cat >"$D/aud.csv" <<'EOF'
Код ППЭ;Код аудитории;Наименование аудитории;Количество рядов;Количество мест в ряду;Непригодные места;ОВЗ
0101;0001;Кабинет 1;5;3;1;0
0101;0002;Кабинет 2;5;2;;1
0102;101А;Кабинет 101;4;4;0;0
0103;0001;Комната;1;1;0;1
EOF
kt_refused mun1 "aud.csv:2: «Код ППЭ»: no exam point with this code" registry import auditoriums "$D/aud.csv"
kt_ok mun1 registry import exam-points "$D/ppe.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 3 added"
kt_ok mun1 registry import auditoriums "$D/aud.csv"
kt_assert_contains "$KT_OUT" "imported 4 rows: 4 added"
kt_assert_eq "{15}" "$(kt_psql "SELECT unusable_seats FROM auditorium WHERE code = '0001' AND rows = 5")"
kt_assert_eq "1|6|0103" "$(kt_psql "SELECT (SELECT forms FROM exam_point WHERE code = '0101') || '|' ||
	(SELECT forms FROM exam_point WHERE code = '0102') || '|' ||
	(SELECT string_agg(code, ',') FROM exam_point WHERE at_home)")" "forms and at_home of exam points"
kt_ok mun1 registry import exam-points "$D/ppe.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged"
kt_ok mun1 registry import auditoriums "$D/aud.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 4 unchanged"
cat >"$D/staff.csv" <<'EOF'
Код работника;Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;СНИЛС;Роль в ППЭ;Предмет;Код ППЭ
000101;Тренёвская;Елена;Викторовна;1;4601;928374;Ж;14.09.1975;573-840-196 15;Руководитель ППЭ;;0101
000102;Гальперинов;Олег;;1;4602;918273;М;02.02.1980;;2;Математика;0102
000103;Шелестова;Нина;Андреевна;1;4603;908172;Ж;30.11.1969;684-951-307 43;член ГЭК;;
EOF
SURNAMES+=(Тренёвская Гальперинов Шелестова)
DOCNUMS+=(928374 918273 908172)
SNILS+=(57384019615 68495130743)
kt_ok mun1 registry import staff "$D/staff.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 3 added"
kt_assert_eq "2" "$(kt_psql "SELECT count(*) FROM staff_point")" "staff attachments"
kt_assert_eq "{head}" "$(kt_psql "SELECT roles FROM staff WHERE code = '000101'")"
kt_ok mun1 registry import staff "$D/staff.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged"
# a school reads mun1's exam points but may not change them
kt_refused sch11 "org mun1: not this organization .sch11. nor one below it" \
	registry import exam-points "$D/ppe.csv" --org mun1
kt_refused sch11 "ppe.csv:2: «Код МСУ»: names organization mun1: not this organization .sch11. nor one below it" \
	registry import exam-points "$D/ppe.csv"

# --- sync everywhere: each side holds what it may read ------------------------------------------
for o in reg mun1 mun2 sch11 sch12 sch21; do kt_ok "$o" sync; done
cnt() { sq "$1" "SELECT count(*) FROM row WHERE entity_type = '$2' AND json_extract(payload, '\$.deleted_at') IS NULL"; }
for o in reg mun1 sch11; do
	kt_assert_eq 5 "$(cnt "$o" participant)" "participants in $o's replica"
done
for o in sch12 mun2 sch21; do
	kt_assert_eq 0 "$(cnt "$o" participant)" "participants in $o's replica"
	kt_assert_eq 0 "$(sq "$o" "SELECT count(*) FROM row WHERE entity_type = 'participant' AND feed = 'sch11'")" \
		"sch11's participant rows in $o's replica"
	for s in "${SURNAMES[@]}" "${DOCNUMS[@]}"; do
		if grep -qaF "$s" "$KT_WORK/$o.state/replica.db"* 2>/dev/null; then
			kt_fail "$o's replica files hold a value of sch11's participants or mun1's staff"
		fi
	done
done
for o in reg mun1 sch11 sch12; do
	kt_assert_eq 3 "$(cnt "$o" exam_point)" "exam points in $o's replica"
	kt_assert_eq 4 "$(cnt "$o" auditorium)" "auditoriums in $o's replica"
done
for o in mun2 sch21; do
	kt_assert_eq 0 "$(cnt "$o" exam_point)" "exam points in $o's replica"
done
for o in reg mun1; do
	kt_assert_eq 3 "$(cnt "$o" staff)" "staff in $o's replica"
done
for o in mun2 sch11 sch12 sch21; do
	kt_assert_eq 0 "$(cnt "$o" staff)" "staff in $o's replica"
done

# --- a generated municipality, imported by the region ------------------------------------------
G=$KT_WORK/gen
"$KT_GEN" "$G" --municipalities 2 --schools 6 --participants 400 --exam-points 6 \
	--auditoriums 24 --staff 30 >/dev/null
"$KT_GEN" "$G.1251" --municipalities 2 --schools 6 --participants 400 --exam-points 6 \
	--auditoriums 24 --staff 30 --cp1251 --comma >/dev/null
# municipality 01 and its schools as organizations (generated codes: 01, 01NNNN)
kt_run kt_admin org add --code 01 --name "Муниципальный район № 1" --level municipality --parent reg
kt_assert_rc 0 "org add 01"
while read -r s; do
	kt_run kt_admin org add --code "$s" --name "Школа $s" --level school --parent 01
	kt_assert_rc 0 "org add $s"
done < <(awk -F';' 'NR > 1 && $1 == "01" { print $3 }' "$G/schools.csv")
col() { head -n 1 "$1" | tr -d '\r\357\273\277' | tr ';' '\n' | grep -nx "$2" | cut -d: -f1; }
C=$(col "$G/participants.csv" "Код ОО")
awk -F';' -v c="$C" 'NR == 1 || substr($c, 1, 2) == "01"' "$G/participants.csv" >"$D/gen-p.csv"
NGEN=$(($(wc -l <"$D/gen-p.csv") - 1))
[ "$NGEN" -gt 100 ] || kt_fail "generated municipality has only $NGEN participants"
kt_ok reg registry import participants "$D/gen-p.csv"
kt_assert_contains "$KT_OUT" "imported $NGEN rows: $NGEN added, 0 updated, 0 unchanged, 0 rejected"
while read -r want s; do
	kt_assert_eq "$want" "$(n_part "$s")" "participants of generated school $s"
done < <(awk -F';' -v c="$C" 'NR > 1 { print $c }' "$D/gen-p.csv" | sort | uniq -c)
# the whole generated file in Windows-1251: municipality 01's rows unchanged, the others
# belong to schools that do not exist here: refused by the server, nothing else touched
LOG1=$(n_log)
kt_run kt_karta reg registry import participants "$G.1251/participants.csv"
kt_assert_rc 1 "import of the whole generated file"
NALL=$(($(wc -l <"$G/participants.csv") - 1))
kt_assert_contains "$KT_OUT" "imported $NALL rows: 0 added, 0 updated, $NGEN unchanged, $((NALL - NGEN)) rejected by the server"
kt_assert_contains "$KT_ERR" "server refused: org: no such organization"
kt_assert_eq "$LOG1" "$(n_log)" "change_log after the whole generated file"
# its exam points (owner by Код МСУ), auditoriums and staff
CM=$(col "$G/exam-points.csv" "Код МСУ")
awk -F';' -v c="$CM" 'NR == 1 || $c == "01"' "$G/exam-points.csv" >"$D/gen-e.csv"
NE=$(($(wc -l <"$D/gen-e.csv") - 1))
[ "$NE" -gt 0 ] || kt_fail "generated municipality has no exam points"
kt_ok reg registry import exam-points "$D/gen-e.csv"
kt_assert_contains "$KT_OUT" "imported $NE rows: $NE added"
kt_assert_eq "$NE" "$(kt_psql "SELECT count(*) FROM exam_point WHERE org_id = $(org_id 01) AND host_org_id IS NOT NULL")"
PTS=$(awk -F';' 'NR > 1 { printf "%s ", $1 }' "$D/gen-e.csv")
awk -F';' -v pts="$PTS" 'NR == 1 || index(pts, $1 " ")' "$G/auditoriums.csv" >"$D/gen-a.csv"
NA=$(($(wc -l <"$D/gen-a.csv") - 1))
kt_ok reg registry import auditoriums "$D/gen-a.csv"
kt_assert_contains "$KT_OUT" "imported $NA rows: $NA added"
kt_assert_eq "$NA" "$(kt_psql "SELECT count(*) FROM auditorium WHERE org_id = $(org_id 01)")"
kt_ok reg registry import participants "$D/gen-p.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, $NGEN unchanged"
# the staff registry has no municipality column: the region names it
kt_refused reg "give --org CODE" registry import staff "$G/staff.csv"
kt_ok mun2 sync
kt_ok mun1 sync
kt_assert_eq 5 "$(cnt mun1 participant)" "mun1 does not see municipality 01's participants"
kt_ok reg sync
kt_assert_eq $((5 + NGEN)) "$(cnt reg participant)" "participants in the region's replica"
kt_assert_eq $((5 + NGEN)) "$(kt_psql "SELECT count(*) FROM participant WHERE deleted_at IS NULL")" \
	"participants on the server"

# --- the interop round trip: import, sync, export gives the file's rows byte for byte ---------
# The header as kt_csv_writer writes it (headers holding a ',' quoted), ';', CRLF. Rows: GUIDs
# in braces / upper / lower case, deleted-row flags, quoted fields (exam points: quotes and a
# ';' in a value — a participant's fields cannot hold either), empty optional fields.
crlf() { sed 's/$/\r/'; }
qh() { tr ';' '\n' | sed '/,/{s/^/"/;s/$/"/}' | paste -sd';'; }
printf '%s\n' "$RH" | qh | crlf >"$D/rt-p.csv"
crlf >>"$D/rt-p.csv" <<'EOF'
{A1B2C3D4-0000-4000-8000-00000000000A};0;Д'Артаньянова;Анна-Мария;Сергеевна;4513;613581;1;1;11Б;05.06.2008;1;1;50;{0A1B2C3D-1111-4111-8111-0000000000C1};{0A1B2C3D-1111-4111-8111-0000000000C2};01.09.2025 09:15:00;02.10.2025 17:45:30;3;3;1;643;11223344595
a1b2c3d4-0000-4000-8000-00000000000b;0;Пустова;Ия;;4514;613582;1;0;;17.12.2000;0;2;;;;;;1;;;;
A1B2C3D4-0000-4000-8000-00000000000C;4;Историева;Вера;Ивановна;4515;613583;1;1;9А;11.11.2009;0;1;50;;;01.09.2024 08:00:00;20.05.2025 16:00:00;1;0;;643;
EOF
RIS_VALUES+=(Артаньянова Пустова Историева 613581 613582 613583 11223344595)
# the history row (flag 4) deletes a row the live file brought first
sed 's/;4;Историева;/;0;Историева;/' "$D/rt-p.csv" >"$D/rt-p-live.csv"
kt_ok sch12 registry import participants "$D/rt-p-live.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 3 added, 0 updated, 0 unchanged, 0 rejected by the server"
kt_ok sch12 registry import participants "$D/rt-p.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 2 unchanged, 0 rejected by the server, 1 deleted"
kt_ok sch12 registry import participants "$D/rt-p.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged, 0 rejected by the server"
kt_ok sch12 sync
kt_ok sch12 registry export participants --layout ris --all -o "$D/rt-p.out.csv"
# the header, then every row of sch12's interop files as they stand (the row of ris-del.csv
# it kept, rt-p.csv), sorted: the export orders by GUID
kt_assert_eq "$(head -n 1 "$D/rt-p.csv")" "$(head -n 1 "$D/rt-p.out.csv")" "exported interop header"
{ sed -n 2p "$D/ris-del.csv" | crlf; tail -n +2 "$D/rt-p.csv"; } | LC_ALL=C sort >"$D/rt-p.want"
tail -n +2 "$D/rt-p.out.csv" | grep -v '^6f9619ff-8b86-d011-b42d-00cf4fc964b1;' | LC_ALL=C sort >"$D/rt-p.got"
cmp "$D/rt-p.want" "$D/rt-p.got" || kt_fail "participants: the interop export differs from the imported rows"
# importing the export changes nothing, twice; exporting again gives the same bytes
kt_ok sch12 registry import participants "$D/rt-p.out.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 5 unchanged, 0 rejected by the server"
kt_assert_not_contains "$KT_OUT" "deleted"
kt_ok sch12 registry export participants --layout ris --all -o "$D/rt-p.out2.csv"
cmp "$D/rt-p.out.csv" "$D/rt-p.out2.csv" || kt_fail "participants: a second export differs"

EH='Guid;Признак удаленной строки;Код ППЭ;Наименование ППЭ;Адрес ППЭ;Guid ОО, на территории которого находится ППЭ;Guid ППОИ, на территории которого обрабатываются бланки ППЭ;Телефон(ы) ППЭ;Адрес(а) электронной почты ППЭ;Признак расположения ППЭ в ТОМ;Guid МСУ, к которому относится ППЭ;Guid АТЕ, на территории которой расположен ППЭ;Дата-время создания;Дата-время изменения;Наличие видеонаблюдения;Форма экзамена;Доп. признаки ППЭ'
printf '%s\n' "$EH" | qh | crlf >"$D/rt-e.csv"
crlf >>"$D/rt-e.csv" <<'EOF'
{B1B2C3D4-0000-4000-8000-0000000000E1};0;201;"ППЭ ""Лицей № 2""";"г. Первый, ул. Школьная, д. 2; корпус Б";{0A1B2C3D-1111-4111-8111-0000000000C1};{0A1B2C3D-2222-4222-8222-0000000000D1};+7 (800) 100-00-02;ppe201@edu.example.ru;1;{0A1B2C3D-3333-4333-8333-0000000000A1};{0A1B2C3D-4444-4444-8444-0000000000B1};01.09.2025 08:00:00;15.09.2025 12:30:05;1;1;3
b1b2c3d4-0000-4000-8000-0000000000e2;0;202;ППЭ 202;г. Первый, ул. Новая, д. 2;;;;;0;0a1b2c3d-3333-4333-8333-0000000000a1;;;;0;1;
B1B2C3D4-0000-4000-8000-0000000000E3;5;203;ППЭ 203;г. Первый, ул. Старая, д. 3;;;;;0;{0A1B2C3D-3333-4333-8333-0000000000A1};;01.09.2024 08:00:00;01.06.2025 00:00:00;0;2;0
EOF
sed 's/;5;203;/;0;203;/' "$D/rt-e.csv" >"$D/rt-e-live.csv"
kt_ok mun1 registry import exam-points "$D/rt-e-live.csv"
kt_assert_contains "$KT_OUT" "imported 3 rows: 3 added, 0 updated, 0 unchanged, 0 rejected by the server"
kt_ok mun1 registry import exam-points "$D/rt-e.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 2 unchanged, 0 rejected by the server, 1 deleted"
kt_ok mun1 registry import exam-points "$D/rt-e.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged"
kt_ok mun1 sync
kt_ok mun1 registry export exam-points --layout ris --all -o "$D/rt-e.out.csv"
kt_assert_eq "$(head -n 1 "$D/rt-e.csv")" "$(head -n 1 "$D/rt-e.out.csv")" "exported interop header"
tail -n +2 "$D/rt-e.csv" | LC_ALL=C sort >"$D/rt-e.want"
tail -n +2 "$D/rt-e.out.csv" | grep -i '^{\?b1b2c3d4-' | LC_ALL=C sort >"$D/rt-e.got"
cmp "$D/rt-e.want" "$D/rt-e.got" || kt_fail "exam points: the interop export differs from the imported rows"
kt_assert_eq "false|true" "$(kt_psql "SELECT string_agg((deleted_at IS NOT NULL)::text, '|' ORDER BY code)
	FROM exam_point WHERE code IN ('0201', '0203')")" "live and history exam points"

# --- the server runs the client's checks too: an op that skipped them is refused ---------------
# sch11 queues a valid new person offline; the queued op's СНИЛС is then spoiled in place (the
# same length: the op still decodes) as a client that skipped validation would send it
printf '%s\n%s\n' "$H" \
	'Тарасевичева;Ольга;Игоревна;1;4509;905318;Ж;07.07.2008;11А;112-233-445 95;sch11;1;ЕГЭ;0' \
	>"$D/p-srv.csv"
offline sch11
kt_ok sch11-off registry import participants "$D/p-srv.csv"
kt_assert_eq 1 "$(outbox sch11)" "the op is queued"
sq sch11 "UPDATE outbox SET body = CAST(replace(CAST(body AS TEXT), '11223344595', '11223344596') AS BLOB)"
kt_assert_eq 1 "$(sq sch11 "SELECT count(*) FROM outbox WHERE instr(CAST(body AS TEXT), '11223344596') > 0")" \
	"the queued СНИЛС is spoiled"
BEFORE=$(db_sum)
kt_run kt_karta sch11 sync
kt_assert_contains "$KT_OUT" "1 rejected" "sync of the spoiled op"
kt_assert_contains "$KT_OUT" "snils: control number does not match" "refused by the shared check, field named"
kt_assert_not_contains "$KT_OUT" "11223344596" "the refusal does not quote the value"
kt_assert_eq "$BEFORE" "$(db_sum)" "nothing written"

# --- privacy: no personal value in any log line or client stderr -------------------------------
for s in "${SURNAMES[@]}" "${DOCNUMS[@]}" "${SNILS[@]}" "${RIS_VALUES[@]}"; do
	for f in "$KT_WORK"/kartad.*.log "$CLIENT_ERR"; do
		if grep -qwF -- "$s" "$f"; then
			kt_fail "$(basename "$f") holds a personal value of the test data"
		fi
	done
done
# and the first generated participants' surnames, documents and СНИЛС
CS=$(col "$G/participants.csv" "Фамилия") CN=$(col "$G/participants.csv" "Номер документа")
CSN=$(col "$G/participants.csv" "СНИЛС")
while IFS= read -r v; do
	[ -n "$v" ] || continue
	for f in "$KT_WORK"/kartad.*.log "$CLIENT_ERR"; do
		if grep -qwF -- "$v" "$f"; then
			kt_fail "$(basename "$f") holds a personal value of the generated data"
		fi
	done
done < <(awk -F';' -v a="$CS" -v b="$CN" -v c="$CSN" 'NR > 1 && NR < 40 { print $a; print $b; print $c }' "$D/gen-p.csv")

kt_stop_kartad
kt_pass
