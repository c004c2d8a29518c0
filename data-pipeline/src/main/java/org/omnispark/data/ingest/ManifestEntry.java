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
 * @param audioBytes the encoded audio file itself when the manifest holds it (a Hugging Face Parquet row's
 *     {@code audio.bytes}), else null: {@code audioPath} then only names it; readers use these bytes and open nothing
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
        long line,
        byte[] audioBytes) implements Serializable {

    /** An entry whose audio is a file at {@code audioPath} (no embedded bytes). */
    public ManifestEntry(String key, String audioPath, String text, Double confidence, Double duration, String speaker,
            String language, double offset, double length, String source, long line) {
        this(key, audioPath, text, confidence, duration, speaker, language, offset, length, source, line, null);
    }

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

    /** True when the audio travels with the entry ({@link #audioBytes()}) instead of being read from a file. */
    public boolean hasEmbeddedAudio() {
        return audioBytes != null;
    }

    /** This entry with its audio path replaced (embedded bytes kept). */
    public ManifestEntry withAudioPath(String path) {
        return new ManifestEntry(key, path, text, confidence, duration, speaker, language, offset, length, source,
                line, audioBytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestEntry e && key.equals(e.key) && audioPath.equals(e.audioPath)
                && text.equals(e.text) && java.util.Objects.equals(confidence, e.confidence)
                && java.util.Objects.equals(duration, e.duration) && java.util.Objects.equals(speaker, e.speaker)
                && java.util.Objects.equals(language, e.language) && Double.compare(offset, e.offset) == 0
                && Double.compare(length, e.length) == 0 && java.util.Objects.equals(source, e.source)
                && line == e.line && java.util.Arrays.equals(audioBytes, e.audioBytes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(key, audioPath, text, source, line) * 31 + java.util.Arrays.hashCode(audioBytes);
    }

    @Override
    public String toString() {
        return "ManifestEntry[key=" + key + ", audioPath=" + audioPath + ", text=" + text + ", offset=" + offset
                + ", length=" + length + ", source=" + source + ", line=" + line
                + (audioBytes == null ? "" : ", audioBytes=" + audioBytes.length + " bytes") + "]";
    }

    /** True when this row names a part of its audio file rather than the whole file. */
    public boolean isSegment() {
        return offset > 0 || length >= 0;
    }
}
