#!/usr/bin/env bash
# t_exam_schedule: `karta exam schedule import FILE` (issue 22) with real kartad, PostgreSQL and
# clients.
#  - the region imports a schedule (ЕГЭ, ОГЭ, ГВЭ-9 and ГВЭ-11, ISO and Russian dates, a
#    Windows-1251 file): the exams land with their ExamGlobalID, form, ГИА, period;
#  - the same file again queues nothing; a renamed subject is one update; --dry-run writes
#    nothing; an exam made before (SQL, no ExamGlobalID) is found by subject, form, ГИА and date
#    and gets its id;
#  - refused with FILE:LINE: «column»: reason and nothing written: a bad date, subject code,
#    form, ГИА, a duplicate ExamGlobalID, an ExamGlobalID karta has for another exam; an unknown
#    or missing column refuses the file; a municipality's device is refused.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_exam_schedule
kt_start_kartad
D=$KT_WORK/data
mkdir -p "$D"
exams() { kt_psql "SELECT coalesce(string_agg(global_id || ' ' || subject_code || ' ' || form || ' ' || gia
	|| ' ' || exam_date || ' ' || period || ' ' || subject_name, ', ' ORDER BY global_id), '')
	FROM exam WHERE deleted_at IS NULL"; }
outbox() { sqlite3 -batch "$KT_WORK/reg.state/replica.db" "SELECT count(*) FROM outbox"; }
kt_ok reg sync

cat >"$D/s.csv" <<'EOF'
Дата экзамена;Код предмета;Предмет;Форма;ГИА;Период;ExamGlobalID
2026-06-01;2;Математика (профильная);ЕГЭ;;основной;1201
04.06.2026;1;Русский язык;ОГЭ;;;901
04.06.2026;1;Русский язык;ГВЭ;9;;902
2026-06-05;1;Русский язык;гвэ;ГИА-11;резервный;1101
EOF
kt_ok reg exam schedule import "$D/s.csv"
kt_assert_contains "$KT_OUT" "imported 4 rows: 4 added, 0 updated, 0 unchanged, 0 rejected by the server" "import: counts"
kt_assert_eq "$(exams)" "901 1 2 9 2026-06-04 main Русский язык, 902 1 4 9 2026-06-04 main Русский язык, 1101 1 4 11 2026-06-05 reserve Русский язык, 1201 2 1 11 2026-06-01 main Математика (профильная)" \
	"the exams on the server"

kt_ok reg registry list exams --format csv
kt_assert_contains "$KT_OUT" "date,subject_code,subject,form,gia,period,global_id,id" "registry list exams: the ExamGlobalID column"
kt_assert_contains "$KT_OUT" "05.06.2026,1,Русский язык,ГВЭ,11,reserve,1101," "registry list exams: a ГВЭ-11 exam"

# --- again, a rename, a dry run -------------------------------------------------------------
kt_ok reg exam schedule import "$D/s.csv"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 4 unchanged" "the same file again changes nothing"
kt_assert_eq "$(outbox)" "0" "nothing left queued"
sed 's/Математика (профильная)/Математика профильного уровня/' "$D/s.csv" | iconv -f UTF-8 -t CP1251 >"$D/s1251.csv"
kt_ok reg exam schedule import "$D/s1251.csv" --dry-run
kt_assert_contains "$KT_OUT" "dry run: 4 rows checked: 0 to add, 1 to update, 3 unchanged, 0 rejected; nothing queued" "a dry run"
kt_assert_eq "$(outbox)" "0" "the dry run queued nothing"
kt_ok reg exam schedule import "$D/s1251.csv"
kt_assert_contains "$KT_OUT" "0 added, 1 updated, 3 unchanged" "a rename (Windows-1251) is one update"
kt_assert_contains "$(exams)" "1201 2 1 11 2026-06-01 main Математика профильного уровня" "renamed"

# --- an exam made before, without an ExamGlobalID ------------------------------------------
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT 'dddddddd-0000-4000-8000-000000000001', id, 7, 'Иностранный язык', 1, 11, '2026-06-10'
	FROM organization WHERE code = 'reg'" >/dev/null
