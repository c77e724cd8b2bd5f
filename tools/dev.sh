#!/usr/bin/env bash
# One entry point for the two README commands on a fresh Debian 12 machine:
#   tools/dev.sh run    install what is missing, build, start sluiced (and the tray with a display)
#   tools/dev.sh test   install what is missing, build with -Werror, run every test (ctest -j2)
#   tools/dev.sh bench  build and run the benchmarks, printing a table
#   tools/dev.sh windows  cross-build for Windows (MinGW-w64 + the Qt of ../shared/toolchains),
#                       run its tests and a smoke test under Wine, build and check the MSI
#                       (docs/platforms.md); `test` runs it after the Linux suite
# Works as root or as a user with sudo. Build folders: build/ (run, bench), build-ci/ (test),
# build-windows/ (windows).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in run|test|bench|windows) ;; *) echo "usage: tools/dev.sh run|test|bench|windows" >&2; exit 2 ;; esac

# The Windows toolchain: Qt for MinGW-w64, unpacked into /opt/mingw-qt (the path it was built
# for). Without it, the Windows part is skipped and says so.
win_archive=${SLUICE_WINDOWS_TOOLCHAIN:-../shared/toolchains/qt6.4.2-mingw64-headless.tar.xz}
win_qt=/opt/mingw-qt
if [ "$mode" = windows ] && [ ! -x "$win_qt/qt6/bin/qt-cmake" ] && [ ! -f "$win_archive" ]; then
  echo "Windows part skipped: no toolchain ($win_archive is missing and $win_qt is empty)"
  exit 0
fi

# Debian packages the build, the tests and the product need.
packages=(cmake ninja-build g++ pkg-config qt6-base-dev libqt6sql6-sqlite libqt6svg6 qt6-svg-dev
          qt6-qpa-plugins libgl-dev procps sqlite3
          qt6-l10n-tools)
# The cross build (moc and rcc come from the host's qt6-base-dev), Wine and msitools.
[ "$mode" = windows ] && packages=(cmake ninja-build qt6-base-dev sqlite3 g++-mingw-w64-x86-64-posix
  mingw-w64-x86-64-dev wine wine64 msitools wixl xz-utils)
# Only for the screenshot script and a real tray; optional elsewhere.
[ "$mode" = run ] && packages+=(xdg-utils)
# The test command also fuzzes (tools/fuzz.sh) and mounts/limits for the resilience tests,
# and builds (cpack needs dpkg-shlibdeps and file), lints and installs the Debian packages
# (tests/packaging).
[ "$mode" = test ] && packages+=(clang libclang-rt-14-dev util-linux e2fsprogs
  dpkg-dev file lintian desktop-file-utils appstream systemd)

missing=()
# Only Debian's packages are named here; elsewhere (the hosted macOS/Windows CI) the tools are
# brought by the workflow.
command -v apt-get >/dev/null || packages=()
for p in ${packages[@]+"${packages[@]}"}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)

if [ "$mode" = windows ]; then
  exec bash tools/windows.sh "$win_archive" "$win_qt" "$jobs"
fi

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
  linux=0
  ( cd "$build" && QT_QPA_PLATFORM=offscreen ctest -j2 --output-on-failure --timeout 300 ) ||
    linux=$?
  # Then the Windows build and its tests under Wine (skipped, and said so, without the toolchain).
  windows=0
  bash tools/dev.sh windows || windows=$?
  if [ "$fuzz" -ne 0 ]; then
    echo "tools/fuzz.sh failed (exit $fuzz): see build-fuzz/fuzz-run/" >&2
  fi
  [ "$linux" -ne 0 ] && echo "the Linux tests failed (ctest exit $linux)" >&2
  [ "$windows" -ne 0 ] && echo "the Windows part failed (exit $windows): see build-windows/" >&2
  [ "$fuzz" -eq 0 ] && [ "$linux" -eq 0 ] && [ "$windows" -eq 0 ]
  exit $?
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
