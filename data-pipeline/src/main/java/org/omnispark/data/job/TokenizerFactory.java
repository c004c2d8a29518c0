package org.omnispark.data.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.text.CharTokenizer;
import org.omnispark.data.text.SentencePieceModel;
import org.omnispark.data.text.SentencePieceTokenizer;
import org.omnispark.data.text.TextNormalizer;
import org.omnispark.data.text.Tokenizer;
import scala.Tuple2;

/**
 * Builds the dataset's tokenizer on the driver: a character vocabulary counted on Spark over every transcript
 * that passes the confidence filter, or a SentencePiece model (the user's, or one trained on a deterministic
 * sample of those transcripts).
 */
final class TokenizerFactory {
    /** Transcripts sampled to train a SentencePiece model. */
    static final int SENTENCEPIECE_SAMPLE = 200_000;

    private TokenizerFactory() {
    }

    static Tokenizer build(PrepareConfig.TextSection text, PrepareConfig.Filters filters,
                           JavaRDD<ManifestEntry> entries, TextNormalizer normalizer) {
        double minConfidence = filters.minConfidence();
        JavaRDD<String> texts = entries
                .filter(e -> e.confidence() == null || e.confidence() >= minConfidence)
                .map(e -> normalizer.normalize(e.text()))
                .filter(t -> !t.isBlank());
        try {
            if (text.vocabularyFrom() != null) {
                Tokenizer reused = org.omnispark.data.text.Tokenizers.load(Path.of(text.vocabularyFrom()));
                if (!reused.type().equals(text.tokenizer())) {
                    throw new IllegalArgumentException("text.vocabulary_from " + text.vocabularyFrom() + " holds a "
                            + reused.type() + " tokenizer but text.tokenizer is " + text.tokenizer());
                }
                return reused;
            }
            if (text.tokenizer().equals("char")) {
                int minCount = text.charMinCount();
                Map<Integer, Long> counts = texts.flatMap(t -> t.codePoints().boxed().iterator()).countByValue();
                List<String> chars = new ArrayList<>();
                counts.forEach((cp, n) -> {
                    if (n >= minCount) {
                        chars.add(new String(Character.toChars(cp)));
                    }
                });
                return CharTokenizer.build(chars, 1);
            }
            if (text.sentencepieceModel() != null) {
                return SentencePieceTokenizer.load(Path.of(text.sentencepieceModel()));
            }
            List<String> sample = texts.zipWithIndex()
                    .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                    .sortByKey()
                    .values()
                    .take(SENTENCEPIECE_SAMPLE);
            SentencePieceModel.ModelType type = text.sentencepieceModelType().equals("bpe")
                    ? SentencePieceModel.ModelType.BPE : SentencePieceModel.ModelType.UNIGRAM;
            return SentencePieceTokenizer.train(sample, text.sentencepieceVocabSize(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the tokenizer: " + e.getMessage(), e);
        }
    }
}
