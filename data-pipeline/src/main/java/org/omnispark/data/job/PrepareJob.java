package org.omnispark.data.job;

import org.omnispark.cli.Version;

import org.omnispark.io.HadoopConf;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.RejectReason;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.ManifestSource;
import org.omnispark.data.ingest.ParsedLine;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.text.TextNormalizer;
import org.omnispark.data.text.TextNormalizerOptions;
import org.omnispark.data.text.Tokenizer;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * The {@code prepare} job: manifests -> normalized, filtered, featurized utterances -> duration-balanced Parquet
 * shards + rejects + dataset.json, written last. The first steps are public methods so a notebook can run them on
 * its own SparkSession; {@link #run()} runs them all.
 *
 * <pre>
 *   readManifests -> markDuplicates -> buildTokenizer -> plan shards (audio headers) -> one task per shard
 *   (decode, features, shard file, marker) -> rejects -> dataset.json
 * </pre>
 * {@link #process} is the per-row step as a DataFrame, for notebooks; the job itself writes shards from its tasks.
 */
public final class PrepareJob {
    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final PrepareConfig config;
    private final String output;
    private final boolean overwrite;
    private final java.io.PrintStream console;
    private final double progressSeconds;

    private PrepareJob(Builder b) {
        this.spark = b.spark;
        this.jsc = JavaSparkContext.fromSparkContext(b.spark.sparkContext());
        this.config = b.config;
        this.output = b.output;
        this.overwrite = b.overwrite;
        this.console = b.console;
        this.progressSeconds = b.progressSeconds;
    }

    /** A builder: setSpark, setConfig, setOutput are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the whole job and commits the dataset (dataset.json last); returns the accounting report. A run that
     * finds the work of a crashed run with the same inputs and config at the output resumes it: finished shards are
     * not featurized again (see {@link OutputCommitter}).
     */
    public PrepareReport run() {
        OutputCommitter committer = OutputCommitter.begin(output, overwrite, jsc.hadoopConfiguration(),
                RunFingerprint.of(config, jsc.hadoopConfiguration()));
        Result result = runInto(committer);
        committer.commit(result.manifest().toJson());
        return result.report();
    }

    private record Result(PrepareReport report, DatasetManifest manifest) {
    }

    private Result runInto(OutputCommitter committer) {
        long started = System.nanoTime();
        PhaseTimer phases = new PhaseTimer();
        Map<String, Integer> sourceRank = new java.util.HashMap<>();
        for (String m : ManifestSource.rowSources(jsc, config.input().manifests(), config.input().format())) {
            sourceRank.putIfAbsent(m, sourceRank.size());
        }
        JavaRDD<ParsedLine> lines = markDuplicates(readManifests(), sourceRank).persist(
                org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        long inputRows = lines.count();
        phases.mark("read_manifests");
        TextNormalizer normalizer = new TextNormalizer(TextNormalizerOptions.fromMap(config.text().normalizer()));
        JavaRDD<ManifestEntry> entries = lines.filter(p -> !p.isMalformed()).map(ParsedLine::entry);
        Tokenizer tokenizer = tokenizer(committer, entries, normalizer);
        phases.mark("build_tokenizer");
        FbankOptions fbank = FbankOptions.fromMap(withSampleRate(config.fbank()));
        UtteranceProcessor.Recipe recipe = new UtteranceProcessor.Recipe(config, fbank, normalizer, tokenizer,
                new HadoopConf(jsc.hadoopConfiguration()));

        // 1. Plan: each utterance's duration from its audio header; longest first, dealt to shards in snake order.
        //    Made once per output and saved: a resumed run or a recomputed task uses the same assignment.
        ShardPlan plan = ShardPlan.loadOrMake(spark, committer, entries, recipe, this::numShards);
        JavaPairRDD<Integer, PlannedUtterance> byShard = plan.byShard(entries);
        int numShards = plan.info().numShards();
        phases.mark("plan_shards");

        // 2. Shards: one task per shard featurizes its utterances and writes its own file; the markers decide.
        ShardTask task = new ShardTask(recipe, committer.output().toString(), plan.info(), config.output());
        java.util.Set<Integer> resumedShards = new java.util.HashSet<>();
        List<ShardOutcome> finished;
        try (PrepareProgress progress = PrepareProgress.start(jsc.sc(), console, numShards, plan.info().rows(),
                progressSeconds)) {
            finished = byShard.mapPartitionsWithIndex(progress.counting(task), true).collect();
        }
        for (ShardOutcome o : finished) {
            if (o.resumed()) {
                resumedShards.add(o.shard());
            }
        }
        byShard.unpersist();
        List<ShardOutcome> outcomes = ShardPublisher.publish(committer, plan.info(), resumedShards);
        phases.mark("decode_features_write_shards");

        // 3. Rejects: manifest-level ones plus processing ones, sorted by where they came from.
        List<ShardOutcome.Reject> shardRejects = new ArrayList<>();
        outcomes.forEach(o -> shardRejects.addAll(o.rejects()));
        List<Row> processingRejects = shardRejects.stream().map(r -> RowFactory.create(r.key(), r.reason(),
                r.detail(), r.source(), r.line(), r.audioPath())).toList();
        Dataset<Row> rejects = manifestRejects(lines)
                .union(spark.createDataFrame(processingRejects, ProcessedRows.REJECT_SCHEMA))
                .orderBy("source", "line");
        rejects.coalesce(1).write().option("compression", "zstd").parquet(committer.output("rejects").toString());
        phases.mark("write_rejects");
        Map<String, Long> rejectCounts = new TreeMap<>();
        for (Row r : rejects.groupBy("reason").count().collectAsList()) {
            rejectCounts.put(r.getString(0), r.getLong(1));
        }
        ShardsSummary shards = ShardsSummary.of(outcomes);
        if (shards.totals().rows() == 0) {
            throw new IllegalStateException("no utterance passed the filters, so there is nothing to write: see "
                    + "the rejects table and report.json for why, and loosen filters.* or fix the input");
        }
        long acceptedOriginal = shards.originalRows();
        long rejected = rejectCounts.values().stream().mapToLong(Long::longValue).sum();
        if (acceptedOriginal + rejected != inputRows) {
            throw new IllegalStateException("accounting mismatch: " + inputRows + " input rows but "
                    + acceptedOriginal + " accepted + " + rejected + " rejected; this is a bug, please report it");
        }
        RowAccounting.verify(spark, lines, shards.shards().stream()
                .map(i -> committer.output(i.path()).toString()).toList(), shardRejects);
        phases.mark("verify_rows");
        saveTokenizer(tokenizer, committer, "");
        lines.unpersist();

        long perturbed = shards.totals().rows() - acceptedOriginal;
        Map<String, Object> accounting = new LinkedHashMap<>();
        accounting.put("input_rows", inputRows);
        accounting.put("accepted_rows", acceptedOriginal);
        accounting.put("rejected_rows", rejected);
        accounting.put("rejected_by_reason", rejectCounts);
        accounting.put("speed_perturbed_rows", perturbed);
        accounting.put("speed_perturbed_dropped", acceptedOriginal * config.audio().speedPerturb().size() - perturbed);
        accounting.put("output_rows", shards.totals().rows());
        accounting.put("shards_planned", numShards);
        accounting.put("shards_resumed", (long) resumedShards.size());
        DatasetManifest manifest = new DatasetManifest(DatasetManifest.FORMAT_VERSION, Version.describe(),
                config.audio().sampleRate(), fbank.dim(), fbank.toMap(), normalizer.options().toMap(),
                new DatasetManifest.TokenizerInfo(tokenizer.type(), "units.txt",
                        tokenizer.type().equals("sentencepiece") ? org.omnispark.data.text.SentencePieceTokenizer.MODEL_FILE : null, tokenizer.vocabSize()),
                shards.cmvn(), shards.shards(), shards.totals(), accounting, Version.asMap(config));
        committer.writeText("global_cmvn.json", WenetCmvn.toJson(shards.cmvn()));
        PrepareReport report = new PrepareReport(committer.output().toString(), inputRows, acceptedOriginal,
                rejected, rejectCounts, perturbed, shards.totals().rows(), shards.shards().size(),
                shards.totals().hours(), (System.nanoTime() - started) / 1e9, phases.seconds());
        committer.writeText("report.json", report.toJson());
        return new Result(report, manifest);
    }

    /** Shards: output.num_shards, more when that would put over output.max_shard_hours in one, never more than rows. */
    private int numShards(long rows, double hours) {
        long byHours = (long) Math.ceil(hours / config.output().maxShardHours());
        return (int) Math.max(1, Math.min(rows, Math.min(100_000, Math.max(config.output().numShards(), byHours))));
    }

    /**
     * The run's tokenizer: the one a crashed run saved in OUT/_work/tokenizer (so resumed shards encode text the same
     * way), else a new one, saved there.
     */
    private Tokenizer tokenizer(OutputCommitter committer, JavaRDD<ManifestEntry> entries, TextNormalizer normalizer) {
        Path saved = committer.work("tokenizer");
        if (committer.resumed() && committer.exists(new Path(saved, Tokenizer.UNITS_FILE))) {
            return TokenizerFactory.load(saved.toString(), jsc.hadoopConfiguration());
        }
        Tokenizer t = TokenizerFactory.build(config.text(), config.filters(), entries, normalizer,
                jsc.hadoopConfiguration());
        saveTokenizer(t, committer, OutputCommitter.WORK + "/tokenizer/");
        return t;
    }

    /** Saves units.txt (and the SentencePiece model) under {@code prefix} in the output, on any file system. */
    static void saveTokenizer(Tokenizer tokenizer, OutputCommitter committer, String prefix) {
        try {
            java.nio.file.Path local = java.nio.file.Files.createTempDirectory("omnispark-tokenizer");
            try {
                tokenizer.save(local);
                try (var files = java.nio.file.Files.list(local)) {
                    for (java.nio.file.Path f : files.toList()) {
                        committer.fs().copyFromLocalFile(true, true, new Path(f.toUri()),
                                committer.output(prefix + f.getFileName()));
                    }
                }
            } finally {
                java.nio.file.Files.deleteIfExists(local);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot save the tokenizer: " + e.getMessage(), e);
        }
    }

    /** Step 1: every manifest row, with its file and line. */
    public JavaRDD<ParsedLine> readManifests() {
        return ManifestSource.read(jsc, config.input().manifests(), config.input().format());
    }

    /**
     * Step 2: a key seen before turns into a DUPLICATE_KEY reject; "before" is by manifest (in the order given:
     * {@code sourceRank}, qualified path to position), then by line.
     */
    public static JavaRDD<ParsedLine> markDuplicates(JavaRDD<ParsedLine> lines, Map<String, Integer> sourceRank) {
        JavaRDD<ParsedLine> malformed = lines.filter(ParsedLine::isMalformed);
        JavaPairRDD<String, ParsedLine> byKey = lines.filter(p -> !p.isMalformed())
                .mapToPair(p -> new Tuple2<>(p.entry().key(), p));
        JavaRDD<ParsedLine> resolved = byKey.groupByKey().flatMap(t -> {
            List<ParsedLine> group = new ArrayList<>();
            t._2().forEach(group::add);
            if (group.size() == 1) {
                return group.iterator();
            }
            group.sort(java.util.Comparator.<ParsedLine>comparingInt(p -> sourceRank.getOrDefault(p.source(),
                    Integer.MAX_VALUE)).thenComparing(ParsedLine::source).thenComparingLong(ParsedLine::line));
            ParsedLine first = group.get(0);
            List<ParsedLine> out = new ArrayList<>(group.size());
            out.add(first);
            for (ParsedLine dup : group.subList(1, group.size())) {
                out.add(new ParsedLine(null, RejectReason.DUPLICATE_KEY, "key already used at " + first.source()
                        + ":" + (first.line() + 1), dup.keyHint(), dup.source(), dup.line()));
            }
            return out.iterator();
        });
        return malformed.union(resolved);
    }

    /** Step 3 (after the tokenizer): featurize; accepted rows and rejects in {@link ProcessedRows#PROCESSED_SCHEMA}. */
    public Dataset<Row> process(JavaRDD<ManifestEntry> entries, UtteranceProcessor.Recipe recipe) {
        int partitions = Math.max(jsc.defaultParallelism() * 4, (int) Math.min(100_000, entries.count() / 200));
        JavaRDD<Row> rows = entries.repartition(partitions).mapPartitions((Iterator<ManifestEntry> it) -> {
            UtteranceProcessor p = UtteranceProcessor.forPartition(recipe);
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                out.addAll(p.process(it.next()));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, ProcessedRows.PROCESSED_SCHEMA);
    }

    private Dataset<Row> manifestRejects(JavaRDD<ParsedLine> lines) {
        JavaRDD<Row> rows = lines.filter(ParsedLine::isMalformed).map(p -> ProcessedRows.reject(p.keyHint(),
                p.reason(), p.error(), p.source(), p.line(), null));
        return spark.createDataFrame(rows, ProcessedRows.REJECT_SCHEMA);
    }

    private Map<String, Object> withSampleRate(Map<String, Object> fbank) {
        Map<String, Object> m = new LinkedHashMap<>(fbank);
        m.putIfAbsent("sample_frequency", config.audio().sampleRate().doubleValue());
        return m;
    }

    /** Builder for {@link PrepareJob}. */
    public static final class Builder {
        private SparkSession spark;
        private PrepareConfig config;
        private String output;
        private boolean overwrite;
        private java.io.PrintStream console = System.out;
        private double progressSeconds = 10;

        public Builder setSpark(SparkSession spark) {
            this.spark = spark;
            return this;
        }

        public Builder setConfig(PrepareConfig config) {
            this.config = config;
            return this;
        }

        /** The dataset folder (local path or any Hadoop URI). */
        public Builder setOutput(String output) {
            this.output = output;
            return this;
        }

        /** Replace an existing complete dataset at the output (default false). */
        /**
         * @param console where the shard stage's progress goes (default System.out; a stream to nowhere for none)
         * @param intervalSeconds the least time between two progress lines (default 10)
         * @return this
         */
        public Builder optProgress(java.io.PrintStream console, double intervalSeconds) {
            this.console = console;
            this.progressSeconds = intervalSeconds;
            return this;
        }

        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        public PrepareJob build() {
            if (spark == null || config == null || output == null) {
                throw new IllegalStateException("PrepareJob needs setSpark, setConfig and setOutput");
            }
            return new PrepareJob(this);
        }
    }
}
