#!/usr/bin/env bash
# One entry point for the two README commands on a fresh Debian 12 machine:
#   tools/dev.sh run    install what is missing, build, start sluiced (and the tray with a display)
#   tools/dev.sh test   install what is missing, build with -Werror, run every test (ctest -j2)
#   tools/dev.sh bench  build and run the benchmarks, printing a table
# Works as root or as a user with sudo. Build folders: build/ (run, bench), build-ci/ (test).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in run|test|bench) ;; *) echo "usage: tools/dev.sh run|test|bench" >&2; exit 2 ;; esac

# Debian packages the build, the tests and the product need.
packages=(cmake ninja-build g++ pkg-config qt6-base-dev libqt6sql6-sqlite libqt6svg6 qt6-svg-dev
          qt6-qpa-plugins libgl-dev procps sqlite3
          qt6-l10n-tools)
# Only for the screenshot script and a real tray; optional elsewhere.
[ "$mode" = run ] && packages+=(xdg-utils)
# The test command also fuzzes (tools/fuzz.sh) and mounts/limits for the resilience tests,
# and builds (cpack needs dpkg-shlibdeps and file), lints and installs the Debian packages
# (tests/packaging).
[ "$mode" = test ] && packages+=(clang libclang-rt-14-dev util-linux e2fsprogs
  dpkg-dev file lintian desktop-file-utils appstream systemd)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)

if [ "$mode" = test ]; then
  build=build-ci
  # The test build compiles in the stop-sequence fault hooks the watchdog tests need.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_WERROR=ON \
    -DSLUICE_FAULT_INJECTION=ON
  cmake --build "$build" -j "$jobs"
  # A short run of every fuzz target first (clang + libFuzzer; says "skipped" without them), so
  # the test suite's own summary is the last thing printed.
  fuzz=0
  bash tools/fuzz.sh || fuzz=$?
  ( cd "$build" && QT_QPA_PLATFORM=offscreen ctest -j2 --output-on-failure --timeout 300 )
  if [ "$fuzz" -ne 0 ]; then
    echo "tools/fuzz.sh failed (exit $fuzz): see build-fuzz/fuzz-run/" >&2
    exit "$fuzz"
  fi
  exit 0
fi

build=build
# run needs only the programs; bench needs the test support library too.
with_tests=OFF
[ "$mode" = bench ] && with_tests=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_BUILD_TESTS=$with_tests
cmake --build "$build" -j "$jobs"

if [ "$mode" = bench ]; then
  "$build/bin/sluice-bench"
  echo
  exec "$build/bin/sluice-bench-service"
fi

# run: the service in the foreground of this terminal; the tray beside it when a display exists.
home=${SLUICE_HOME:-}
args=()
[ -n "$home" ] && args=(--home "$home")
export PATH="$PWD/$build/bin:$PATH"
if [ -x "$build/bin/sluice-tray" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  ( "$build/bin/sluice-tray" "${args[@]}" & )
fi
exec "$build/bin/sluiced" "${args[@]}"
