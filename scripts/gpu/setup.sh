# Sourced on a bare GPU box from the checkout's root: `source .gpu-kit/setup.sh` (built by scripts/gpu/make-kit.sh).
# Puts node on PATH and dawn.node at $DAWN_NODE, brings the Vulkan loader where it is missing, points it at the NVIDIA
# driver's ICD, and offers Mesa's device-select layer to the loader from /tmp/kit (XDG_DATA_DIRS) without writing any
# system directory; the layer's libraries go on LD_LIBRARY_PATH only where the system lacks them.
kit_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p /tmp/kit/lib /tmp/kit/share/vulkan/implicit_layer.d
[ -x /tmp/kit/node ] || { xz -dc "$kit_dir/node.xz" > /tmp/kit/node && chmod +x /tmp/kit/node; }
export PATH=/tmp/kit:$PATH
[ -f /tmp/kit/dawn.node ] || xz -dc "$kit_dir/dawn.node.xz" > /tmp/kit/dawn.node
export DAWN_NODE=/tmp/kit/dawn.node
if ! ldconfig -p | grep -q 'libGLdispatch\.so\.0' || ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  for f in "$kit_dir"/debs/*.deb; do dpkg -x "$f" /; done; ldconfig
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && { export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd; break; }
done
for egl in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /usr/share/glvnd/egl_vendor.d/10_nvidia.json; do
  [ -f "$egl" ] && { export __EGL_VENDOR_LIBRARY_FILENAMES=$egl; break; }
done
if [ -f "$kit_dir/layer/libVkLayer_MESA_device_select.so" ]; then
  cp "$kit_dir/layer/libVkLayer_MESA_device_select.so" /tmp/kit/lib/
  for lib in "$kit_dir"/layer/lib/*; do
    ldconfig -p | grep -q "$(basename "$lib") " || cp "$lib" /tmp/kit/lib/
  done
  cat > /tmp/kit/share/vulkan/implicit_layer.d/VkLayer_MESA_device_select.json <<JSON
{ "file_format_version": "1.0.0", "layer": { "name": "VK_LAYER_MESA_device_select", "type": "GLOBAL",
  "library_path": "/tmp/kit/lib/libVkLayer_MESA_device_select.so", "api_version": "1.3.211", "implementation_version": "1",
  "description": "Linux device selection layer", "functions": { "vkNegotiateLoaderLayerInterfaceVersion": "vkNegotiateLoaderLayerInterfaceVersion" },
  "disable_environment": { "NODEVICE_SELECT": "1" } } }
JSON
  export XDG_DATA_DIRS=/tmp/kit/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}
  export LD_LIBRARY_PATH=/tmp/kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
echo "kit: $(node --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-none}, DAWN_NODE=$DAWN_NODE, device-select layer $( [ -f /tmp/kit/lib/libVkLayer_MESA_device_select.so ] && echo yes || echo no); $(nvidia-smi -L 2>/dev/null | head -4 | tr '\n' ' ')"
