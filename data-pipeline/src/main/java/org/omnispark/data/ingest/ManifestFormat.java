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
     * is JSON lines. A {@code .tar} file is a WebDataset shard; a file whose first line ends in {@code .tar} is a
     * WeNet {@code data.list}; a folder without Kaldi's {@code text} that holds {@code .tar} files is WebDataset,
     * unless it holds a Lhotse Shar cuts file ({@code cuts.NNNNNN.jsonl[.gz]}): then it is Lhotse Shar, as is such a
     * cuts file with its {@code recording.NNNNNN.tar} beside it. A {@code .parquet} file, or a glob or folder
     * (without Kaldi's {@code text}) of them, is Hugging Face Parquet; a {@code tarred_audio_manifest.json}, or its
     * folder, with {@code audio_<N>.tar} beside it is a NeMo tarred set.
     */
    AUTO,
    /** JSON lines with OmniSpark, WeNet or NeMo field names (plain or gzipped). */
    JSONL,
    /** A Kaldi data directory ({@code text} + {@code wav.scp}, optional {@code segments}, {@code utt2spk}). */
    KALDI,
    /** A Lhotse CutSet, or a RecordingSet + SupervisionSet pair, as JSONL (plain or gzipped). */
    LHOTSE,
    /**
     * WeNet's {@code shard} data type: a {@code data.list} naming one tar per line (relative paths against the list's
     * folder); each tar holds {@code KEY.wav} (or .flac, .mp3) + {@code KEY.txt}, keys split at the last dot.
     */
    WENET_TAR,
    /**
     * WebDataset shards: a {@code .tar}, a folder of them, a brace pattern ({@code shard-{000000..000009}.tar}) or a
     * list; members share the key before the first dot of their base name, text from {@code .txt} or a {@code .json}'s
     * {@code "text"}.
     */
    WEBDATASET,
    /**
     * A NeMo tarred dataset: its {@code tarred_audio_manifest.json} (or the folder holding it), the
     * {@code audio_<N>.tar} files beside it; each line's {@code audio_filepath} names a member by its file name.
     */
    NEMO_TAR,
    /**
     * Lhotse Shar ({@code CutSet.to_shar}): a folder of shards {@code cuts.NNNNNN.jsonl.gz} +
     * {@code recording.NNNNNN.tar} (or one shard's cuts file); each cut's audio is its member of the paired tar,
     * found by cut id.
     */
    LHOTSE_SHAR,
    /**
     * Hugging Face Parquet audio ({@code datasets}' Audio feature: {@code struct<bytes, path>}): a {@code .parquet}
     * file, a folder of them, or a glob ({@code data/train-*.parquet}); the audio bytes are read from the Parquet
     * rows ({@link HfParquetRows}).
     */
    HF_PARQUET;

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
                + String.join(", ", names()) + " (auto tells Kaldi folders, Lhotse files, Lhotse Shar folders, JSON "
                + "lines, .tar shards and lists of tars, .parquet files and NeMo tarred sets apart)");
    }
}
