package org.omnispark.data.text;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * Maps normalized transcripts to token ids for CTC + attention training and back, with WeNet's conventions:
 * id 0 is {@value #BLANK} (the CTC blank), id 1 is {@value #UNK}, the last id is {@value #SOS_EOS}; the
 * vocabulary is stored as WeNet's {@value #UNITS_FILE} ("token id" per line). Implementations are immutable,
 * thread-safe and {@link Serializable} (they are shipped to Spark executors).
 *
 * <p>Input text is expected to be normalized already (see {@link TextNormalizer}); a space between words is the
 * unit "▁" (U+2581), so {@code decode(encode(x)).equals(x)} for in-vocabulary text.
 */
public interface Tokenizer extends Serializable {
    /** The CTC blank unit, id 0. */
    String BLANK = "<blank>";
    /** The unknown unit, id 1. */
    String UNK = "<unk>";
    /** The start/end-of-sentence unit, the last id. */
    String SOS_EOS = "<sos/eos>";
    /** The vocabulary file written by {@link #save(Path)}. */
    String UNITS_FILE = "units.txt";
    /** The word separator unit (U+2581, as in SentencePiece). */
    String SPACE = "\u2581";

    /** Encodes a normalized transcript; text outside the vocabulary becomes {@link #unkId()}. Never blank/sos. */
    int[] encode(String normalizedText);

    /**
     * Decodes ids back to text: blank and sos/eos ids are skipped, "▁" becomes a space, unknown ids become
     * {@value #UNK}.
     *
     * @throws IllegalArgumentException for an id outside {@code [0, vocabSize())}
     */
    String decode(int[] ids);

    /** The units, index = id: {@value #BLANK}, {@value #UNK}, ..., {@value #SOS_EOS}. */
    List<String> units();

    /** The number of units, including blank, unk and sos/eos. */
    default int vocabSize() {
        return units().size();
    }

    /** The CTC blank id: 0. */
    default int blankId() {
        return 0;
    }

    /** The unknown id: 1. */
    default int unkId() {
        return 1;
    }

    /** The start/end-of-sentence id: the last one. */
    default int sosEosId() {
        return vocabSize() - 1;
    }

    /** "char" or "sentencepiece". */
    String type();

    /**
     * The number of characters (code points, spaces excluded) of the text that the tokenizer cannot represent,
     * i.e. that end up inside {@value #UNK} tokens. A filter compares it with the text's length to reject
     * garbage transcripts.
     */
    int countUnknown(String normalizedText);

    /** Writes {@value #UNITS_FILE} (and the model file, if any) into {@code dir}, creating it if needed. */
    void save(Path dir) throws IOException;
}
