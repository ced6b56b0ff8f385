#!/usr/bin/env bash
# The GPU benchmark on a GPU box, in one go, within $TOTAL_S seconds (default 480): from the checkout's root, with
# .gpu-kit and .gpu-build beside it (scripts/gpu/make-kit.sh):   OUT=/some/dir bash bench/gpu/run.sh
#   1. placement: which adapter Dawn gives with and without Mesa's device-select layer steering it; then the
#      filter-gradient kernel against tfjs's own on every ResNet-20 layer shape, with other plans swept
#   2. webgpu:    bench/gpu/bench.ts (sweeps, training steps, memory, kernel profiles) on the project's own code
#   3. torch:     bench/gpu/torch_probe.py, the PyTorch CUDA peer, fp32 with TF32 off, on the same GPU
#   4. paper:     the CIFAR-10 ResNet-20 setting shortened (1 epoch, 3 checkpoints, recompute-BN sweeps of a few
#                 points) through the real stage programs, on CIFAR-shaped data in the real format
# Results: $OUT/{run.log,placement.jsonl,filter-grad.jsonl,webgpu.jsonl,torch.jsonl,paper.jsonl,paper.md}. Without a GPU (checking this script):
#   LOCAL=1 bash bench/gpu/run.sh   forces webgpu onto Mesa llvmpipe and shrinks every size.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export OUT=${OUT:-$(mktemp -d /tmp/linpath-gpu.XXXXXX)}
mkdir -p "$OUT"
TOTAL_S=${TOTAL_S:-460}
PY=${TORCH_PY:-python3}
start=$SECONDS
left() { echo $(( TOTAL_S - (SECONDS - start) )); }
work=${WORK:-/tmp/linpath-gpu-work}
rm -rf "$work"; mkdir -p "$work"

main() {
  echo "== $(date -u +%FT%TZ) $(uname -srm) OUT=$OUT"
  if [ "${LOCAL:-0}" = 1 ]; then
    export FILTER_BATCH=4 DAWN_NODE=${DAWN_NODE:-$repo/node_modules/webgpu/dist/linux-x64/dawn.node} BENCH_SMALL=1 BENCH_FORCE_WEBGPU=1 PIPELINE_BACKEND=webgpu PROBE_SMALL=1
    PY=${TORCH_PY:-/usr/bin/python3}
  else
    source .gpu-kit/setup.sh
    nvidia-smi --query-gpu=index,name,pci.bus_id,driver_version,memory.total --format=csv
  fi

  echo "== 1. placement ($(left) s left)"
  local bus d b dv f tag=pci-0000_00_00_0
  bus=$(nvidia-smi --query-gpu=pci.bus_id --format=csv,noheader 2>/dev/null | head -1)
  if [ -n "$bus" ]; then IFS=':.' read -r d b dv f <<< "$bus"; tag="pci-${d: -4}_${b,,}_${dv,,}_$f"; fi
  echo "GPU 0 bus ${bus:-none} → $tag"
  MESA_VK_DEVICE_SELECT=list timeout 30 node .gpu-build/placement-check.mjs 2>&1 | grep -v '^Warning\|XDG_RUNTIME\|While initializing\|PhysicalDeviceVk\|^$' | head -20
  CHECK_NAME=plain timeout 30 node .gpu-build/placement-check.mjs 2>/dev/null | tee -a "$OUT/placement.jsonl"
  CHECK_NAME=pinned_gpu0 DRI_PRIME=$tag MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 timeout 30 node .gpu-build/placement-check.mjs 2>/dev/null | tee -a "$OUT/placement.jsonl"
  # A bus no GPU sits on: if the layer is active it says it selected nothing.
  CHECK_NAME=pinned_missing DRI_PRIME=pci-0000_ff_1f_7 MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 timeout 30 node .gpu-build/placement-check.mjs > "$OUT/placement-missing.log" 2>&1
  grep '^{' "$OUT/placement-missing.log" | tee -a "$OUT/placement.jsonl"; grep -iv '^{' "$OUT/placement-missing.log" | grep -i 'select\|device' | head -3

  echo "== 1b. filter-gradient kernel vs tfjs's, per ResNet-20 layer, batch 128 (45 s, $(left) s left)"
  timeout -k 5 45 node .gpu-build/filter-grad.mjs "${FILTER_BATCH:-128}" 10 --sweep 2>/dev/null > "$OUT/filter-grad.jsonl"; echo "exit $?"
  grep -v '"options"' "$OUT/filter-grad.jsonl" | cut -c1-400

  local t=$(( $(left) - 170 )); [ $t -gt 230 ] && t=230
  echo "== 2. webgpu bench (${t} s, $(left) s left)"
  BENCH_JSONL="$OUT/webgpu.jsonl" BENCH_BUDGET_S=$(( t - 20 )) timeout -k 5 "$t" node .gpu-build/bench.mjs 2>&1 | grep -v '^Warning\|XDG_RUNTIME\|While initializing\|PhysicalDeviceVk\|^$' | cut -c1-600
  echo "bench exit ${PIPESTATUS[0]}"

  t=$(( $(left) - 75 )); [ $t -gt 100 ] && t=100
  echo "== 3. torch peer (${t} s, $(left) s left)"
  if [ $t -gt 20 ]; then
    PYTHONUNBUFFERED=1 PROBE_TF32_PASSES=off PROBE_BUDGET_S=$(( t - 15 )) TORCH_TRAIN_BUDGET_S=30 TORCH_JSONL="$OUT/torch.jsonl" timeout -k 5 "$t" "$PY" bench/gpu/torch_probe.py | cut -c1-400
  fi

  t=$(( $(left) - 5 ))
  echo "== 4. paper setting, shortened (${t} s, $(left) s left)"
  [ $t -gt 30 ] && timeout -k 5 "$t" bash bench/gpu/paper-short.sh "$work" "$OUT/paper.jsonl"
  echo "== done in $(( SECONDS - start )) s"
  ls -la "$OUT"
}
main 2>&1 | tee "$OUT/run.log"
