package org.omnispark.trainer.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * NIST sclite transcript ("trn") files: one utterance per line, {@code word word word (utterance_id)}, UTF-8.
 * Score the files with {@code sctk sclite -r ref.trn trn -h hyp.trn trn -i wsj -o sum stdout} (add {@code -c} for
 * character error rate, {@code -e utf-8} for non-ASCII text, {@code -s} for case-sensitive scoring as this package
 * does).
 */
public final class TrnFile {

    private TrnFile() {}

    /**
     * Formats one line: the words separated by single spaces, then the id in parentheses.
     *
     * @param transcript the transcript
     * @return the line, without line break
     */
    public static String formatLine(Transcript transcript) {
        String words = String.join(" ", ErrorRateCalculator.words(transcript.text()));
        return words.isEmpty() ? "(" + transcript.utteranceId() + ")"
                : words + " (" + transcript.utteranceId() + ")";
    }

    /**
     * Parses one line written by {@link #formatLine} (or by other trn writers).
     *
     * @param line the line
     * @return the transcript
     */
    public static Transcript parseLine(String line) {
        String trimmed = line.strip();
        int open = trimmed.lastIndexOf('(');
        if (!trimmed.endsWith(")") || open < 0) {
            throw new IllegalArgumentException("Not a trn line (expected 'words (utterance_id)'): " + line);
        }
        return new Transcript(trimmed.substring(open + 1, trimmed.length() - 1), trimmed.substring(0, open).strip());
    }

    /**
     * Writes transcripts to a trn file (UTF-8, '\n' line ends), replacing it.
     *
     * @param file the file
     * @param transcripts the transcripts, in the order to write
     */
    public static void write(Path file, Collection<Transcript> transcripts) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Transcript transcript : transcripts) {
                writer.write(formatLine(transcript));
                writer.write('\n');
            }
        }
    }

    /**
     * Reads a trn file (blank lines are skipped).
     *
     * @param file the file
     * @return the transcripts in file order
     */
    public static List<Transcript> read(Path file) throws IOException {
        List<Transcript> result = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                result.add(parseLine(line));
            }
        }
        return result;
    }
}
