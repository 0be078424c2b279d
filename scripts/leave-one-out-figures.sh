#!/usr/bin/env bash
# Reproduces docs/optimize.md §Leave-one-out: int8 face detection and selfie segmentation calibrated on two of the three
# photos (astronaut, camera, chelsea) and evaluated on the third, for each calibration setting of the tables.
# Usage: scripts/leave-one-out-figures.sh   (OUT=folder for the models and JSON reports, default /tmp/leave-one-out-figures)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${ACCEL_CACHE:-$HOME/.cache/accel}; IMG=$CACHE/images
OUT=${OUT:-/tmp/leave-one-out-figures}; mkdir -p "$OUT"
ACCEL=(dotnet Accel.Cli/bin/Release/net10.0/accel.dll)
quantize() { # label, model, mean, std, task, args...
  local label=$1 model=$2 mean=$3 std=$4 task=$5; shift 5
  "${ACCEL[@]}" quantize "$CACHE/models/$model.tflite" -o "$OUT/$label.tflite" --mode int8 --mean "$mean" --std "$std" --no-latency \
    --task "$task" "$@" --json > "$OUT/$label.json"
  python3 -c "
import json; t = json.load(open('$OUT/$label.json'))['taskAccuracy']
print('$label', ' | '.join('%s = %.4g%s' % (c['name'], c['achieved'], '' if c['met'] else ' (missed)') for c in t['criteria']))"
}
leave_one_out() { # tag, model, mean, std, task, options...
  local tag=$1 model=$2 mean=$3 std=$4 task=$5; shift 5
  for held in astronaut camera chelsea; do
    others=(); for p in astronaut camera chelsea; do [[ $p == "$held" ]] || others+=(-c "$IMG/$p.png"); done
    quantize "$model-$tag-held-out-$held" "$model" "$mean" "$std" "$task" "${others[@]}" "$@" --task-images "$IMG/$held.png"
  done
}
F=(face_detection_short_range 127.5 127.5 face-detection)
leave_one_out minmax "${F[@]}"
leave_one_out p99.9 "${F[@]}" --range percentile --percentile 99.9
leave_one_out p99.9-views "${F[@]}" --range percentile --percentile 99.9 --calibration-views
leave_one_out p99.99 "${F[@]}" --range percentile
leave_one_out p99.99-wbc "${F[@]}" --range percentile --weight-bias-correction
leave_one_out mse "${F[@]}" --range mse
leave_one_out mse-views "${F[@]}" --range mse --calibration-views
leave_one_out mse-wbc "${F[@]}" --range mse --weight-bias-correction
leave_one_out eq "${F[@]}" --equalize
leave_one_out eq-p99.9 "${F[@]}" --equalize --range percentile --percentile 99.9
leave_one_out eq-p99.99 "${F[@]}" --equalize --range percentile
leave_one_out eq-mse "${F[@]}" --equalize --range mse
leave_one_out eq-views "${F[@]}" --equalize --calibration-views
leave_one_out eq-bc "${F[@]}" --equalize --bias-correction
leave_one_out eq-wbc "${F[@]}" --equalize --weight-bias-correction
S=(selfie_segmentation 0 255 segmentation)
leave_one_out minmax "${S[@]}"
leave_one_out p99.9 "${S[@]}" --range percentile --percentile 99.9
leave_one_out p99.9-views "${S[@]}" --range percentile --percentile 99.9 --calibration-views
leave_one_out mse "${S[@]}" --range mse
leave_one_out eq-wbc "${S[@]}" --equalize --weight-bias-correction
