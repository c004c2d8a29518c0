package org.omnispark.data.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.ingest.ManifestEntry;
import scala.Tuple2;

/**
 * Which shard every manifest row goes to, decided ONCE per output and saved, so that a resumed run, or a task
 * recomputed after an executor is lost, puts every row in the shard the first run chose. (Recomputing it is not
 * safe: a duration probe that failed the first time and works the second moves rows between shards, and finished
 * shards keep the old assignment, so rows end up in two shards or in none.)
 *
 * <pre>
 *   OUT/_work/shard-plan/        Parquet: key, shard, seconds (the planned duration)
 *   OUT/_work/shard-plan.json    {digest, num_shards, rows, micros}: written last, the plan's commit marker
 * </pre>
 *
 * <p>The digest is an order-independent SHA-256-based sum over the rows; every shard's done marker records it, and
 * a marker of another plan is refused. A run that finds no committed plan makes one (deleting the shards and
 * markers of any earlier plan); a run that finds one reads it and checks its digest.
 */
final class ShardPlan {
    static final String DATA = "shard-plan";
    static final String INFO = "shard-plan.json";
    static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("key", DataTypes.StringType, false),
        DataTypes.createStructField("shard", DataTypes.IntegerType, false),
        DataTypes.createStructField("seconds", DataTypes.DoubleType, false),
    });

    /**
     * The plan's commit marker.
     *
     * @param digest what identifies the assignment (recorded by every shard's done marker)
     * @param numShards shards in the dataset
     * @param rows rows planned
     * @param micros their planned duration, in microseconds
     */
    record Info(String digest, int numShards, long rows, long micros) implements java.io.Serializable {
    }

    private final Info info;
    private final JavaPairRDD<String, Tuple2<Integer, Double>> byKey;

    private ShardPlan(Info info, JavaPairRDD<String, Tuple2<Integer, Double>> byKey) {
        this.info = info;
        this.byKey = byKey;
    }

    Info info() {
        return info;
    }

    /** How many shards a plan of {@code rows} rows and {@code hours} hours has. */
    @FunctionalInterface
    interface ShardCount {
        int of(long rows, double hours);
    }

    /**
     * The saved plan when the output has a committed one, else a new plan, saved before it is returned.
     *
     * @param entries the manifest's rows that passed the manifest checks (keys unique)
     * @param recipe how to reach the audio (for the duration probe)
     * @param shardCount shards for a given size
     */
    static ShardPlan loadOrMake(SparkSession spark, OutputCommitter committer, JavaRDD<ManifestEntry> entries,
            UtteranceProcessor.Recipe recipe, ShardCount shardCount) {
        Path infoPath = committer.work(INFO);
        if (committer.resumed() && committer.exists(infoPath)) {
            return load(spark, committer, infoPath);
        }
        // No committed plan: markers and shards of an earlier one (if any) cannot be trusted.
        committer.delete(committer.work("done"));
        committer.delete(committer.work(DATA));
        committer.delete(committer.output(OutputCommitter.SHARDS));
        // Only (duration, key) is kept and sorted: an entry may carry its audio (Hugging Face Parquet rows).
        JavaRDD<PlannedUtterance.DealOrder> planned = entries
                .map(e -> PlannedUtterance.DealOrder.of(PlannedUtterance.probe(e, recipe.hadoopConf().get())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long rows = planned.count();
            long micros = planned.map(p -> Math.round(p.seconds() * 1e6)).fold(0L, Long::sum);
            int numShards = shardCount.of(rows, micros / 3.6e9);
            JavaRDD<Row> assigned = planned
                    .sortBy(o -> o, true, Math.max(1, planned.getNumPartitions()))
                    .zipWithIndex()
                    .map(t -> RowFactory.create(t._1().key(), ShardPlanner.shardOf(t._2(), numShards),
                            t._1().seconds()));
            spark.createDataFrame(assigned, SCHEMA).write().parquet(committer.work(DATA).toString());
            JavaPairRDD<String, Tuple2<Integer, Double>> byKey = read(spark, committer);
            Info info = new Info(digest(byKey, numShards), numShards, rows, micros);
            committer.writeText(OutputCommitter.WORK + "/" + INFO, ConfigLoader.json().writeValueAsString(info));
            return new ShardPlan(info, byKey);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } finally {
            planned.unpersist();
        }
    }

    private static ShardPlan load(SparkSession spark, OutputCommitter committer, Path infoPath) {
        Info info;
        try (InputStream in = committer.fs().open(infoPath)) {
            info = ConfigLoader.json().readValue(in, Info.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved shard plan " + infoPath + ": " + e.getMessage()
                    + "; start over with --overwrite or another --out", e);
        }
        JavaPairRDD<String, Tuple2<Integer, Double>> byKey = read(spark, committer);
        String digest = digest(byKey, info.numShards());
        if (!digest.equals(info.digest())) {
            throw new IllegalStateException("the saved shard plan in " + committer.work(DATA) + " does not match its "
                    + "digest (" + digest + " vs " + info.digest() + " in " + INFO + "): it was damaged; start over "
                    + "with --overwrite or another --out");
        }
        return new ShardPlan(info, byKey);
    }

    private static JavaPairRDD<String, Tuple2<Integer, Double>> read(SparkSession spark, OutputCommitter committer) {
        return spark.read().schema(SCHEMA).parquet(committer.work(DATA).toString()).javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getString(0), new Tuple2<>(r.getInt(1), r.getDouble(2))));
    }

    /**
     * The planned rows by shard: every entry joined with its saved assignment. Fails when the entries and the plan
     * do not hold the same keys (the manifests changed under a resumed run).
     */
    JavaPairRDD<Integer, PlannedUtterance> byShard(JavaRDD<ManifestEntry> entries) {
        JavaPairRDD<Integer, PlannedUtterance> joined = entries.mapToPair(e -> new Tuple2<>(e.key(), e))
                .join(byKey)
                .mapToPair(t -> new Tuple2<>(t._2()._2()._1(), new PlannedUtterance(t._2()._1(), t._2()._2()._2())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        long matched = joined.count();
        long entryCount = entries.count();
        if (matched != info.rows() || entryCount != info.rows()) {
            joined.unpersist();
            throw new IllegalStateException("the saved shard plan has " + info.rows() + " rows, the manifests "
                    + entryCount + " (" + matched + " of them in the plan): the input changed under a resumed run; "
                    + "start over with --overwrite or another --out");
        }
        return joined.partitionBy(new ShardPlanner.ShardPartitioner(info.numShards()));
    }

    /** Order-independent: the sums (mod 2^64) of two 64-bit words of each row's SHA-256, with the counts. */
    static String digest(JavaPairRDD<String, Tuple2<Integer, Double>> byKey, int numShards) {
        long[] sums = byKey.map(t -> rowHash(t._1(), t._2()._1(), t._2()._2()))
                .fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        return "plan-v1:" + numShards + ":" + sums[2] + ":" + HexFormat.of().toHexDigits(sums[0])
                + HexFormat.of().toHexDigits(sums[1]);
    }

    private static long[] rowHash(String key, int shard, double seconds) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((key + "\t" + shard + "\t"
                    + Double.doubleToLongBits(seconds)).getBytes(StandardCharsets.UTF_8));
            return new long[] {java.nio.ByteBuffer.wrap(h, 0, 8).getLong(), java.nio.ByteBuffer.wrap(h, 8, 8).getLong(),
                1};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
