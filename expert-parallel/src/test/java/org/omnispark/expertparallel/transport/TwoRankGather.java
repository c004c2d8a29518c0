package org.omnispark.expertparallel.transport;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The endpoint exchange of two ranks in one test JVM (what Spark's {@code BarrierTaskContext.allGather} does): each
 * rank puts its endpoint in a shared array and waits for the other; {@code holdBack}, when given, keeps this rank
 * from going on until the test releases it (e.g. until strangers have connected), 30 s at most.
 */
final class TwoRankGather {
    private TwoRankGather() {
    }

    static UnaryOperator<List<String>> of(int rank, String[] endpoints, CyclicBarrier barrier,
            CountDownLatch holdBack) {
        return mine -> {
            endpoints[rank] = mine.get(0);
            try {
                barrier.await(30, TimeUnit.SECONDS);
                if (holdBack != null) {
                    holdBack.await(30, TimeUnit.SECONDS); // then goes on regardless
                }
            } catch (Exception e) {
                throw new IllegalStateException("rank " + rank + " could not exchange endpoints: " + e, e);
            }
            return List.of(endpoints[0], endpoints[1]);
        };
    }
}
