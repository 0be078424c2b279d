#!/usr/bin/env bash
# Installs the Debian packages Accel builds and tests with, when any is missing (a dpkg query per package
# otherwise: well under a second, no network, no apt):
#   glslc                   : compiles Delegates.Vulkan's GLSL compute shaders to SPIR-V at build time
#   libvulkan1              : the Vulkan loader (Silk.NET.Vulkan loads libvulkan.so.1)
#   mesa-vulkan-drivers     : lavapipe, the CPU Vulkan implementation the Vulkan tests run on
#   vulkan-validationlayers : VK_LAYER_KHRONOS_validation (the Vulkan tests' validation-messenger test)
#   spirv-tools             : spirv-val, which the Vulkan tests run on every embedded shader
#   ocl-icd-opencl-dev      : libOpenCL.so, which ILGPU needs to look for OpenCL devices at all
#   pocl-opencl-icd, ocl-icd-libopencl1, clinfo : PoCL (a CPU OpenCL device) for Delegates.OpenCL's tests, the ICD
#                             loader, and clinfo to list OpenCL platforms
#   python3-pil             : decodes the astronaut PNG (make-photo.sh)
#   clang, lld              : cross-compile Delegates.Hexagon's DSP runtime (dsp/*.c) for Hexagon v67 + HVX
#   qemu-user               : qemu-hexagon, which runs that DSP program (the hexagon delegate's tests and column),
#                             and qemu-aarch64, which runs the linux-arm64 build (scripts/arm64-check.sh)
#   libc6:arm64, libstdc++6:arm64, libssl3:arm64 : what a self-contained .NET app for linux-arm64 loads (the C and C++
#                             runtimes; OpenSSL for SHA-256), from Debian's arm64 architecture (dpkg multiarch, added
#                             here when missing), for scripts/arm64-check.sh
#   ca-certificates, tar, xz-utils : registries over TLS, .tgz/.deb handling
# Needs root (or sudo) only when something is missing.
set -euo pipefail

die() { echo "ensure-packages: error: $*" >&2; exit 1; }
log() { echo "ensure-packages: $*" >&2; }

APT_PACKAGES=(glslc libvulkan1 mesa-vulkan-drivers vulkan-validationlayers spirv-tools ocl-icd-opencl-dev
              python3-pil ca-certificates tar xz-utils clang lld qemu-user pocl-opencl-icd ocl-icd-libopencl1 clinfo
              libc6:arm64 libstdc++6:arm64 libssl3:arm64)

command -v dpkg >/dev/null || die "dpkg not found: Accel's set-up is written for Debian 12"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to install: ${missing[*]}"
  fi
}
log "installing: ${missing[*]}"
apt_log="$(mktemp)"
trap 'rm -f "$apt_log"' EXIT
# The arm64 packages come from Debian's arm64 architecture, which apt reads only once dpkg knows it (multiarch).
if [[ " ${missing[*]}" == *":arm64"* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  as_root dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
fi
as_root apt-get update >"$apt_log" 2>&1 || { cat "$apt_log" >&2; die "apt-get update failed"; }
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >"$apt_log" 2>&1 \
  || { cat "$apt_log" >&2; die "apt-get install ${missing[*]} failed"; }
log "installed: ${missing[*]}"
