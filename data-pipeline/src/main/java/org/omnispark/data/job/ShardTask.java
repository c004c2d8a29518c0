package org.omnispark.data.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.spark.sql.Row;
import org.omnispark.data.config.ConfigLoader;
import scala.Tuple2;

/**
 * One shard, made by one Spark task: decode, resample, featurize and tokenize the shard's utterances (shortest
 * first, ties by key; each original followed by its speed-perturbed copies) and write them straight into the shard
 * file, summing the CMVN statistics exactly on the way. When the file is complete the task saves its
 * {@link ShardOutcome} as {@code _work/done/shard-NNNNN.json}; a task that finds one (a resumed run) returns it
 * without redoing the shard. Memory: the shard's entries (no audio) plus one utterance and one row group.
 *
 * @param recipe what the processor needs
 * @param output the dataset folder (a URI)
 * @param numShards shards in the dataset
 * @param conf the output settings (codec, row group size)
 */
record ShardTask(UtteranceProcessor.Recipe recipe, String output, int numShards, PrepareConfig.Output conf)
        implements Serializable {

    /** Partition {@code shard} of the (shard, utterance) pairs: one outcome. */
    Iterator<ShardOutcome> runPartition(Integer shard, Iterator<Tuple2<Integer, PlannedUtterance>> pairs) {
        return List.of(run(shard, new Iterator<PlannedUtterance>() {
            @Override
            public boolean hasNext() {
                return pairs.hasNext();
            }

            @Override
            public PlannedUtterance next() {
                return pairs.next()._2();
            }
        })).iterator();
    }

    /** Makes shard {@code shard} from its planned utterances, or returns what a finished earlier run made. */
    ShardOutcome run(int shard, Iterator<PlannedUtterance> planned) {
        Configuration hadoop = recipe.hadoopConf().get();
        Path marker = new Path(output, OutputCommitter.WORK + String.format("/done/shard-%05d.json", shard));
        try {
            FileSystem fs = marker.getFileSystem(hadoop);
            if (fs.exists(marker)) {
                try (InputStream in = fs.open(marker)) {
                    return ConfigLoader.json().readValue(in, ShardOutcome.class).asResumed();
                }
            }
            List<PlannedUtterance> entries = new ArrayList<>();
            planned.forEachRemaining(entries::add);
            entries.sort(Comparator.comparingDouble(PlannedUtterance::seconds)
                    .thenComparing(p -> p.entry().key()));
            String name = "shards/" + ShardPlanner.shardFileName(shard, numShards);
            Path tmp = new Path(output, OutputCommitter.WORK + "/tmp/" + UUID.randomUUID() + ".parquet");
            ShardOutcome outcome = write(shard, name, tmp, entries, hadoop);
            if (outcome.file() != null) {
                Path target = new Path(output, name);
                fs.delete(target, false);
                fs.mkdirs(target.getParent());
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot move " + tmp + " to " + target);
                }
            } else {
                fs.delete(tmp, false);
            }
            // The marker appears whole: written beside, then renamed (an object store's PUT is whole anyway).
            fs.mkdirs(marker.getParent());
            Path partial = new Path(marker.getParent(), marker.getName() + ".tmp-" + UUID.randomUUID());
            try (FSDataOutputStream out = fs.create(partial, true)) {
                out.write(ConfigLoader.json().writeValueAsBytes(outcome));
                if (out.hasCapability(StreamCapabilities.HSYNC)) {
                    out.hsync();
                }
            }
            if (!fs.rename(partial, marker)) {
                throw new IOException("cannot move " + partial + " to " + marker);
            }
            return outcome;
        } catch (IOException e) {
            throw new UncheckedIOException("shard " + shard + " of " + output + ": " + e.getMessage()
                    + " (Spark retries the task)", e);
        }
    }

    private ShardOutcome write(int shard, String name, Path tmp, List<PlannedUtterance> entries, Configuration hadoop)
            throws IOException {
        UtteranceProcessor processor = UtteranceProcessor.forPartition(recipe);
        List<ShardOutcome.Reject> rejects = new ArrayList<>();
        ExactSum sum = new ExactSum();
        ExactSum sumSquares = new ExactSum();
        long rows = 0;
        long frames = 0;
        long originals = 0;
        double seconds = 0;
        try (ShardFileWriter writer = new ShardFileWriter(tmp, hadoop, conf)) {
            for (PlannedUtterance p : entries) {
                List<Row> out = processor.process(p.entry());
                Row first = out.get(0);
                if (!first.isNullAt(ProcessedRows.REJECT_REASON)) {
                    rejects.add(new ShardOutcome.Reject(first.getString(0), first.getString(ProcessedRows.REJECT_REASON),
                            first.getString(ProcessedRows.REJECT_REASON + 1), p.entry().source(), p.entry().line(),
                            p.entry().audioPath()));
                    continue;
                }
                for (Row r : out) {
                    writer.write(r);
                    rows++;
                    frames += r.getInt(2);
                    seconds += r.getDouble(7);
                    originals += r.getFloat(11) == 1.0f ? 1 : 0;
                    sum.add((double[]) r.get(ProcessedRows.STAT_SUM));
                    sumSquares.add((double[]) r.get(ProcessedRows.STAT_SUM + 1));
                }
            }
        }
        return new ShardOutcome(shard, rows > 0 ? name : null, rows, frames, seconds, originals, sum.toStrings(),
                sumSquares.toStrings(), rejects, false);
    }
}
