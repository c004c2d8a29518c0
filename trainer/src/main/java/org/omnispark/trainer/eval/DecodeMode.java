package org.omnispark.trainer.eval;

import java.util.Arrays;
import java.util.Locale;

/** The decoding modes of {@link Evaluator}, named as WeNet names them. */
public enum DecodeMode {
    /** Best CTC path, repeats and blanks removed. */
    CTC_GREEDY,
    /** CTC prefix beam search, best prefix. */
    CTC_PREFIX_BEAM_SEARCH,
    /** CTC prefix beam search n-best rescored by the attention decoder (U2++). */
    ATTENTION_RESCORING,
    /** The encoder run chunk by chunk with caches (decoding_chunk_size, num_decoding_left_chunks), then CTC greedy. */
    STREAMING;

    /** @return the lower-case name, e.g. {@code ctc_greedy} (also the output sub-folder) */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a name such as {@code attention_rescoring}.
     *
     * @param name the mode's name, any case
     * @return the mode
     */
    public static DecodeMode parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown decoding mode '" + name + "'; use one of "
                    + Arrays.stream(values()).map(DecodeMode::id).toList());
        }
    }
}
