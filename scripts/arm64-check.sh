#!/usr/bin/env bash
# The linux-arm64 check: publishes `accel` self-contained for linux-arm64 (ReadyToRun images compiled for arm64 by
# crossgen2), runs it under qemu-aarch64 (user-mode emulation of an ARMv8 CPU, Debian's qemu-user) and runs the whole
# conformance suite on the `reference` and `cpu` backends there: every case's outputs bit for bit against the goldens
# made on x86-64 (conformance/cases/goldens.json). On arm64 .NET accelerates Vector128 alone (AdvSimd, NEON), so the
# CPU delegate runs its 128-bit kernels, and the JIT makes its own instruction choices (fused multiply-add, conversions,
# NaN handling of min/max): what docs/numerics.md promises holds there too or this check fails. Then two examples must
# give the x86-64 build's results: the README's photo example (`accel detect` on the astronaut photo, SkiaSharp's arm64
# native library decoding and drawing: the same detections, the same PNG bytes) and an int8 model (face_detection_short_range
# quantized by `accel quantize --mode int8` on x86-64, run by `accel run` on both: the same outputs' SHA-256), whose
# integer GEMM runs NEON blocks on arm64.
#
#   scripts/arm64-check.sh                       all cases on qemu's `max` CPU (ARMv8.x with every extension qemu has)
#   scripts/arm64-check.sh --cpu cortex-a53      another CPU model (`qemu-aarch64 -cpu help` lists them; cortex-a53 is
#                                                ARMv8.0 without dot product or LSE atomics, as on a Raspberry Pi 3)
#   scripts/arm64-check.sh --cases FILTER        a subset (accel conform --cases syntax)
#   scripts/arm64-check.sh --conformance-only    without the two examples
#   scripts/arm64-check.sh --threads 2           the cpu delegate's threads in each shard (default 1; qemu runs the guest
#                                                threads on host threads, with the host's memory ordering, so this
#                                                checks the pool's code on arm64, not ARM's weaker ordering)
#
# Writes conformance-arm64.json, .xml (JUnit) and .html, summary.txt, the shards' logs and the examples' outputs
# (detect-{x64,arm64}.txt, faces-{x64,arm64}.png, int8-{x64,arm64}.txt) under $OUT (default: arm64-check-out in the
# repository). Exit status: 0 when every cell is bit-exact and the examples match, 1 on a mismatch, an error, a shard
# that did not finish in time or an example that differs, 2 when something it needs is missing (scripts/ensure-packages.sh installs qemu-user and the arm64 C/C++ runtime and OpenSSL).
# Env: OUT, ACCEL_CACHE (the corpus models; default ~/.cache/accel), ARM64_CHECK_SHARDS (parallel qemu processes;
# default: the logical processors), ARM64_CHECK_TIMEOUT_S (per shard; default 2400), ARM64_CHECK_QEMU (the emulator;
# default qemu-aarch64), ARM64_CHECK_PUBLISHED (a folder with an accel already published for linux-arm64: no publish).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "arm64-check: $*" >&2; }
missing() { log "error: $*; scripts/ensure-packages.sh installs it (qemu-user and libc6, libstdc++6, libssl3 for arm64)"; exit 2; }

cpu=max
cases=""
threads=1
examples=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cpu) [[ $# -ge 2 ]] || { log "error: --cpu needs a CPU model"; exit 2; }; cpu="$2"; shift 2 ;;
    --cases) [[ $# -ge 2 ]] || { log "error: --cases needs a filter"; exit 2; }; cases="$2"; shift 2 ;;
    --conformance-only) examples=0; shift ;;
    --threads) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { log "error: --threads needs a positive number"; exit 2; }; threads="$2"; shift 2 ;;
    *) log "error: unknown argument '$1' (usage: scripts/arm64-check.sh [--cpu MODEL] [--cases FILTER] [--threads N] [--conformance-only])"; exit 2 ;;
  esac
done

