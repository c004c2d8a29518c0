package org.omnispark.data.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.omnispark.data.ingest.JsonLinesManifest;
import org.omnispark.data.ingest.ParsedLine;

/**
 * Makes out-of-domain evaluation sets ({@link OodSet}) from an in-domain JSON-lines manifest: for every row and set,
 * {@code OUT/<set>/<key>.wav}, and per set {@code OUT/<set>/manifest.jsonl} ({@code key, wav, txt}; the WAV path
 * relative to that folder, rows in the input's order). The same input, sets and seed give the same bytes: the
 * tools run in repeatable mode, and each row's noise comes from its own generator, seeded by (seed, set, key), so
 * neither the thread count nor the row order changes it.
 *
 * <p>Input rows are read with the data pipeline's manifest parser (the same field names: {@code key}, {@code
 * audio_filepath}/{@code wav}, {@code text}/{@code txt}; relative audio paths resolve against the manifest's
 * folder). A malformed line or a repeated key stops the run with its line number: an evaluation set must not
 * silently miss a row.
 */
public final class OodSetMaker {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Path manifest;
    private final Path outputDir;
    private final List<OodSet> sets;
    private final long seed;
    private final int threads;
    private final Sox sox;
    private final Flite flite;

    private OodSetMaker(Builder b) {
        this.manifest = b.manifest;
        this.outputDir = b.outputDir;
        this.sets = b.sets;
        this.seed = b.seed;
        this.threads = b.threads;
        this.sox = Sox.locate(b.soxCommand);
        this.flite = sets.stream().anyMatch(s -> s.kind() == OodSet.Kind.FLITE) ? Flite.locate(b.fliteCommand) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One input row: its key, its audio file, its text and its position (which flite voice speaks it). */
    private record Row(String key, Path audio, String text, int index) {}

    /**
     * Makes every set.
     *
     * @return the number of rows in each set
     */
    public int make() throws IOException {
        List<Row> rows = readManifest();
        for (OodSet set : sets) {
            Files.createDirectories(outputDir.resolve(set.name()));
        }
        ParallelRows.map(rows, threads, "ood-sets", "out-of-domain sets", row -> {
            for (OodSet set : sets) {
                render(row, set, outputDir.resolve(set.name()).resolve(fileName(row.key())));
            }
            return row;
        });
        for (OodSet set : sets) {
            writeManifest(rows, outputDir.resolve(set.name()).resolve("manifest.jsonl"));
        }
        return rows.size();
    }

    private void render(Row row, OodSet set, Path out) throws IOException {
        switch (set.kind()) {
            case FLITE -> flite.synthesize(row.text(), Flite.VOICES.get(row.index() % Flite.VOICES.size()), out);
            case NOISE -> {
                SplittableRandom rng = new SplittableRandom(StableHash.derive(seed, StableHash.hash64(set.name()),
                        StableHash.hash64(row.key())));
                readPcm16(row.audio(), out).withNoise(set.value(), rng).write(out);
            }
            case TEMPO -> sox.tempo(row.audio(), out, set.value());
            case REVERB -> sox.reverb(row.audio(), out, 50, 100, 0.5);
        }
    }

    /** The row's audio as 16-bit mono PCM: read directly, or converted by sox first (into {@code scratch}). */
    private PcmWav readPcm16(Path audio, Path scratch) throws IOException {
        try {
            return PcmWav.read(audio);
        } catch (IOException notPcm16Mono) {
            sox.toPcm16Mono(audio, scratch);
            return PcmWav.read(scratch);
        }
    }

    private List<Row> readManifest() throws IOException {
        Path base = manifest.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        List<Row> rows = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            ParsedLine parsed = JsonLinesManifest.parse(lines.get(i), manifest.toString(), i);
            if (parsed.isMalformed()) {
                throw new IOException(manifest + ":" + (i + 1) + ": " + parsed.error()
                        + " (fix the line; an evaluation set must not miss a row)");
            }
            String key = parsed.entry().key();
            if (!keys.add(key)) {
                throw new IOException(manifest + ":" + (i + 1) + ": key '" + key + "' repeats an earlier line");
            }
            rows.add(new Row(key, base.resolve(parsed.entry().audioPath()), parsed.entry().text(), rows.size()));
        }
        if (rows.isEmpty()) {
            throw new IOException(manifest + " has no rows");
        }
        return rows;
    }

    private static void writeManifest(List<Row> rows, Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                JsonGenerator g = JSON.createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            for (Row row : rows) {
                g.writeStartObject();
                g.writeStringField("key", row.key());
                g.writeStringField("wav", fileName(row.key()));
                g.writeStringField("txt", row.text());
                g.writeEndObject();
                g.writeRaw('\n');
            }
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The key itself where it is a safe file name, else a stable hash of it (keys may hold '/', spaces...). */
    static String fileName(String key) {
        return (SAFE_NAME.matcher(key).matches() && !key.startsWith(".") ? key
                : String.format("k%016x", StableHash.hash64(key))) + ".wav";
    }

    /** Builds an {@link OodSetMaker}: {@code setX} for what is required, {@code optX} for the rest. */
    public static final class Builder {
        private Path manifest;
        private Path outputDir;
        private List<OodSet> sets = parse(OodSet.DEFAULT_SETS);
        private long seed = 1;
        private int threads = Runtime.getRuntime().availableProcessors();
        private String soxCommand = "sox";
        private String fliteCommand = "flite";

        /** The in-domain JSON-lines manifest. */
        public Builder setManifest(Path manifest) {
            this.manifest = manifest;
            return this;
        }

        /** The folder that receives one sub-folder per set. */
        public Builder setOutputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /** Comma-separated set names (default {@value OodSet#DEFAULT_SETS}). */
        public Builder optSets(String names) {
            this.sets = parse(names);
            return this;
        }

        /** The seed of the added noise (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Rows rendered at once (default: cores). */
        public Builder optThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The sox and flite programs (defaults: {@code sox}, {@code flite} on the PATH). */
        public Builder optTools(String sox, String flite) {
            this.soxCommand = Objects.requireNonNull(sox);
            this.fliteCommand = Objects.requireNonNull(flite);
            return this;
        }

        /**
         * @throws SynthToolMissingException if sox, or flite when a flite set is asked for, cannot be run
         */
        public OodSetMaker build() {
            Objects.requireNonNull(manifest, "setManifest: the in-domain manifest is required");
            Objects.requireNonNull(outputDir, "setOutputDir: the output folder is required");
            return new OodSetMaker(this);
        }

        private static List<OodSet> parse(String names) {
            List<OodSet> parsed = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String name : names.split(",")) {
                if (!seen.add(name.trim())) {
                    throw new IllegalArgumentException("set '" + name.trim() + "' is named twice in " + names);
                }
                parsed.add(OodSet.parse(name.trim()));
            }
            return List.copyOf(parsed);
        }
    }
}
