#!/usr/bin/env bash
# ./build.sh cluster-test: wsi tile under a real one-node Slurm (Debian's slurm-wlm 22.05 and munge), started here and
# stopped at the end by process id. Two 4-task arrays over generated slides (WebDataset and DeepZoom); task 2 of the
# DeepZoom array is cancelled mid-run (scancel JOBID_2) and resubmitted alone; both outputs must then equal a
# single-process wsi tile run byte for byte, and wsi tile --check must pass. Needs root (or sudo) to install packages.
# Exit: 0 passed, 1 failed, 2 Slurm could not be installed or started here (skipped).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WSI_DLL=${WSI_DLL:-$ROOT/src/Reader.Cli/bin/Release/net10.0/wsi.dll}
BENCH_DLL=${WSI_BENCH_DLL:-$ROOT/bench/Reader.Bench/bin/Release/net10.0/Reader.Bench.dll}
SLIDES=${WSI_CLUSTER_SLIDES:-12}
WIDTH=${WSI_CLUSTER_WIDTH:-6144}
log() { printf '== cluster-test: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
skip() { log "SKIPPED: $*"; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi; }

[ -f "$WSI_DLL" ] && [ -f "$BENCH_DLL" ] || fail "build first (./build.sh build): $WSI_DLL or $BENCH_DLL is missing"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurm-wlm and munge"
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
    || skip "slurm-wlm and munge could not be installed (no root or no package access)"
fi
[ "$(id -u)" = 0 ] || skip "the daemons are started as root here (slurmd must run as root); run as root"

WORK=$(mktemp -d /tmp/wsi-cluster.XXXXXX)
chmod 755 "$WORK"
PIDS=()
JOBS=()
stop_daemons() {
  [ ${#JOBS[@]} -gt 0 ] && scancel "${JOBS[@]}" 2>/dev/null && sleep 1 # nothing of ours keeps running
  JOBS=()
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; kill -9 "$pid" 2>/dev/null; done
  PIDS=()
}
trap 'stop_daemons; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
START=$(date +%s)

# 1. Slides and the single-process reference.
log "generating $SLIDES slides in $WORK/slides"
MANIFEST=$(dotnet "$BENCH_DLL" cohort --out "$WORK/slides" --count "$SLIDES" --width "$WIDTH") || fail "slide generation"
dotnet "$WSI_DLL" tile "$MANIFEST" --out "$WORK/single/wds" --threads 2 >/dev/null 2>"$WORK/single-wds.log" || fail "single-process webdataset run (see $WORK/single-wds.log)"
dotnet "$WSI_DLL" tile "$MANIFEST" --out "$WORK/single/dzi" --format dzi --threads 2 >/dev/null 2>"$WORK/single-dzi.log" || fail "single-process dzi run"
log "single-process reference written ($(( $(date +%s) - START )) s)"

# 2. munge with its own key and socket, then slurmctld and slurmd on this host.
mkdir -p "$WORK/munge" "$WORK/slurm/state" "$WORK/slurm/spool" "$WORK/jobs"
chmod 700 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$WORK/munge/munge.key"
munged --force --foreground --socket="$WORK/munge/munge.socket" --key-file="$WORK/munge/munge.key" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" >"$WORK/munge/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$WORK/munge/munge.socket" ] || skip "munged did not start: $(tail -n 3 "$WORK/munge/munged.log" 2>/dev/null)"

HOST=$(hostname -s)
PORT=${WSI_SLURM_PORT:-$(( 20000 + RANDOM % 20000 ))} # not Slurm's 6817/6818, so a real Slurm on this host is left alone
export SLURM_CONF="$WORK/slurm/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=wsitest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$(( PORT + 1 ))
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$WORK/slurm/state
SlurmdSpoolDir=$WORK/slurm/spool
SlurmctldPidFile=$WORK/slurm/slurmctld.pid
SlurmdPidFile=$WORK/slurm/slurmd.pid
SlurmctldLogFile=$WORK/slurm/slurmctld.log
SlurmdLogFile=$WORK/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
KillWait=2
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$WORK/slurm/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" >"$WORK/slurm/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)' && break; sleep 0.2; done
sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)' \
  || skip "the Slurm node did not come up: $(tail -n 3 "$WORK/slurm/slurmctld.log" "$WORK/slurm/slurmd.log" 2>/dev/null | tr '\n' ' ')"
log "slurmctld and slurmd up on $HOST ($(sinfo -V))"

# 3. Two 4-task arrays through the shipped sbatch script.
submit() { # ARRAY OUT TILE_ARGS
  sbatch --parsable --array="$1" --cpus-per-task=1 --chdir="$WORK/jobs" \
    --export=ALL,WSI="dotnet $WSI_DLL",WSI_MANIFEST="$MANIFEST",WSI_OUT="$2",WSI_SHARDS=4,WSI_TILE_ARGS="$3" \
    "$ROOT/deploy/slurm/tile-array.sbatch"
}
wait_job() { for _ in $(seq 1500); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.2; done; fail "job $1 did not finish in 5 minutes"; }
WDS=$(submit 0-3 "$WORK/array/wds" "--size 256") || fail "sbatch"
DZI=$(submit 0-3 "$WORK/array/dzi" "--format dzi") || fail "sbatch"
JOBS+=("$WDS" "$DZI")
log "submitted arrays $WDS (webdataset) and $DZI (dzi)"

# 4. Cancel DeepZoom task 2 once it has finished one slide (so it dies with slides left, one of them half-written).
cancelled=""
for _ in $(seq 1500); do
  if grep -q '^\[1/' "$WORK/jobs/wsi-tile-${DZI}_2.err" 2>/dev/null; then scancel "${DZI}_2"; cancelled=yes; break; fi
  [ "$(squeue -h -j "${DZI}_2" -o %T 2>/dev/null)" = "" ] && [ -f "$WORK/jobs/wsi-tile-${DZI}_2.err" ] && break
  sleep 0.1
done
[ -n "$cancelled" ] || fail "task ${DZI}_2 ended before it could be cancelled mid-run"
wait_job "$WDS"; wait_job "$DZI"
state=$(sacct -n -j "${DZI}_2" -o State 2>/dev/null | head -n1 | tr -d ' ' || true)
share=$(sed -n 's/^wsi tile: shard 2\/4: \([0-9]*\) of .*/\1/p' "$WORK/jobs/wsi-tile-${DZI}_2.err")
finished=$(grep -c '^\[' "$WORK/jobs/wsi-tile-${DZI}_2.err")
[ -n "$share" ] && [ "$finished" -lt "$share" ] || fail "task ${DZI}_2 finished all its ${share:-?} slides before the cancel took effect"
log "cancelled ${DZI}_2 mid-run${state:+ (state $state)}: $finished of its $share slides done"
if dotnet "$WSI_DLL" tile --check "$WORK/array/dzi" >"$WORK/check-before.txt" 2>&1; then fail "wsi tile --check passed with task 2 cancelled"; fi
log "wsi tile --check after the cancel: $(tail -n 1 "$WORK/check-before.txt")"

# 5. Resubmit index 2 alone; then everything must be done and equal the single-process run.
AGAIN=$(submit 2 "$WORK/array/dzi" "--format dzi") || fail "sbatch (resubmission)"
JOBS+=("$AGAIN")
wait_job "$AGAIN"
for f in "$WORK"/jobs/*.err; do grep -q FAILED "$f" && fail "a task reported a failed slide: $f"; done
dotnet "$WSI_DLL" tile --check "$WORK/array/wds" >/dev/null || fail "wsi tile --check (webdataset): $(dotnet "$WSI_DLL" tile --check "$WORK/array/wds")"
dotnet "$WSI_DLL" tile --check "$WORK/array/dzi" >/dev/null || fail "wsi tile --check (dzi): $(dotnet "$WSI_DLL" tile --check "$WORK/array/dzi")"
for format in wds dzi; do
  diff -r "$WORK/single/$format" "$WORK/array/$format" >"$WORK/diff-$format.txt" 2>&1 || fail "$format: the array's output differs from the single-process run: $(head -n 5 "$WORK/diff-$format.txt")"
done
tars=$(find "$WORK/array/wds" -name '*.tar' | wc -l); tiles=$(find "$WORK/array/dzi" -name '*.jpeg' | wc -l); indexes=$(find "$WORK/array" -name '*.parquet' | wc -l)
stop_daemons
log "passed in $(( $(date +%s) - START )) s: $SLIDES slides, 2 arrays of 4 tasks, ${DZI}_2 cancelled and resubmitted; $tars tar shards, $tiles DeepZoom tiles, $indexes Parquet indexes byte-identical to one process"
