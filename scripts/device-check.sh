#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU, runs the conformance matrix on the `vulkan` (NVIDIA driver) and
# `ilgpu` (CUDA) backends with JUnit/JSON reports, and `accel bench` of every corpus model on vulkan, ilgpu and the
# CPU delegate; everything goes under $OUT (else ./device-check-out). Bounded: every step has a time limit and the
# whole run stays under 8 minutes. On a machine without an NVIDIA GPU it says so and exits 0.
#
#   scripts/device-check.sh              run the check (needs `dotnet`, or a build made by --prepare)
#   scripts/device-check.sh --prepare    here, with the .NET SDK: publish a self-contained `accel` and put it, the
#                                        corpus models and the photo into .device-check/carry-{1,2,3} (git-ignored),
#                                        one folder per device call, so a machine without .NET can run the check
#
# Each backend is checked on its own: a missing piece (no Vulkan loader, no NVIDIA Vulkan driver, no libcuda, a
# device that is not the NVIDIA GPU) is reported on the backend's line of summary.txt and skips that backend only.
# Pieces it arranges itself, without writing outside its work folder: the Vulkan loader and glvnd from `.gl/*.deb`
# (the device README's bundle) when the system has no libvulkan.so.1, the NVIDIA ICD file as the only Vulkan driver
# (so Mesa's lavapipe cannot be picked instead), and a `libcuda.so` link when the driver ships only libcuda.so.1
# (ILGPU opens `libcuda.so`).
#
# A GPU machine lent through the device tool has no .NET SDK and no network: run --prepare here, then carry
# .device-check/carry-1, carry-2 and carry-3 in three calls (perf/README.md, "On a GPU"). Env: OUT, ACCEL_CACHE (models; default ~/.cache/accel),
# DEVICE_CHECK_BUDGET_S (default 470), DEVICE_CHECK_CONFORM_S (the conformance deadline, default 200), DEVICE_CHECK_ACCEL (an accel command to use instead of the prepared build or
# dotnet), DEVICE_CHECK_MODELS (a folder of .tflite files instead of the prepared or cached corpus),
# DEVICE_CHECK_PREPARED (the prepared folder; default .device-check).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREPARED="${DEVICE_CHECK_PREPARED:-$REPO_ROOT/.device-check}"
log() { echo "device-check: $*" >&2; }

