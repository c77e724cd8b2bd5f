# Builds the Sluice MSI from a checkout on Windows.
# Tools (documented in docs/installers.md): Visual Studio 2022 Build Tools (C++), CMake >= 3.25,
# Ninja, Qt 6.4+ for MSVC (qmake/windeployqt on PATH or -QtDir), WiX Toolset v4 (`wix` on PATH,
# `dotnet tool install --global wix`).
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1 [-QtDir C:\Qt\6.4.2\msvc2019_64]
param(
    [string]$QtDir = "",
    [string]$BuildDir = "build-windows",
    [string]$Version = ""
)
$ErrorActionPreference = "Stop"
$repo = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $repo

if ($QtDir) { $env:PATH = "$QtDir\bin;$env:PATH"; $env:CMAKE_PREFIX_PATH = $QtDir }
if (-not $Version) {
    $Version = (Select-String -Path CMakeLists.txt -Pattern 'project\(Sluice VERSION ([0-9.]+)').Matches[0].Groups[1].Value
}

cmake -S . -B $BuildDir -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF
if ($LASTEXITCODE) { throw "configure failed" }
cmake --build $BuildDir
if ($LASTEXITCODE) { throw "build failed" }

$stage = Join-Path $BuildDir "stage"
Remove-Item -Recurse -Force $stage -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force $stage | Out-Null
foreach ($exe in "sluiced.exe", "sluicectl.exe", "sluice-tray.exe", "sluice-demo-agent.exe") {
    Copy-Item (Join-Path $BuildDir "bin\$exe") $stage
}
# Qt runtime beside the executables; the tray pulls in Widgets, Svg and the SVG icon engine.
windeployqt --release --no-translations --compiler-runtime (Join-Path $stage "sluice-tray.exe")
windeployqt --release --no-translations (Join-Path $stage "sluiced.exe")
if ($LASTEXITCODE) { throw "windeployqt failed" }

$msi = Join-Path $BuildDir "Sluice-$Version.msi"
wix build installer\windows\Sluice.wxs -d Version=$Version -d StageDir=$stage -o $msi
if ($LASTEXITCODE) { throw "wix build failed" }
Write-Host "Built $msi"
