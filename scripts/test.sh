#!/usr/bin/env bash
# The README's test command: makes sure the corpus models, the photo and the TFLite oracle are installed
# (fast no-op when they are), then runs every NUnit test in the solution, then packs the NuGet packages and runs
# the sample app against them (scripts/sample.sh), then runs the conformance suite on a linux-arm64 build under
# qemu-aarch64 (scripts/arm64-check.sh, ~5 minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-assets.sh
# The log is kept so that, when something fails, the failures are repeated at the very end: CI shows only the tail of
# a 30,000-test log, where a failure in an early project would otherwise be lost between passing lines.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A full build and test run writes ~1.9 GB into the clone (and NuGet's cache); a disk that fills up shows as hundreds
# of copy retries, so a low one is named first.
free_gib=$(df --output=avail -BG . | tail -n 1 | tr -dc '0-9')
if [ "${free_gib:-0}" -lt 6 ]; then
  echo "test.sh: warning: only ${free_gib} GiB free on $(df --output=target . | tail -n 1); the run needs about 2 GiB" >&2
fi
if ! dotnet test Accel.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"; then
  echo
  echo "=== test.sh: dotnet test failed; projects that did not pass ==="
  grep -E -A 4 '^(Test Run (Failed|Aborted)|Failed!)' "$log" | cut -c1-300 | head -n 60 || true
  if grep -q 'No space left on device' "$log"; then
    echo "=== test.sh: the disk filled up during the run (No space left on device; ${free_gib} GiB were free at the start) ==="
  fi
  echo "=== test.sh: the failures and aborts from the log above ==="
  grep -E -A 12 '^\s+Failed [A-Za-z_]|Test Run Aborted|active test run was aborted|Test host process crashed|error (CS|MSB|NU)[0-9]+' "$log" \
    | cut -c1-300 | head -n 150 || true
  exit 1
fi
# The packages as a user gets them: pack into a local feed, build and run samples/HelloAccel against it.
scripts/sample.sh
# The other architecture: every conformance case bit for bit on linux-arm64 (reference and cpu, Vector128 on NEON).
scripts/arm64-check.sh
