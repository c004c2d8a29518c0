# Stages shared by submit/demo.sh and submit/experiment.sh; sourced, with OMNI and ROOT set.

started=$(date +%s)
# elapsed: seconds since the recipe started, for the stage banners
elapsed() { echo "$(( $(date +%s) - started )) s"; }

# in_stage N: whether stage N lies within --stage .. --stop-stage (the recipe's $stage and $stop_stage)
in_stage() { [ "$stage" -le "$1" ] && [ "$stop_stage" -ge "$1" ]; }

# recipe_help FILE: the comment block at the top of the recipe, as its --help
recipe_help() { awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$1"; }

# synth_sets OUT UTTERANCES HELDOUT TRAIN_SEED OOD_SETS: the corpora of a recipe in OUT/corpus: train (UTTERANCES
# espeak-ng utterances, seed TRAIN_SEED, 5% damaged, format mix), indomain (HELDOUT utterances of the training voices,
# seed 7), unseen_voices (HELDOUT utterances of held-out voices, seed 2), and the out-of-domain sets OOD_SETS made
# from indomain (omnispark ood-sets).
synth_sets() {
  local out=$1 utterances=$2 heldout=$3 seed=$4 ood=$5
  "$OMNI" synth --out "$out/corpus/train" --utterances "$utterances" --seed "$seed" --damaged-audio 0.05
  "$OMNI" synth --out "$out/corpus/indomain" --utterances "$heldout" --seed 7 --split train --corrupt-labels 0 \
    --no-format-mix
  "$OMNI" synth --out "$out/corpus/unseen_voices" --utterances "$heldout" --seed 2 --split heldout \
    --corrupt-labels 0
  "$OMNI" ood-sets --manifest "$out/corpus/indomain/manifest.jsonl" --out "$out/corpus" --sets "$ood"
}

# prepare_sets OUT TRAIN_SHARDS SET...: OUT/corpus/$train_corpus (train unless the recipe set train_corpus, e.g.
# train_mix) into OUT/data/train (conf/data/prepare.yaml), then each evaluation set OUT/corpus/SET into OUT/data/SET
# with the training set's vocabulary and no confidence filter. Logs: OUT/prepare-train.log, OUT/prepare-SET.log.
prepare_sets() {
  local out=$1 shards=$2 s
  shift 2
  "$OMNI" prepare --manifest "$out/corpus/${train_corpus:-train}/manifest.jsonl" --out "$out/data/train" \
    --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards="$shards" > "$out/prepare-train.log"
  grep -A3 "input rows" "$out/prepare-train.log" | head -4
  for s in "$@"; do
    "$OMNI" prepare --manifest "$out/corpus/$s/manifest.jsonl" --out "$out/data/$s" \
      --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards=1 filters.min_confidence=0 \
      text.vocabulary_from="$out/data/train" > "$out/prepare-$s.log"
    echo "   $s: $(grep -m1 'accepted' "$out/prepare-$s.log" | tr -s ' ')"
  done
}
