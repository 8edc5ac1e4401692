#!/usr/bin/env bash
# t_outbox_status: a long outbox is summarized, a long upload shows its progress (issue 19).
#  - 600 queued ops (tests/tools/kt_outbox_fill, as 600 offline `item add`) and a few of
#    other kinds: `karta status` prints the count per kind and the first ten, not 600
#    lines; `karta status --queue` lists every one; a short queue is listed whole;
#  - `karta sync` on a terminal (a pty from util-linux `script`) redraws one progress line —
#    ops sent and acknowledged, rate, time left — and ends it; piped, stderr has none of it;
#    every op arrives (the database holds the items) and the queue is empty after.
# Real kartad, PostgreSQL and TLS.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || kt_fail "script is missing (util-linux: deploy/install-deps.sh)"

kt_setup t_outbox_status
kt_start_kartad
FILL=$KT_BIN/tests/kt_outbox_fill
[ -x "$FILL" ] || kt_fail "$FILL is not built"

kt_ok reg plan create --title "Дорожная карта" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
SECTION=$(kt_psql "SELECT id FROM plan_section WHERE plan_id = '$PLAN'")
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Первое" --deadline "до 1 мая"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok reg sync

# a short queue: listed whole
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
kt_ok reg-off item edit "$ITEM" --title "Первое мероприятие"
kt_ok reg-off item edit "$ITEM" --deadline "до 2 мая" --base 2
kt_ok reg status
kt_assert_contains "$KT_OUT" "queued:       2 changes" "a short queue"
kt_assert_eq 2 "$(grep -c '^  op ' <<<"$KT_OUT")" "a short queue: every op listed"
kt_assert_not_contains "$KT_OUT" "by kind" "a short queue: no summary"

# a long one: summarized
"$FILL" "$KT_WORK/reg.state" "$PLAN" "$SECTION" 600 >/dev/null
kt_ok reg status
ST=$KT_OUT
kt_assert_contains "$ST" "queued:       602 changes" "the long queue's count"
kt_assert_match "$ST" "^ +600  item add$" "the count of item adds"
kt_assert_match "$ST" "^ +2  item edit$" "the count of item edits"
kt_assert_eq 10 "$(grep -c '^  op ' <<<"$ST")" "the first ten ops"
kt_assert_contains "$ST" "… and 592 more ops" "how many more"
[ "$(wc -l <<<"$ST")" -lt 40 ] || kt_fail "karta status printed $(wc -l <<<"$ST") lines for a long queue"
kt_ok reg status --queue
kt_assert_eq 602 "$(grep -c '^  op ' <<<"$KT_OUT")" "--queue lists every op"

# piped: no progress on stderr
kt_ok reg sync
kt_assert_not_contains "$KT_ERR" "acknowledged" "stderr of a piped sync"
kt_assert_eq 601 "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")" "items after the sync"
kt_ok reg status
kt_assert_contains "$KT_OUT" "queued:       0 changes" "the queue after the sync"

# on a terminal: the progress line, ended
"$FILL" "$KT_WORK/reg.state" "$PLAN" "$SECTION" 700 >/dev/null
TTY=$(timeout 120 script -qefc "$KT_KARTA --config $KT_WORK/reg.conf sync" /dev/null | tr -d '\033')
kt_assert_match "$TTY" "sending: [0-9]+ of 700 sent, [0-9]+ acknowledged" "the progress line on a terminal"
kt_assert_match "$TTY" "sending: 700 of 700 sent, 700 acknowledged, [0-9]+ ops/s" "the final progress line"
kt_assert_match "$TTY" $'\r' "the line is redrawn in place"
kt_assert_eq 1301 "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")" "items after the terminal sync"

kt_stop_kartad
kt_pass
