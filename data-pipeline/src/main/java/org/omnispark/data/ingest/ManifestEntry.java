package org.omnispark.data.ingest;

import java.io.Serializable;

/**
 * One utterance as named by an input manifest, before any audio is read.
 *
 * @param key unique utterance id
 * @param audioPath path or URI of the audio file (resolved against the manifest's folder when relative)
 * @param text the pseudo-label transcript, as given
 * @param confidence the teacher's confidence in [0, 1], or null when the manifest has none
 * @param duration the duration the manifest claims in seconds, or null (the decoded audio is authoritative)
 * @param speaker speaker id or null
 * @param language language tag or null
 * @param offset start of the segment within the audio file in seconds (0 for whole files)
 * @param length segment length in seconds, or -1 for "to the end of the file"
 * @param source the manifest file this row came from
 * @param line the 0-based line number within {@code source}
 */
public record ManifestEntry(
        String key,
        String audioPath,
        String text,
        Double confidence,
        Double duration,
        String speaker,
        String language,
        double offset,
        double length,
        String source,
        long line) implements Serializable {

    public ManifestEntry {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        if (audioPath == null || audioPath.isBlank()) {
            throw new IllegalArgumentException("audioPath must not be blank for key " + key);
        }
        if (text == null) {
            throw new IllegalArgumentException("text must not be null for key " + key);
        }
    }

    /** True when this row names a part of its audio file rather than the whole file. */
    public boolean isSegment() {
        return offset > 0 || length >= 0;
    }
}
