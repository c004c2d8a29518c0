package org.omnispark.data.job;

import org.omnispark.io.CommitFile;
import java.io.FileNotFoundException;
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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.omnispark.data.config.ConfigLoader;
import scala.Tuple2;

/**
 * One shard, made by one Spark task: decode, resample, featurize and tokenize the shard's utterances (shortest
 * first, ties by key; each original followed by its speed-perturbed copies) and write them straight into a shard
 * file of this attempt's own ({@code _work/staged/shard-NNNNN-<uuid>.parquet}), summing the CMVN statistics exactly on
 * the way. When the file is complete the task commits its {@link ShardOutcome} as {@code _work/done/shard-NNNNN.json}
 * ({@link CommitFile}: whole or absent). A task that finds the marker (a resumed run, a retried or speculative
 * attempt) returns it without redoing the shard; an attempt that finishes after another committed deletes its own
 * file and returns the other's outcome. No attempt ever deletes or replaces a file another attempt made: the job
 * moves each marker's file to {@code shards/} after the stage ({@link ShardPublisher}). Memory: the shard's entries
 * (no audio) plus one utterance and one row group.
 *
 * @param recipe what the processor needs
 * @param output the dataset folder (a URI)
 * @param plan the plan the shards are made for (its digest goes into every marker; a marker of another is refused)
 * @param conf the output settings (codec, row group size)
 */
record ShardTask(UtteranceProcessor.Recipe recipe, String output, ShardPlan.Info plan, PrepareConfig.Output conf)
        implements Serializable {
    static final String STAGED = OutputCommitter.WORK + "/staged/";

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

    /** The done marker of shard {@code shard} under the dataset folder {@code output}. */
    static Path marker(String output, int shard) {
        return new Path(output, OutputCommitter.WORK + String.format("/done/shard-%05d.json", shard));
    }

    /**
     * The outcome in a shard's done marker, or null when there is none. Markers are written whole
     * ({@link CommitFile}), so one that cannot be parsed was damaged afterwards: it is deleted and the shard is made
     * again.
     *
     * @throws IllegalStateException when the marker was made for another plan
     */
    static ShardOutcome readMarker(FileSystem fs, Path marker, ShardPlan.Info plan) throws IOException {
        ShardOutcome o;
        try (InputStream in = fs.open(marker)) {
            o = ConfigLoader.json().readValue(in, ShardOutcome.class);
        } catch (FileNotFoundException absent) {
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | org.apache.hadoop.fs.ChecksumException damaged) {
            fs.delete(marker, false);
            return null;
        }
        if (!plan.digest().equals(o.plan())) {
            throw new IllegalStateException(marker + " was made for shard plan " + o.plan() + ", not this run's "
                    + plan.digest() + ": the output holds the work of another run; start over with --overwrite or "
                    + "another --out");
        }
        return o;
    }

    /** Makes shard {@code shard} from its planned utterances, or returns what a finished attempt or run made. */
    ShardOutcome run(int shard, Iterator<PlannedUtterance> planned) {
        Configuration hadoop = recipe.hadoopConf().get();
        Path marker = marker(output, shard);
        try {
            FileSystem fs = marker.getFileSystem(hadoop);
            ShardOutcome done = readMarker(fs, marker, plan);
            if (done != null) {
                return done.asResumed();
            }
            List<PlannedUtterance> entries = new ArrayList<>();
            planned.forEachRemaining(entries::add);
            entries.sort(Comparator.comparingDouble(PlannedUtterance::seconds)
                    .thenComparing(p -> p.entry().key()));
            String name = STAGED + String.format("shard-%05d-%s.parquet", shard, UUID.randomUUID());
            Path file = new Path(output, name);
            ShardOutcome outcome = write(shard, name, file, entries, hadoop);
            ShardOutcome winner = readMarker(fs, marker, plan);
            if (winner != null) { // another attempt (speculative, or a zombie) committed first: its file stays
                fs.delete(file, false);
                return winner;
            }
            fs.mkdirs(marker.getParent());
            CommitFile.write(fs, marker, ConfigLoader.json().writeValueAsBytes(outcome));
            return outcome;
        } catch (IOException e) {
            throw new UncheckedIOException("shard " + shard + " of " + output + ": " + e.getMessage()
                    + " (Spark retries the task)", e);
        }
    }

    private ShardOutcome write(int shard, String name, Path file, List<PlannedUtterance> entries,
            Configuration hadoop) throws IOException {
        UtteranceProcessor processor = UtteranceProcessor.forPartition(recipe);
        List<ShardOutcome.Reject> rejects = new ArrayList<>();
        ShardTotals totals = new ShardTotals();
        try (ShardFileWriter writer = new ShardFileWriter(file, hadoop, conf)) {
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
                    totals.addRow(r.getInt(2), r.getDouble(7), r.getFloat(11) == 1.0f,
                            (double[]) r.get(ProcessedRows.STAT_SUM), (double[]) r.get(ProcessedRows.STAT_SUM + 1));
                }
            }
        }
        FileSystem fs = file.getFileSystem(hadoop);
        long bytes = 0;
        if (totals.rows == 0) {
            fs.delete(file, false);
        } else {
            bytes = fs.getFileStatus(file).getLen();
        }
        return new ShardOutcome(shard, plan.digest(), totals.rows > 0 ? name : null, bytes, totals.rows, totals.frames,
                totals.seconds, totals.originals, totals.sum.toStrings(), totals.sumSquares.toStrings(), rejects, false);
    }
}
