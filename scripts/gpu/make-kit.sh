#!/usr/bin/env bash
# Builds what a bare GPU box (an NVIDIA driver; no Node, no Vulkan loader, no registry) needs to run linpath on its GPU:
#   .gpu-kit/    node (xz), dawn.node (xz), Debian's Vulkan loader and libglvnd (debs), Mesa's Vulkan device-select
#                layer with the libraries it needs (pins each stage to its leased GPU), setup.sh
#   .gpu-build/  the stage programs and the GPU benchmark as bundles (bench/gpu/build.mjs): no node_modules to send
# Send both with the checkout (about 40 MB) and begin every command there with `source .gpu-kit/setup.sh`.
# Needs this machine's node and npm install, and Debian's apt (for the debs).
set -euo pipefail
top=$(git rev-parse --show-toplevel)
kit="$top/.gpu-kit"
mkdir -p "$kit/debs" "$kit/layer-debs"
[ -f "$kit/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$kit/node.xz"
dawn="$top/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$dawn" ] || { echo "make-kit: $dawn missing: run npm ci first" >&2; exit 1; }
[ -f "$kit/dawn.node.xz" ] || xz -T2 -6 -c "$dawn" > "$kit/dawn.node.xz"

download() { # download DIR PACKAGE… : Debian's .debs for amd64, without installing anything here
  local lists; lists=$(mktemp -d); mkdir -p "$lists/partial"
  local o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
  apt-get $o update -qq
  (cd "$1" && shift && apt-get $o download -qq "$@")
}
[ -n "$(ls "$kit/debs")" ] || download "$kit/debs" libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libgles2 libopengl0
# The layer lives in mesa-vulkan-drivers (with Mesa's drivers, which we do not want); its own libraries beside it.
if [ ! -f "$kit/layer/libVkLayer_MESA_device_select.so" ]; then
  download "$kit/layer-debs" mesa-vulkan-drivers libxcb-dri3-0 libwayland-client0 libdrm2 libxcb1 libffi8 libxau6 libxdmcp6 libbsd0 libmd0
  unpacked=$(mktemp -d)
  for deb in "$kit"/layer-debs/*.deb; do dpkg -x "$deb" "$unpacked"; done
  mkdir -p "$kit/layer/lib"
  cp "$unpacked"/usr/lib/x86_64-linux-gnu/libVkLayer_MESA_device_select.so "$kit/layer/"
  for lib in libxcb-dri3.so.0 libwayland-client.so.0 libdrm.so.2 libxcb.so.1 libffi.so.8 libXau.so.6 libXdmcp.so.6 libbsd.so.0 libmd.so.0; do
    cp -L "$(find "$unpacked" -name "$lib" | head -1)" "$kit/layer/lib/$lib"
  done
  rm -rf "$unpacked" "$kit/layer-debs"
fi
cp "$top/scripts/gpu/setup.sh" "$kit/setup.sh"
(cd "$top" && node bench/gpu/build.mjs)
du -sh "$kit" "$top/.gpu-build"