if [[ "${1:-}" == "--prepare" ]]; then
  set -e
  command -v dotnet >/dev/null || { log "error: --prepare needs the .NET SDK"; exit 2; }
  models="${ACCEL_CACHE:-$HOME/.cache/accel}/models"
  [[ -d "$models" ]] || { log "error: no corpus models in $models: run scripts/ensure-assets.sh"; exit 2; }
  rm -rf "$PREPARED"
  mkdir -p "$PREPARED/publish" "$PREPARED/carry-1" "$PREPARED/carry-2" "$PREPARED/carry-3"
  log "publishing a self-contained accel (linux-x64, one compressed file)"
  # No ReadyToRun (which a publish for a runtime turns on), no symbols or XML docs: the IL-only file is ~48.5 MB.
  # Invariant globalization: the lent machine's image need not have libicu, and accel formats in the invariant culture.
  dotnet publish "$REPO_ROOT/Accel.Cli" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=false \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:InvariantGlobalization=true -p:DebugType=none -p:GenerateDocumentationFile=false \
    -o "$PREPARED/publish" >"$PREPARED/publish.log" 2>&1 || { log "error: publish failed, see $PREPARED/publish.log"; exit 1; }
  # One device call carries at most 64 MiB, the repository's tracked files (~18 MB) included, and accel and the models
  # are ~100 MB: three folders, one per call (perf/README.md, "On a GPU"). accel travels in two pieces that the check
  # joins; carry-2 also holds pose_landmark_heavy (27 MB) and the model cases' photo as raw RGB bytes
  # (scripts/ensure-assets.sh makes it); carry-3 the other models.
  split -b 40000000 "$PREPARED/publish/accel" "$PREPARED/accel.part-"
  mv "$PREPARED/accel.part-aa" "$PREPARED/carry-1/"
  mv "$PREPARED"/accel.part-a? "$PREPARED/carry-2/"
  rm -rf "$PREPARED/publish"
  cp "${ACCEL_CACHE:-$HOME/.cache/accel}"/images/*_rgb_u8.bin "$PREPARED/carry-2/"
  for m in "$models"/*.tflite; do
    if [[ "$(basename "$m")" == pose_landmark_heavy.tflite ]]; then cp "$m" "$PREPARED/carry-2/"; else cp "$m" "$PREPARED/carry-3/"; fi
  done
  du -sh "$PREPARED"/carry-? >&2
  log "prepared $PREPARED; carry it to the GPU machine"
  exit 0
fi
[[ $# -eq 0 ]] || { log "error: unknown argument '$1' (usage: scripts/device-check.sh [--prepare])"; exit 2; }

# Results are written to a work folder, then packed: $OUT gets summary.txt, results.tsv and device-check.tar.gz (the
# device tool brings back at most 8 files).
DEST="${OUT:-$REPO_ROOT/device-check-out}"
mkdir -p "$DEST"
WORK="$(mktemp -d)"
OUT_DIR="$WORK/results"
mkdir -p "$OUT_DIR"
SUMMARY="$OUT_DIR/summary.txt"
RESULTS="$OUT_DIR/results.tsv"
: >"$SUMMARY"
printf 'step\tbackend\tmodel\texit\tfigure\tdetail\n' >"$RESULTS"
say() { echo "$*" | tee -a "$SUMMARY"; }
result() { local IFS=$'\t'; echo "$*" >>"$RESULTS"; }
finish() {
  cp "$SUMMARY" "$DEST/summary.txt"
  cp "$RESULTS" "$DEST/results.tsv"
  tar -C "$OUT_DIR" -czf "$DEST/device-check.tar.gz" . 2>/dev/null || true
  rm -rf "$WORK"
}
trap finish EXIT

# --- Is there an NVIDIA GPU? ----------------------------------------------------------------------------------------
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpus="$(timeout 30 nvidia-smi -L 2>/dev/null)" || [[ -z "$gpus" ]]; then
  say "device-check: no NVIDIA GPU on this machine (nvidia-smi is missing or lists no device): nothing to check."
  exit 0
fi
say "device-check: $(echo "$gpus" | head -1)"
timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$OUT_DIR/nvidia-smi.csv" 2>&1 || true

# --- The accel command: DEVICE_CHECK_ACCEL, a prepared build, else dotnet -------------------------------------------
if [[ -n "${DEVICE_CHECK_ACCEL:-}" ]]; then
  read -r -a ACCEL <<<"$DEVICE_CHECK_ACCEL"
elif parts=("$PREPARED"/carry-?/accel.part-*) && [[ -e "${parts[0]}" ]]; then
  # The prepared accel, in the pieces that travelled in separate calls (--prepare), joined in the work folder.
  cat "${parts[@]}" >"$WORK/accel" && chmod +x "$WORK/accel"
  ACCEL=("$WORK/accel")
elif command -v dotnet >/dev/null; then
  # The Vulkan shaders are compiled by glslc at build time; an up-to-date build needs none.
  command -v glslc >/dev/null || say "build: no glslc on this machine: the build fails unless the SPIR-V in Delegates.Vulkan/obj is up to date"
  log "building accel (Release)"
  dotnet build "$REPO_ROOT/Accel.Cli" -c Release >"$OUT_DIR/build.log" 2>&1 || { say "build: failed, see build.log (nothing else was run)"; exit 1; }
  ACCEL=(dotnet "$REPO_ROOT/Accel.Cli/bin/Release/net10.0/accel.dll")
else
  say "device-check: no .NET SDK and no prepared build: run 'scripts/device-check.sh --prepare' on a machine with the SDK and carry .device-check"
  exit 1
fi
if [[ -n "${DEVICE_CHECK_MODELS:-}" ]]; then
  MODELS="$DEVICE_CHECK_MODELS"
elif prepared=("$PREPARED"/carry-?/*.tflite) && [[ -e "${prepared[0]}" ]]; then
  # The prepared models arrive in two folders (two device calls): one folder of links to them.
  MODELS="$WORK/models"
  mkdir -p "$MODELS"
  ln -sf "${prepared[@]}" "$MODELS/"
else
  MODELS="${ACCEL_CACHE:-$HOME/.cache/accel}/models"
fi
# The conformance runner finds its models under $ACCEL_CACHE/models and the model cases' photo under $ACCEL_CACHE/images.
if [[ "$MODELS" != "${ACCEL_CACHE:-$HOME/.cache/accel}/models" ]]; then
  images="${ACCEL_CACHE:-$HOME/.cache/accel}/images"
  export ACCEL_CACHE="$WORK/cache"; mkdir -p "$ACCEL_CACHE/images"; ln -sfn "$MODELS" "$ACCEL_CACHE/models"
  for image in "$images"/* "$PREPARED"/carry-?/*_rgb_u8.bin; do [[ -e "$image" ]] && ln -sf "$image" "$ACCEL_CACHE/images/"; done
fi
shopt -s nullglob
model_files=("$MODELS"/*.tflite)
(( ${#model_files[@]} > 0 )) || say "models: none in $MODELS (bench skipped; conformance cases on corpus models fail)"

# ldconfig lives in /sbin, which a plain user's PATH may lack.
LDCONFIG="$(command -v ldconfig || echo /sbin/ldconfig)"
# has_library NAME: the dynamic linker can find NAME (ldconfig's cache or LD_LIBRARY_PATH).
has_library() {
  "$LDCONFIG" -p 2>/dev/null | awk -v name="$1" '$1 == name { found = 1 } END { exit !found }' && return 0
  local dir; IFS=: read -r -a dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}"; do [[ -n "$dir" && -e "$dir/$1" ]] && return 0; done
  return 1
}
prepend_library_path() { export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; }

# --- Vulkan: the loader, and the NVIDIA ICD as the only driver -------------------------------------------------------
VULKAN_MISSING=""
if ! has_library libvulkan.so.1; then
  debs=("$REPO_ROOT"/.gl/*.deb)
  if (( ${#debs[@]} > 0 )) && command -v dpkg >/dev/null; then
    # Unpacked into the work folder, not /: nothing on the machine changes.
    for deb in "${debs[@]}"; do dpkg -x "$deb" "$WORK/gl" 2>>"$OUT_DIR/gl-unpack.log"; done
    prepend_library_path "$WORK/gl/usr/lib/x86_64-linux-gnu"
    has_library libvulkan.so.1 && say "vulkan: loader libvulkan.so.1 unpacked from .gl/*.deb into the work folder"
  fi
  has_library libvulkan.so.1 || VULKAN_MISSING="no Vulkan loader (libvulkan.so.1): install libvulkan1, or carry the device README's .gl debs"
fi
NVIDIA_ICD=""
for icd in "${VK_DRIVER_FILES:-}" /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
  if [[ -n "$icd" && -f "$icd" ]]; then NVIDIA_ICD="$icd"; break; fi
done
if [[ -n "$NVIDIA_ICD" ]]; then
  # Only the NVIDIA driver: with lavapipe also installed the loader would list both.
  export VK_DRIVER_FILES="$NVIDIA_ICD"
  say "vulkan: driver file $NVIDIA_ICD"
elif [[ -z "$VULKAN_MISSING" ]]; then
  say "vulkan: no nvidia_icd.json found: the loader picks from the drivers it finds (checked below: the device must be NVIDIA's)"
fi

# --- CUDA: ILGPU opens libcuda.so; the driver may ship only libcuda.so.1 ---------------------------------------------
CUDA_MISSING=""
if ! has_library libcuda.so; then
  real=""
  IFS=: read -r -a dirs <<<"${LD_LIBRARY_PATH:-}"
  for candidate in "${dirs[@]/%//libcuda.so.1}" $("$LDCONFIG" -p 2>/dev/null | awk '$1 == "libcuda.so.1" { print $NF }') \
    /usr/local/nvidia/lib64/libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/lib64/libcuda.so.1; do
    # The toolkit's stubs/libcuda.so only reports errors: never link it.
    if [[ -e "$candidate" && "$candidate" != */stubs/* ]]; then real="$candidate"; break; fi
  done
  if [[ -n "$real" ]]; then
    mkdir -p "$WORK/cuda"
    ln -s "$real" "$WORK/cuda/libcuda.so"
    prepend_library_path "$WORK/cuda"
    say "ilgpu: libcuda.so linked to $real in the work folder"
  else
    CUDA_MISSING="no CUDA driver library (libcuda.so or libcuda.so.1)"
  fi
fi

BUDGET="${DEVICE_CHECK_BUDGET_S:-470}"
START=$SECONDS
left() { echo $(( BUDGET - (SECONDS - START) )); }
# run NAME LIMIT_S COMMAND… : runs with a limit no longer than the budget left; sets RC (124: timed out, 125: skipped).
run() {
  local name="$1" limit="$2"; shift 2
  local remaining; remaining="$(left)"
  if (( remaining < 15 )); then say "$name: skipped (time budget spent)"; RC=125; return 0; fi
  (( limit > remaining )) && limit="$remaining"
  timeout --kill-after=10 "$limit" "$@" >"$OUT_DIR/$name.log" 2>&1
  RC=$?
}
# The first `accel: error:` line of a log, else its last line.
why() { grep -m1 'accel: error:' "$1" 2>/dev/null || tail -n1 "$1" 2>/dev/null; }
bench_field() { sed -n "s/^$2: //p" "$1" 2>/dev/null | head -1; }
# The latency median of a bench JSON record (the first "median" in it: the latency summary's).
bench_median() { grep -m1 -o '"median": *[0-9.eE+-]*' "$1" 2>/dev/null | grep -o '[0-9.eE+-]*$' | awk '{ printf "%.3f ms", $1 }'; }

# --- Which backends can run here, and on what device ----------------------------------------------------------------
export ACCEL_ILGPU_ACCELERATOR=cuda
PROBE_MODEL=""
for m in "${model_files[@]}"; do [[ "$(basename "$m")" == face_detection_short_range.tflite ]] && PROBE_MODEL="$m"; done
[[ -z "$PROBE_MODEL" && ${#model_files[@]} -gt 0 ]] && PROBE_MODEL="${model_files[0]}"
declare -A READY
for backend in vulkan ilgpu; do
  missing=""
  [[ $backend == vulkan ]] && missing="$VULKAN_MISSING"
  [[ $backend == ilgpu ]] && missing="$CUDA_MISSING"
  if [[ -n "$missing" ]]; then
    say "$backend: unavailable: $missing (conformance and bench skipped)"
    result probe "$backend" - 125 - "$missing"
    continue
  fi
  if [[ -z "$PROBE_MODEL" ]]; then say "$backend: not probed (no model)"; continue; fi
  run "probe-$backend" 90 "${ACCEL[@]}" bench "$PROBE_MODEL" --delegate "$backend" --warmup 0 --runs 1 --no-history
  device="$(bench_field "$OUT_DIR/probe-$backend.log" device)"
  if (( RC != 0 )); then
    say "$backend: unavailable: $(why "$OUT_DIR/probe-$backend.log") (exit $RC; conformance and bench skipped)"
    result probe "$backend" - "$RC" - "$(why "$OUT_DIR/probe-$backend.log")"
  elif ! grep -qi nvidia <<<"$device"; then
    # A CPU implementation (lavapipe) or another GPU would label CPU figures as the NVIDIA GPU's.
    say "$backend: the device is '${device:-unknown}', not the NVIDIA GPU: skipped"
    result probe "$backend" - 0 - "not the NVIDIA GPU: ${device:-unknown}"
  else
    say "$backend: device $device"
    result probe "$backend" - 0 - "$device"
    READY[$backend]=1
  fi
done

# --- Conformance: every case on each GPU backend, bit for bit against the goldens ------------------------------------
# Each case builds its own delegate (a device context, kernels compiled for it), CPU work mostly, so the cases run in
# shards, several processes at once on the machine's cores, all under one deadline: model cases first, in their own
# shards, then the op cases, backends interleaved. A shard the deadline cuts off keeps its log (one line per case) and
# is counted as cut; the finished shards are merged into one JUnit/JSON report per backend.
CORES="$(nproc 2>/dev/null || echo 1)"
conform_backends=()
for backend in vulkan ilgpu; do [[ -n "${READY[$backend]:-}" ]] && conform_backends+=("$backend"); done
if (( ${#conform_backends[@]} > 0 )); then
  jobs=$(( CORES / 2 )); (( jobs < 1 )) && jobs=1; (( jobs > 8 )) && jobs=8
  model_shards=4 op_shards=16
  # At most DEVICE_CHECK_CONFORM_S (default 200 s), leaving the latency steps 120 s of the budget.
  limit="${DEVICE_CHECK_CONFORM_S:-200}"; remaining="$(left)"; (( limit > remaining - 120 )) && limit=$(( remaining - 120 ))
  (( limit < 5 )) && limit=5
  export DEADLINE=$(( $(date +%s) + limit )) ACCEL_LINE="${ACCEL[*]}" OUT_DIR
  # conform_shard BACKEND KIND INDEX COUNT: one shard of one kind of case, stopped at the deadline.
  conform_shard() {
    local name="conform-$1-$2-$3-of-$4" remaining=$(( DEADLINE - $(date +%s) )) accel
    if (( remaining < 3 )); then echo "not started: deadline" >"$OUT_DIR/$name.log"; echo 125 >"$OUT_DIR/$name.rc"; return 0; fi
    read -r -a accel <<<"$ACCEL_LINE"
    timeout --kill-after=5 "$remaining" "${accel[@]}" conform --backend "$1" --cases "$2/*" --shard "$3/$4" --threads 2 \
      --json "$OUT_DIR/$name.json" >"$OUT_DIR/$name.log" 2>&1
    echo $? >"$OUT_DIR/$name.rc"
  }
  export -f conform_shard
  {
    for (( i = 0; i < model_shards; i++ )); do for backend in "${conform_backends[@]}"; do echo "$backend model $i $model_shards"; done; done
    for (( i = 0; i < op_shards; i++ )); do for backend in "${conform_backends[@]}"; do echo "$backend op $i $op_shards"; done; done
  } | xargs -P "$jobs" -L 1 bash -c 'conform_shard "$@"' _
  for backend in "${conform_backends[@]}"; do
    reports=() cut=0 failed=0
    for rc_file in "$OUT_DIR"/conform-"$backend"-*-of-*.rc; do
      rc="$(cat "$rc_file")"; json="${rc_file%.rc}.json"
      if (( rc == 124 || rc == 137 || rc == 125 )); then cut=$(( cut + 1 )); continue; fi
      (( rc != 0 )) && failed=$(( failed + 1 ))
      [[ -s "$json" ]] && reports+=("$json")
    done
    shards=$(( model_shards + op_shards ))
    detail="${#reports[@]} of $shards shards reported, $cut cut off by the ${limit} s deadline, $failed exited non-zero"
    if (( ${#reports[@]} == 0 )); then
      say "conform-$backend: no shard finished ($detail)"
      result conform "$backend" - 124 - "$detail"
      continue
    fi
    run "conform-$backend" 60 "${ACCEL[@]}" conform merge "${reports[@]}" --junit "$OUT_DIR/conform-$backend.xml" --json "$OUT_DIR/conform-$backend.json"
    # The JUnit root element's counts: bit-exactness per backend at a glance.
    counts="$(grep -m1 -o '<testsuites[^>]*>' "$OUT_DIR/conform-$backend.xml" 2>/dev/null \
      | grep -o '\(tests\|failures\|errors\|skipped\)="[0-9]*"' | tr '\n' ' ' | sed 's/ $//')"
    say "conform-$backend: exit $RC${counts:+, $counts}; $detail ($(( SECONDS - START )) s elapsed)"
    result conform "$backend" - "$RC" "${counts:-}" "$detail"
  done
fi

# --- Latency: every corpus model on cpu (1 thread, and all cores on the largest model), vulkan and ilgpu (CUDA) ------
# pose_landmark_heavy first: it is the goal's model, and the budget may run out before the last ones.
ordered=()
for m in "${model_files[@]}"; do [[ "$(basename "$m")" == pose_landmark_heavy.tflite ]] && ordered+=("$m"); done
for m in "${model_files[@]}"; do [[ "$(basename "$m")" != pose_landmark_heavy.tflite ]] && ordered+=("$m"); done
(( CORES > 16 )) && CORES=16
for model in "${ordered[@]}"; do
  name="$(basename "$model" .tflite)"
  configs=("cpu 1")
  [[ $name == pose_landmark_heavy && $CORES -gt 1 ]] && configs+=("cpu $CORES")
  for backend in vulkan ilgpu; do [[ -n "${READY[$backend]:-}" ]] && configs+=("$backend 1"); done
  for config in "${configs[@]}"; do
    read -r backend threads <<<"$config"
    step="bench-$name-$backend"; (( threads > 1 )) && step+="-t$threads"
    run "$step" 30 "${ACCEL[@]}" bench "$model" --delegate "$backend" --threads "$threads" \
      --warmup 5 --runs 30 --max-secs 4 --no-history --json "$OUT_DIR/$step.json"
    log_file="$OUT_DIR/$step.log"
    if (( RC == 0 )); then
      median="$(bench_median "$OUT_DIR/$step.json")"
      say "$step: median ${median:-?}, first inference $(bench_field "$log_file" 'first inference' | cut -d' ' -f1-2), init $(bench_field "$log_file" init | cut -d' ' -f1-2)"
      result bench "$backend" "$name" 0 "$median" "threads $threads; $(bench_field "$log_file" device)"
    elif (( RC != 125 )); then
      say "$step: exit $RC: $(why "$log_file")"
      result bench "$backend" "$name" "$RC" - "$(why "$log_file")"
    fi
  done
done
say "device-check: done in $(( SECONDS - START )) s; results in $DEST (summary.txt, results.tsv, device-check.tar.gz)"
exit 0
