# Windows counterpart of build.sh (same verbs). UNTESTED: no Windows machine was available.
# Needs the .NET 10 SDK, CMake, a C compiler, and libjpeg-turbo + libdeflate development files,
# optionally OpenJPEG and libwebp (JPEG 2000 and WebP tiles; without them those tiles are refused at read)
# (for example from vcpkg: vcpkg install libjpeg-turbo libdeflate openjpeg libwebp; set CMAKE_TOOLCHAIN_FILE).
# Without the native shim the reader runs on its managed decoders (identical pixels, slower).
param(
    [Parameter(Position = 0)][string]$Verb = "build",
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)][string[]]$Rest
)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = "1"
$env:DOTNET_NOLOGO = "1"

function Setup {
    if (Get-Command cmake -ErrorAction SilentlyContinue) {
        cmake -S native -B native/build
        if ($LASTEXITCODE -eq 0) { cmake --build native/build --config Release }
        if ($LASTEXITCODE -ne 0) { Write-Warning "native shim not built; managed decoders will be used" }
    } else {
        Write-Warning "cmake not found; native shim not built; managed decoders will be used"
    }
}

function Build { dotnet build Reader.sln -c Release -nologo -v q; if ($LASTEXITCODE -ne 0) { exit 1 } }

switch ($Verb) {
    "setup" { Setup }
    "build" { Setup; Build }
    "test" {
        Setup; Build
        $log = dotnet test --solution Reader.sln -c Release --no-build --no-progress @Rest 2>&1 | Tee-Object -Variable out
        $passed = ($out | Select-String '^\s*succeeded:\s*(\d+)' | ForEach-Object { [int]$_.Matches[0].Groups[1].Value } | Measure-Object -Sum).Sum
        $failed = ($out | Select-String '^\s*failed:\s*(\d+)' | ForEach-Object { [int]$_.Matches[0].Groups[1].Value } | Measure-Object -Sum).Sum
        $skipped = ($out | Select-String '^\s*skipped:\s*(\d+)' | ForEach-Object { [int]$_.Matches[0].Groups[1].Value } | Measure-Object -Sum).Sum
        if ($LASTEXITCODE -ne 0 -and $failed -eq 0) { $failed = 1 }
        Write-Output "$passed passed, $failed failed, $skipped skipped"
        exit $LASTEXITCODE
    }
    "bench" {
        Setup
        if ($Rest.Count -gt 0 -and $Rest[0] -eq "micro") { dotnet run --project bench/Reader.Bench -c Release -- @Rest }
        else { dotnet run --project bench/Reader.Bench -c Release -- sweep @Rest }
    }
    "wsi" { dotnet run --project src/Reader.Cli -c Release -v q -- @Rest }
    "fuzz" { Write-Error "fuzzing needs AFL++ and runs on Linux only" }
    "stress" { Setup; Build; dotnet test --solution Reader.sln -c Release --no-build -- --filter-trait "Category=Stress" }
    default { Write-Error "usage: build.ps1 {setup|build|test|bench|wsi|stress} [args]"; exit 2 }
}
