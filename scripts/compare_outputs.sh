#!/usr/bin/env bash
# Runs two builds of tier over the same inputs, every command and its main variants, and diffs
# what they print and write (the report's timings, its paths and the workbook's zip bytes aside;
# workbooks are compared cell by cell when openpyxl is installed).
#   scripts/compare_outputs.sh OLD_TIER NEW_TIER FILE...
set -euo pipefail
old=$1 new=$2; shift 2
out=$(mktemp -d)
run() { # BIN DIR FILE TAG
  local b=$1 d=$2 f=$3 t=$4
  mkdir -p "$d"
  "$b" classify "$f" > "$d/$t.classify.csv" 2>&1 || true
  "$b" classify "$f" --summary > "$d/$t.classify-summary.csv" 2>&1 || true
  "$b" rfm "$f" > "$d/$t.rfm.csv" 2>&1 || true
  "$b" clv "$f" > "$d/$t.clv.csv" 2>&1 || true
  "$b" clv "$f" --summary --format json > "$d/$t.clv-summary.json" 2>&1 || true
  "$b" churn "$f" > "$d/$t.churn.csv" 2>&1 || true
  "$b" churn "$f" --rates > "$d/$t.churn-rates.csv" 2>&1 || true
  "$b" migrate "$f" > "$d/$t.migrate.csv" 2>&1 || true
  "$b" migrate "$f" --matrix > "$d/$t.migrate-matrix.csv" 2>&1 || true
  "$b" growth "$f" > "$d/$t.growth.csv" 2>&1 || true
  "$b" churn "$f" --lost > "$d/$t.churn-lost.csv" 2>&1 || true
  "$b" churn "$f" --cohorts > "$d/$t.churn-cohorts.csv" 2>&1 || true
  "$b" growth "$f" --total > "$d/$t.growth-total.csv" 2>&1 || true
  "$b" report "$f" --out "$d/$t.report" -q > /dev/null 2>&1 || true
  # Three of the most valuable customers and the last one ranked, and a holdout of 60 days.
  local ids
  ids=$("$old" classify "$f" 2>/dev/null | awk -F, 'NR>1 {print $1}' | sed -n '1p;2p;3p;$p' | sed 's/^/--id=/')
  # shellcheck disable=SC2086
  "$b" profile "$f" $ids > "$d/$t.profile.txt" 2>&1 || true
  # shellcheck disable=SC2086
  "$b" profile "$f" $ids --format json > "$d/$t.profile.json" 2>&1 || true
  local as_of
  as_of=$(sed -n 's/.*"as_of": "\([0-9-]*\)".*/\1/p' "$d/$t.report/manifest.json" 2>/dev/null | head -1)
  if [ -n "$as_of" ]; then
    "$b" clv "$f" --holdout "$(date -d "$as_of - 60 days" +%F)" --summary --format json > "$d/$t.clv-holdout.json" 2>&1 || true
    "$b" clv "$f" --holdout "$(date -d "$as_of - 60 days" +%F)" > "$d/$t.clv-holdout.csv" 2>&1 || true
  fi
  if [ -f "$d/$t.report/manifest.json" ]; then
    grep -v '"read"\|"analysis"\|"total"\|"path"\|"inputs"' "$d/$t.report/manifest.json" > "$d/$t.manifest" || true
    rm "$d/$t.report/manifest.json"
    sed -i 's#<p class="meta">[^;]*;#<p class="meta">INPUT;#' "$d/$t.report/report.html"
  fi
}
i=0
for f in "$@"; do
  i=$((i + 1))
  run "$old" "$out/old" "$f" "in$i"
  run "$new" "$out/new" "$f" "in$i"
done
status=0
diff -r -x '*.xlsx' "$out/old" "$out/new" || status=1
py=$(dirname "$0")/../target/bench/venv/bin/python
{ [ -x "$py" ] && "$py" -c 'import openpyxl' 2>/dev/null; } || py=python3
for x in "$out"/old/*.report/customers.xlsx; do
  [ -f "$x" ] || continue
  y=${x/\/old\//\/new\/}
  if ! "$py" -c 'import openpyxl' 2>/dev/null; then
    echo "(workbooks not compared: no openpyxl)"
    continue
  fi
  "$py" - "$x" "$y" <<'PY' || status=1
import sys, openpyxl
load = lambda p: {w.title: list(w.iter_rows(values_only=True)) for w in openpyxl.load_workbook(p, read_only=True).worksheets}
same = load(sys.argv[1]) == load(sys.argv[2])
print(("same cells: " if same else "DIFFERENT cells: ") + sys.argv[2])
sys.exit(0 if same else 1)
PY
done
[ $status = 0 ] && echo "identical outputs" || echo "outputs differ (above)"
rm -rf "$out"
exit $status
