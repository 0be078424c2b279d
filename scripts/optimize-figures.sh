#!/usr/bin/env bash
# Makes every optimized variant of the four corpus task models with the CLI and keeps each report: the figures of
# docs/optimize.md §Corpus figures and perf/RESULTS.md §Optimized models. Usage: scripts/optimize-figures.sh OUTDIR
# (needs scripts/ensure-assets.sh's models and photos, and a Release build of Accel.Cli). Latency figures need a quiet
# machine; the rest is deterministic.
set -euo pipefail
out=${1:?usage: scripts/optimize-figures.sh OUTDIR}
mkdir -p "$out"
cd "$(dirname "$0")/.."
accel=(dotnet Accel.Cli/bin/Release/net10.0/accel.dll)
cache=${ACCEL_CACHE:-$HOME/.cache/accel}
models=$cache/models images=$cache/images
photos=(--task-images "$images/astronaut.png" --task-images "$images/camera.png" --task-images "$images/chelsea.png")
for spec in "face_detection_short_range 127.5 127.5" "selfie_segmentation 0 255" "hand_landmark_lite 0 255" "pose_landmark_lite 0 255"; do
  read -r name mean std <<<"$spec"
  src=$models/$name.tflite
  norm=(--mean "$mean" --std "$std")
  for mode in fp16 dynamic int8 int16x8; do
    "${accel[@]}" quantize "$src" -o "$out/${name}_$mode.tflite" --mode $mode -c "$images/astronaut.png" "${norm[@]}" "${photos[@]}" --report "$out/${name}_$mode.json"
  done
  "${accel[@]}" prune "$src" -o "$out/${name}_pruned50.tflite" --sparsity 0.5 -i "$images/astronaut.png" "${norm[@]}" "${photos[@]}" --report "$out/${name}_pruned50.json"
  "${accel[@]}" prune "$src" -o "$out/${name}_pruned50g.tflite" --sparsity 0.5 --scope global -i "$images/astronaut.png" "${norm[@]}" "${photos[@]}" --report "$out/${name}_pruned50g.json"
  # Prune, then quantize the pruned file: its report compares with the pruned float model.
  "${accel[@]}" quantize "$out/${name}_pruned50.tflite" -o "$out/${name}_pruned50_int8.tflite" --mode int8 -c "$images/astronaut.png" "${norm[@]}" "${photos[@]}" --report "$out/${name}_pruned50_int8.json"
done
