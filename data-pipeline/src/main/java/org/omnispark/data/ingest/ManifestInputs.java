package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Decides, on the driver, what each {@code --manifest} path is and which files it reads: a JSON-lines file, a Kaldi
 * data directory, a Lhotse CutSet, a Lhotse RecordingSet + SupervisionSet pair (either file of the pair names
 * both: the partner is the same name with {@code recordings} and {@code supervisions} swapped, in the same folder),
 * a Lhotse Shar folder ({@link LhotseSharSource}) or tar shards.
 * Paths go through the Hadoop FileSystem API; gzipped files are read through Hadoop's compression codecs.
 */
public final class ManifestInputs {
    /** How many non-blank lines {@link ManifestFormat#AUTO} looks at for the first JSON object. */
    static final int PEEK_LINES = 20;
    /** The most bytes read to tell a manifest's format. */
    static final int PEEK_BYTES = 4 << 20;
    /** The manifest NeMo's tarred datasets have beside their tars. */
    static final String NEMO_MANIFEST = "tarred_audio_manifest.json";

    private ManifestInputs() {
    }

    /** What one manifest path is read as. */
    public enum Kind { JSONL, KALDI, LHOTSE_CUTS, LHOTSE_PAIR, LHOTSE_SHAR, WENET_TAR, WEBDATASET, NEMO_TAR, HF_PARQUET }

    /**
     * One input, its paths fully qualified.
     *
     * @param kind how it is read
     * @param path the file or folder; the SupervisionSet of a pair
     * @param recordings the RecordingSet of a pair, else null
     * @param tars the tar files of a WeNet, WebDataset, NeMo or Lhotse Shar input, or the Parquet files of a Hugging
     *     Face one (qualified, in order), else empty
     * @param cuts the cuts files of a Lhotse Shar input, {@code cuts.get(i)} paired with {@code tars.get(i)}, else
     *     empty
     */
    public record Input(Kind kind, String path, String recordings, List<String> tars, List<String> cuts)
            implements Serializable {
        public Input {
            tars = List.copyOf(tars);
            cuts = List.copyOf(cuts);
        }

        /** An input that is no Lhotse Shar. */
        public Input(Kind kind, String path, String recordings, List<String> tars) {
            this(kind, path, recordings, tars, List.of());
        }

        /** An input that is no set of tars. */
        public Input(Kind kind, String path, String recordings) {
            this(kind, path, recordings, List.of());
        }

        /**
         * The manifest files its rows name as their source, in order (a pair: supervisions, then recordings; tar
         * shards: each tar; NeMo tarred: the manifest, then each tar, whose damage is a reject of its own; Lhotse
         * Shar: each cuts file, then each tar).
         */
        public List<String> rowSources() {
            if (kind == Kind.LHOTSE_SHAR) {
                List<String> all = new ArrayList<>(cuts);
                all.addAll(tars);
                return all;
            }
            if (kind == Kind.NEMO_TAR) {
                List<String> all = new ArrayList<>();
                all.add(path);
                all.addAll(tars);
                return all;
            }
            if (!tars.isEmpty()) {
                return tars;
            }
            return recordings == null ? List.of(path) : List.of(path, recordings);
        }
    }

    /**
     * Resolves every path, in order; a pair named by both of its files is read once (any other path named twice is
     * read twice, as before: its rows become DUPLICATE_KEY rejects).
     *
     * @throws IllegalArgumentException when a path does not exist or does not fit {@code format}, saying what to do
     */
    public static List<Input> resolve(Configuration conf, List<String> paths, ManifestFormat format) {
        List<Input> inputs = new ArrayList<>();
        for (String p : paths) {
            Input in = resolve(conf, p, format);
            if (in.kind() != Kind.LHOTSE_PAIR || !inputs.contains(in)) {
                inputs.add(in);
            }
        }
        return inputs;
    }

