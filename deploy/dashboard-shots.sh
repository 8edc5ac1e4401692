#!/usr/bin/env bash
# deploy/dashboard-shots.sh: the screenshots of `karta dashboard` in docs/ — the region's
# page, a municipality's schools, a school's items and the overdue list — taken with headless
# Chromium from a generated region (tests/tools/kt_gen_region: 8 municipalities, 40 schools;
# plans, statuses and requests from bench/rollup_gen.sql) served by a real kartad.
# Usage: deploy/dashboard-shots.sh [OUTDIR=docs]. Needs a build in build/ (KT_BIN). SHOTS_MUN and
# SHOTS_SCH change the region's size (to look at a whole region's page).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../bench/lib.sh"
OUT=$(cd "${1:-$KT_SRC/docs}" && pwd)
# shellcheck source=tests/integration/region_lib.sh
. "$KT_SRC/tests/integration/region_lib.sh"
# shellcheck source=tests/integration/dash_lib.sh
. "$KT_SRC/tests/integration/dash_lib.sh"

KT_ORGS=(reg)
kt_setup dashboard_shots
kt_psql "UPDATE organization SET name = 'Министерство образования области' WHERE code = 'reg'"
kt_start_kartad
dash_small_region "${SHOTS_MUN:-8}" "${SHOTS_SCH:-40}"
for o in reg "$MUN" "$SCHOOL"; do kt_ok "$o" sync; done

dash_start reg --no-sync
dash_shot "$DASH_URL" "$OUT/dashboard-region.png" 1700,1150
dash_shot "${DASH_URL}#/rollup?scope=$MUN" "$OUT/dashboard-municipality.png" 1500,1100
dash_shot "${DASH_URL}#/overdue" "$OUT/dashboard-overdue.png" 1500,1000
dash_shot "${DASH_URL}#/reports" "$OUT/dashboard-reports.png" 1500,900
dash_stop
dash_start "$SCHOOL" --no-sync
dash_shot "$DASH_URL" "$OUT/dashboard-school.png" 1500,1200
dash_stop
echo "screenshots in $OUT: dashboard-{region,municipality,school,overdue,reports}.png"
