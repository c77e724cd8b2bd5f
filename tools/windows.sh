#!/usr/bin/env bash
# The Windows part of the test command (tools/dev.sh windows runs this once the packages are in):
#   tools/windows.sh ARCHIVE QT_DIR JOBS
# unpacks the Qt-for-MinGW toolchain into QT_DIR when absent, cross-builds sluiced.exe,
# sluicectl.exe, sluice-demo-agent.exe and the tests with -Werror into build-windows/ (the
# programs beside their DLLs, as a Windows user gets them), prepares a Wine prefix there, runs
# the tests and the smoke test under Wine, builds the MSI and checks it. docs/platforms.md.
set -uo pipefail
cd "$(dirname "$0")/.."
archive=$1 qt=$2 jobs=$3
build=build-windows
started=$(date +%s)
step() { echo "== windows: $* (+$(( $(date +%s) - started )) s)"; }

if [ ! -x "$qt/qt6/bin/qt-cmake" ]; then
  step "unpacking $archive into $qt"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  # The archive holds mingw-qt/ and expects to live at /opt/mingw-qt.
  "${sudo_cmd[@]}" tar -C "$(dirname "$qt")" -xJf "$archive" || exit 1
fi

step "cross build (MinGW-w64, -Werror) into $build/"
mkdir -p "$build"
# A unity build: about a third of the compile time of one file per unit, which keeps this part
# within its budget on two cores (the Linux build stays one file per unit).
"$qt/qt6/bin/qt-cmake" -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_WERROR=ON \
  -DSLUICE_BUILD_GUI=OFF -DCMAKE_UNITY_BUILD=ON >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" || exit 1

# A prefix of this run, in the build folder: never the user's ~/.wine. Gecko and Mono are not
# wanted (and would ask to be downloaded).
export WINEPREFIX="$PWD/$build/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
step "preparing the Wine prefix"
rm -rf "$WINEPREFIX"
wineboot --init >"$build/wineboot.log" 2>&1 || { cat "$build/wineboot.log"; exit 1; }

status=0
step "tests under Wine"
bash tests/windows/run-wine-tests.sh "$build" | tee "$build/wine-tests.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
step "smoke test of the real programs"
bash tests/windows/smoke.sh "$build/bin" | tee "$build/smoke.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
step "MSI"
if bash installer/windows/build-msi.sh "$build"; then
  bash tests/windows/msi-check.sh "$build" | tee "$build/msi-check.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  status=1
fi
wineserver -k 2>/dev/null # this prefix's server only

# One closing line for all of it: the cases under Wine, the smoke test, each MSI check.
read -r passed failed skipped < <(sed -nE 's/^wine: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' \
  "$build/wine-tests.log")
smoke_ok=$(grep -c '^smoke: timings' "$build/smoke.log")
msi_ok=$(grep -c '^msi: ok ' "$build/msi-check.log" 2>/dev/null)
msi_failed=$(grep -c '^msi: FAIL' "$build/msi-check.log" 2>/dev/null)
step "done, status $status"
echo "windows: $(( ${passed:-0} + smoke_ok + msi_ok )) passed, $(( ${failed:-0} + 1 - smoke_ok + msi_failed )) failed, ${skipped:-0} skipped"
exit $status
