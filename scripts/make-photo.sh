#!/usr/bin/env bash
# Make Accel's real test photograph: scikit-image's "astronaut" picture
# (NASA photo of Eileen Collins, public domain), as shipped in Debian's
# python3-skimage package at
#   /usr/lib/python3/dist-packages/skimage/data/astronaut.png   (512x512 RGB)
# It is decoded with Pillow (Debian's python3-pil) into raw interleaved RGB
# uint8, row-major (HWC), 512*512*3 = 786432 bytes:
#   $ACCEL_CACHE/images/astronaut_512x512_rgb_u8.bin
# The PNG is also kept as $ACCEL_CACHE/images/astronaut.png. From the same .deb
# it also extracts skimage/data/camera.png (the "cameraman", 512x512 grayscale;
# a second photo of a person) and skimage/data/chelsea.png (a cat, 451x300 RGB:
# a photo with no person in it), for Accel.Vision's tests, which decode them
# with SkiaSharp, so no .bin is made for them. All are verified against
# corpus/images.sha256.
#
# The full python3-skimage install pulls in ~50 packages (scipy, matplotlib...),
# so unless it is already installed this script only *downloads* its .deb
# (`apt-get download`, no install) and extracts the one PNG from it.
#
# Idempotent: if the .bin exists and verifies, it does nothing.
# Usage: scripts/make-photo.sh [--force]
# Env:   ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
IMAGES_DIR="$ACCEL_CACHE/images"
SUMS="$REPO_ROOT/corpus/images.sha256"
PNG_NAME="astronaut.png"
BIN_NAME="astronaut_512x512_rgb_u8.bin"
DEB_PNG_PATH="usr/lib/python3/dist-packages/skimage/data/astronaut.png"
# Further photos taken from the same .deb as they are (PNG only).
EXTRA_PNGS=(camera.png chelsea.png)
DEB_DATA_DIR="usr/lib/python3/dist-packages/skimage/data"

die() { echo "make-photo: error: $*" >&2; exit 1; }
log() { echo "make-photo: $*" >&2; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$arg' (use --force or --help)" ;;
  esac
done

[[ -f "$SUMS" ]] || die "checksum list $SUMS is missing"

expected_sum() {
  awk -v f="$1" '$2 == f || $2 == "*" f { print $1; found = 1; exit } END { if (!found) exit 1 }' "$SUMS" \
    || die "no checksum for $1 in $SUMS"
}
# ok NAME -> 0 if $IMAGES_DIR/NAME exists and matches
ok() {
  [[ -f "$IMAGES_DIR/$1" ]] && [[ "$(sha256sum "$IMAGES_DIR/$1" | cut -d' ' -f1)" == "$(expected_sum "$1")" ]]
}

extras_ok() {
  local f
  for f in "${EXTRA_PNGS[@]}"; do ok "$f" || return 1; done
}

if [[ $FORCE -eq 0 ]] && ok "$BIN_NAME" && extras_ok; then
  exit 0
fi

mkdir -p "$IMAGES_DIR"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/accel-make-photo.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# 1. The PNGs.
if [[ $FORCE -eq 1 ]] || ! ok "$PNG_NAME" || ! extras_ok; then
  if [[ -f "/$DEB_PNG_PATH" ]]; then
    log "using /$DEB_DATA_DIR (python3-skimage is installed)"
    cp "/$DEB_PNG_PATH" "$TMP/$PNG_NAME"
    for f in "${EXTRA_PNGS[@]}"; do
      cp "/$DEB_DATA_DIR/$f" "$TMP/$f" || die "python3-skimage is installed but has no /$DEB_DATA_DIR/$f"
    done
  else
    command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian's python3-skimage package (for $PNG_NAME)"
    log "downloading Debian package python3-skimage (only to extract $PNG_NAME ${EXTRA_PNGS[*]})"
    chmod 0777 "$TMP"   # let apt's _apt sandbox user write the .deb here
    if ! (cd "$TMP" && apt-get download python3-skimage >"$TMP/apt.log" 2>&1); then
      log "apt-get download failed; refreshing package lists (apt-get update) and retrying"
      as_root apt-get update >"$TMP/apt-update.log" 2>&1 || { cat "$TMP/apt-update.log" >&2; die "apt-get update failed"; }
      (cd "$TMP" && apt-get download python3-skimage >"$TMP/apt.log" 2>&1) \
        || { cat "$TMP/apt.log" >&2; die "apt-get download python3-skimage failed"; }
    fi
    deb="$(ls "$TMP"/python3-skimage_*.deb 2>/dev/null | head -n 1)"
    [[ -n "$deb" ]] || die "apt-get download did not produce python3-skimage_*.deb"
    for f in "$PNG_NAME" "${EXTRA_PNGS[@]}"; do
      dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$DEB_DATA_DIR/$f" >"$TMP/$f" \
        || die "could not extract $DEB_DATA_DIR/$f from $deb"
    done
  fi
  for f in "$PNG_NAME" "${EXTRA_PNGS[@]}"; do
    got="$(sha256sum "$TMP/$f" | cut -d' ' -f1)"
    want="$(expected_sum "$f")"
    [[ "$got" == "$want" ]] || die "SHA-256 mismatch for $f: expected $want, got $got (a different python3-skimage version?)"
    mv -f "$TMP/$f" "$IMAGES_DIR/$f"
  done
fi

# 2. Decode with Pillow. Use Debian's interpreter first: a pyenv/venv
#    `python3` earlier on PATH does not see Debian's dist-packages.
PY=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import PIL' >/dev/null 2>&1; then PY="$cand"; break; fi
done
if [[ -z "$PY" ]]; then
  log "Pillow not found; installing Debian package python3-pil"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pil >"$TMP/apt-pil.log" 2>&1 \
    || { cat "$TMP/apt-pil.log" >&2; die "apt-get install python3-pil failed (try 'apt-get update' first)"; }
  /usr/bin/python3 -c 'import PIL' || die "python3-pil installed but /usr/bin/python3 cannot import PIL"
  PY=/usr/bin/python3
fi

"$PY" - "$IMAGES_DIR/$PNG_NAME" "$TMP/$BIN_NAME" <<'PYEOF'
import sys
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
im = Image.open(src)
im.load()
if im.size != (512, 512):
    sys.exit(f"make-photo: error: {src} is {im.size}, expected 512x512")
if im.mode != "RGB":
    sys.exit(f"make-photo: error: {src} has mode {im.mode}, expected RGB")
data = im.tobytes()  # interleaved RGB, row-major, no colour management
if len(data) != 512 * 512 * 3:
    sys.exit(f"make-photo: error: decoded {len(data)} bytes, expected 786432")
with open(dst, "wb") as f:
    f.write(data)
PYEOF

got="$(sha256sum "$TMP/$BIN_NAME" | cut -d' ' -f1)"
want="$(expected_sum "$BIN_NAME")"
[[ "$got" == "$want" ]] || die "SHA-256 mismatch for $BIN_NAME: expected $want, got $got"
mv -f "$TMP/$BIN_NAME" "$IMAGES_DIR/$BIN_NAME"
log "wrote $IMAGES_DIR/$BIN_NAME (786432 bytes, RGB u8 HWC)"
