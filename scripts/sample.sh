#!/usr/bin/env bash
# Packs Accel's NuGet packages into a fresh local feed and builds and runs samples/HelloAccel against them (package
# references, not project references, restored into an empty package folder), the way a new user would, then installs
# the accel tool from that feed and runs it. A broken package — a missing dependency, a wrong id or version, a missing
# assembly, a missing ReadyToRun image for linux-x64 or linux-arm64 — fails here. Called by scripts/test.sh.
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
ready_to_run() { # OUTPUT RID
  for assembly in Accel.Runtime.Core Accel.Delegates.Cpu; do
    grep -q "^$assembly: ReadyToRun image for $2 " "$1" || { echo "sample.sh: $assembly did not load as a ReadyToRun image for $2" >&2; exit 1; }
  done
}
if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  ready_to_run "$work/output.txt" linux-x64
  # linux-arm64: the sample published for that RID (self-contained: the packages' runtimes/linux-arm64/lib/ images and
  # an arm64 .NET runtime) and run under qemu-aarch64 (scripts/arm64-check.sh says why W^X is off there); its outputs
  # must be the x64 run's, bit for bit (the same min/max lines, identical to the reference).
  dotnet publish samples/HelloAccel -c Release -r linux-arm64 --self-contained --nologo -v q -p:AccelVersion="$version" \
    -p:RestorePackagesPath="$work/packages" -p:InvariantGlobalization=true --source "$work/feed" \
    --source https://api.nuget.org/v3/index.json -o "$work/arm64" >/dev/null
  DOTNET_EnableWriteXorExecute=0 qemu-aarch64 "$work/arm64/HelloAccel" "$@" | tee "$work/output-arm64.txt"
  ready_to_run "$work/output-arm64.txt" linux-arm64
  diff <(grep '^  output ' "$work/output.txt") <(grep '^  output ' "$work/output-arm64.txt") \
    || { echo "sample.sh: the linux-arm64 run's outputs differ from linux-x64's" >&2; exit 1; }
fi
# The accel tool as a user installs it (dotnet tool install), from the same feed, run on the same model.
dotnet tool install --tool-path "$work/tool" --add-source "$work/feed" Accel.Cli --version "$version" >/dev/null
model="${1:-${ACCEL_CACHE:-$HOME/.cache/accel}/models/face_detection_short_range.tflite}"
"$work/tool/accel" run "$model" --delegate cpu --random-seed 1 --no-color
