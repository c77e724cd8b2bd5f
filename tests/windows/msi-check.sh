#!/usr/bin/env bash
# Checks the MSI that installer/windows/build-msi.sh built, with msitools' msiinfo, then
# installs and removes it under Wine with a gateway running:
#   tests/windows/msi-check.sh BUILD_DIR
# Needs WINEPREFIX (a prepared prefix, used as the Windows user's profile).
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${1:?usage: msi-check.sh BUILD_DIR}" && pwd)
msi=$(ls "$build"/Sluice-*.msi 2>/dev/null | head -1)
export WINEDEBUG=${WINEDEBUG:--all}
failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "msi: ok   $what"; else echo "msi: FAIL $what"; failures=$((failures + 1)); fi
}
[ -f "$msi" ] || { echo "msi: FAIL no MSI in $build"; exit 1; }
table() { msiinfo export "$1" "$2" | tr -d '\r' | tail -n +4; } # rows only
row() { table "$1" "$2" | awk -F'\t' -v k="$3" '$1 == k'; }
col() { cut -d$'\t' -f"$1"; }
seq_of() { row "$1" InstallExecuteSequence "$2" | col 3; }

echo "msi: $msi, $(du -k "$msi" | cut -f1) KiB"
tables=$(msiinfo tables "$msi")
for t in File Component Directory CustomAction InstallExecuteSequence Registry Upgrade; do
  check "table $t" grep -qx "$t" <<<"$tables"
done
files=$(table "$msi" File | col 3)
for f in sluiced.exe sluicectl.exe sluice-demo-agent.exe Qt6Core.dll Qt6Network.dll Qt6Sql.dll \
         sqlite3.dll qsqlite.dll qt.conf libstdc++-6.dll libgcc_s_seh-1.dll libwinpthread-1.dll; do
  check "file $f" grep -qx "$f" <<<"$files"
done
# qsqlite.dll sits in plugins\sqldrivers (found through qt.conf).
plugin_dir=$(table "$msi" Component | awk -F'\t' -v c="$(table "$msi" File |
  awk -F'\t' '$3 == "qsqlite.dll" {print $2}')" '$1 == c {print $3}')
check "qsqlite.dll in plugins\\sqldrivers" test "$(row "$msi" Directory "$plugin_dir" | col 3)" = sqldrivers
# The planned stop: sluicectl.exe stop, before InstallValidate (before any file is touched),
# on repair/uninstall and on an upgrade; "not running" is ignored (type bit 64).
ca=$(row "$msi" CustomAction PlannedStop)
check "PlannedStop runs sluicectl.exe stop" test "$(col 3 <<<"$ca") $(col 4 <<<"$ca")" = "SluicectlExe stop --timeout 120"
check "SluicectlExe is sluicectl.exe" test "$(row "$msi" File SluicectlExe | col 3)" = sluicectl.exe
check "PlannedStop ignores its exit code" test $(( $(col 2 <<<"$ca") & 64 )) -eq 64
check "PlannedStop before InstallValidate" test "$(seq_of "$msi" PlannedStop)" -lt "$(seq_of "$msi" InstallValidate)"
check "PlannedStop on repair, uninstall and upgrade" test \
  "$(row "$msi" InstallExecuteSequence PlannedStop | col 2)" = "Installed OR WIX_UPGRADE_DETECTED"
check "service uninstall before files are removed" test "$(seq_of "$msi" UnregisterService)" -lt "$(seq_of "$msi" RemoveFiles)"
check "service install (the logon task) after InstallFinalize" test \
  "$(row "$msi" CustomAction RegisterService | col 4)" = "service install --force" -a \
  "$(seq_of "$msi" RegisterService)" -gt "$(seq_of "$msi" InstallFinalize)"
check "upgrade code" grep -q '6F3C0C7E-2B7B-4C8E-9C1A-6C8D3E2F7A10' <<<"$(table "$msi" Upgrade)"
check "per-user, x64" grep -qE 'x64;1033' <<<"$(msiinfo suminfo "$msi")"

# Under Wine: install, run the installed gateway, remove: the removal's planned stop must end
# it with exit 0 before its files go.
if [ -z "${WINEPREFIX:-}" ]; then
  echo "msi: install under Wine skipped: no WINEPREFIX"
else
  winmsi=$(winepath -w "$msi")
  home=$(winepath -u "$(wine cmd /c echo %APPDATA% | tr -d '\r')")/sluice # the default HOME
  rm -rf "$home"
  wine msiexec /i "$winmsi" /qn /l*v "$(winepath -w "$build/msi-install.log")"
  check "msiexec /i exit 0" test $? -eq 0
  appdata=$(winepath -u "$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')")
  dest="$appdata/Programs/Sluice"
  check "installed sluiced.exe, plugins/sqldrivers/qsqlite.dll" test -f "$dest/sluiced.exe" -a \
    -f "$dest/plugins/sqldrivers/qsqlite.dll"
  check "installed sluicectl.exe runs" grep -q '^sluicectl ' <<<"$(wine "$dest/sluicectl.exe" --version)"
  check "the logon task's definition written" test -f "$home/sluiced-task.xml"
  wine "$dest/sluiced.exe" --http-port 0 >"$build/msi-sluiced.out" 2>&1 &
  daemon=$!
  for _ in $(seq 600); do grep -qs '"state": "running"' "$home/gateway_state.json" && break; sleep 0.1; done
  check "installed sluiced.exe running (default HOME)" grep -qs '"state": "running"' "$home/gateway_state.json"
  wine msiexec /x "$winmsi" /qn /l*v "$(winepath -w "$build/msi-remove.log")"
  check "msiexec /x exit 0" test $? -eq 0
  wait "$daemon"
  check "the removal stopped sluiced.exe with exit 0" test $? -eq 0
  check "the stop was the planned one" grep -qs '"cause": "planned"' "$home/logs/last-shutdown.json"
  check "the stop came before the files went" grep -q 'Action start .*: InstallValidate' \
    <<<"$(sed -n '/Action start .*: PlannedStop/,$p' "$build/msi-remove.log")"
  check "files removed" test ! -e "$dest/sluiced.exe"
  check "the logon task's definition removed" test ! -e "$home/sluiced-task.xml"
  check "registry key removed" test "$(wine reg query 'HKCU\Software\Sluice' >/dev/null 2>&1; echo $?)" -ne 0
fi
echo "msi: $failures failed"
[ "$failures" -eq 0 ]
