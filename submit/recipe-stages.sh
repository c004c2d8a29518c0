# Stages shared by submit/demo.sh and submit/experiment.sh; sourced, with OMNI and ROOT set.

# prepare_sets OUT TRAIN_SHARDS SET...: OUT/corpus/train into OUT/data/train (conf/data/prepare.yaml), then each
# evaluation set OUT/corpus/SET into OUT/data/SET with the training set's vocabulary and no confidence filter.
# Logs: OUT/prepare-train.log, OUT/prepare-SET.log.
prepare_sets() {
  local out=$1 shards=$2 s
  shift 2
  "$OMNI" prepare --manifest "$out/corpus/train/manifest.jsonl" --out "$out/data/train" \
    --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards="$shards" > "$out/prepare-train.log"
  grep -A3 "input rows" "$out/prepare-train.log" | head -4
  for s in "$@"; do
    "$OMNI" prepare --manifest "$out/corpus/$s/manifest.jsonl" --out "$out/data/$s" \
      --conf "$ROOT/conf/data/prepare.yaml" --overwrite output.num_shards=1 filters.min_confidence=0 \
      text.vocabulary_from="$out/data/train" > "$out/prepare-$s.log"
    echo "   $s: $(grep -m1 'accepted' "$out/prepare-$s.log" | tr -s ' ')"
  done
}
