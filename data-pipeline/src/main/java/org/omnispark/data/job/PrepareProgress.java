package org.omnispark.data.job;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of the shard stage of {@code prepare}, printed on the driver while it runs: shards done of the total,
 * utterances done, utterances per second and the time left. Each shard task counts the utterances it takes up in an
 * accumulator; running tasks' counts reach the driver with executor heartbeats ({@code
 * spark.executor.heartbeatInterval}), finished tasks' with their end. At most one line per interval, and one at the
 * end.
 *
 * <pre>
 *   prepare: 12 of 48 shards done (4 resumed), 3,410 of 9,600 utterances, 212 utterances/s, about 29 s left
 * </pre>
 */
final class PrepareProgress extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final PrintStream console;
    private final int numShards;
    private final long planned;
    private final long intervalNanos;
    private final LongAccumulator processed;
    private final LongAccumulator resumed;
    private final long startNanos = System.nanoTime();
    private final Map<Long, Long> running = new HashMap<>();
    private int shardsDone;
    private int shardsResumed;
    private long lastPrint = System.nanoTime();

    private PrepareProgress(SparkContext sc, PrintStream console, int numShards, long planned, double seconds) {
        this.sc = sc;
        this.console = console;
        this.numShards = numShards;
        this.planned = planned;
        this.intervalNanos = (long) (seconds * 1e9);
        this.processed = sc.longAccumulator("omnispark-prepare-utterances");
        this.resumed = sc.longAccumulator("omnispark-prepare-resumed-utterances");
    }

    /**
     * @param sc the driver's context
     * @param console where lines go
     * @param numShards the plan's shards
     * @param planned the plan's utterances
     * @param intervalSeconds the least time between two lines
     * @return the started display (close it when the stage is done: it prints the last line)
     */
    static PrepareProgress start(SparkContext sc, PrintStream console, int numShards, long planned,
            double intervalSeconds) {
        PrepareProgress progress = new PrepareProgress(sc, console, numShards, planned, intervalSeconds);
        sc.addSparkListener(progress);
        return progress;
    }

    /**
     * @param task the shard task
     * @return the task's partition function, counting the utterances it takes up (a resumed shard's at once)
     */
    Function2<Integer, Iterator<Tuple2<Integer, PlannedUtterance>>, Iterator<ShardOutcome>> counting(ShardTask task) {
        return counting(task, processed, resumed);
    }

    private static Function2<Integer, Iterator<Tuple2<Integer, PlannedUtterance>>, Iterator<ShardOutcome>> counting(
            ShardTask task, LongAccumulator taken, LongAccumulator skipped) {
        return (shard, pairs) -> {
            Iterator<Tuple2<Integer, PlannedUtterance>> counted = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return pairs.hasNext();
                }

                @Override
                public Tuple2<Integer, PlannedUtterance> next() {
                    Tuple2<Integer, PlannedUtterance> next = pairs.next();
                    taken.add(1);
                    return next;
                }
            };
            List<ShardOutcome> outcomes = new java.util.ArrayList<>();
            task.runPartition(shard, counted).forEachRemaining(outcomes::add);
            for (ShardOutcome o : outcomes) {
                if (o.resumed()) {
                    skipped.add(o.originalRows() + o.rejects().size());
                }
            }
            return outcomes.iterator();
        };
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                if (info.id() == processed.id() && info.update().isDefined()) {
                    synchronized (this) {
                        running.put((Long) task._1(), ((Number) info.update().get()).longValue());
                    }
                }
            }
        }
        maybePrint();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        boolean ours = false;
        boolean wasResumed = false;
        for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
            ours |= info.id() == processed.id();
            wasResumed |= info.id() == resumed.id() && info.update().isDefined()
                    && ((Number) info.update().get()).longValue() > 0;
        }
        synchronized (this) {
            running.remove(end.taskInfo().taskId());
            if (ours && end.reason() == Success$.MODULE$) {
                shardsDone++;
                shardsResumed += wasResumed ? 1 : 0;
            }
        }
        maybePrint();
    }

    private void maybePrint() {
        long now = System.nanoTime();
        synchronized (this) {
            if (now - lastPrint < intervalNanos) {
                return;
            }
            lastPrint = now;
        }
        console.println(line(now));
    }

    /** One progress line. */
    synchronized String line(long now) {
        long done = processed.value() + running.values().stream().mapToLong(Long::longValue).sum();
        long skipped = resumed.value();
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long left = Math.max(0, planned - done - skipped);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "prepare: %d of %d shards done", shardsDone,
                numShards));
        if (shardsResumed > 0) {
            sb.append(" (").append(shardsResumed).append(" resumed)");
        }
        sb.append(String.format(Locale.ROOT, ", %,d of %,d utterances, %.0f utterances/s", done + skipped, planned,
                rate));
        if (left == 0) {
            sb.append(String.format(Locale.ROOT, ", %.0f s", seconds));
        } else if (rate > 0) {
            sb.append(", about ").append(duration(left / rate)).append(" left");
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s"
                : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    @Override
    public void close() {
        drainListenerBus(sc);
        sc.removeSparkListener(this);
        console.println(line(System.nanoTime()));
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
