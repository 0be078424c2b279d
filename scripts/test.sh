#!/usr/bin/env bash
# The README's test command: makes sure the corpus models, the photo and the TFLite oracle are installed
# (fast no-op when they are), then runs every NUnit test in the solution.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-assets.sh
dotnet test Accel.sln -c Release --logger "console;verbosity=normal" "$@"