qemu="${ARM64_CHECK_QEMU:-qemu-aarch64}"
command -v "$qemu" >/dev/null || missing "$qemu not found"
[[ -e /lib/ld-linux-aarch64.so.1 ]] || missing "no arm64 dynamic loader (/lib/ld-linux-aarch64.so.1)"
for lib in libstdc++.so.6 libssl.so.3; do
  [[ -e "/usr/lib/aarch64-linux-gnu/$lib" ]] || missing "no arm64 $lib in /usr/lib/aarch64-linux-gnu"
done
published="${ARM64_CHECK_PUBLISHED:-}"
[[ -n "$published" ]] || command -v dotnet >/dev/null || missing "dotnet not found"
models="${ACCEL_CACHE:-$HOME/.cache/accel}/models"
[[ -d "$models" ]] || { log "error: no corpus models in $models: run scripts/ensure-assets.sh"; exit 2; }
photo_in="${ACCEL_CACHE:-$HOME/.cache/accel}/images/astronaut.png"
detector="$models/face_detection_short_range.tflite"
if [[ $examples -eq 1 ]]; then
  [[ -f "$photo_in" && -f "$detector" ]] || { log "error: no $photo_in or $detector: run scripts/ensure-assets.sh"; exit 2; }
fi

DEST="${OUT:-$REPO_ROOT/arm64-check-out}"
rm -rf "$DEST"
mkdir -p "$DEST"
examples() { # ARCH ACCEL-COMMAND... ; writes detect-ARCH.txt, faces-ARCH.png and int8-ARCH.txt (the outputs' table)
  local arch="$1"; shift
  "$@" detect "$photo_in" --model "$detector" -o "$DEST/faces-$arch.png" >"$DEST/detect-$arch.txt" 2>&1 \
    || { cat "$DEST/detect-$arch.txt" >&2; log "error: accel detect failed on linux-$arch"; return 1; }
  "$@" run "$DEST/face_detection_short_range.int8.tflite" --delegate cpu --random-seed 1 --no-color >"$DEST/run-$arch.txt" 2>&1 \
    || { cat "$DEST/run-$arch.txt" >&2; log "error: accel run of the int8 model failed on linux-$arch"; return 1; }
  sed -n '/^outputs:/,/^invoke/p' "$DEST/run-$arch.txt" | grep -v '^invoke' >"$DEST/int8-$arch.txt"
}
if [[ $examples -eq 1 ]]; then
  # The x86-64 side first, before the arm64 publish restores the projects for another runtime.
  log "the examples on linux-x64"
  dotnet build "$REPO_ROOT/Accel.Cli" -c Release --nologo -v q >"$DEST/build-x64.log" 2>&1 \
    || { tail -n 30 "$DEST/build-x64.log" >&2; log "error: the linux-x64 build failed"; exit 1; }
  x64=(dotnet "$REPO_ROOT/Accel.Cli/bin/Release/net10.0/accel.dll")
  "${x64[@]}" quantize "$detector" -o "$DEST/face_detection_short_range.int8.tflite" --mode int8 --calibration "$photo_in" --mean 127.5 --std 127.5 \
    --no-latency --task none >"$DEST/quantize.txt" 2>&1 \
    || { cat "$DEST/quantize.txt" >&2; log "error: accel quantize failed on linux-x64"; exit 1; }
  examples x64 "${x64[@]}" || exit 1
fi
if [[ -n "$published" ]]; then
  PUBLISH="$published"
  [[ -x "$PUBLISH/accel" ]] || { log "error: no accel in ARM64_CHECK_PUBLISHED=$PUBLISH"; exit 2; }
  log "using the accel in $PUBLISH"
else
  PUBLISH="$REPO_ROOT/.arm64-check/publish"
  rm -rf "$PUBLISH"
  mkdir -p "$PUBLISH"
  # Invariant globalization: accel formats in the invariant culture, so libicu for arm64 is not needed.
  log "publishing a self-contained accel for linux-arm64 (ReadyToRun)"
  if ! dotnet publish "$REPO_ROOT/Accel.Cli" -c Release -r linux-arm64 --self-contained true -p:InvariantGlobalization=true \
       -p:DebugType=none -p:GenerateDocumentationFile=false -o "$PUBLISH" >"$DEST/publish.log" 2>&1; then
    tail -n 30 "$DEST/publish.log" >&2
    log "error: the linux-arm64 publish failed (log: $DEST/publish.log)"
    exit 1
  fi
