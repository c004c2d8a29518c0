package org.omnispark.data.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * After the shard stage, on the driver: the shards' done markers are the truth (not what the tasks returned: with
 * speculation two attempts of a shard can both succeed). For every shard of the plan it reads the marker, checks that
 * it belongs to the plan and that the file it names exists with the length it recorded, and moves that file to
 * {@code shards/shard-NNNNN-of-MMMMM.parquet}. Only this class, run by one driver, writes into {@code shards/}, so a
 * published shard is never deleted by a late task attempt. It is idempotent: a driver that died halfway is resumed by
 * the next run (a file already moved is recognized by its length), and files in {@code shards/} that no marker names
 * are deleted.
 */
final class ShardPublisher {
    private ShardPublisher() {
    }

    /**
     * @param committer the output
     * @param plan the run's plan
     * @param resumedShards the shards whose task found a marker from an earlier run (for the report)
     * @return the published outcomes, by shard index, with their files under {@code shards/}
     */
    static List<ShardOutcome> publish(OutputCommitter committer, ShardPlan.Info plan, Set<Integer> resumedShards) {
        FileSystem fs = committer.fs();
        String output = committer.output().toString();
        List<ShardOutcome> published = new ArrayList<>(plan.numShards());
        Set<String> names = new HashSet<>();
        try {
            for (int s = 0; s < plan.numShards(); s++) {
                Path marker = ShardTask.marker(output, s);
                ShardOutcome o = ShardTask.readMarker(fs, marker, plan);
                if (o == null) {
                    throw new IllegalStateException("shard " + s + " has no readable done marker (" + marker + ") "
                            + "although its task succeeded (it was damaged or deleted since): run the same command "
                            + "again to remake the shard");
                }
                if (o.file() == null) {
                    published.add(o.publishedAs(null, resumedShards.contains(s)));
                    continue;
                }
                String name = OutputCommitter.SHARDS + "/" + ShardPlanner.shardFileName(s, plan.numShards());
                Path target = committer.output(name);
                Path staged = committer.output(o.file());
                if (fs.exists(staged)) {
                    check(fs, staged, o, marker);
                    fs.delete(target, false); // only a driver of this output wrote it (a run that died here)
                    fs.mkdirs(target.getParent());
                    if (!fs.rename(staged, target)) {
                        throw new IOException("cannot move " + staged + " to " + target);
                    }
                } else if (!fs.exists(target) || fs.getFileStatus(target).getLen() != o.bytes()) {
                    fs.delete(marker, false); // so that the next run makes the shard again
                    throw new IllegalStateException("shard " + s + "'s file " + staged + " is gone and " + target
                            + " does not hold it; its marker was removed: run the same command again to remake it");
                }
                names.add(target.getName());
                published.add(o.publishedAs(name, resumedShards.contains(s)));
            }
            Path shards = committer.output(OutputCommitter.SHARDS);
            if (fs.exists(shards)) {
                for (FileStatus st : fs.listStatus(shards)) {
                    if (!names.contains(st.getPath().getName())) {
                        fs.delete(st.getPath(), true); // not named by any marker of this plan
                    }
                }
            }
            return published;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the shards of " + output + ": " + e.getMessage(), e);
        }
    }

    private static void check(FileSystem fs, Path file, ShardOutcome o, Path marker) throws IOException {
        long len = fs.getFileStatus(file).getLen();
        if (len != o.bytes()) {
            fs.delete(marker, false);
            throw new IllegalStateException("shard " + o.shard() + "'s file " + file + " has " + len + " bytes, its "
                    + "marker says " + o.bytes() + "; the marker was removed: run the same command again to remake it");
        }
    }
}
