#!/usr/bin/env bash
# The multi-seed comparison (issue 11; WeNet-style stages): dense vs Switch vs Omni-router over seeds and domains, and the U2++ MoE
# comparison of parameters against decoding cost. Every stage can be re-run: finished runs are skipped, a killed
# training resumes from its last checkpoint. Usage:
#   submit/omnispark experiment [--out DIR] [--utterances N] [--steps S] [--seeds "1 2 3"] [--models "..."] [--lanes L]
#                        [--valid-interval V] [--train-mix "D ..."] [--stage A] [--stop-stage B]
# Stages:
#   0  synth    a training corpus of N espeak-ng utterances (default 4000, about 3 h, 5% damaged, format mix), an
#               in-domain held-out set (training voices), unseen espeak-ng voices, and from the in-domain set: flite,
#               white noise at 10 and 0 dB SNR, fast (tempo 1.3), slow (0.75), reverberation (sox reverb)
#               (with --valid-interval V > 0, also a validation set: training voices, seed 9)
#               With --train-mix "flite fast noise10db" (domains of the evaluation sets): a labelled training mix of
#               N utterances in K + 1 equal parts: espeak-ng (damaged audio and format mix as above), and per domain
#               other espeak-ng utterances of the training voices turned into that domain as the evaluation sets are
#               (flite speaks their text); corpus/train_mix/manifest.jsonl, keys prefixed by domain, a "domain"
#               field on every row (submit/mix_manifest.py). Those domains are then in-domain: the report's OOD
#               average and its verdicts use the other sets, the held-out domains
#   1  prepare  Parquet shards for all of them (conf/data/prepare.yaml; the evaluation sets reuse the vocabulary)
#   2  train    every model x seed (train.seed = the seed: initialization, data order, dropout, chunk draws),
#               L runs at once with 1 libtorch thread each, S steps, checkpoints every 100 steps; validation CER
#               every V steps with --valid-interval V (the pilot that finds where training converges: one seed,
#               e.g. --seeds 1 --steps 4000 --valid-interval 500; a later call with more --steps resumes the runs)
#   3  eval     every run on every set: CTC greedy (+ attention rescoring for models with a decoder), full context
#   4  rtf      decoding real-time factor per mode, one run at a time on an otherwise idle machine (first seed; the
#               unseen-voices set warms up, the in-domain set is timed): CTC greedy, prefix beam, attention
#               rescoring, chunk 16, streaming
#   5  report   DIR/results.md and results.json (submit/experiment_report.py)
# Models (conf/model/<name>.yaml): tiny_{dense,switch,omni} (U2++ Conformer, equal active parameters),
# papertiny_{dense,switch,omni} (the Omni-router paper's shape: CTC Transformer, 8 experts), tinywide_dense (dense
# with the tiny MoE models' total parameter count; trained at peak lr 0.0005, the sweep in docs/results.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OMNI="$ROOT/submit/omnispark"
# shellcheck source=recipe-stages.sh
source "$ROOT/submit/recipe-stages.sh"
out=runs/experiment
utterances=4000
steps=500
seeds="1 2 3"
models="tiny_dense tiny_switch tiny_omni papertiny_dense papertiny_switch papertiny_omni tinywide_dense"
lanes=2
valid_interval=0
train_mix=""
stage=0
stop_stage=5
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --utterances) utterances=$2; shift 2;;
    --steps) steps=$2; shift 2;;
    --seeds) seeds=$2; shift 2;;
    --models) models=$2; shift 2;;
    --lanes) lanes=$2; shift 2;;
    --valid-interval) valid_interval=$2; shift 2;;
    --train-mix) train_mix=$2; shift 2;;
    --stage) stage=$2; shift 2;;
    --stop-stage) stop_stage=$2; shift 2;;
    -h|--help) recipe_help "${BASH_SOURCE[0]}"; exit 0;;
    *) echo "experiment: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
heldout=$(( utterances / 50 > 60 ? utterances / 50 : 60 ))
sets=(indomain unseen_voices flite noise10db noise0db fast slow reverb)
read -r -a mix_domains <<< "$train_mix"
for d in "${mix_domains[@]}"; do
  case " ${sets[*]} " in
    *" $d "*) [ "$d" != indomain ] && [ "$d" != unseen_voices ] \
      || { echo "experiment: --train-mix takes domains made from the training voices' audio, not $d" >&2; exit 2; } ;;
    *) echo "experiment: --train-mix domain $d is not one of the evaluation sets: ${sets[*]}" >&2; exit 2 ;;
  esac
