#!/usr/bin/env bash
# Reproduces docs/optimize.md §Calibration augmentation: selfie segmentation pruned with reconstruction, calibrated on the
# astronaut's six views with and without --augment N, task accuracy on astronaut, camera and chelsea (one-photo protocol),
# then leave-one-out (calibrated on the two photos other than the evaluated one); then int8 min/max of selfie and face
# detection the same two ways. Usage: scripts/augment-figures.sh [N] [SPARSITY]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-4}; S=${2:-0.25}
CACHE=${ACCEL_CACHE:-$HOME/.cache/accel}
MODEL=$CACHE/models/selfie_segmentation.tflite; IMG=$CACHE/images
OUT=${OUT:-/tmp/augment-figures}; mkdir -p "$OUT"
ACCEL=(dotnet Accel.Cli/bin/Release/net10.0/accel.dll)
prune() { # label, calibration args..., -- task images...
  local label=$1; shift
  "${ACCEL[@]}" prune "$MODEL" -o "$OUT/$label.tflite" --sparsity "$S" --method reconstruct --mean 0 --std 255 --no-latency \
    --task segmentation "$@" --json > "$OUT/$label.json"
  python3 -c "import json,sys; t=json.load(open('$OUT/$label.json'))['taskAccuracy']; print('$label', json.dumps(t['criteria']))"
}
# One-photo protocol: calibrate on the astronaut (six views), evaluate on all three.
prune "views" -c "$IMG/astronaut.png" --calibration-views --task-images "$IMG/astronaut.png" --task-images "$IMG/camera.png" --task-images "$IMG/chelsea.png"
prune "views+augment$N" -c "$IMG/astronaut.png" --calibration-views --augment "$N" --task-images "$IMG/astronaut.png" --task-images "$IMG/camera.png" --task-images "$IMG/chelsea.png"
# Leave-one-out: calibrate on the other two photos, evaluate on the held-out one.
for held in astronaut camera chelsea; do
  others=(); for p in astronaut camera chelsea; do [[ $p == "$held" ]] || others+=(-c "$IMG/$p.png"); done
  prune "loo-$held" "${others[@]}" --calibration-views --task-images "$IMG/$held.png"
  prune "loo-$held+augment$N" "${others[@]}" --calibration-views --augment "$N" --task-images "$IMG/$held.png"
done
# int8 min/max (no views): selfie and face detection, one-photo protocol and leave-one-out.
quantize() { # label, model, mean, std, task, args...
  local label=$1 model=$2 mean=$3 std=$4 task=$5; shift 5
  "${ACCEL[@]}" quantize "$CACHE/models/$model.tflite" -o "$OUT/$label.tflite" --mode int8 --mean "$mean" --std "$std" --no-latency \
    --task "$task" "$@" --json > "$OUT/$label.json"
  python3 -c "import json; t=json.load(open('$OUT/$label.json'))['taskAccuracy']; print('$label', json.dumps(t['criteria']))"
}
for spec in "selfie_segmentation 0 255 segmentation" "face_detection_short_range 127.5 127.5 face-detection"; do
  read -r model mean std task <<< "$spec"
  quantize "$model-int8" "$model" "$mean" "$std" "$task" -c "$IMG/astronaut.png" --task-images "$IMG/astronaut.png" --task-images "$IMG/camera.png" --task-images "$IMG/chelsea.png"
  quantize "$model-int8+augment$N" "$model" "$mean" "$std" "$task" -c "$IMG/astronaut.png" --augment "$N" --task-images "$IMG/astronaut.png" --task-images "$IMG/camera.png" --task-images "$IMG/chelsea.png"
  for held in astronaut camera chelsea; do
    others=(); for p in astronaut camera chelsea; do [[ $p == "$held" ]] || others+=(-c "$IMG/$p.png"); done
    quantize "$model-int8-loo-$held" "$model" "$mean" "$std" "$task" "${others[@]}" --task-images "$IMG/$held.png"
    quantize "$model-int8-loo-$held+augment$N" "$model" "$mean" "$std" "$task" "${others[@]}" --augment "$N" --task-images "$IMG/$held.png"
  done
done
