#!/usr/bin/env bash
# One command to install everything Accel needs on Debian 12 (run as root, or
# as a user with sudo), build it, and run the main job once:
#   1. apt packages (skipped when already installed)
#   2. checks: Node.js >= 20 with npm, .NET SDK
#   3. assets: oracle npm packages, the ten models, the photo (ensure-assets.sh)
#   4. dotnet build -c Release
#   5. main job: Accel.Cli runs face_detection_short_range on a seeded random
#      input; the LiteRT.js oracle runs the same input and the two are compared.
# Safe to re-run; finished steps are skipped quickly.
# Env: ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"
cd "$REPO_ROOT"

die() { echo "setup: error: $*" >&2; exit 1; }
log() { echo "setup: $*" >&2; }

TIMINGS=()
step_start=0
step_name=""
begin() { log "== $*"; step_name="$*"; step_start="$EPOCHREALTIME"; }
end() { TIMINGS+=("$(awk -v a="$step_start" -v b="$EPOCHREALTIME" -v n="$step_name" 'BEGIN { printf "%7.1f s  %s", b - a, n }')"); }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# --- 1. apt packages (scripts/ensure-packages.sh lists them and why) -----------
begin "apt packages (scripts/ensure-packages.sh)"
command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian 12"
"$REPO_ROOT/scripts/ensure-packages.sh"
end

# --- 2. toolchain checks -----------------------------------------------------
begin "toolchain checks"
command -v node >/dev/null || die "node not found: install Node.js >= 20 with npm (Debian 12's own nodejs package is 18, too old)"
command -v npm >/dev/null || die "npm not found: install npm for Node.js >= 20"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" -ge 20 ]] || die "Node.js >= 20 required, found $(node --version)"
command -v dotnet >/dev/null || die "dotnet not found: install the .NET 10 SDK"
log "node $(node --version), npm $(npm --version), dotnet $(dotnet --version)"
end

# --- 3. assets (npm ci for the oracle, models, photo) --------------------------
begin "assets (scripts/ensure-assets.sh)"
"$REPO_ROOT/scripts/ensure-assets.sh"
end

# --- 4. build -----------------------------------------------------------------
SLN=Accel.sln
[[ -f "$SLN" ]] || SLN=Accel.slnx
[[ -f "$SLN" ]] || die "no Accel.sln or Accel.slnx in $REPO_ROOT"
begin "dotnet build $SLN -c Release"
dotnet build "$SLN" -c Release
end

# --- 5. main job ----------------------------------------------------------------
MODEL="$ACCEL_CACHE/models/face_detection_short_range.tflite"
OUT="$ACCEL_CACHE/out/face_detection_short_range"
ORACLE_OUT="$ACCEL_CACHE/out/face_detection_short_range.oracle"
begin "main job: Accel.Cli run face_detection_short_range"
rm -rf "$OUT"
dotnet run --project Accel.Cli -c Release --no-build -- run "$MODEL" --random-seed 1 --output-dir "$OUT"
end

# The oracle needs the exact input Accel used: Accel.Cli writes it as
# $OUT/input_0.bin (raw little-endian, the model's input 0).
if [[ -f "$OUT/input_0.bin" ]]; then
  begin "oracle on the same input, and comparison"
  rm -rf "$ORACLE_OUT"
  node conformance/oracle/run.mjs "$MODEL" --input 0="$OUT/input_0.bin" --output-dir "$ORACLE_OUT"
  node conformance/oracle/compare.mjs "$ORACLE_OUT" "$OUT"
  end
else
  log "note: $OUT/input_0.bin not found, so the oracle comparison was skipped"
fi

log "done. Timings:"
for t in "${TIMINGS[@]}"; do echo "  $t" >&2; done
