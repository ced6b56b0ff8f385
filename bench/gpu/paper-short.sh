#!/usr/bin/env bash
# cifar_resnet_20 of pipeline.paper.yaml, shortened to 1 epoch with checkpoints 0, 30 and 391 and recompute-BN sweeps of
# $POINTS and 2×$POINTS points, through the bundled stage programs on CIFAR-shaped data: times each stage, then
# bench/gpu/extrapolate.mjs extrapolates to the full recipe (160 epochs, 12 checkpoints, 100-point sweeps).
# Usage: paper-short.sh WORKDIR RESULTS.jsonl
set -eu
work=$1 results=$2
small=${BENCH_SMALL:-0}
points=${POINTS:-5}
if [ "$small" = 1 ]; then counts="--train 256 --test 100"; last=2; mid=1; else counts=""; last=391; mid=30; fi
timed() { # timed NAME COMMAND… : runs it, appends {"stage": NAME, "seconds": …} to the results
  local name=$1; shift
  local t0; t0=$(date +%s%N)
  "$@" 2>&1 | grep -v '^Warning\|XDG_RUNTIME\|While initializing\|PhysicalDeviceVk\|^$' | tail -4
  local status=${PIPESTATUS[0]}
  echo "{\"probe\":\"linpath-paper\",\"stage\":\"$name\",\"ok\":$([ "$status" = 0 ] && echo true || echo false),\"ms\":$(( ($(date +%s%N) - t0) / 1000000 ))}" | tee -a "$results"
  return "$status"
}
timed make-data node .gpu-build/make-cifar.mjs "$work/src" $counts
timed fetch-data node .gpu-build/fetch-data.mjs --dataset cifar10 --from "$work/src" --out "$work/data"
cat > "$work/params.json" <<JSON
{"recipe": {"dataset": "cifar10", "model": "resnet_20", "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001,
  "batch_size": 128, "epochs": 1, "milestones": [80, 120], "gamma": 0.1, "warmup_epochs": 0, "augment": true, "seed": 1,
  "checkpoints": [0, $mid, $last]}}
JSON
CUDA_VISIBLE_DEVICES=0 timed train node .gpu-build/train.mjs --setting cifar_resnet_20 --data "$work/data" --out "$work/train" --params "$work/params.json"
# Two sweep lengths of the same checkpoint: their difference is the cost of a point without start-up and shader compilation.
for n in "$points" $((2 * points)); do
  CUDA_VISIBLE_DEVICES=0 timed "sweep_${n}pt_recompute" node .gpu-build/sweep.mjs --train "$work/train" --data "$work/data" --iteration $mid --out "$work/sweep-$n" --points "$n" --bn-mode recompute
done
node bench/gpu/extrapolate.mjs "$results" | tee "${results%.jsonl}.md"
head -c 600 "$work/train/train.json"; echo
cat "$work/sweep-$points/sweep.csv" 2>/dev/null | head -8
