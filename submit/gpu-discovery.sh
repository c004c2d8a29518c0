#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs this executor (or standalone Worker) may use, as
# {"name": "gpu", "addresses": ["...", ...]}. Spark hands these addresses to tasks as they are; a training rank turns
# its address into the CUDA ordinal of its own process (org.omnispark.expertparallel.spark.GpuDevices).
#
# - CUDA_VISIBLE_DEVICES set (by YARN, a container runtime, or whoever started the Worker): its entries, as written
#   (indexes such as 2,3 or UUIDs such as GPU-8c1f..., MIG-...). CUDA numbers the visible devices 0, 1, ... in that
#   order, so the position of an address is its ordinal; the physical index printed by nvidia-smi would be wrong.
#   As in CUDA, the list stops at the first entry that names no device (e.g. -1), and an empty value means no GPU.
# - unset: nvidia-smi's indexes (CUDA numbers devices the same way with CUDA_DEVICE_ORDER=PCI_BUS_ID, which the
#   launcher sets for executors); none without nvidia-smi.
# Use it as spark.executor.resource.gpu.discoveryScript (YARN: the launcher ships it with --files) or as a Worker's
# spark.worker.resource.gpu.discoveryScript (standalone, docs/operations.md).
set -euo pipefail
addresses=()
if [ -n "${CUDA_VISIBLE_DEVICES+set}" ]; then
  IFS=',' read -r -a entries <<< "$CUDA_VISIBLE_DEVICES"
  for e in "${entries[@]}"; do
    e=$(echo "$e" | tr -d '[:space:]')
    [[ "$e" =~ ^([0-9]+|[Gg][Pp][Uu]-[^\"]+|[Mm][Ii][Gg]-[^\"]+)$ ]] || break
    addresses+=("$e")
  done
elif command -v nvidia-smi >/dev/null; then
  while IFS= read -r index; do
    index=$(echo "$index" | tr -d '[:space:]')
    [ -z "$index" ] || addresses+=("$index")
  done < <(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
json=""
for a in ${addresses[@]+"${addresses[@]}"}; do
  json+="${json:+, }\"$a\""
done
printf '{"name": "gpu", "addresses": [%s]}\n' "$json"
