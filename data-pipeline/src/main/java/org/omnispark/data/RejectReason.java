package org.omnispark.data;

/**
 * Why an input row did not make it into the shards. Every input row ends either in a shard or in the
 * rejects table with exactly one of these reasons (plus a free-text detail).
 */
public enum RejectReason {
    /** The manifest line is not valid JSON, or lacks a key, an audio path or a text field. */
    MALFORMED_MANIFEST_LINE,
    /** The audio file does not exist or cannot be opened. */
    MISSING_AUDIO,
    /** The audio file's header or data is invalid. */
    CORRUPT_AUDIO,
    /** The audio file ends before its header says it should. */
    TRUNCATED_AUDIO,
    /** The audio format or encoding is not one OmniSpark decodes (e.g. MPEG layer II, AAC, Ogg, 12-bit PCM, A-law). */
    UNSUPPORTED_AUDIO,
    /** A segment (offset/length or Kaldi segments entry) lies outside its recording. */
    SEGMENT_OUT_OF_RANGE,
    /** The transcript is empty after normalization. */
    EMPTY_TRANSCRIPT,
    /** The transcript looks like garbage (mostly characters outside the vocabulary, or repeated junk). */
    GARBAGE_TRANSCRIPT,
    /** The pseudo-label's confidence is below filters.min_confidence. */
    LOW_CONFIDENCE,
    /** Duration below filters.min_duration_s, or too short to yield one feature frame. */
    TOO_SHORT,
    /** Duration above filters.max_duration_s. */
    TOO_LONG,
    /** Tokens per second outside [filters.min_tokens_per_s, filters.max_tokens_per_s]. */
    TOKEN_RATE_OUT_OF_RANGE,
    /** Another row with the same key came first (by manifest file, then line). */
    DUPLICATE_KEY,
    /** Decoding, resampling or featurizing the audio ran past its time budget (see audio.timeout_* in the config). */
    TIMEOUT
}