    static Input resolve(Configuration conf, String p, ManifestFormat format) {
        Path path = new Path(p);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (format == ManifestFormat.HF_PARQUET || (format == ManifestFormat.AUTO && isParquetGlob(p))) {
                return parquetInput(fs, path, p);
            }
            if (TarShardList.isPattern(p) && (format == ManifestFormat.WEBDATASET || format == ManifestFormat.AUTO
                    || format == ManifestFormat.WENET_TAR) && !fs.exists(path)) {
                return tarInput(fs, format == ManifestFormat.WENET_TAR ? Kind.WENET_TAR : Kind.WEBDATASET, p, p);
            }
            if (!fs.exists(path)) {
                throw new IllegalArgumentException("manifest " + p + " does not exist: check the path (a JSON-lines "
                        + "file, a Kaldi data directory with text and wav.scp, a Lhotse cuts, recordings or "
                        + "supervisions file, a Lhotse Shar folder, or tar shards)");
            }
            Path q = fs.makeQualified(path);
            boolean dir = fs.getFileStatus(q).isDirectory();
            if (format == ManifestFormat.NEMO_TAR || (format == ManifestFormat.AUTO && isNemoTarred(fs, q, dir))) {
                Path manifest = dir ? new Path(q, NEMO_MANIFEST) : q;
                if (!fs.exists(manifest)) {
                    throw new IllegalArgumentException("--manifest-format nemo_tar: " + manifest + " does not exist;"
                            + " name the tarred dataset's manifest (tarred_audio_manifest.json) or its folder");
                }
                return new Input(Kind.NEMO_TAR, manifest.toString(), null, TarShardList.nemoTars(fs, manifest));
            }
            if (format == ManifestFormat.AUTO && (dir ? !fs.exists(new Path(q, "text")) && !parquetFiles(fs, q)
                    .isEmpty() : isParquetName(q.getName()))) {
                return parquetInput(fs, path, p);
            }
            if (format == ManifestFormat.LHOTSE_SHAR || (format == ManifestFormat.AUTO && (dir
                    ? LhotseSharSource.isSharFolder(fs, q) : LhotseSharSource.isSharCutsFile(fs, q)))) {
                LhotseSharSource.Layout shar = LhotseSharSource.layout(fs, q, dir);
                return new Input(Kind.LHOTSE_SHAR, q.toString(), null, shar.tars(), shar.cuts());
            }
            Kind tarKind = tarKind(fs, q, dir, format);
            if (tarKind != null) {
                return tarInput(fs, tarKind, p, q.toString());
            }
            if (format == ManifestFormat.KALDI || (format == ManifestFormat.AUTO && dir)) {
                if (!dir) {
                    throw new IllegalArgumentException("--manifest-format kaldi needs a data directory, but " + p
                            + " is a file: pass its folder, or choose another --manifest-format ("
                            + String.join(", ", ManifestFormat.names()) + ")");
                }
                return new Input(Kind.KALDI, q.toString(), null);
            }
            if (dir) {
                throw new IllegalArgumentException("--manifest-format " + format.configName() + " reads files, but "
                        + p + " is a directory: name the manifest file in it (a Kaldi data directory needs "
                        + "--manifest-format kaldi or auto)");
            }
            if (format == ManifestFormat.JSONL) {
                return new Input(Kind.JSONL, q.toString(), null);
            }
            // The first object's shape decides; the name only when no line parses (or when lhotse was asked for).
            JsonNode first = firstObject(fs, q, conf);
            LhotseManifest.Kind kind = LhotseManifest.kindOf(first);
            if (kind == null && (first == null || format == ManifestFormat.LHOTSE)) {
                kind = kindByName(q.getName());
            }
            if (kind == null && format == ManifestFormat.AUTO) {
                return new Input(Kind.JSONL, q.toString(), null);
            }
            if (kind == null) {
                throw new IllegalArgumentException("cannot tell what Lhotse manifest " + p + " is: its first lines "
                        + "are no cut, recording or supervision, and its name has none of 'cuts', 'recordings', "
                        + "'supervisions' (as Lhotse names them: cuts.jsonl.gz, recordings.jsonl.gz, "
                        + "supervisions.jsonl.gz); check the file, or use --manifest-format jsonl for JSON lines");
            }
            return switch (kind) {
                case CUT -> new Input(Kind.LHOTSE_CUTS, q.toString(), null);
                case SUPERVISION -> new Input(Kind.LHOTSE_PAIR, q.toString(),
                        partner(fs, q, "supervisions", "recordings").toString());
                case RECORDING -> new Input(Kind.LHOTSE_PAIR, partner(fs, q, "recordings", "supervisions").toString(),
                        q.toString());
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * True for what {@code convert_to_tarred_audio_dataset.py} writes: a {@value #NEMO_MANIFEST} (or the folder holding
     * it) with at least one {@code audio_<N>.tar} beside it.
     */
    static boolean isNemoTarred(FileSystem fs, Path q, boolean dir) throws IOException {
        Path manifest = dir ? new Path(q, NEMO_MANIFEST) : q;
        return manifest.getName().equals(NEMO_MANIFEST) && fs.exists(manifest) && fs.listStatus(manifest.getParent(),
                f -> f.getName().matches("audio_\\d{1,9}\\.tar")).length > 0;
    }

    /** WENET_TAR or WEBDATASET when the format names one, or when AUTO finds tars; else null. */
    static Kind tarKind(FileSystem fs, Path q, boolean dir, ManifestFormat format) throws IOException {
        if (format == ManifestFormat.WENET_TAR) {
            return Kind.WENET_TAR;
        }
        if (format == ManifestFormat.WEBDATASET) {
            return Kind.WEBDATASET;
        }
        if (format != ManifestFormat.AUTO) {
            return null;
        }
        if (dir) {
            return !fs.exists(new Path(q, "text")) && fs.listStatus(q, f -> TarShardList.isTarName(f.getName()))
                    .length > 0 ? Kind.WEBDATASET : null;
        }
        if (TarShardList.isTarName(q.getName())) {
            return Kind.WEBDATASET;
        }
        String first = firstLine(fs, q);
        return first != null && !first.startsWith("{") && TarShardList.isTarName(first) ? Kind.WENET_TAR : null;
    }

    /** A Hugging Face Parquet input: a file, a folder's {@code .parquet} files or a glob's, sorted by name. */
    private static Input parquetInput(FileSystem fs, Path path, String p) throws IOException {
        List<String> files = new ArrayList<>();
        if (isGlob(p)) {
            org.apache.hadoop.fs.FileStatus[] found = fs.globStatus(path);
            for (org.apache.hadoop.fs.FileStatus f : found == null ? new org.apache.hadoop.fs.FileStatus[0] : found) {
                if (f.isFile()) {
                    files.add(f.getPath().toString());
                }
            }
        } else if (!fs.exists(path)) {
            files = null;
        } else if (fs.getFileStatus(path).isDirectory()) {
            files = parquetFiles(fs, path);
        } else {
            files.add(fs.makeQualified(path).toString());
        }
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("--manifest-format hf_parquet: " + p + (files == null ? " does not "
                    + "exist" : " names no Parquet file") + "; name a .parquet file, a folder of them or a glob such "
                    + "as 'data/train-*.parquet' (quote it), e.g. a dataset downloaded with huggingface-cli download "
                    + "--repo-type dataset");
        }
        java.util.Collections.sort(files);
        return new Input(Kind.HF_PARQUET, isGlob(p) ? p : fs.makeQualified(path).toString(), null, files);
    }

    /** The {@code .parquet} files directly inside a folder, qualified and sorted. */
    static List<String> parquetFiles(FileSystem fs, Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(dir, f -> isParquetName(f.getName()))) {
            if (f.isFile()) {
                files.add(fs.makeQualified(f.getPath()).toString());
            }
        }
        java.util.Collections.sort(files);
        return files;
    }

