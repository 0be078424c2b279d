#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU, runs the conformance matrix on the `vulkan` (NVIDIA driver) and
# `ilgpu` (CUDA) backends with JUnit/JSON reports, and `accel bench` of every corpus model on vulkan, ilgpu and the
# CPU delegate; everything goes under $OUT (else ./device-check-out). Bounded: every step has a time limit and the
# whole run stays under 8 minutes. On a machine without an NVIDIA GPU it says so and exits 0.
#
#   scripts/device-check.sh              run the check (needs `dotnet`, or a build made by --prepare)
#   scripts/device-check.sh --prepare    here, with the .NET SDK: publish a self-contained `accel` into
#                                        .device-check/accel (git-ignored) and copy the corpus models into
#                                        .device-check/models, so a machine without .NET can run the check
#
# A GPU machine lent through the device tool has no .NET SDK and no network: run --prepare here, then carry
# `.device-check` (see perf/README.md, "On a GPU"). Env: OUT, ACCEL_CACHE (models; default ~/.cache/accel),
# DEVICE_CHECK_BUDGET_S (default 450).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREPARED="$REPO_ROOT/.device-check"
log() { echo "device-check: $*" >&2; }

if [[ "${1:-}" == "--prepare" ]]; then
  set -e
  command -v dotnet >/dev/null || { log "error: --prepare needs the .NET SDK"; exit 2; }
  models="${ACCEL_CACHE:-$HOME/.cache/accel}/models"
  [[ -d "$models" ]] || { log "error: no corpus models in $models: run scripts/ensure-assets.sh"; exit 2; }
  rm -rf "$PREPARED"
  mkdir -p "$PREPARED/models"
  log "publishing a self-contained accel (linux-x64, one compressed file)"
  dotnet publish "$REPO_ROOT/Accel.Cli" -c Release -r linux-x64 --self-contained true \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -o "$PREPARED/accel" >"$PREPARED/publish.log" 2>&1 || { log "error: publish failed, see $PREPARED/publish.log"; exit 1; }
  cp "$models"/*.tflite "$PREPARED/models/"
  du -sh "$PREPARED/accel" "$PREPARED/models" >&2
  log "prepared $PREPARED; carry it to the GPU machine"
  exit 0
fi

# Results are written to a work folder, then packed: $OUT gets summary.txt and device-check.tar.gz (the device tool
# brings back at most 8 files).
DEST="${OUT:-$REPO_ROOT/device-check-out}"
mkdir -p "$DEST"
OUT_DIR="$(mktemp -d)"
SUMMARY="$OUT_DIR/summary.txt"
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
finish() {
  cp "$SUMMARY" "$DEST/summary.txt"
  tar -C "$OUT_DIR" -czf "$DEST/device-check.tar.gz" . 2>/dev/null || true
  rm -rf "$OUT_DIR"
}
trap finish EXIT

# --- Is there an NVIDIA GPU? ----------------------------------------------------------------------------------------
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpus="$(timeout 30 nvidia-smi -L 2>/dev/null)" || [[ -z "$gpus" ]]; then
  say "device-check: no NVIDIA GPU on this machine (nvidia-smi is missing or lists no device): nothing to check."
  exit 0
fi
say "device-check: $(echo "$gpus" | head -1)"
timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$OUT_DIR/nvidia-smi.csv" 2>&1 || true

# --- The accel command: a prepared build, else dotnet -------------------------------------------------------------
if [[ -x "$PREPARED/accel/accel" ]]; then
  ACCEL=("$PREPARED/accel/accel")
elif command -v dotnet >/dev/null; then
  log "building accel (Release)"
  dotnet build "$REPO_ROOT/Accel.Cli" -c Release >"$OUT_DIR/build.log" 2>&1 || { say "build failed: see build.log"; exit 1; }
  ACCEL=(dotnet "$REPO_ROOT/Accel.Cli/bin/Release/net10.0/accel.dll")
else
  say "device-check: no .NET SDK and no prepared build: run 'scripts/device-check.sh --prepare' on a machine with the SDK and carry .device-check"
  exit 1
fi
if [[ -d "$PREPARED/models" ]]; then export ACCEL_CACHE="$PREPARED/cache"; mkdir -p "$ACCEL_CACHE"; ln -sfn "$PREPARED/models" "$ACCEL_CACHE/models"; fi
MODELS="${ACCEL_CACHE:-$HOME/.cache/accel}/models"

# The NVIDIA Vulkan ICD, where the driver ships one outside the loader's default paths.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [[ -f "$icd" && -z "${VK_DRIVER_FILES:-}" ]]; then export VK_DRIVER_FILES="$icd"; fi
done

BUDGET="${DEVICE_CHECK_BUDGET_S:-450}"
START=$SECONDS
left() { echo $(( BUDGET - (SECONDS - START) )); }
# run NAME LIMIT_S COMMAND… : runs with a limit no longer than the budget left; records the exit status.
run() {
  local name="$1" limit="$2"; shift 2
  local remaining; remaining="$(left)"
  if (( remaining < 15 )); then say "$name: skipped (time budget spent)"; return 0; fi
  (( limit > remaining )) && limit="$remaining"
  timeout --kill-after=10 "$limit" "$@" >"$OUT_DIR/$name.log" 2>&1
  local rc=$?
  say "$name: exit $rc ($(( SECONDS - START )) s elapsed)"
}

# --- Conformance: every case on each GPU backend, bit for bit against the goldens ------------------------------------
run conform-vulkan 150 "${ACCEL[@]}" conform --backend vulkan --junit "$OUT_DIR/conform-vulkan.xml" --json "$OUT_DIR/conform-vulkan.json"
ACCEL_ILGPU_ACCELERATOR=cuda run conform-ilgpu 150 "${ACCEL[@]}" conform --backend ilgpu --junit "$OUT_DIR/conform-ilgpu.xml" --json "$OUT_DIR/conform-ilgpu.json"

# --- Latency: every corpus model on cpu, vulkan and ilgpu (CUDA) ----------------------------------------------------
for model in "$MODELS"/*.tflite; do
  name="$(basename "$model" .tflite)"
  for backend in cpu vulkan ilgpu; do
    ACCEL_ILGPU_ACCELERATOR=cuda run "bench-$name-$backend" 40 "${ACCEL[@]}" bench "$model" --delegate "$backend" \
      --warmup 5 --runs 30 --max-secs 10 --json "$OUT_DIR/bench-$name-$backend.json"
  done
done
say "device-check: done in $(( SECONDS - START )) s; results in $DEST (summary.txt, device-check.tar.gz)"
exit 0
