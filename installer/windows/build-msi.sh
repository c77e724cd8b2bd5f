#!/usr/bin/env bash
# Builds the Sluice MSI on Linux from a MinGW cross build (tools/dev.sh windows), with
# msitools' wixl from the same installer source build.ps1 uses on Windows:
#   installer/windows/build-msi.sh BUILD_DIR        -> BUILD_DIR/Sluice-<version>.msi
# The files are the install tree (`cmake --install --strip`), harvested by wixl-heat.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${1:?usage: build-msi.sh BUILD_DIR}" && pwd)
version=$(sed -nE 's/^project\(Sluice VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
stage="$build/stage"
rm -rf "$stage"
cmake --install "$build" --prefix "$stage" --strip >/dev/null
with_tray=0
[ -f "$stage/bin/sluice-tray.exe" ] && with_tray=1
# sluicectl.exe and sluice-tray.exe are named in Sluice.wxs (custom actions run them), so
# they are not harvested.
( cd "$stage/bin" && find "$PWD" -type f ! -name sluicectl.exe ! -name sluice-tray.exe | LC_ALL=C sort |
    wixl-heat -p "$PWD/" --directory-ref INSTALLFOLDER --component-group SluiceFiles \
      --var var.StageDir --win64 ) >"$build/sluice-files.wxs"
msi="$build/Sluice-$version.msi"
# wixl resolves sources relative to the working folder.
( cd "$build" && wixl -a x64 -D Version="$version" -D StageDir=stage/bin -D Win64=yes \
    -D WithTray=$with_tray -o "$msi" "$OLDPWD/installer/windows/Sluice.wxs" sluice-files.wxs )
echo "built $msi ($(du -k "$msi" | cut -f1) KiB)"
