#!/usr/bin/env bash
# t_registry_ids: a registry row has one identity (issue 17, docs/registries.md «Identity»),
# real kartad, PostgreSQL and clients.
#  - every registry kind in karta's layout, participants and exam points in the interop
#    layout: export → import is nothing to change and exporting again gives the same bytes;
#    a corrected document number (or name) in the exported file is one update of the same
#    row; a line taken out (--delete-missing) and another marked deleted delete exactly those
#    rows, with their reasons; importing that file again changes nothing;
#  - a natural key matching two rows is refused naming both; a row naming an organization
#    the importer is not above is refused with its line; the region imports for a school;
#  - an interop file with bad rows (wrong field count, bad GUID, the same GUID twice, a row
#    flagged deleted that names nothing, a line in another encoding, text after a closing
#    quote, a field over 64 KiB): each bad row refused
#    with FILE:LINE, the good ones imported once (--partial), export → import empty;
#  - `registry edit` and `registry delete`, offline through the outbox, refused by the server
#    where the writer may not; `registry show` in words; `registry history` from the feed.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_ids
kt_start_kartad
D=$KT_WORK/data
mkdir -p "$D"
sq() { sqlite3 -batch "$KT_WORK/$1.state/replica.db" "$2"; }
outbox() { sq "$1" "SELECT count(*) FROM outbox"; }
offline() { sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$1.conf" >"$KT_WORK/$1-off.conf"; }
col() { head -n 1 "$1" | sed 's/^\xEF\xBB\xBF//; s/\r$//; s/"//g' | tr ';' '\n' | grep -nx "$2" | cut -d: -f1; }
field() { awk -F';' -v l="$2" -v c="$3" 'NR == l { gsub(/\r/, ""); print $c }' "$1"; } # FILE LINE COL
setf() { # FILE LINE COL VALUE > stdout: the file with one field replaced
	awk -F';' -v OFS=';' -v l="$2" -v c="$3" -v v="$4" 'NR == l { sub(/\r$/, ""); $c = v; $0 = $0 "\r" } { print }' "$1"
}
for o in reg mun1 mun2 sch11 sch12 sch21; do kt_ok "$o" sync; done

# --- the data ----------------------------------------------------------------------------
H='Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;Класс;СНИЛС;Код ОО;Категория участника;Форма ГИА'
cat >"$D/p.csv" <<EOF
$H
Лебедянская;Анна;Петровна;1;4506;731901;Ж;12.03.2008;11А;;sch11;1;ЕГЭ
Лебедянский;Иван;Сергеевич;1;4507;731902;М;01.02.2008;11Б;;sch11;1;ЕГЭ
Лебедева;Дарья;;2;IV-МЮ;731903;Ж;05.05.2010;9А;;sch11;1;ОГЭ
Лебедев;Пётр;Ильич;1;4509;731904;М;07.07.2008;11В;;sch11;1;ЕГЭ
Лебединская;Ольга;;1;4510;731905;Ж;21.02.2008;11В;;sch11;1;ЕГЭ
EOF
cat >"$D/ppe.csv" <<'EOF'
Код ППЭ;Наименование ППЭ;Адрес ППЭ;Код МСУ;Вместимость;Форма экзамена
0101;ППЭ 101;г. Первый, ул. Школьная, д. 1;mun1;120;ЕГЭ
0102;ППЭ 102;г. Первый, ул. Садовая, д. 5;mun1;60;ОГЭ, ГВЭ
0103;ППЭ 103;г. Первый, ул. Лесная, д. 3;mun1;40;ОГЭ
0104;ППЭ 104;г. Первый, ул. Речная, д. 4;mun1;40;ЕГЭ
0105;ППЭ 105;г. Первый, ул. Полевая, д. 5;mun1;40;ЕГЭ
EOF
cat >"$D/aud.csv" <<'EOF'
Код ППЭ;Код аудитории;Наименование аудитории;Количество рядов;Количество мест в ряду;Непригодные места
0101;0001;Кабинет 1;5;3;1
0101;0002;Кабинет 2;5;2;0
0101;0003;Кабинет 3;4;4;0
0102;101А;Кабинет 101;4;4;0
0102;0005;Кабинет 5;3;3;0
EOF
cat >"$D/staff.csv" <<'EOF'
Код работника;Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;Роль в ППЭ;Код ППЭ
000101;Тренёвская;Елена;Викторовна;1;4601;928301;Ж;14.09.1975;1;0101
000102;Гальперинов;Олег;;1;4602;928302;М;02.02.1980;2;0102
000103;Шелестова;Нина;Андреевна;1;4603;928303;Ж;30.11.1969;7;
000104;Шелестов;Андрей;;1;4604;928304;М;30.11.1970;3;
000105;Шелестовой;Глеб;;1;4605;928305;М;30.11.1971;4;
EOF
RH='Guid;Признак удаленной строки;Фамилия;Имя;Отчество;Серия документа;Номер документа;Код типа документа, удостоверяющего личность;Пол;Класс;Дата рождения;Признак специализированной рассадки;Код категории участника;Код субъекта Российской Федерации, в котором участник закончил ОО;Guid ОО, основная ОО участника;Guid ОО, выпускная ОО;Дата-время создания;Дата-время изменения;Форма ГИА;Действующие результаты ГИА;Код формы обучения;Код гражданства;Снилс'
cat >"$D/ris.csv" <<EOF
$RH
{C1000000-0000-4000-8000-000000000001};0;Бобровская;Алина;;4511;613501;1;1;11А;03.04.2008;0;1;50;;;01.09.2025 10:00:00;01.09.2025 10:00:00;1;0;1;643;
c1000000-0000-4000-8000-000000000002;0;Бобровский;Семён;;4512;613502;1;0;11А;03.04.2008;0;1;50;;;;;1;0;;;
c1000000-0000-4000-8000-000000000003;0;Боброва;Ия;;4513;613503;1;1;11Б;17.12.2007;0;1;;;;;;1;;;;
c1000000-0000-4000-8000-000000000004;0;Бобров;Лев;;4514;613504;1;0;11Б;17.12.2007;0;1;;;;;;1;;;;
c1000000-0000-4000-8000-000000000005;0;Бобровых;Яна;;4515;613505;1;1;11Б;17.12.2007;0;1;;;;;;1;;;;
EOF
EH='Guid;Признак удаленной строки;Код ППЭ;Наименование ППЭ;Адрес ППЭ;Guid ОО, на территории которого находится ППЭ;Guid ППОИ, на территории которого обрабатываются бланки ППЭ;Телефон(ы) ППЭ;Адрес(а) электронной почты ППЭ;Признак расположения ППЭ в ТОМ;Guid МСУ, к которому относится ППЭ;Guid АТЕ, на территории которой расположен ППЭ;Дата-время создания;Дата-время изменения;Наличие видеонаблюдения;Форма экзамена;Доп. признаки ППЭ'
cat >"$D/rise.csv" <<EOF
$EH
e2000000-0000-4000-8000-000000000001;0;201;ППЭ 201;г. Второй, ул. Новая, д. 1;;;;;0;;;;;0;1;
e2000000-0000-4000-8000-000000000002;0;202;ППЭ 202;г. Второй, ул. Новая, д. 2;;;;;1;;;;;1;2;
e2000000-0000-4000-8000-000000000003;0;203;ППЭ 203;г. Второй, ул. Новая, д. 3;;;;;0;;;;;0;1;
e2000000-0000-4000-8000-000000000004;0;204;ППЭ 204;г. Второй, ул. Новая, д. 4;;;;;0;;;;;0;1;
e2000000-0000-4000-8000-000000000005;0;205;ППЭ 205;г. Второй, ул. Новая, д. 5;;;;;0;;;;;0;3;
EOF
kt_ok sch11 registry import participants "$D/p.csv"
kt_assert_contains "$KT_OUT" "imported 5 rows: 5 added"
kt_ok mun1 registry import exam-points "$D/ppe.csv"
kt_ok mun1 registry import auditoriums "$D/aud.csv"
kt_assert_contains "$KT_OUT" "imported 5 rows: 5 added"
kt_ok mun1 registry import staff "$D/staff.csv"
kt_assert_contains "$KT_OUT" "imported 5 rows: 5 added"
kt_ok sch12 registry import participants "$D/ris.csv"
kt_assert_contains "$KT_OUT" "imported 5 rows: 5 added"
kt_ok mun2 registry import exam-points "$D/rise.csv"
kt_assert_contains "$KT_OUT" "imported 5 rows: 5 added"
kt_assert_eq "c1000000-0000-4000-8000-000000000001" "$(kt_psql "SELECT id FROM participant WHERE
	doc_number = '613501'")" "a row that came with a GUID has it as its id"

# --- export → import is empty, and a second export is the same file -------------------------
roundtrip() { # ORG KIND LAYOUT NAME [IMPORT OPTION…]: export, import (nothing changes), export again
	local org=$1 kind=$2 lay=$3 f=$D/$4
	shift 4
	kt_ok "$org" sync
	kt_ok "$org" registry export "$kind" --layout "$lay" --all -o "$f.rt1.csv"
	kt_ok "$org" registry import "$kind" "$f.rt1.csv" "$@"
	kt_assert_match "$KT_OUT" "^imported [0-9]+ rows: 0 added, 0 updated, [0-9]+ unchanged, 0 rejected by the server$" \
		"import of the $lay export of $kind"
	kt_assert_eq 0 "$(outbox "$org")" "outbox after importing the $lay export of $kind"
	kt_ok "$org" registry export "$kind" --layout "$lay" --all -o "$f.rt2.csv"
	cmp "$f.rt1.csv" "$f.rt2.csv" || kt_fail "$kind ($lay): a second export differs from the first"
}

# --- one kind, one layout: an edited line, a removed line, a line marked deleted -------------
# KEY: the column whose value the test changes to NEW on the first data row.
cycle() { # ORG KIND LAYOUT TABLE KEY NEW
	local org=$1 kind=$2 lay=$3 table=$4 key=$5 new=$6 f=$D/$1-$2-$3
	local idcol delcol mark
	roundtrip "$org" "$kind" "$lay" "$org-$kind-$lay-a"
	kt_ok "$org" registry export "$kind" --layout "$lay" -o "$f.csv"
	if [ "$lay" = ris ]; then idcol=$(col "$f.csv" Guid) delcol=$(col "$f.csv" "Признак удаленной строки") mark=2
	else idcol=$(col "$f.csv" Идентификатор) delcol=$(col "$f.csv" "Причина удаления") mark="выбыл"; fi
	local kc n0 id2 id3 id4 before
	kc=$(col "$f.csv" "$key")
	n0=$(kt_psql "SELECT count(*) FROM $table WHERE deleted_at IS NULL")
	id2=$(field "$f.csv" 2 "$idcol") id3=$(field "$f.csv" 3 "$idcol") id4=$(field "$f.csv" 4 "$idcol")
	id2=$(echo "$id2" | tr -d '{}' | tr 'A-F' 'a-f')
	id3=$(echo "$id3" | tr -d '{}' | tr 'A-F' 'a-f') id4=$(echo "$id4" | tr -d '{}' | tr 'A-F' 'a-f')
	[ -n "$id2" ] && [ -n "$kc" ] || kt_fail "$kind ($lay): no id or «$key» column in the export"
	# a corrected value on a row that carries its id: one update of that row, nobody added
	setf "$f.csv" 2 "$kc" "$new" >"$f.edit.csv"
	before=$(kt_psql "SELECT row_version FROM $table WHERE id::text = '$id2'")
	kt_ok "$org" registry import "$kind" "$f.edit.csv"
	kt_assert_match "$KT_OUT" "^imported [0-9]+ rows: 0 added, 1 updated, [0-9]+ unchanged, 0 rejected by the server$" \
		"$kind ($lay): an edited value"
	kt_assert_eq "$n0" "$(kt_psql "SELECT count(*) FROM $table WHERE deleted_at IS NULL")" \
		"$kind ($lay): rows after an edited value"
	kt_assert_eq "$((before + 1))" "$(kt_psql "SELECT row_version FROM $table WHERE id::text = '$id2'")" \
		"$kind ($lay): the edited row is the row of that id"
	kt_ok "$org" registry import "$kind" "$f.edit.csv"
	kt_assert_contains "$KT_OUT" "0 added, 0 updated" "$kind ($lay): the edited file again"
	# line 3 taken out (--delete-missing), line 4 marked deleted: exactly those two go
	awk 'NR != 3' "$f.edit.csv" >"$f.del.tmp"
	setf "$f.del.tmp" 3 "$delcol" "$mark" >"$f.del.csv"
	kt_ok "$org" registry import "$kind" "$f.del.csv" --delete-missing
	kt_assert_match "$KT_OUT" "^imported [0-9]+ rows: 0 added, 0 updated, [0-9]+ unchanged, 0 rejected by the server, 2 deleted$" \
		"$kind ($lay): a removed line and a line marked deleted"
	kt_assert_eq "нет в файле $(basename "$f.del.csv")" \
		"$(kt_psql "SELECT deleted_reason FROM $table WHERE id::text = '$id3' AND deleted_at IS NOT NULL")" \
		"$kind ($lay): the removed line's row"
	if [ "$lay" = ris ]; then
		kt_assert_eq "2|РИС: признак удаленной строки 2" "$(kt_psql "SELECT ris_deleted || '|' || deleted_reason
			FROM $table WHERE id::text = '$id4' AND deleted_at IS NOT NULL")" "$kind ($lay): the row marked deleted"
	else
		kt_assert_eq "выбыл" "$(kt_psql "SELECT deleted_reason FROM $table WHERE id::text = '$id4'
			AND deleted_at IS NOT NULL")" "$kind ($lay): the row marked deleted"
	fi
	kt_assert_eq "$((n0 - 2))" "$(kt_psql "SELECT count(*) FROM $table WHERE deleted_at IS NULL")" \
		"$kind ($lay): live rows after the deletions"
	kt_ok "$org" registry import "$kind" "$f.del.csv" --delete-missing
	kt_assert_match "$KT_OUT" "^imported [0-9]+ rows: 0 added, 0 updated, [0-9]+ unchanged, 0 rejected by the server$" \
		"$kind ($lay): the same file again"
	roundtrip "$org" "$kind" "$lay" "$org-$kind-$lay-b"
}

cycle sch11 participants karta participant "Номер документа" 731999
cycle sch12 participants ris participant "Номер документа" 613599
cycle mun1 auditoriums karta auditorium "Наименование аудитории" "Кабинет новый"
cycle mun1 staff karta staff "Номер документа" 928399
cycle mun1 exam-points karta exam_point "Наименование ППЭ" "ППЭ новый"
cycle mun2 exam-points ris exam_point "Наименование ППЭ" "ППЭ новый"
# the region's view of the same rows: its exports re-import as nothing to change too
roundtrip reg participants karta reg-p
roundtrip reg exam-points karta reg-e
roundtrip reg staff karta reg-s --org mun1 # the staff registry names no municipality
roundtrip reg auditoriums karta reg-a

# --- edit and delete: offline through the outbox, history, refusals ------------------------
offline sch11
PID=$(kt_psql "SELECT id FROM participant WHERE doc_number = '731901' AND deleted_at IS NULL")
[ -n "$PID" ] || kt_fail "no live participant with document 731901"
kt_ok sch11 registry show participant "$PID"
kt_assert_contains "$KT_OUT" "пол: женский"
kt_assert_contains "$KT_OUT" "форма: ЕГЭ"
kt_assert_contains "$KT_OUT" "документ: Паспорт гражданина РФ"
kt_assert_contains "$KT_OUT" "дата рождения: 12.03.2008"
kt_assert_contains "$KT_OUT" "ОО: sch11"
kt_assert_contains "$KT_OUT" "категория: Выпускник текущего года"
kt_refused sch11-off "«Пол»: must be М or Ж" registry edit participants "$PID" --sex X
kt_assert_contains "$KT_ERR" "nothing changed"
kt_assert_eq 0 "$(outbox sch11)" "outbox after a refused edit"
V0=$(kt_psql "SELECT row_version FROM participant WHERE id = '$PID'")
kt_ok sch11-off registry edit participants "$PID" --doc-number 731911 --class 11Б
kt_assert_contains "$KT_OUT" "offline: the edit is queued"
kt_assert_eq 1 "$(outbox sch11)" "outbox after an offline edit"
kt_ok sch11-off registry show participant "$PID"
kt_assert_contains "$KT_OUT" "номер документа: 731911" "the queued edit shows at once"
kt_ok sch11-off registry edit participants "$PID" --doc-number 731911
kt_assert_contains "$KT_OUT" "nothing to change"
kt_ok sch11 sync
kt_assert_eq "731911|11Б|$((V0 + 1))" "$(kt_psql "SELECT doc_number || '|' || class || '|' || row_version
	FROM participant WHERE id = '$PID'")" "the edit on the server"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM change_log WHERE entity_id = '$PID' AND op = 'update'
	AND origin_op_id IS NOT NULL AND changed_fields @> ARRAY['doc_number', 'class']")" \
	"the edit is in the row's history"
# the GUID names the row as well as the id (any case, braces)
RG=$(kt_psql "SELECT id FROM participant WHERE doc_number = '613505' AND deleted_at IS NULL")
[ -n "$RG" ] || kt_fail "no live participant with document 613505"
kt_ok sch12 registry edit participants "{$(echo "$RG" | tr 'a-f' 'A-F')}" --name Семен
kt_assert_contains "$KT_OUT" "edited"
kt_assert_eq "Семен" "$(kt_psql "SELECT name FROM participant WHERE id = '$RG'")"
# delete: a reason is required; offline, then sent; what hangs on the row goes too
kt_run kt_karta sch11 registry delete participants "$PID"
kt_assert_rc 2 "delete without --reason"
kt_ok sch11-off registry delete participants "$PID" --reason "выбыл в другой регион"
kt_assert_contains "$KT_OUT" "offline: the deletion is queued"
kt_ok sch11 sync
kt_assert_eq "true|выбыл в другой регион" "$(kt_psql "SELECT (deleted_at IS NOT NULL) || '|' || deleted_reason
	FROM participant WHERE id = '$PID'")" "deleted with its reason"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM change_log WHERE entity_id = '$PID' AND op = 'delete'
	AND payload->>'deleted_reason' = 'выбыл в другой регион'")" "the deletion is in the row's history"
kt_refused sch11 "was deleted" registry edit participants "$PID" --class 11А
# the row's history, from the server: created, edited (which fields), deleted (why)
kt_ok sch11 registry history participants "$PID"
kt_assert_contains "$KT_OUT" "создана"
kt_assert_contains "$KT_OUT" "изменена"
kt_assert_contains "$KT_OUT" "class, doc_number"
kt_assert_contains "$KT_OUT" "удалена"
kt_assert_contains "$KT_OUT" "выбыл в другой регион"
kt_assert_contains "$KT_OUT" "3 changes"
kt_assert_not_contains "$KT_OUT" "731911" "the history names fields, not values"
kt_ok mun1 registry history participants "$PID" # the municipality reads its schools' rows
kt_assert_contains "$KT_OUT" "3 changes"
kt_refused sch12 "no participant" registry history participants "$PID" # another school may not
# the server refuses what the writer may not: a school deleting its municipality's exam point
EP=$(kt_psql "SELECT id FROM exam_point WHERE code = '0101'")
kt_ok sch11 sync
kt_refused sch11 "server refused: no write access" registry delete exam-points "$EP" --reason "не нужен"
kt_assert_eq "false" "$(kt_psql "SELECT (deleted_at IS NOT NULL)::text FROM exam_point WHERE id = '$EP'")" \
	"the exam point stays"
kt_refused sch11 "server refused: no write access" registry edit exam-points "$EP" --capacity 10
kt_assert_eq 0 "$(outbox sch11)" "nothing left queued after the refusals"

# --- natural keys and organizations ------------------------------------------------------------
# two live participants with one document (made so by an edit): a file without ids is refused
# (the cycle above changed Лебедев's number to 731999; Лебедянский keeps 731902)
A2=$(kt_psql "SELECT id FROM participant WHERE doc_number = '731999' AND deleted_at IS NULL")
A3=$(kt_psql "SELECT id FROM participant WHERE doc_number = '731902' AND deleted_at IS NULL")
[ -n "$A2" ] && [ -n "$A3" ] || kt_fail "the two participants of the ambiguity test are not there"
kt_ok sch11 registry edit participants "$A3" --doc-series 4509 --doc-number 731999
printf '%s\n%s\n' "$H" 'Лебедев;Пётр;Ильич;1;4509;731999;М;07.07.2008;11Г;;sch11;1;ЕГЭ' >"$D/amb.csv"
kt_refused sch11 "amb.csv:2: «Номер документа»: matches more than one row here" \
	registry import participants "$D/amb.csv"
kt_assert_contains "$KT_ERR" "$A2"
kt_assert_contains "$KT_ERR" "$A3"
# with its id the same line is an update of that row
{ echo "$H;Идентификатор"; echo "Лебедев;Пётр;Ильич;1;4509;731999;М;07.07.2008;11Г;;sch11;1;ЕГЭ;$A2"; } >"$D/amb-id.csv"
kt_ok sch11 registry import participants "$D/amb-id.csv"
kt_assert_contains "$KT_OUT" "0 added, 1 updated"
kt_assert_eq "11Г" "$(kt_psql "SELECT class FROM participant WHERE id = '$A2'")"
# a row of another organization: refused with its line unless the importer is above it
printf '%s\n%s\n' "$H" 'Новенькая;Вера;;1;4520;731920;Ж;01.01.2008;11А;;sch11;1;ЕГЭ' >"$D/new11.csv"
kt_refused mun2 "new11.csv:2: «Код ОО»: names organization sch11: not this organization .mun2. nor one below it" \
	registry import participants "$D/new11.csv"
kt_ok reg registry import participants "$D/new11.csv"
kt_assert_contains "$KT_OUT" "1 added"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM participant p JOIN organization o ON o.id = p.org_id
	WHERE p.doc_number = '731920' AND o.code = 'sch11'")" "the region imported for the school"

# --- an interop file with bad rows: each refused with its line, the rest imported once -------
{
	echo "$RH"
	echo 'd3000000-0000-4000-8000-000000000001;0;Гуляева;Ася;;4521;613521;1;1;11А;03.04.2008;0;1;;;;;;1;;;;'
	echo 'd3000000-0000-4000-8000-000000000002;0;Гуляев;Яков;;4522;613522;1;0;11А'
	echo 'd3000000-0000-4000-8000-00000000000Z;0;Гуляева;Лия;;4523;613523;1;1;11А;03.04.2008;0;1;;;;;;1;;;;'
	echo 'd3000000-0000-4000-8000-000000000001;0;Гуляева;Ася;;4524;613524;1;1;11А;03.04.2008;0;1;;;;;;1;;;;'
	echo 'd3000000-0000-4000-8000-000000000005;2;Гуляева;Ира;;4525;613525;1;1;11А;03.04.2008;0;1;;;;;;1;;;;'
	echo 'd3000000-0000-4000-8000-000000000006;0;Гуляева;Ида;;4526;613526;1;1;11А;03.04.2008;0;1;;;;;;1;;;;;;'
	echo 'd3000000-0000-4000-8000-000000000007;0;Гуляев;Ян;;4527;613527;1;0;11А;03.04.2008;0;1;;;;;;1;;;;'
	printf 'd3000000-0000-4000-8000-000000000009;0;%s;Юля;;4529;613529;1;1;11А;03.04.2008;0;1;;;;;;1;;;;\n' \
		"$(printf 'Гуляева' | iconv -f UTF-8 -t CP1251)" # a line of another encoding
	echo 'd3000000-0000-4000-8000-00000000000a;0;"Гуляева"ст;Ия;;4530;613530;1;1;11А;03.04.2008;0;1;;;;;;1;;;;'
	printf 'd3000000-0000-4000-8000-00000000000b;0;%s;Ия;;4531;613531;1;1;11А;03.04.2008;0;1;;;;;;1;;;;\n' \
		"$(head -c 70000 /dev/zero | tr '\0' 'x')" # a field over 64 KiB
	echo 'd3000000-0000-4000-8000-00000000000c;0;Гуляев;Лев;;4532;613532;1;0;11А;03.04.2008;0;1;;;;;;1;;;;'
} >"$D/bad-ris.csv"
kt_refused sch12 "bad-ris.csv:3: the row has 10 fields, the header has 23" \
	registry import participants "$D/bad-ris.csv" --partial
kt_assert_contains "$KT_ERR" "bad-ris.csv:4: «Guid»: must be a GUID"
kt_assert_contains "$KT_ERR" "bad-ris.csv:5: «Guid»: the same row as line 2"
kt_assert_contains "$KT_ERR" "bad-ris.csv:6: «Признак удаленной строки»: marks as deleted a row that is not here: skipped"
kt_assert_contains "$KT_ERR" "bad-ris.csv:7: the row has 25 fields, the header has 23"
kt_assert_contains "$KT_OUT" "imported 4 rows: 3 added, 0 updated, 0 unchanged, 0 rejected by the server, 1 skipped"
kt_assert_contains "$KT_ERR" "bad-ris.csv:9: invalid UTF-8"
kt_assert_contains "$KT_ERR" "bad-ris.csv:10: field 3: text after the closing quote"
kt_assert_contains "$KT_ERR" "bad-ris.csv:11: field 3 is longer than 65536 bytes"
kt_assert_contains "$KT_ERR" "7 of 11 rows rejected"
kt_assert_eq 3 "$(kt_psql "SELECT count(*) FROM participant WHERE doc_number IN ('613521', '613527',
	'613532') AND deleted_at IS NULL")" "the good rows, once"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM participant WHERE doc_number IN ('613522', '613523',
	'613524', '613525', '613526', '613529', '613530', '613531')")" "none of the bad rows"
kt_refused sch12 "bad-ris.csv:3:" registry import participants "$D/bad-ris.csv" --partial
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 3 unchanged" "the good rows are not imported twice"
roundtrip sch12 participants ris sch12-after-bad

kt_pass
