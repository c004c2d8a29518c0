package org.omnispark.data.job;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
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

    /** Writes {@code accepted} (in the processed schema) into {@code committer.work("shards")}. */
    public static Result write(SparkSession spark, Dataset<Row> accepted, PrepareConfig.Output conf,
                               OutputCommitter committer) {
        // Per-row facts for planning and statistics: key, duration, frames, speed, CMVN partial sums.
        JavaRDD<Row> facts = accepted.select("key", "duration", "num_frames", "speed", "stat_sum", "stat_sumsq")
                .javaRDD().cache();
        long rows = facts.count();
        if (rows == 0) {
            throw new IllegalStateException("no utterance passed the filters, so there is nothing to write: see "
                    + "the rejects table and report.json for why, and loosen filters.* or fix the input");
        }
        int numShards = (int) Math.min(conf.numShards(), rows);
        DatasetManifest.Cmvn cmvn = cmvn(facts);

        // Shard of each key: sort longest first (ties by key), deal in snake order.
        JavaPairRDD<String, Integer> shardOfKey = accepted.select("key", "duration")
                .orderBy(col("duration").desc(), col("key").asc())
                .javaRDD()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._1().getString(0), ShardPlanner.shardOf(t._2(), numShards)));
        shardOfKey.cache();

        // Per-shard statistics.
        JavaPairRDD<String, Row> factsByKey = facts.mapToPair(r -> new Tuple2<>(r.getString(0), r));
        List<Tuple2<Integer, double[]>> perShard = shardOfKey.join(factsByKey)
                .mapToPair(t -> new Tuple2<>(t._2()._1(), new double[] {1, t._2()._2().getInt(2),
                    t._2()._2().getDouble(1), t._2()._2().getFloat(3) == 1.0f ? 1 : 0}))
                .reduceByKey((a, b) -> new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]})
                .sortByKey().collect();

        // Move every row to its shard's partition, sort it by duration and write one file per partition.
        JavaPairRDD<String, Row> rowsByKey = accepted.select(ProcessedRows.SHARD_COLUMNS.stream()
                        .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new))
                .javaRDD().mapToPair(r -> new Tuple2<>(r.getString(0), r));
        JavaRDD<Row> placed = rowsByKey.join(shardOfKey)
                .mapToPair(t -> new Tuple2<>(t._2()._2(), t._2()._1()))
                .partitionBy(new ShardPlanner.ShardPartitioner(numShards))
                .values();
        Path raw = committer.work("shards_raw");
        spark.createDataFrame(placed, ProcessedRows.SHARD_SCHEMA)
                .sortWithinPartitions(col("duration"), col("key"))
                .write()
                .option("compression", conf.compression().equals("none") ? "uncompressed" : conf.compression())
                .option("parquet.block.size", (long) conf.rowGroupMb() << 20)
                .parquet(raw.toString());

        List<DatasetManifest.ShardInfo> shards = new ArrayList<>();
        long frames = 0;
        double seconds = 0;
        long originals = 0;
        try {
            FileStatus[] parts = committer.fs().listStatus(raw, p -> p.getName().startsWith("part-"));
            Arrays.sort(parts, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            if (parts.length != numShards) {
                throw new IllegalStateException("expected " + numShards + " shard files, Spark wrote "
                        + parts.length + "; this is a bug, please report it");
            }
            for (int i = 0; i < numShards; i++) {
                double[] s = perShard.get(i)._2();
                String name = "shards/" + ShardPlanner.shardFileName(i, numShards);
                committer.rename(parts[i].getPath(), committer.work(name));
                shards.add(new DatasetManifest.ShardInfo(name, (long) s[0], (long) s[1], s[2] / 3600.0));
                frames += (long) s[1];
                seconds += s[2];
                originals += (long) s[3];
            }
            committer.fs().delete(raw, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        facts.unpersist();
        shardOfKey.unpersist();
        return new Result(shards, new DatasetManifest.Totals(rows, frames, seconds / 3600.0), cmvn, originals);
    }

    private static DatasetManifest.Cmvn cmvn(JavaRDD<Row> facts) {
        Tuple2<double[], double[]> zero = new Tuple2<>(new double[0], new double[0]);
        Tuple2<double[], double[]> sums = facts.map(r -> new Tuple2<>(doubles(r.getList(4)), doubles(r.getList(5))))
                .fold(zero, (a, b) -> new Tuple2<>(add(a._1(), b._1()), add(a._2(), b._2())));
        long frames = facts.map(r -> (long) r.getInt(2)).fold(0L, Long::sum);
        return new DatasetManifest.Cmvn(sums._1(), sums._2(), frames);
    }

    private static double[] doubles(List<Object> list) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).doubleValue();
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        if (a.length == 0) {
            return b.clone();
        }
        if (b.length == 0) {
            return a.clone();
        }
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }
}
