#!/usr/bin/env bash
# OmniSpark end-to-end recipe (WeNet-style stages). Usage:
#   submit/omnispark demo [--out DIR] [--utterances N] [--model dense|switch|omni] [--stage A] [--stop-stage B]
# Stages:
#   0  synth     make a training corpus and a held-out corpus (unseen sentences and voices) with espeak-ng
#   1  prepare   turn both into Parquet feature shards (conf/data/prepare.yaml)
#   2  train     train conf/model/tiny_<model>.yaml with conf/train/tiny.yaml, validating on the held-out set
#   3  eval      decode the held-out set (CTC greedy, prefix beam, attention rescoring, streaming) and score it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OMNI="$ROOT/submit/omnispark"
out=runs/demo
utterances=200
stage=0
stop_stage=3
model=omni
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --utterances) utterances=$2; shift 2;;
    --stage) stage=$2; shift 2;;
    --stop-stage) stop_stage=$2; shift 2;;
    --model) model=$2; shift 2;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
mkdir -p "$out"
heldout=$(( utterances / 5 > 10 ? utterances / 5 : 10 ))

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  echo "== stage 0: synth ($utterances train + $heldout held-out utterances)"
  "$OMNI" synth --out "$out/corpus/train" --utterances "$utterances" --seed 1 --damaged-audio 0.05
  "$OMNI" synth --out "$out/corpus/heldout" --utterances "$heldout" --seed 2 --split heldout --corrupt-labels 0
fi
if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  echo "== stage 1: prepare"
  "$OMNI" prepare --manifest "$out/corpus/train/manifest.jsonl" --out "$out/data/train" \
    --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards=4
  "$OMNI" prepare --manifest "$out/corpus/heldout/manifest.jsonl" --out "$out/data/heldout" \
    --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards=1 filters.min_confidence=0 \
    text.vocabulary_from="$out/data/train"
fi
if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  echo "== stage 2: train (tiny_$model, 500 steps: a few minutes; rerun to resume from the newest checkpoint)"
  "$OMNI" train --data "$out/data/train" --valid "$out/data/heldout" --out "$out/exp/tiny_$model" \
    --conf "$ROOT/conf/train/tiny.yaml" --model "$ROOT/conf/model/tiny_$model.yaml" train.max_epochs=1000
fi
if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  echo "== stage 3: eval"
  "$OMNI" eval --model "$out/exp/tiny_$model" --data "$out/data/heldout" --out "$out/exp/tiny_$model/eval" \
    --mode ctc_greedy,ctc_prefix_beam_search,attention_rescoring,streaming
fi
echo "== done: $out"
