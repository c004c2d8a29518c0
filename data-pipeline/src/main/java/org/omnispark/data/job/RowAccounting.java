package org.omnispark.data.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.ingest.ParsedLine;
import scala.Tuple2;

/**
 * The check before a dataset is published: every manifest row is in exactly one place, by identity (its manifest
 * file and line), not by totals. A row that passed the manifest checks must be exactly one original row of exactly
 * one published shard, or exactly one processing reject; nothing may be placed that no manifest row asked for.
 * A row is known by its file, line and key: one line of a Lhotse CutSet is one row per supervision of the cut.
 * Totals can agree while rows are doubled in one place and missing in another; this cannot.
 */
final class RowAccounting {
    /** Violations quoted in the error. */
    private static final int QUOTED = 10;

    private RowAccounting() {
    }

    /**
     * @param lines every manifest row (the malformed ones are their own rejects, placed by construction)
     * @param shardFiles the published shard files (URIs)
     * @param processingRejects the rejects of the shard stage
     * @throws IllegalStateException naming the first rows lost, doubled or unknown
     */
    static void verify(SparkSession spark, JavaRDD<ParsedLine> lines, List<String> shardFiles,
            List<ShardOutcome.Reject> processingRejects) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaPairRDD<String, String> expected = lines.filter(p -> !p.isMalformed())
                .mapToPair(p -> new Tuple2<>(id(p.source(), p.line(), p.entry().key()), p.entry().key()));
        List<Tuple2<String, String>> rejected = new ArrayList<>();
        for (ShardOutcome.Reject r : processingRejects) {
            rejected.add(new Tuple2<>(id(r.source(), r.line(), r.key()), "reject " + r.reason()));
        }
        JavaPairRDD<String, String> placed = jsc.parallelizePairs(rejected, Math.max(1, jsc.defaultParallelism()));
        if (!shardFiles.isEmpty()) {
            placed = placed.union(spark.read().schema(ProcessedRows.SHARD_SCHEMA)
                    .parquet(shardFiles.toArray(String[]::new))
                    .where("key = original_key").select("source", "line", "key").javaRDD()
                    .mapToPair(r -> new Tuple2<>(id(r.getString(0), r.getLong(1), r.getString(2)),
                            "shard row " + r.getString(2))));
        }
        List<String> violations = expected.cogroup(placed).flatMap(t -> {
            List<String> places = new ArrayList<>();
            t._2()._2().forEach(places::add);
            boolean known = t._2()._1().iterator().hasNext();
            if (known && places.size() == 1) {
                return java.util.Collections.emptyIterator();
            }
            String what = !known ? "placed but in no manifest" : places.isEmpty() ? "lost" : "doubled";
            return List.of(t._1() + ": " + what + " " + places).iterator();
        }).take(QUOTED + 1);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("the dataset is not published: manifest rows are not each in exactly one "
                    + "place (a shard row or a reject); first ones: " + String.join("; ", violations.subList(0,
                    Math.min(QUOTED, violations.size()))) + ". This is a bug, please report it with the output's "
                    + "_work folder");
        }
    }

    /** A row's identity: file, line and key (a Lhotse cut's line holds one row per supervision, each its own key). */
    private static String id(String source, long line, String key) {
        return source + ":" + (line + 1) + " " + key;
    }
}
