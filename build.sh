#!/usr/bin/env bash
# One entry point for everything: ./build.sh <verb> [args]
#   setup   install missing native packages (Debian/Ubuntu, as root or via sudo) and build native/
#   build   setup + build the solution (Release)
#   test    setup + build + every test; "N skipped" (each says why above), then the last line "N passed, N failed"
#   bench   the main job: the reader vs OpenSlide sweep on a generated default slide (args go to the bench);
#           bench remote: the slide over HTTP with latency, against the local file and GDAL's /vsicurl/
#           bench tiling: wsi tile per process against the loader in-process, 1 vs 2 array tasks
#   wsi     the command-line tool (args go to it), e.g. ./build.sh wsi info slide.svs
#   pack    [OUT] NuGet packages with the statically linked native shim (default artifacts/packages)
#   install [PREFIX] wsi published ReadyToRun to PREFIX/lib/wsi-reader with a launcher PREFIX/bin/wsi (default ~/.local)
#   fuzz    [SECONDS] fuzz the reader (see README)
#   stress  the long stress run
#   cluster-test  wsi tile under a real one-node Slurm (installs slurm-wlm and munge; see deploy/slurm/README.md)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages: native build deps, the libraries the reader binds, and the references tests compare against
# (python3-openslide: OpenSlide's DeepZoom generator, the reference for wsi tile --format dzi).
APT_PACKAGES=(cmake make gcc libc6-dev libjpeg62-turbo-dev libturbojpeg0 libdeflate-dev libopenjp2-7-dev libwebp-dev libopenslide0 python3-openslide) # AFL++ is installed by the fuzz pass itself

log() { printf '== %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root to run: $*"; return 1; fi
}

install_packages() {
  local missing=()
  if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${APT_PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    # The remote-source tests start s3rver and Azurite (from the npm registry) as real object stores.
    log "installing: nodejs npm"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || log "nodejs/npm unavailable: the S3 and Azure tests will say so and skip"
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    # The wsi serve test opens the viewer in a real (headless) browser.
    log "installing: chromium"
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null || log "chromium unavailable: the browser test will say so and skip"
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET 10 SDK is required (https://dot.net); it is not packaged by Debian"
    exit 1
  fi
}

build_native() {
  cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build native/build --config Release -j "$(nproc)" >/dev/null
  log "native shim: $(ls native/build/libwsinative.* 2>/dev/null | head -n1)"
}

setup() { install_packages; build_native; }

build() { dotnet build Reader.sln -c Release -nologo -v q -clp:ErrorsOnly; }

# Fuzz the reader with AFL++ through SharpFuzz for SECONDS (split between the three targets).
# Findings go to OUT/findings-<target>; returns non-zero when a crash or hang was found.
fuzz_run() {
  local seconds=$1 out=$2
  if ! command -v afl-fuzz >/dev/null 2>&1; then
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq afl++ >/dev/null || return 2
  fi
  dotnet tool restore >/dev/null
  rm -rf "$out" && mkdir -p "$out"
  dotnet publish tests/Reader.Fuzz -c Release -o "$out/bin" -nologo -v q >/dev/null
  dotnet "$out/bin/Reader.Fuzz.dll" seeds "$out/seeds" # before instrumenting: instrumented code runs only under afl-fuzz
  dotnet tool run sharpfuzz "$out/bin/Reader.Core.dll" >/dev/null
  dotnet tool run sharpfuzz "$out/bin/Reader.Gpu.dll" >/dev/null # the host side only: Parallel.For never compiles kernels
  local share=$(( seconds / 3 )); [ "$share" -lt 5 ] && share=5
  local found=0 not_run=0 target crashes hangs execs
  for target in slide jpeg gpu; do
    AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      timeout $(( share + 180 )) afl-fuzz -V "$share" -i "$out/seeds/$target" -o "$out/findings-$target" -t 5000 -m none \
      -- dotnet "$out/bin/Reader.Fuzz.dll" "$target" >"$out/afl-$target.log" 2>&1 || true
    execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$out/findings-$target/default/fuzzer_stats" 2>/dev/null || true)
    crashes=$(find "$out/findings-$target/default/crashes" -type f ! -name README.txt 2>/dev/null | wc -l || true)
    hangs=$(find "$out/findings-$target/default/hangs" -type f 2>/dev/null | wc -l || true)
    if [ -z "$execs" ]; then log "fuzz $target: afl-fuzz did not run (see $out/afl-$target.log)"; not_run=1; continue; fi
    log "fuzz $target: ${share} s, ${execs} executions, ${crashes} crashes, ${hangs} hangs"
    found=$(( found + crashes + hangs ))
  done
  if [ "$found" -gt 0 ]; then
    log "findings kept in $out; replay: dotnet run --project tests/Reader.Fuzz -c Release -- replay FILE..."
    return 1 # a finding counts even when another target could not run
  fi
  [ "$not_run" -eq 0 ] || return 2
  return 0
}

run_tests() {
  local log_file
  log_file=$(mktemp)
  set +e
  dotnet test --solution Reader.sln -c Release --no-build --no-progress "$@" 2>&1 | tee "$log_file"
  local status=${PIPESTATUS[0]}
  set -e
  # Sum the per-project summaries ("succeeded: N" ...) of Microsoft.Testing.Platform.
  local passed failed skipped
  # awk alone, so a log without summaries (a crashed test host) yields 0 instead of stopping the script.
  passed=$(awk '/^[[:space:]]*succeeded:/ {s+=$2} END {print s+0}' "$log_file")
  failed=$(awk '/^[[:space:]]*failed:/ {s+=$2} END {print s+0}' "$log_file")
  skipped=$(awk '/^[[:space:]]*skipped:/ {s+=$2} END {print s+0}' "$log_file")
  rm -f "$log_file"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a crash or build failure counts

  # A short bounded fuzzing pass counts as one more test.
  local fuzz_status=0
  fuzz_run "${WSI_FUZZ_SECONDS:-60}" "$ROOT/tests/Reader.Fuzz/findings/ci" || fuzz_status=$?
  case "$fuzz_status" in
    0) passed=$(( passed + 1 )) ;;
    1) failed=$(( failed + 1 )); status=1 ;;
    *) skipped=$(( skipped + 1 )); log "fuzz pass SKIPPED: AFL++ could not be installed or did not run (see above)" ;;
  esac
  echo "$skipped skipped (not counted as passed; each skipped test says why above)"
  echo "$passed passed, $failed failed"
  return "$status"
}

