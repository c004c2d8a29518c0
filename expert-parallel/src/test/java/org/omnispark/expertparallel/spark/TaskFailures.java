package org.omnispark.expertparallel.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The reasons Spark gives for every task that failed while it is registered (a listener on the driver), for the
 * chaos run's invariant that every failure names its cause: a lost executor, a task killed because its barrier stage
 * failed, or an OmniSpark error that names a rank, a step, a file or a peer. Removed by {@link #close}, after the
 * listener bus has delivered every event.
 */
final class TaskFailures extends SparkListener implements AutoCloseable {

    /** What a failure must say, one of these: the cause is named. */
    private static final List<Pattern> NAMED = List.of(
            Pattern.compile("ExecutorLostFailure \\(executor \\S+ exited"), // SIGKILL / halt: Spark names the exit
            Pattern.compile("TaskKilled \\(.+\\)"), // a sibling rank, killed with a reason
            Pattern.compile("rank \\d+"), // an OmniSpark error names the rank (and what it waited for)
            Pattern.compile("Could not recover from a failed barrier"));

    private final SparkContext sc;
    private final List<String> reasons = new ArrayList<>();

    TaskFailures(SparkContext sc) {
        this.sc = sc;
        sc.addSparkListener(this);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() instanceof TaskFailedReason failed) {
            synchronized (reasons) {
                reasons.add(failed.toErrorString());
            }
        }
    }

    /** @return every failure's reason, as Spark reports it */
    List<String> reasons() {
        synchronized (reasons) {
            return List.copyOf(reasons);
        }
    }

    /** @return the first line of each reason that names no cause */
    List<String> unnamed() {
        List<String> out = new ArrayList<>();
        for (String r : reasons()) {
            if (NAMED.stream().noneMatch(p -> p.matcher(r).find())) {
                out.add(r.lines().findFirst().orElse(r));
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            sc.listenerBus().waitUntilEmpty(60_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not deliver the run's task ends in 60 s", e);
        } finally {
            sc.removeSparkListener(this);
        }
    }
}
