#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs this executor may use as
# {"name": "gpu", "addresses": ["0", "1", ...]}. Uses nvidia-smi; honours CUDA_VISIBLE_DEVICES when YARN or the
# container runtime sets it.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  ids=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n')
else
  command -v nvidia-smi >/dev/null || { echo '{"name": "gpu", "addresses": []}'; exit 0; }
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
printf '{"name": "gpu", "addresses": [%s]}\n' "$(echo "$ids" | sed 's/.*/"&"/' | paste -sd, -)"
