package org.omnispark.expertparallel.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The ranks' own errors in a training job, as the driver's listener receives them. When a barrier stage fails, Spark's
 * job error often names only the barrier ("barrier task ShuffleMapTask(0, 1) finished unsuccessfully"), not what the
 * rank threw; the error that reaches the user (the client's console, YARN's diagnostics) must name it. The first rank
 * to fail is the cause; the others usually fail because it did (their peer closed the connection), so a transport
 * error is taken only when nothing else failed. Registered on construction; {@link #close} removes it.
 */
final class RankFailures extends SparkListener implements AutoCloseable {

    private static final String TRANSPORT = "org.omnispark.expertparallel.transport.TransportException";

    private record Failure(int rank, String className, String message) {}

    private final SparkContext sc;
    private final List<Failure> failures = new ArrayList<>();

    RankFailures(SparkContext sc) {
        this.sc = sc;
        sc.addSparkListener(this);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() instanceof TaskFailedReason reason && !(reason instanceof TaskKilled)) {
            String className = reason instanceof ExceptionFailure e ? e.className() : reason.getClass().getSimpleName();
            String text = reason instanceof ExceptionFailure e ? e.className() + ": " + e.description()
                    : reason.toErrorString();
            synchronized (failures) {
                failures.add(new Failure(end.taskInfo().index(), className, firstLine(text)));
            }
        }
    }

    /**
     * Waits (up to 30 s) for Spark to deliver the job's task ends, then names the cause.
     *
     * @return "rank R: what it threw" of the first rank that failed on its own, or empty when none is known
     */
    Optional<String> cause() {
        try {
            sc.listenerBus().waitUntilEmpty(30_000);
        } catch (TimeoutException e) {
            // name what has arrived
        }
        synchronized (failures) {
            Failure pick = failures.stream().filter(f -> !f.className().equals(TRANSPORT)).findFirst()
                    .orElse(failures.isEmpty() ? null : failures.get(0));
            return Optional.ofNullable(pick).map(f -> "rank " + f.rank() + ": " + f.message());
        }
    }

    private static String firstLine(String s) {
        String text = String.valueOf(s);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
