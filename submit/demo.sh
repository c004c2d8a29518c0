#!/usr/bin/env bash
# OmniSpark end-to-end recipe (WeNet-style stages): dense vs Switch vs Omni-router across domains. Usage:
#   submit/omnispark demo [--out DIR] [--scale tiny|small] [--utterances N] [--steps S] [--stage A] [--stop-stage B]
#                         [--device cpu|gpu]   (default: gpu where nvidia-smi sees one AND OMNISPARK_LIBTORCH is a
#                                               CUDA flavour, else cpu: the default build has CPU libtorch only)
# Stages:
#   0  synth     a training corpus (espeak-ng, training voices), an in-domain held-out set (training voices, other
#                recordings), an unseen-voices set (espeak-ng voices never trained on), and from the in-domain set
#                the out-of-domain sets: flite voices, white noise at 5 dB SNR, fast (tempo 1.3), slow (0.75)
#   1  prepare   Parquet feature shards for all of them (conf/data/prepare.yaml; the eval sets reuse the vocabulary)
#   2  train     dense (one process), Switch and Omni-router (experts over 2 ranks), equal active parameters, the
#                same samples per step (batch limits are global: each of the 2 ranks takes half)
#   3  eval      every model on every set (CTC greedy, attention rescoring), one JVM per model
#   4  report    the models x sets WER/CER table (best mode, OOD average, change vs dense) as Markdown and JSON,
#                the loss curves and the routing plots side by side: DIR/results.md
# --scale tiny (default) takes about 10 minutes on 2 cores from a fresh clone, build included (150 steps, still in
# conf/train/tiny.yaml's 200-step warm-up: a faster warm-up made the dense model's loss spike at this size); --scale small trains
# conf/model/small_*.yaml with conf/train/small.yaml on 10x the data for users with more compute (hours on 2 cores,
# under an hour on 16). Models go to DIR/exp/<scale>_<model>.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OMNI="$ROOT/submit/omnispark"
# shellcheck source=recipe-stages.sh
source "$ROOT/submit/recipe-stages.sh"
out=runs/demo
scale=tiny
utterances=""
steps=""
stage=0
stop_stage=4
device=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --scale) scale=$2; shift 2;;
    --utterances) utterances=$2; shift 2;;
    --steps) steps=$2; shift 2;;
    --stage) stage=$2; shift 2;;
    --stop-stage) stop_stage=$2; shift 2;;
    --device) device=$2; shift 2;;
    -h|--help) recipe_help "${BASH_SOURCE[0]}"; exit 0;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
case "$scale" in
  tiny) utterances=${utterances:-240}; steps=${steps:-150}; size=tiny; conf=tiny ;;
  small) utterances=${utterances:-2400}; steps=${steps:-4000}; size=small; conf=small ;;
  *) echo "demo: --scale is tiny or small" >&2; exit 2;;
esac
cuda_libtorch=""
case "${OMNISPARK_LIBTORCH:-cpu}" in cuda|cu[0-9][0-9][0-9]) cuda_libtorch=yes ;; esac
if [ -z "$device" ]; then
  device=cpu
  if [ -n "$cuda_libtorch" ] && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    device=gpu
  fi
fi
case "$device" in
  cpu) dtype=float32 ;;   # bf16 GEMMs are slower than float32 on CPUs without bf16 units (docs/trainer.md)
  gpu) dtype=bf16
    [ -n "$cuda_libtorch" ] || { echo "demo: --device gpu needs a CUDA libtorch: OMNISPARK_LIBTORCH=cuda submit/omnispark demo ... (the default build has CPU natives only; docs/operations.md)" >&2; exit 2; } ;;
  *) echo "demo: --device is cpu or gpu" >&2; exit 2;;
esac
mkdir -p "$out"
heldout=$(( utterances / 6 > 16 ? utterances / 6 : 16 ))
sets=(indomain unseen_voices flite noise5db fast slow)

if in_stage 0; then
  echo "== stage 0: synth ($utterances training + 6 x $heldout evaluation utterances)  [$(elapsed)]"
  synth_sets "$out" "$utterances" "$heldout" 1 flite,noise5db,fast,slow
fi
if in_stage 1; then
  echo "== stage 1: prepare  [$(elapsed)]"
  prepare_sets "$out" 4 "${sets[@]}"
fi
if in_stage 2; then
  for model in dense switch omni; do
    ranks=()
    [ "$model" = dense ] || ranks=(--ranks 2)
    echo "== stage 2: train ${size}_$model, $steps steps${ranks:+, experts over 2 ranks}  [$(elapsed)]"
    "$OMNI" train "${ranks[@]}" --data "$out/data/train" --out "$out/exp/${size}_$model" \
      --conf "$ROOT/conf/train/$conf.yaml" --model "$ROOT/conf/model/${size}_$model.yaml" \
      train.max_steps="$steps" train.max_epochs=1000 train.valid_interval=0 train.log_interval=20 \
      train.device="$device" train.dtype="$dtype" \
      | grep -E "^step [0-9]+|^trained|^parameters|ranks on|^batch:" \
      | awk 'NR % 4 == 1 || /trained|parameters|ranks on|^batch:/'
  done
fi
if in_stage 3; then
  echo "== stage 3: eval (3 models x ${#sets[@]} sets, CTC greedy and attention rescoring)  [$(elapsed)]"
  for model in dense switch omni; do
    data=()
    for s in "${sets[@]}"; do data+=(--data "$out/data/$s"); done
    "$OMNI" eval --model "$out/exp/${size}_$model" "${data[@]}" --out "$out/exp/${size}_$model/eval" \
      --mode ctc_greedy,attention_rescoring > "$out/exp/${size}_$model/eval.log"
    reports=()
    for s in "${sets[@]}"; do reports+=("$out/exp/${size}_$model/eval/$s/report.json"); done
    echo "   $model: $(/usr/bin/python3 "$ROOT/submit/read_report.py" value cer attention_rescoring "${reports[@]}")" \
      "% CER (attention rescoring) on ${sets[*]}"
  done
fi
if in_stage 4; then
  echo "== stage 4: report  [$(elapsed)]"
  /usr/bin/python3 "$ROOT/submit/demo_report.py" "$out" "$size"
fi
echo "== done in $(elapsed): $out/results.md"
