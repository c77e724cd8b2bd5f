#!/bin/sh
# Builds Sluice.pkg on macOS from a checkout.
# Tools (docs/installers.md): Xcode command line tools, CMake >= 3.25, Ninja, Qt 6.4+
# (macdeployqt on PATH or QT_DIR=/path/to/Qt/6.x/macos), pkgbuild/productbuild (ship with macOS).
#   sh installer/macos/build.sh
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
build=${BUILD_DIR:-build-macos}
[ -n "${QT_DIR:-}" ] && export PATH="$QT_DIR/bin:$PATH" CMAKE_PREFIX_PATH="$QT_DIR"
version=$(sed -n 's/^project(Sluice VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF
cmake --build "$build"

# The files come from the install rules, as on every platform: stage the install tree, then
# lay the programs out as a bundle. sluiced finds sluice-demo-agent beside itself there.
stage="$build/stage"
rm -rf "$stage"
cmake --install "$build" --prefix "$stage" --strip
root="$build/pkgroot"
app="$root/Applications/Sluice.app"
rm -rf "$root"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
for exe in bin/sluice-tray bin/sluiced bin/sluicectl libexec/sluice/sluice-demo-agent; do
  [ -x "$stage/$exe" ] || { echo "build.sh: $exe is not in the install tree" >&2; exit 1; }
  cp "$stage/$exe" "$app/Contents/MacOS/"
done
cp LICENSE "$app/Contents/Resources/"
# Man pages and completions for a shell, under the usual /usr/local prefix.
mkdir -p "$root/usr/local/share"
cp -R "$stage/share/man" "$stage/share/bash-completion" "$stage/share/zsh" "$stage/share/fish" \
  "$root/usr/local/share/"
sed "s/@VERSION@/$version/g" installer/macos/Info.plist.in > "$app/Contents/Info.plist"
cp installer/macos/io.sluice.sluiced.plist.in "$app/Contents/Resources/"
plutil -lint "$app/Contents/Info.plist" installer/macos/io.sluice.sluiced.plist.in
# Qt frameworks and plugins (platform, SVG icon engine, SQLite) into the bundle; the
# command-line tools share them through the bundle's Frameworks folder.
macdeployqt "$app" \
  -executable="$app/Contents/MacOS/sluiced" \
  -executable="$app/Contents/MacOS/sluicectl" \
  -executable="$app/Contents/MacOS/sluice-demo-agent"

pkgbuild --root "$root" --identifier io.sluice.pkg --version "$version" \
  --scripts installer/macos/scripts --install-location / "$build/Sluice-component.pkg"
productbuild --package "$build/Sluice-component.pkg" "$build/Sluice-$version.pkg"
echo "Built $build/Sluice-$version.pkg"
