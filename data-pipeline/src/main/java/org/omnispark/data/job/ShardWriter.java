package org.omnispark.data.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.reader.DatasetManifest;
import scala.Tuple2;

/**
 * Writes accepted utterances as duration-balanced Parquet shards ({@link ShardPlanner}), rows sorted by duration
 * inside each shard, and computes the global CMVN sums and per-shard statistics on the way.
 */
public final class ShardWriter {
    private ShardWriter() {
    }

    /**
     * What was written.
     *
     * @param shards shard files (relative paths) with rows, frames and hours
     * @param totals totals over all shards
     * @param cmvn global CMVN statistics
     * @param originalRows rows that are not speed-perturbed copies
     */
    public record Result(List<DatasetManifest.ShardInfo> shards, DatasetManifest.Totals totals,
                         DatasetManifest.Cmvn cmvn, long originalRows) {
    }

    /** Writes {@code accepted} (in the processed schema) into {@code OUT/shards}. */
    public static Result write(SparkSession spark, Dataset<Row> accepted, PrepareConfig.Output conf,
                               OutputCommitter committer) {
        // Per-row facts for planning and statistics (no features: Parquet reads only these columns).
        Dataset<Row> facts = accepted.select("key", "duration", "num_frames", "speed", "stat_sum", "stat_sumsq")
                .cache();
        long rows = facts.count();
        if (rows == 0) {
            throw new IllegalStateException("no utterance passed the filters, so there is nothing to write: see "
                    + "the rejects table and report.json for why, and loosen filters.* or fix the input");
        }
        int numShards = (int) Math.min(conf.numShards(), rows);
        DatasetManifest.Cmvn cmvn = cmvn(facts.javaRDD());

        // Shard of each key: sort longest first (ties by key), deal in snake order.
        JavaRDD<Row> assignment = facts.select("key", "duration")
                .orderBy(col("duration").desc(), col("key").asc())
                .javaRDD()
                .zipWithIndex()
                .map(t -> RowFactory.create(t._1().getString(0), ShardPlanner.shardOf(t._2(), numShards)));
        Dataset<Row> shardOfKey = spark.createDataFrame(assignment, new StructType()
                .add("key", DataTypes.StringType, false).add("shard", DataTypes.IntegerType, false)).cache();

        // Per-shard statistics: rows, frames, seconds, original (not speed-perturbed) rows.
        List<Row> perShard = facts.join(shardOfKey, "key").groupBy("shard")
                .agg(count(lit(1)), sum("num_frames"), sum("duration"),
                        sum(when(col("speed").equalTo(1.0f), 1).otherwise(0)))
                .orderBy("shard").collectAsList();

        // Rows to their shard (all rows of a shard in one task), sorted by duration; one folder per shard.
        Path raw = committer.work("shards_raw");
        accepted.select(ProcessedRows.SHARD_COLUMNS.stream().map(org.apache.spark.sql.functions::col)
                        .toArray(Column[]::new))
                .join(shardOfKey, "key")
                .repartition(numShards, col("shard"))
                .sortWithinPartitions(col("shard"), col("duration"), col("key"))
                .write()
                .partitionBy("shard")
                .option("compression", conf.compression().equals("none") ? "uncompressed" : conf.compression())
                .option("parquet.block.size", (long) conf.rowGroupMb() << 20)
                .parquet(raw.toString());

        List<DatasetManifest.ShardInfo> shards = new ArrayList<>();
        long frames = 0;
        double seconds = 0;
        long originals = 0;
        try {
            for (int i = 0; i < numShards; i++) {
                Row s = perShard.get(i);
                if (s.getInt(0) != i) {
                    throw new IllegalStateException("shard " + i + " is empty; this is a bug, please report it");
                }
                FileStatus[] parts = committer.fs().listStatus(new Path(raw, "shard=" + i),
                        p -> p.getName().startsWith("part-"));
                if (parts.length != 1) {
                    throw new IllegalStateException("expected one file for shard " + i + ", Spark wrote "
                            + parts.length + "; this is a bug, please report it");
                }
                String name = "shards/" + ShardPlanner.shardFileName(i, numShards);
                committer.move(parts[0].getPath(), committer.output(name));
                shards.add(new DatasetManifest.ShardInfo(name, s.getLong(1), s.getLong(2), s.getDouble(3) / 3600.0));
                frames += s.getLong(2);
                seconds += s.getDouble(3);
                originals += s.getLong(4);
            }
            committer.fs().delete(raw, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        facts.unpersist();
        shardOfKey.unpersist();
        return new Result(shards, new DatasetManifest.Totals(rows, frames, seconds / 3600.0), cmvn, originals);
    }

    /**
     * The global CMVN sums, added exactly ({@link ExactSum}) so that they do not depend on how rows are partitioned:
     * a resumed run and an uninterrupted one give the same bits.
     */
    private static DatasetManifest.Cmvn cmvn(JavaRDD<Row> facts) {
        Tuple2<ExactSum, ExactSum> zero = new Tuple2<>(new ExactSum(), new ExactSum());
        Tuple2<ExactSum, ExactSum> sums = facts.aggregate(zero,
                (acc, r) -> new Tuple2<>(acc._1().add(doubles(r.getList(4))), acc._2().add(doubles(r.getList(5)))),
                (a, b) -> new Tuple2<>(a._1().add(b._1()), a._2().add(b._2())));
        long frames = facts.map(r -> (long) r.getInt(2)).fold(0L, Long::sum);
        return new DatasetManifest.Cmvn(sums._1().values(), sums._2().values(), frames);
    }

    private static double[] doubles(List<Object> list) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).doubleValue();
        }
        return out;
    }
}
