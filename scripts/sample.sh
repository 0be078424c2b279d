#!/usr/bin/env bash
# Packs Accel's NuGet packages into a fresh local feed and builds and runs samples/HelloAccel against them (package
# references, not project references, restored into an empty package folder), the way a new user would, then installs
# the accel tool from that feed and runs it. A broken package — a missing dependency, a wrong id or version, a missing
# assembly, on linux-x64 a missing ReadyToRun image — fails here. Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
for project in Runtime.Core Delegates.Cpu Delegates.Vulkan Delegates.Ilgpu Accel.Cli; do
  dotnet pack "$project" -c Release -o "$work/feed" --nologo -v q -p:PackageOutputPath="$work/feed" >/dev/null
done
echo "sample.sh: packed $(ls "$work/feed"/*.nupkg | wc -l) packages (version $version) into a local feed"
dotnet restore samples/HelloAccel --nologo -v q -p:AccelVersion="$version" -p:RestorePackagesPath="$work/packages" \
  --source "$work/feed" --source https://api.nuget.org/v3/index.json
dotnet build samples/HelloAccel -c Release --no-restore --nologo -v q -p:AccelVersion="$version" \
  -p:RestorePackagesPath="$work/packages" -o "$work/bin"
dotnet "$work/bin/HelloAccel.dll" "$@" | tee "$work/output.txt"
# On linux-x64 the packages' ReadyToRun images must be what loads (runtimes/linux-x64/lib/, Directory.Build.targets).
if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  for assembly in Accel.Runtime.Core Accel.Delegates.Cpu; do
    grep -q "^$assembly: ReadyToRun image" "$work/output.txt" || { echo "sample.sh: $assembly did not load as a ReadyToRun image" >&2; exit 1; }
  done
fi
# The accel tool as a user installs it (dotnet tool install), from the same feed, run on the same model.
dotnet tool install --tool-path "$work/tool" --add-source "$work/feed" Accel.Cli --version "$version" >/dev/null
model="${1:-${ACCEL_CACHE:-$HOME/.cache/accel}/models/face_detection_short_range.tflite}"
"$work/tool/accel" run "$model" --delegate cpu --random-seed 1 --no-color
