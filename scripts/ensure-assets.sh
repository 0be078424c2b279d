#!/usr/bin/env bash
# Fast, idempotent preparation of everything Accel's tests need outside git:
#   0. Debian packages          (scripts/ensure-packages.sh: glslc, Vulkan loader + lavapipe, ...)
#   1. the oracle's npm packages (conformance/oracle/node_modules, `npm ci`)
#   2. the .tflite models       (scripts/fetch-models.sh: ten corpus models + four task models)
#   3. the test photographs      (scripts/make-photo.sh: astronaut, camera, chelsea)
# Run it before `dotnet test`. When everything is in place it takes well under
# a second and touches neither the network nor apt.
# Env: ACCEL_CACHE (default: $HOME/.cache/accel)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORACLE_DIR="$REPO_ROOT/conformance/oracle"
export ACCEL_CACHE="${ACCEL_CACHE:-$HOME/.cache/accel}"

die() { echo "ensure-assets: error: $*" >&2; exit 1; }
log() { echo "ensure-assets: $*" >&2; }

# --- Debian packages (a dpkg query each when installed) ---------------------
"$REPO_ROOT/scripts/ensure-packages.sh"

# --- Node.js >= 20 (LiteRT.js needs a modern V8 with wasm SIMD) -------------
command -v node >/dev/null || die "node not found: install Node.js >= 20 (Debian 12's own nodejs is 18, too old)"
command -v npm >/dev/null || die "npm not found: install npm for Node.js >= 20"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" -ge 20 ]] || die "Node.js >= 20 required, found $(node --version)"

# --- oracle npm packages (npm ci, only when missing or out of date) --------
lock="$ORACLE_DIR/package-lock.json"
stamp="$ORACLE_DIR/node_modules/.accel-lock.sha256"
[[ -f "$lock" ]] || die "$lock is missing"
want_stamp="$(sha256sum "$lock" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want_stamp" \
      || ! -f "$ORACLE_DIR/node_modules/@litertjs/core/wasm/litert_wasm_compat_internal.wasm" ]]; then
  log "npm ci in conformance/oracle"
  (cd "$ORACLE_DIR" && npm ci --no-audit --no-fund --loglevel=error) \
    || die "npm ci in $ORACLE_DIR failed (is the npm registry reachable?)"
  echo "$want_stamp" >"$stamp"
fi

# --- models and photo ------------------------------------------------------
"$REPO_ROOT/scripts/fetch-models.sh"
"$REPO_ROOT/scripts/fetch-onnx-models.sh"   # ONNX models Accel.Convert's tests convert
"$REPO_ROOT/scripts/make-photo.sh"
