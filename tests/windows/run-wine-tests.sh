#!/usr/bin/env bash
# Runs every Qt Test executable of a Windows build under Wine and sums up their results.
#   tests/windows/run-wine-tests.sh BUILD_DIR
# QTest's console output does not reach a pipe under Wine, so each test writes its results to
# a file (-o FILE,txt) that this script reads. Needs WINEPREFIX (a prepared prefix) set.
# Exit 0 only when every executable ran to its end and no case failed.
set -uo pipefail
build=${1:?usage: run-wine-tests.sh BUILD_DIR}
bin="$build/bin"
out="$build/wine-tests"
rm -rf "$out"
mkdir -p "$out"
export WINEDEBUG=${WINEDEBUG:--all}
# Test runs must not pick up a service of this machine.
export SLUICE_HOME='Z:\nonexistent-sluice-home-guard'

passed=0 failed=0 skipped=0 executables=0 bad=()
for exe in "$bin"/tst_*.exe; do
  name=$(basename "$exe" .exe)
  result="$out/$name.txt"
  executables=$((executables + 1))
  # A generous limit: a hung test is a failure, never a hang of the whole run.
  timeout 300 wine "$exe" -o "$(winepath -w "$result" 2>/dev/null),txt" >"$out/$name.console" 2>&1
  rc=$?
  totals=$(grep -E '^Totals: ' "$result" 2>/dev/null | tail -1)
  if [ -z "$totals" ]; then
    echo "FAIL $name: no results (exit $rc); see $out/$name.console"
    bad+=("$name")
    continue
  fi
  read -r p f s <<<"$(sed -E 's/^Totals: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$totals")"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
    echo "FAIL $name: $totals (exit $rc)"
    grep -E '^(FAIL!|   Loc:)' "$result" | sed 's/^/    /'
    bad+=("$name")
  else
    echo "ok   $name: $totals"
  fi
  grep -E '^SKIP   : ' "$result" | sed -E 's/^SKIP   : [^:]+::/    skipped /'
done
echo "Wine: $executables test executables, ${#bad[@]} failed${bad[*]:+: ${bad[*]}}"
echo "wine: $passed passed, $failed failed, $skipped skipped"
[ ${#bad[@]} -eq 0 ]
