#!/usr/bin/env bash
# Reproduces docs/optimize.md §Calibration augmentation: selfie segmentation pruned with reconstruction, calibrated on the
# astronaut's six views with and without --augment N, task accuracy on astronaut, camera and chelsea (one-photo protocol),
# then leave-one-out (calibrated on the two photos other than the evaluated one). Usage: scripts/augment-figures.sh [N] [SPARSITY]
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