kt_ok reg sync
printf 'Дата экзамена;Код предмета;Форма;ExamGlobalID\n10.06.2026;7;ЕГЭ;1207\n' >"$D/old.csv"
kt_ok reg exam schedule import "$D/old.csv"
kt_assert_contains "$KT_OUT" "0 added, 1 updated" "an exam without an ExamGlobalID is found by its key"
kt_assert_eq "$(kt_psql "SELECT global_id FROM exam WHERE id = 'dddddddd-0000-4000-8000-000000000001'")" "1207" \
	"it got its ExamGlobalID"

# --- refusals ---------------------------------------------------------------------------------
before=$(exams)
# bad FILE PATTERN WHAT: import refused (exit 1), PATTERN on stderr, nothing written or queued
bad() {
	kt_refused reg "$2" exam schedule import "$1"
	kt_assert_contains "$KT_ERR" "nothing imported" "$3: nothing imported"
	kt_assert_eq "$(exams)" "$before" "$3: nothing written"
	kt_assert_eq "$(outbox)" "0" "$3: nothing queued"
}
cat >"$D/bad.csv" <<'EOF'
Дата экзамена;Код предмета;Предмет;Форма;ГИА;ExamGlobalID
2026-06-08;5;География;ЕГЭ;;1205
31.02.2026;5;География;ЕГЭ;;1206
2026-06-09;100;География;ЕГЭ;;1208
2026-06-09;5;География;ЕГЭШ;;1209
2026-06-09;6;Химия;ГВЭ;;1210
2026-06-09;8;Физика;ОГЭ;11;1211
2026-06-11;9;История;ЕГЭ;;1205
2026-06-12;10;Литература;ЕГЭ;;0
2026-06-01;2;Математика;ЕГЭ;;1299
EOF
bad "$D/bad.csv" "bad.csv:3: «Дата экзамена»: must be a date" "a bad date"
kt_assert_contains "$KT_ERR" "bad.csv:4: «Код предмета»: must be a subject code 1 to 99" "a bad subject code"
kt_assert_contains "$KT_ERR" "bad.csv:5: «Форма»: must be ЕГЭ, ОГЭ or ГВЭ" "a bad form"
kt_assert_contains "$KT_ERR" "bad.csv:6: «ГИА»: is required for ГВЭ" "ГВЭ without ГИА"
kt_assert_contains "$KT_ERR" "bad.csv:7: «ГИА»: ЕГЭ is ГИА-11, ОГЭ is ГИА-9" "ОГЭ with ГИА 11"
kt_assert_contains "$KT_ERR" "bad.csv:8: «ExamGlobalID»: the same ExamGlobalID as line 2" "a duplicate ExamGlobalID"
kt_assert_contains "$KT_ERR" "bad.csv:9: «ExamGlobalID»: must be a whole number above 0" "a zero ExamGlobalID"
kt_assert_contains "$KT_ERR" "bad.csv:10: «ExamGlobalID»: karta has this subject, form, ГИА and date as ExamGlobalID 1201" \
	"an exam karta has under another ExamGlobalID"
kt_assert_contains "$KT_ERR" "8 of 9 rows rejected" "the count of rejected rows"
kt_assert_not_contains "$KT_ERR" "bad.csv:2:" "the good row is not refused"
printf 'Дата экзамена;Код предмета;Форма;Уровень;ExamGlobalID\n' >"$D/col.csv"
bad "$D/col.csv" "col.csv: line 1: unknown column «Уровень»" "an unknown column"
printf 'Дата экзамена;Код предмета;Форма\n2026-06-01;2;ЕГЭ\n' >"$D/miss.csv"
bad "$D/miss.csv" "the required column «ExamGlobalID» is missing" "a missing column"
kt_refused mun1 "the exam schedule is the region's" exam schedule import "$D/s.csv"

# --partial: the good row of bad.csv goes in, exit 1 all the same
kt_refused reg "8 of 9 rows rejected" exam schedule import "$D/bad.csv" --partial
kt_assert_contains "$(exams)" "1205 5 1 11 2026-06-08 main География" "--partial imports the good row"
kt_pass