fi

# W^X off: the runtime writes JIT-compiled code through a second, writable mapping of its executable pages, and
# qemu-user, which invalidates its translations only on writes to the guest address it executes, would go on running
# stale code (seen: a NullReferenceException inside SortedSet<T> while reading the goldens).
export DOTNET_EnableWriteXorExecute=0
accel=("$qemu" -cpu "$cpu" "$PUBLISH/accel")
version="$("${accel[@]}" --version 2>&1)" || { log "error: accel does not start under qemu-aarch64 -cpu $cpu: $version"; exit 1; }
log "$version; qemu CPU model '$cpu'"
echo "$version under qemu-aarch64 -cpu $cpu ($("$qemu" --version | head -n 1))" >"$DEST/summary.txt"
summary() { echo "$*" | tee -a "$DEST/summary.txt"; }

shards="${ARM64_CHECK_SHARDS:-$(nproc)}"
limit="${ARM64_CHECK_TIMEOUT_S:-2400}"
filter=()
[[ -n "$cases" ]] && filter=(--cases "$cases")
pids=()
for ((i = 0; i < shards; i++)); do
  timeout --kill-after=30 "$limit" "${accel[@]}" conform --backend reference,cpu --threads "$threads" --shard "$i/$shards" \
    "${filter[@]}" --cases-dir "$REPO_ROOT/conformance/cases" --models-dir "$models" --quiet \
    --json "$DEST/shard-$i.json" >"$DEST/shard-$i.log" 2>&1 &
  pids+=($!)
done
status=0
for ((i = 0; i < shards; i++)); do
  wait "${pids[$i]}"
  code=$?
  case $code in
    0) ;;
    124|137) log "shard $i/$shards: cut off after ${limit} s"; status=1 ;;
    *) log "shard $i/$shards: exit $code"; tail -n 15 "$DEST/shard-$i.log" >&2; status=1 ;;
  esac
done

reports=("$DEST"/shard-*.json)
if [[ -e "${reports[0]}" ]]; then
  "${accel[@]}" conform merge "${reports[@]}" --json "$DEST/conformance-arm64.json" --junit "$DEST/conformance-arm64.xml" \
    --html "$DEST/conformance-arm64.html" >>"$DEST/summary.txt" 2>&1 || status=1
  cat "$DEST/summary.txt"
else
  log "error: no shard wrote a report"
  status=1
fi
if [[ $examples -eq 1 ]]; then
  if ! examples arm64 "${accel[@]}"; then
    summary "examples: failed on linux-arm64"
    status=1
  else
    if ! diff <(grep -v '^wrote ' "$DEST/detect-x64.txt") <(grep -v '^wrote ' "$DEST/detect-arm64.txt") >&2; then
      summary "photo example: linux-arm64 printed other detections than linux-x64"
      status=1
    elif ! cmp -s "$DEST/faces-x64.png" "$DEST/faces-arm64.png"; then
      summary "photo example: linux-arm64 wrote other PNG bytes than linux-x64"
      status=1
    else
      summary "photo example (accel detect astronaut.png): the detections and the PNG bytes of linux-x64"
    fi
    if [[ ! -s "$DEST/int8-x64.txt" ]] || ! diff "$DEST/int8-x64.txt" "$DEST/int8-arm64.txt" >&2; then
      summary "int8 model: linux-arm64's outputs are not linux-x64's"
      status=1
    else
      summary "int8 model (face_detection_short_range, accel quantize --mode int8): the outputs' SHA-256 of linux-x64"
    fi
  fi
fi
passed="every case bit-exact on linux-arm64 (qemu CPU '$cpu')"
[[ $examples -eq 1 ]] && passed="$passed, the examples as on linux-x64"
[[ $status -eq 0 ]] && log "PASS: $passed; reports in $DEST" \
                    || log "FAIL: see $DEST"
exit $status