done
train_corpus=train
[ ${#mix_domains[@]} -eq 0 ] || train_corpus=train_mix
# the recipe's parameters, kept beside the results (the report prints them); written by the stages that make data
# and models, so a later eval or report from another checkout keeps the recipe that trained them
[ "$stage" -gt 2 ] && [ -f "$out/recipe.json" ] || printf '{"utterances": %d, "heldout": %d, "steps": %d, "seeds": "%s", "models": "%s", "sets": "%s", "valid_interval": %d, "train_mix": "%s", "commit": "%s"}\n' \
  "$utterances" "$heldout" "$steps" "$seeds" "$models" "${sets[*]}" "$valid_interval" "$train_mix" \
  "$(git -C "$ROOT" rev-parse --short HEAD)" \
  > "$out/recipe.json"

if in_stage 0; then
  echo "== stage 0: synth ($utterances training + ${#sets[@]} x $heldout evaluation utterances)  [$(elapsed)]"
  part=$(( utterances / (${#mix_domains[@]} + 1) ))   # the whole corpus without a mix
  synth_sets "$out" "$part" "$heldout" 11 flite,noise10db,noise0db,fast,slow,reverb
  if [ ${#mix_domains[@]} -gt 0 ]; then
    parts=("espeak=$out/corpus/train/manifest.jsonl")
    for i in "${!mix_domains[@]}"; do
      d=${mix_domains[$i]}
      "$OMNI" synth --out "$out/corpus/mix/$d-source" --utterances "$part" --seed $(( 21 + i )) --no-format-mix
      "$OMNI" ood-sets --manifest "$out/corpus/mix/$d-source/manifest.jsonl" --out "$out/corpus/mix" --sets "$d" \
        --seed $(( 31 + i ))
      parts+=("$d=$out/corpus/mix/$d/manifest.jsonl,$out/corpus/mix/$d-source/manifest.jsonl")
    done
    mkdir -p "$out/corpus/train_mix"
    /usr/bin/python3 "$ROOT/submit/mix_manifest.py" "$out/corpus/train_mix/manifest.jsonl" "${parts[@]}"
  fi
  if [ "$valid_interval" -gt 0 ]; then
    "$OMNI" synth --out "$out/corpus/valid" --utterances "$heldout" --seed 9 --split train --corrupt-labels 0 \
      --no-format-mix
  fi
fi
if in_stage 1; then
  echo "== stage 1: prepare  [$(elapsed)]"
  valid=()
  [ ! -f "$out/corpus/valid/manifest.jsonl" ] || valid=(valid)
  prepare_sets "$out" 8 "${sets[@]}" "${valid[@]}"   # the training set from corpus/$train_corpus
fi

# settings one model needs that the shared recipe (conf/train/tiny.yaml) does not have
model_overrides() {
  case $1 in
    tinywide_dense) echo "train.lr=0.0005" ;;   # the lr sweep, docs/results.md: at 0.002 its CTC branch does not learn
  esac
}
# one training run: exp/<model>_s<seed>; .done marks a finished run, a killed one resumes from its checkpoint
train_one() {
  local model=${1%%:*} seed=${1##*:} dir="$out/exp/${1%%:*}_s${1##*:}" valid=() extra=()
  [ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$steps" ] && return 0
  [ "$valid_interval" -eq 0 ] || valid=(--valid "$out/data/valid")
  read -r -a extra <<< "$(model_overrides "$model")"
  echo "   train $model seed $seed ${extra[*]}  [$(elapsed)]"
  # appended: a resumed run keeps the log of its earlier segments (metrics.jsonl keeps every logged row anyway)
  echo "== $(date -u +%FT%TZ) train to $steps steps at $(git -C "$ROOT" rev-parse --short HEAD)" >> "$dir.train.log"
  OMP_NUM_THREADS=1 OMNISPARK_JAVA_OPTS=-Xmx3g "$OMNI" train --data "$out/data/train" "${valid[@]}" --out "$dir" \
    --conf "$ROOT/conf/train/tiny.yaml" --model "$ROOT/conf/model/$model.yaml" \
    train.seed="$seed" train.max_steps="$steps" train.max_epochs=1000 train.valid_interval="$valid_interval" \
    train.log_interval=20 train.checkpoint.interval=100 "${extra[@]}" >> "$dir.train.log" 2>&1 \
    || { echo "   train $model seed $seed FAILED: see $dir.train.log" >&2; return 1; }
  echo "$steps" > "$dir/.done"
}
eval_one() {
  local run=$1 dir="$out/exp/$1" modes=ctc_greedy data=()
  [ -f "$dir/.done" ] || return 0
  [ -f "$dir/eval/.done" ] && [ "$(cat "$dir/eval/.done")" = "$steps" ] && return 0
  /usr/bin/python3 "$ROOT/submit/read_report.py" has-decoder "$dir" && modes=ctc_greedy,attention_rescoring
  for s in "${sets[@]}"; do data+=(--data "$out/data/$s"); done
  OMP_NUM_THREADS=1 OMNISPARK_JAVA_OPTS=-Xmx3g "$OMNI" eval --model "$dir" "${data[@]}" --out "$dir/eval" \
    --mode "$modes" > "$dir.eval.log" 2>&1 || { echo "   eval $run FAILED: see $dir.eval.log" >&2; return 1; }
  echo "$steps" > "$dir/eval/.done"
}
export -f train_one eval_one elapsed model_overrides
export out steps valid_interval ROOT OMNI started
export sets_list="${sets[*]}"

if in_stage 2; then
  echo "== stage 2: train ($models) x seeds ($seeds), $steps steps, $lanes at once  [$(elapsed)]"
  mkdir -p "$out/exp"
  # seed-major order: if the budget runs out, the finished seeds are complete comparisons
  for seed in $seeds; do for m in $models; do echo "$m:$seed"; done; done \
    | xargs -P "$lanes" -I{} bash -c 'train_one {}'
fi
if in_stage 3; then
  echo "== stage 3: eval every run on ${sets[*]}  [$(elapsed)]"
  for seed in $seeds; do for m in $models; do echo "${m}_s$seed"; done; done \
    | xargs -P "$lanes" -I{} bash -c 'sets=($sets_list); eval_one {}'
fi
if in_stage 4; then
  seed=${seeds%% *}
  echo "== stage 4: decoding RTF per mode, one at a time (seed $seed, in-domain set)  [$(elapsed)]"
  for m in $models; do
    dir="$out/exp/${m}_s$seed"
    [ -f "$dir/.done" ] || continue
    if /usr/bin/python3 "$ROOT/submit/read_report.py" has-decoder "$dir"; then
      modes=ctc_greedy,ctc_prefix_beam_search,attention_rescoring; chunk=(--decoding-chunk-size 16)
    else
      modes=ctc_greedy,ctc_prefix_beam_search; chunk=()
    fi
    # the unseen-voices set first warms up the JVM and libtorch; the in-domain set's timings are the ones reported
    rm -rf "$dir/rtf"
    "$OMNI" eval --model "$dir" --data "$out/data/unseen_voices" --data "$out/data/indomain" --out "$dir/rtf/full" \
      --mode "$modes" > "$dir.rtf.log" 2>&1
    if [ ${#chunk[@]} -gt 0 ]; then
      "$OMNI" eval --model "$dir" --data "$out/data/unseen_voices" --data "$out/data/indomain" \
        --out "$dir/rtf/chunk16" --mode ctc_greedy,attention_rescoring,streaming "${chunk[@]}" >> "$dir.rtf.log" 2>&1
    fi
    rtf=("$dir/rtf/full/indomain/report.json")
    [ ${#chunk[@]} -eq 0 ] || rtf+=("$dir/rtf/chunk16/indomain/report.json")
    echo "   $m: RTF $(/usr/bin/python3 "$ROOT/submit/read_report.py" rtf "${rtf[@]}")"
  done
fi
if in_stage 5; then
  echo "== stage 5: report  [$(elapsed)]"
  /usr/bin/python3 "$ROOT/submit/experiment_report.py" "$out"
fi
echo "== done in $(elapsed): $out/results.md"
