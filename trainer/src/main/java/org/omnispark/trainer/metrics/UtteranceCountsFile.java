package org.omnispark.trainer.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-utterance error counts of an {@link ErrorRateReport} as a tab-separated file, for scripts that resample
 * utterances (the experiment report's bootstrap) so that they never re-implement the alignment:
 *
 * <pre>
 * utterance  word_errors  words  char_errors  chars  word_sub  word_del  word_ins  char_sub  char_del  char_ins
 * </pre>
 *
 * One header line, then one line per utterance in the report's order; "words" and "chars" are reference lengths.
 */
public final class UtteranceCountsFile {
    /** The file's name inside a decoding mode's folder, beside hyp.trn and ref.trn. */
    public static final String NAME = "utterances.tsv";
    static final String HEADER = "utterance\tword_errors\twords\tchar_errors\tchars\tword_sub\tword_del\tword_ins"
            + "\tchar_sub\tchar_del\tchar_ins";

    private UtteranceCountsFile() {
    }

    /** Writes {@code report}'s per-utterance counts to {@code file}. */
    public static void write(Path file, ErrorRateReport report) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (Map.Entry<String, EditCounts> e : report.perUtteranceWords().entrySet()) {
            EditCounts w = e.getValue();
            EditCounts c = report.perUtteranceCharacters().get(e.getKey());
            if (e.getKey().indexOf('\t') >= 0 || e.getKey().indexOf('\n') >= 0) {
                throw new IllegalArgumentException("utterance id '" + e.getKey() + "' holds a tab or a newline");
            }
            lines.add(String.join("\t", e.getKey(), Long.toString(w.errors()), Long.toString(w.referenceLength()),
                    Long.toString(c.errors()), Long.toString(c.referenceLength()), Long.toString(w.substitutions()),
                    Long.toString(w.deletions()), Long.toString(w.insertions()), Long.toString(c.substitutions()),
                    Long.toString(c.deletions()), Long.toString(c.insertions())));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
