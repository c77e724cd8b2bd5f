#!/usr/bin/env bash
# A short libFuzzer run of every target in tests/fuzz (docs/fuzzing.md):
#   tools/fuzz.sh [SECONDS]   SECONDS per target: the argument, else $FUZZ_SECONDS, else 10
# Configures a clang build with SLUICE_FUZZ=ON in build-fuzz/, builds the targets and runs each
# over a fresh copy of its seed corpus (tests/fuzz/corpus/<target>/). Exits 1 when a target
# crashes, leaks, times out or breaks an invariant (the input is kept under
# build-fuzz/fuzz-run/<target>/artifacts/). Without clang or the libFuzzer runtime it prints
# "skipped: ..." and exits 0. $FUZZ_CXX picks the compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${FUZZ_SECONDS:-10}}
case "$seconds" in
  '' | *[!0-9]* | 0) echo "usage: tools/fuzz.sh [SECONDS]  (a whole number above 0)" >&2; exit 2 ;;
esac

cxx=${FUZZ_CXX:-}
if [ -z "$cxx" ]; then
  for c in clang++ clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null 2>&1; then cxx=$c; break; fi
  done
fi
if [ -z "$cxx" ]; then
  echo "skipped: fuzzing needs clang++ with libFuzzer (Debian: apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
# The runtime ships apart from the compiler on Debian: link a trivial target to find out.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }' >"$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
  echo "skipped: $cxx cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"
  exit 0
fi

build=build-fuzz
jobs=$(nproc 2>/dev/null || echo 2)
config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" -DSLUICE_FUZZ=ON
        -DSLUICE_WERROR=ON -DSLUICE_BUILD_GUI=OFF -DSLUICE_BUILD_TESTS=OFF)
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  config+=(-G Ninja)
fi
if command -v ccache >/dev/null 2>&1; then
  config+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if ! cmake -S . -B "$build" "${config[@]}" >"$probe/configure.log" 2>&1; then
  cat "$probe/configure.log" >&2
  exit 1
fi
cmake --build "$build" -j "$jobs" --target sluice_fuzzers

# One dictionary per input language; the JSON one serves the frame decoder and the markers.
dictionary() {
  case "$1" in
    fuzz_httprequest) echo tests/fuzz/http.dict ;;
    fuzz_timespan) echo tests/fuzz/timespan.dict ;;
    fuzz_serviceoptions) echo tests/fuzz/options.dict ;;
    *) echo tests/fuzz/json.dict ;;
  esac
}

failed=()
for seeds in tests/fuzz/corpus/*/; do
  target=$(basename "$seeds")
  run="$build/fuzz-run/$target"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp "$seeds"* "$run/corpus/"
  args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$run/artifacts/")
  dict=$(dictionary "$target")
  [ -f "$dict" ] && args+=(-dict="$dict")
  if "$build/bin/$target" "${args[@]}" "$run/corpus" >"$run/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log")
    echo "fuzz: $target: ok, ${runs:-?} runs in ${seconds} s (${rate:-?}/s), corpus" \
      "$(ls "$seeds" | wc -l) -> $(ls "$run/corpus" | wc -l) inputs"
  else
    echo "fuzz: $target: FAILED; log $run/log, input(s):" >&2
    ls "$run/artifacts" >&2 || true
    grep -E 'ERROR|SUMMARY|invariant broken|runtime error' "$run/log" | head -n 20 >&2 || true
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (reproduce: $build/bin/<target> <input>)" >&2
  exit 1
fi
echo "fuzz: all targets ran ${seconds} s each without a finding"
