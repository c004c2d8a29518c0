package org.omnispark.data.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.omnispark.io.ExternalCommand;

/**
 * Trains a SentencePiece model by running {@code spm_train} as a subprocess (used for UNIGRAM models, which
 * have no Java trainer here). Options: character coverage 1.0 (every character of the transcripts gets a
 * piece), identity normalization (the input is normalized already), a soft vocabulary limit, one thread.
 */
final class SpmTrainProcess {
    static final String EXECUTABLE = "spm_train";
    /** The longest spm_train may run (it trains on the transcripts once, on the driver). */
    static final java.time.Duration TIMEOUT = java.time.Duration.ofHours(4);

    private SpmTrainProcess() {
    }

    /** The spm_train executable on the PATH, if any. */
    static Optional<Path> find() {
        return ExternalCommand.findOnPath(EXECUTABLE);
    }

    /** Runs spm_train on the texts and returns the .model bytes. */
    static byte[] train(Iterable<String> texts, int vocabSize, String modelType) throws IOException {
        Path exe = find().orElseThrow(() -> new IOException(EXECUTABLE + " is not on the PATH; install "
                + "SentencePiece (Debian/Ubuntu: apt-get install sentencepiece; or build it from "
                + "github.com/google/sentencepiece), or train a BPE model, which needs no external tool"));
        Path dir = Files.createTempDirectory("omnispark-spm-");
        try {
            Path input = dir.resolve("input.txt");
            List<String> lines = new ArrayList<>();
            for (String t : texts) {
                String line = t.replace('\n', ' ').replace('\r', ' ');
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            if (lines.isEmpty()) {
                throw new IllegalArgumentException("Cannot train SentencePiece on an empty corpus");
            }
            Files.write(input, lines, StandardCharsets.UTF_8);
            List<String> cmd = List.of(exe.toString(), "--input=" + input, "--model_prefix=" + dir.resolve("m"),
                    "--model_type=" + modelType, "--vocab_size=" + vocabSize, "--character_coverage=1.0",
                    "--normalization_rule_name=identity", "--hard_vocab_limit=false", "--num_threads=1",
                    "--input_sentence_size=" + lines.size(), "--shuffle_input_sentence=false");
            try {
                ExternalCommand.run(cmd, null, TIMEOUT);
            } catch (IOException e) {
                throw new IOException(EXECUTABLE + " failed (" + e.getMessage() + "); a UNIGRAM model over a very "
                        + "large corpus can also be trained once with spm_train and passed as the tokenizer", e);
            }
            return Files.readAllBytes(dir.resolve("m.model"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
