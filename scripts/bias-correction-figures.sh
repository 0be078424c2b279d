#!/usr/bin/env bash
# Reproduces docs/optimize.md §Bias correction of pruned models, leave-one-out table: each corpus task model pruned with
# and without --bias-correction, calibrated on the six views of two photos and evaluated on the third, for each photo.
# Usage: scripts/bias-correction-figures.sh [OUTDIR] (needs scripts/ensure-assets.sh's models and photos, and a Release
# build of Accel.Cli; about 3 minutes on 2 vCPUs). The one-photo table: Accel.Vision.Tests ReconstructionPruningFigures
# with the run parameter biascorrection=true.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/bias-correction-figures}; mkdir -p "$OUT"
CACHE=${ACCEL_CACHE:-$HOME/.cache/accel}; IMG=$CACHE/images; MODELS=$CACHE/models
ACCEL=(dotnet Accel.Cli/bin/Release/net10.0/accel.dll)
run() { # model task mean std sparsity method none|bc held
  local model=$1 task=$2 mean=$3 std=$4 s=$5 method=$6 bc=$7 held=$8
  local others=() extra=()
  for p in astronaut camera chelsea; do [[ $p == "$held" ]] || others+=(-c "$IMG/$p.png"); done
  [[ $bc == bc ]] && extra=(--bias-correction)
  local label="$model-$method-$s-$bc-$held"
  "${ACCEL[@]}" prune "$MODELS/$model.tflite" -o "$OUT/$label.tflite" --sparsity "$s" --method "$method" --mean "$mean" --std "$std" \
    --no-latency --task "$task" "${others[@]}" --calibration-views "${extra[@]}" --task-images "$IMG/$held.png" --json > "$OUT/$label.json"
  python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['taskAccuracy']; print(sys.argv[2], ' | '.join(f\"{c['name']} {c['achieved']:.4g}{'' if c['met'] else ' MISSED'}\" for c in t['criteria']))" \
    "$OUT/$label.json" "$label"
}
for held in astronaut camera chelsea; do
  for bc in none bc; do
    run selfie_segmentation segmentation 0 255 0.25 magnitude $bc $held
    run selfie_segmentation segmentation 0 255 0.5 magnitude $bc $held
    run selfie_segmentation segmentation 0 255 0.25 reconstruct $bc $held
    run face_detection_short_range face-detection 127.5 127.5 0.25 magnitude $bc $held
    run pose_landmark_lite landmarks 0 255 0.5 magnitude $bc $held
  done
done
