#!/usr/bin/env bash
# The README's test command: makes sure the corpus models, the photo and the TFLite oracle are installed
# (fast no-op when they are), then runs every NUnit test in the solution, then packs the NuGet packages and runs
# the sample app against them (scripts/sample.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-assets.sh
dotnet test Accel.sln -c Release --logger "console;verbosity=normal" "$@"
# The packages as a user gets them: pack into a local feed, build and run samples/HelloAccel against it.
scripts/sample.sh
