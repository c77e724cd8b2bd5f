# Builds the Sluice MSI from a checkout on Windows, from the same installer source as the Linux
# cross build (installer/windows/build-msi.sh, with wixl): Sluice.wxs, WiX v3 schema.
# Tools (docs/installers.md): Visual Studio 2022 Build Tools (C++), CMake >= 3.25, Ninja,
# Qt 6.4+ for MSVC (windeployqt on PATH or -QtDir), WiX Toolset v3.11+ (candle.exe, light.exe
# on PATH or -WixDir).
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1 [-QtDir C:\Qt\6.4.2\msvc2019_64]
param(
    [string]$QtDir = "",
    [string]$WixDir = "",
    [string]$BuildDir = "build-windows",
    [string]$Version = ""
)
$ErrorActionPreference = "Stop"
$repo = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $repo

if ($QtDir) { $env:PATH = "$QtDir\bin;$env:PATH"; $env:CMAKE_PREFIX_PATH = $QtDir }
if ($WixDir) { $env:PATH = "$WixDir;$env:PATH" }
if (-not $Version) {
    $Version = (Select-String -Path CMakeLists.txt -Pattern 'project\(Sluice VERSION ([0-9.]+)').Matches[0].Groups[1].Value
}

cmake -S . -B $BuildDir -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF
if ($LASTEXITCODE) { throw "configure failed" }
cmake --build $BuildDir
if ($LASTEXITCODE) { throw "build failed" }

# The install tree, as on every platform (the same install rules as Linux and macOS).
$stage = Join-Path (Resolve-Path $BuildDir).Path "stage"
Remove-Item -Recurse -Force $stage -ErrorAction SilentlyContinue
cmake --install $BuildDir --prefix $stage --strip
if ($LASTEXITCODE) { throw "cmake --install failed" }
$bin = Join-Path $stage "bin"
# Qt beside the programs; plugins where the installed qt.conf says (bin\plugins).
$plugins = Join-Path $bin "plugins"
foreach ($exe in "sluice-tray.exe", "sluiced.exe", "sluicectl.exe") {
    windeployqt --release --no-translations --compiler-runtime --plugindir $plugins (Join-Path $bin $exe)
    if ($LASTEXITCODE) { throw "windeployqt $exe failed" }
}

# The file list (what wixl-heat writes on Linux): one component per file, stable GUIDs from
# the path (Guid="*"). sluicectl.exe and sluice-tray.exe are named in Sluice.wxs itself.
$named = @("sluicectl.exe", "sluice-tray.exe")
$dirs = @{}
$xml = New-Object System.Text.StringBuilder
[void]$xml.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void]$xml.AppendLine('<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment>')
$components = @()
$n = 0
foreach ($file in Get-ChildItem -Recurse -File $bin | Sort-Object FullName) {
    $rel = $file.FullName.Substring($bin.Length + 1)
    if ($named -contains $rel) { continue }
    $n++
    $dir = Split-Path $rel -Parent
    $dirId = "INSTALLFOLDER"
    if ($dir) {
        # One Directory element per folder, nested under INSTALLFOLDER.
        $parent = "INSTALLFOLDER"
        $path = ""
        foreach ($part in $dir.Split("\")) {
            $path = if ($path) { "$path\$part" } else { $part }
            if (-not $dirs.ContainsKey($path)) {
                $dirs[$path] = "dir$($dirs.Count)"
                [void]$xml.AppendLine("<DirectoryRef Id=`"$parent`"><Directory Id=`"$($dirs[$path])`" Name=`"$part`" /></DirectoryRef>")
            }
            $parent = $dirs[$path]
        }
        $dirId = $parent
    }
    $source = '$(var.StageDir)\' + $rel
    [void]$xml.AppendLine("<DirectoryRef Id=`"$dirId`"><Component Id=`"cmp$n`" Guid=`"*`" Win64=`"yes`"><File Id=`"fil$n`" KeyPath=`"yes`" Source=`"$source`" /></Component></DirectoryRef>")
    $components += "cmp$n"
}
[void]$xml.AppendLine('<ComponentGroup Id="SluiceFiles">')
foreach ($c in $components) { [void]$xml.AppendLine("<ComponentRef Id=`"$c`" />") }
[void]$xml.AppendLine('</ComponentGroup></Fragment></Wix>')
$files = Join-Path $BuildDir "sluice-files.wxs"
Set-Content -Path $files -Value $xml.ToString() -Encoding UTF8

$withTray = if (Test-Path (Join-Path $bin "sluice-tray.exe")) { "1" } else { "0" }
$obj = Join-Path $BuildDir "wixobj\"
candle -nologo -arch x64 "-dVersion=$Version" "-dStageDir=$bin" "-dWin64=yes" "-dWithTray=$withTray" `
    -out $obj installer\windows\Sluice.wxs $files
if ($LASTEXITCODE) { throw "candle failed" }
$msi = Join-Path $BuildDir "Sluice-$Version.msi"
light -nologo -out $msi (Join-Path $obj "Sluice.wixobj") (Join-Path $obj "sluice-files.wixobj")
if ($LASTEXITCODE) { throw "light failed" }
Write-Host "Built $msi"