verb=${1:-build}
[ $# -gt 0 ] && shift
case "$verb" in
  setup) setup ;;
  build) setup; build ;;
  test)
    setup
    if ! build; then echo "0 passed, 1 failed"; exit 1; fi
    run_tests "$@" ;;
  bench)
    setup
    if [ "${1:-}" = micro ]; then shift; dotnet run --project bench/Reader.Bench -c Release -- micro "$@"
    elif [ "${1:-}" = loader ]; then
      shift
      # The OpenSlide loop is the anchor the loader bench compares with.
      command -v openslide-show-properties >/dev/null 2>&1 || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openslide-tools >/dev/null; } || log "openslide-tools unavailable: the OpenSlide row will say so"
      dotnet run --project bench/Reader.Bench -c Release -- loader "$@"
    elif [ "${1:-}" = tiling ]; then
      shift; build # the bench runs the built wsi as a process
      dotnet run --project bench/Reader.Bench -c Release --no-build -- tiling "$@"
    elif [ "${1:-}" = remote ]; then
      shift
      # GDAL 3.6's /vsicurl/ is the anchor the remote bench compares with.
      command -v gdal_translate >/dev/null 2>&1 || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null; } || log "gdal-bin unavailable: the GDAL rows will say so"
      dotnet run --project bench/Reader.Bench -c Release -- remote "$@"
    else
      # openslide-show-properties is the start-up anchor of the tool.
      command -v openslide-show-properties >/dev/null 2>&1 || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openslide-tools >/dev/null; } || log "openslide-tools unavailable: the start-up row will say so"
      dotnet run --project bench/Reader.Bench -c Release -- sweep "$@"
    fi ;;
  wsi) setup >&2; dotnet run --project src/Reader.Cli -c Release -v q -- "$@" ;;
  example)
    # ./build.sh example train [STEPS]: a tiny CNN trained through the loader and TorchSharp (CPU) on generated slides.
    case "${1:-}" in
      train) shift; setup >&2; dotnet build examples/Train -c Release -nologo -v q -clp:ErrorsOnly >&2 && dotnet examples/Train/bin/Release/net10.0/Train.dll "$@" ;;
      *) echo "usage: $0 example train [steps]" >&2; exit 2 ;;
    esac ;;
  pack)
    # NuGet packages (WsiReader.Core, .Native with the statically linked shim, .Gpu, .Remote, .Tool) into OUT.
    setup; out=$(realpath -m "${1:-artifacts/packages}"); mkdir -p "$out"
    bash native/static-deps.sh >/dev/null
    for p in src/Reader.Native src/Reader.Core src/Reader.Gpu src/Reader.Remote src/Reader.Cli; do
      dotnet pack "$p" -c Release -nologo -v q -clp:ErrorsOnly -o "$out" -p:WsiUseStaticShim=true
    done
    log "packages in $out" ;;
  install)
    # wsi published ReadyToRun into PREFIX/lib/wsi-reader (default ~/.local), launcher PREFIX/bin/wsi.
    setup; prefix=$(realpath -m "${1:-$HOME/.local}")
    bash native/static-deps.sh >/dev/null
    dotnet publish src/Reader.Cli -c Release -nologo -v q -clp:ErrorsOnly -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=true -p:WsiUseStaticShim=true -o "$prefix/lib/wsi-reader"
    mkdir -p "$prefix/bin"
    printf '#!/bin/sh\nexec "%s/lib/wsi-reader/wsi" "$@"\n' "$prefix" > "$prefix/bin/wsi"; chmod +x "$prefix/bin/wsi"
    log "installed $prefix/bin/wsi$(case ":$PATH:" in *":$prefix/bin:"*) ;; *) printf ' (add %s/bin to PATH)' "$prefix" ;; esac)" ;;
  fuzz) setup; fuzz_run "${1:-60}" "$ROOT/tests/Reader.Fuzz/findings/$(date +%Y%m%d-%H%M%S)" ;;
  cluster-test) setup; build; bash deploy/slurm/cluster-test.sh ;;
  stress) setup; build; WSI_STRESS_LONG=1 dotnet test --project tests/Reader.Tests -c Release --no-build -- --filter-trait "Category=Stress" ;;
  *) echo "usage: $0 {setup|build|test|bench|wsi|example|pack|install|fuzz|stress|cluster-test} [args]" >&2; exit 2 ;;
esac