    static boolean isParquetName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".parquet");
    }

    private static boolean isGlob(String p) {
        return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0;
    }

    private static boolean isParquetGlob(String p) {
        return isGlob(p) && isParquetName(p);
    }

    private static Input tarInput(FileSystem fs, Kind kind, String p, String path) throws IOException {
        return new Input(kind, path, null, TarShardList.tars(fs, p));
    }

    /** The first non-blank line of a file (stripped, at most 64 KiB read), or null. */
    static String firstLine(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            byte[] head = in.readNBytes(64 << 10);
            for (String line : new String(head, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
            return null;
        }
    }

    /** The kind Lhotse's file names say ({@code *cuts*.jsonl[.gz]} ...), or null. */
    static LhotseManifest.Kind kindByName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (!n.endsWith(".jsonl") && !n.endsWith(".jsonl.gz")) {
            return null;
        }
        if (n.contains("supervisions")) {
            return LhotseManifest.Kind.SUPERVISION;
        }
        if (n.contains("recordings")) {
            return LhotseManifest.Kind.RECORDING;
        }
        return n.contains("cuts") ? LhotseManifest.Kind.CUT : null;
    }

    /** The other file of a RecordingSet + SupervisionSet pair, beside {@code file}. */
    static Path partner(FileSystem fs, Path file, String mine, String theirs) throws IOException {
        String name = file.getName();
        int at = name.toLowerCase(Locale.ROOT).lastIndexOf(mine);
        List<Path> tried = new ArrayList<>();
        if (at >= 0) {
            String base = name.substring(0, at) + theirs + name.substring(at + mine.length());
            tried.add(new Path(file.getParent(), base));
            tried.add(new Path(file.getParent(), base.endsWith(".gz") ? base.substring(0, base.length() - 3)
                    : base + ".gz"));
            for (Path t : tried) {
                if (fs.exists(t)) {
                    return fs.makeQualified(t);
                }
            }
        }
        throw new IllegalArgumentException("Lhotse " + mine + " " + file + " need their " + theirs + ": "
                + (tried.isEmpty() ? "its name has no '" + mine + "' to find them by"
                : "expected " + tried.get(0).getName() + " beside it") + ". Lhotse writes the pair as "
                + "<corpus>_recordings_<part>.jsonl.gz and <corpus>_supervisions_<part>.jsonl.gz in one folder: "
                + "put them side by side, or pass a cuts file (CutSet.from_manifests(...).to_file(...))");
    }

    /**
     * The first JSON object among the first non-blank lines, or null; gzip and other codecs by the file's name. At
     * most {@value #PEEK_BYTES} bytes (after decompression) are read: a file without line breaks, a binary file given
     * as a manifest, is never read whole on the driver (its one long line becomes a reject when the rows are read).
     */
    static JsonNode firstObject(FileSystem fs, Path file, Configuration conf) throws IOException {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
        byte[] head;
        boolean whole;
        try (InputStream raw = fs.open(file);
             InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
            head = in.readNBytes(PEEK_BYTES);
            whole = head.length < PEEK_BYTES || in.read() < 0;
        }
        String[] lines = new String(head, StandardCharsets.UTF_8).split("\r?\n|\r", -1);
        int complete = whole ? lines.length : lines.length - 1; // the last one may be cut off
        int seen = 0;
        for (int i = 0; i < complete && seen < PEEK_LINES; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            seen++;
            JsonNode n = LhotseManifest.readObject(lines[i]);
            if (n != null) {
                return n;
            }
        }
        return null;
    }
}
