package org.omnispark.data.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How {@code prepare} reads its manifests: {@code --manifest-format} and {@code input.manifest_format}. One format
 * applies to every manifest of a run; {@link #AUTO} decides per path.
 */
public enum ManifestFormat {
    /**
     * A folder is a Kaldi data directory; a file whose first JSON object (among its first lines) has the shape of a
     * Lhotse cut, recording or supervision is Lhotse, as is one with no parsable line named like Lhotse's manifests
     * ({@code *cuts*.jsonl[.gz]}, {@code *recordings*.jsonl[.gz]}, {@code *supervisions*.jsonl[.gz]}); any other file
     * is JSON lines.
     */
    AUTO,
    /** JSON lines with OmniSpark, WeNet or NeMo field names (plain or gzipped). */
    JSONL,
    /** A Kaldi data directory ({@code text} + {@code wav.scp}, optional {@code segments}, {@code utt2spk}). */
    KALDI,
    /** A Lhotse CutSet, or a RecordingSet + SupervisionSet pair, as JSONL (plain or gzipped). */
    LHOTSE;

    /** The values as written in configs and on the command line. */
    public static List<String> names() {
        return Arrays.stream(values()).map(ManifestFormat::configName).toList();
    }

    /** The value as written in configs and on the command line, e.g. {@code lhotse}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a config or command-line value.
     *
     * @throws IllegalArgumentException naming the valid values, for anything else
     */
    public static ManifestFormat parse(String value) {
        for (ManifestFormat f : values()) {
            if (f.configName().equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown manifest format '" + value + "': use one of "
                + String.join(", ", names()) + " (auto tells Kaldi folders, Lhotse files and JSON lines apart)");
    }
}
