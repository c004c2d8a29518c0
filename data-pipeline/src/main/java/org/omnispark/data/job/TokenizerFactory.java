package org.omnispark.data.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
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

    /** Loads a tokenizer saved in a folder (units.txt, spm.model) on any Hadoop file system. */
    static Tokenizer load(String folder, Configuration conf) {
        try (LocalCopy local = LocalCopy.of(folder, conf, Tokenizer.UNITS_FILE, SentencePieceTokenizer.MODEL_FILE)) {
            return org.omnispark.data.text.Tokenizers.load(local.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer in " + folder + ": " + e.getMessage(), e);
        }
    }

    static Tokenizer build(PrepareConfig.TextSection text, PrepareConfig.Filters filters,
                           JavaRDD<ManifestEntry> entries, TextNormalizer normalizer, Configuration conf) {
        double minConfidence = filters.minConfidence();
        JavaRDD<String> texts = entries
                .filter(e -> e.confidence() == null || e.confidence() >= minConfidence)
                .map(e -> normalizer.normalize(e.text()))
                .filter(t -> !t.isBlank());
        try {
            if (text.vocabularyFrom() != null) {
                Tokenizer reused = load(text.vocabularyFrom(), conf);
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
                org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(text.sentencepieceModel());
                try (LocalCopy local = LocalCopy.of(model.getParent().toString(), conf, model.getName())) {
                    return SentencePieceTokenizer.load(local.dir().resolve(model.getName()));
                }
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

    /**
     * A folder readable with java.nio: the folder itself when it is on the local file system, else a temporary local
     * copy of the named files in it (those that exist), deleted on close. Vocabularies and models may live on HDFS or
     * S3A like everything else.
     *
     * @param dir the local folder
     * @param temporary whether {@code dir} is a copy to delete
     */
    record LocalCopy(Path dir, boolean temporary) implements AutoCloseable {
        static LocalCopy of(String folder, Configuration conf, String... names) throws IOException {
            org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(folder);
            FileSystem fs = remote.getFileSystem(conf);
            if (fs instanceof LocalFileSystem || "file".equals(fs.getScheme())) {
                return new LocalCopy(Path.of(fs.makeQualified(remote).toUri()), false);
            }
            Path local = Files.createTempDirectory("omnispark-copy");
            for (String name : names) {
                org.apache.hadoop.fs.Path f = new org.apache.hadoop.fs.Path(remote, name);
                if (fs.exists(f)) {
                    fs.copyToLocalFile(false, f, new org.apache.hadoop.fs.Path(local.resolve(name).toUri()), true);
                }
            }
            return new LocalCopy(local, true);
        }

        @Override
        public void close() throws IOException {
            if (!temporary) {
                return;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
