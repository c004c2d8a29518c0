package org.omnispark.expertparallel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.AccumulatorV2;
import org.omnispark.data.config.ConfigLoader;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Training progress from the ranks to the driver, through Spark itself: rank 0 adds every record it writes to
 * metrics.jsonl (steps and validations) to an accumulator; executors send running tasks' accumulators to the driver
 * with every heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by default), and a listener on the driver prints
 * one line per new record: step, loss, frames/s and the slowest rank's split of the step time, or the validation. No
 * file is shared, so it works wherever the driver runs (client or cluster deploy mode, outputs on HDFS or S3).
 */
final class RankProgress extends SparkListener implements AutoCloseable {
    /** Records an accumulator keeps between two heartbeats (older ones are only in metrics.jsonl). */
    static final int KEEP = 64;
    private final SparkContext sc;
    private final Records records;
    private final PrintStream console;
    private final Map<Long, Long> shownPerTask = new HashMap<>();

    private RankProgress(SparkContext sc, PrintStream console) {
        this.sc = sc;
        this.console = console;
        this.records = new Records();
        sc.register(records, "omnispark-rank0-progress");
    }

    /**
     * Registers the accumulator and the listener.
     *
     * @param sc the driver's context
     * @param console where progress lines go
     * @return the display; close it when the job ends
     */
    static RankProgress start(SparkContext sc, PrintStream console) {
        RankProgress progress = new RankProgress(sc, console);
        sc.addSparkListener(progress);
        return progress;
    }

    /** @return the accumulator rank 0 adds its records to (it travels in the rank's task closure) */
    Records accumulator() {
        return records;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                consider((Long) task._1(), info);
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo() != null) {
            for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
                consider(end.taskInfo().taskId(), info);
            }
        }
    }

    private void consider(long taskId, AccumulableInfo info) {
        if (info.id() == records.id() && info.update().isDefined() && info.update().get() instanceof Snapshot s) {
            show(taskId, s);
        }
    }

    /** Prints the records of a task's snapshot not shown yet (each task attempt counts its own records). */
    private synchronized void show(long taskId, Snapshot snapshot) {
        long shown = shownPerTask.getOrDefault(taskId, 0L);
        long first = snapshot.total() - snapshot.last().size(); // the index of snapshot.last().get(0)
        if (first > shown) {
            console.println("(" + (first - shown) + " progress records skipped between two heartbeats; "
                    + "metrics.jsonl has them all)");
        }
        for (long i = Math.max(shown, first); i < snapshot.total(); i++) {
            String record = snapshot.last().get((int) (i - first));
            try {
                console.println(format(ConfigLoader.json().readTree(record)));
            } catch (IOException | RuntimeException e) {
                console.println("(progress display: " + e.getMessage() + ")");
            }
        }
        shownPerTask.put(taskId, Math.max(shown, snapshot.total()));
    }

    /** One progress line from a metrics.jsonl record. */
    static String format(JsonNode record) {
        StringBuilder sb = new StringBuilder("step ").append(record.path("step").asLong());
        JsonNode losses = record; // flat: step, epoch, loss parts, lr, grad_norm, tokens_per_s, rank<r>/...
        if (losses.has("valid_cer")) {
            return sb.append(String.format(Locale.ROOT, " | validation loss %.4f, CER %.2f%%",
                    losses.path("valid_loss").asDouble(), 100 * losses.path("valid_cer").asDouble())).toString();
        }
        sb.append(String.format(Locale.ROOT, " | loss %.4f | lr %.2e", losses.path("loss").asDouble(),
                record.path("lr").asDouble()));
        if (record.path("tokens_per_s").isNumber()) {
            sb.append(String.format(Locale.ROOT, " | %.0f frames/s", record.path("tokens_per_s").asDouble()));
        }
        int slowest = -1;
        double slowestTime = -1;
        for (Map.Entry<String, JsonNode> e : losses.properties()) {
            if (e.getKey().endsWith("/step_s") && e.getValue().asDouble() > slowestTime) {
                slowestTime = e.getValue().asDouble();
                slowest = Integer.parseInt(e.getKey().substring(4, e.getKey().indexOf('/')));
            }
        }
        if (slowest >= 0) {
            String r = "rank" + slowest + "/";
            sb.append(String.format(Locale.ROOT, " | slowest rank %d: %.2fs = compute %.2f, dispatch %.2f, "
                    + "combine %.2f, all-reduce %.2f, wait %.2f", slowest, slowestTime,
                    losses.path(r + "compute_s").asDouble(), losses.path(r + "dispatch_s").asDouble(),
                    losses.path(r + "combine_s").asDouble(), losses.path(r + "allreduce_s").asDouble(),
                    losses.path(r + "wait_s").asDouble()));
            if (losses.has(r + "host_syncs")) { // device -> host copies around the exchanges; device reads on the host
                sb.append(String.format(Locale.ROOT, ", staging %.2f, %.0f host syncs",
                        losses.path(r + "staging_s").asDouble(), losses.path(r + "host_syncs").asDouble()));
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        drainListenerBus(sc);
        sc.removeSparkListener(this);
    }

    /**
     * What the driver sees of the accumulator.
     *
     * @param total records added so far by this task
     * @param last the newest of them, at most {@link #KEEP}, oldest first
     */
    record Snapshot(long total, List<String> last) implements java.io.Serializable {
    }

    /** Rank 0's metrics records (JSON), the newest {@link #KEEP} kept; one task writes it. */
    static final class Records extends AccumulatorV2<String, Snapshot> {
        private static final long serialVersionUID = 1L;
        private ArrayList<String> last = new ArrayList<>();
        private long total;

        @Override
        public synchronized boolean isZero() {
            return total == 0;
        }

        @Override
        public synchronized Records copy() {
            Records copy = new Records();
            copy.last = new ArrayList<>(last);
            copy.total = total;
            return copy;
        }

        @Override
        public synchronized void reset() {
            last = new ArrayList<>();
            total = 0;
        }

        @Override
        public synchronized void add(String record) {
            last.add(record);
            total++;
            if (last.size() > KEEP) {
                last.remove(0);
            }
        }

        @Override
        public synchronized void merge(AccumulatorV2<String, Snapshot> other) {
            Snapshot theirs = other.value();
            if (theirs.total() > 0) { // one writer: the merged value is that task's
                last = new ArrayList<>(theirs.last());
                total = theirs.total();
            }
        }

        @Override
        public synchronized Snapshot value() {
            return new Snapshot(total, List.copyOf(last));
        }

        /** The executor's heartbeat thread serializes this while rank 0's thread adds to it. */
        private synchronized void writeObject(java.io.ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
        }
    }

    /**
     * Waits (up to 10 s) until Spark's listener bus has delivered every event posted so far: the job has ended when
     * this is called, but its last task-end events may still be queued, and they carry the last records.
     */
    static void drainListenerBus(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty(10_000L); // Spark-internal (package-private in Scala, public in bytecode)
        } catch (Exception | LinkageError e) {
            // best effort: another Spark version without it, or a timeout; the display may then miss its last lines
        }
    }
}
