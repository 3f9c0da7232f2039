#!/usr/bin/env bash
# Runs every fuzz target (proptest) with more cases than the ordinary test run, one
# target at a time, and prints cases and seconds for each. A failure is kept by
# proptest in the target's `.proptest-regressions` file and replayed first ever after.
# Lance chaque cible de fuzzing avec plus de cas que les tests ordinaires.
#
# Usage: scripts/fuzz.sh [CASES]   (default 20000 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
export PROPTEST_CASES="$cases"
# Crate, test target (empty: the library's unit tests), name filter.
targets=(
    "vigie-model fuzz -"
    "vigie-agent fuzz -"
    "vigie-rules fuzz -"
    "vigie-collector fuzz -"
    "vigie-collector - fuzz_"
    "vigie-dashboard fuzz -"
)
cargo test -q --no-run -p vigie-model -p vigie-agent -p vigie-rules -p vigie-collector -p vigie-dashboard 2>/dev/null
total=0
for spec in "${targets[@]}"; do
    read -r crate target filter <<<"$spec"
    if [ "$target" = "-" ]; then kind=(--lib); else kind=(--test "$target"); fi
    [ "$filter" = "-" ] && filter=""
    names=$(cargo test -q -p "$crate" "${kind[@]}" -- --list $filter 2>/dev/null | sed -n 's/: test$//p')
    for name in $names; do
        start=${EPOCHREALTIME/./}
        cargo test -q -p "$crate" "${kind[@]}" -- --exact "$name" >/dev/null
        ms=$(((${EPOCHREALTIME/./} - start) / 1000))
        printf '%-18s %-62s %7s cases %4d.%03d s\n' "$crate" "$name" "$cases" $((ms / 1000)) $((ms % 1000))
        total=$((total + cases))
    done
done
echo "fuzzing: $total cases in all, no failure"
