package org.omnispark.expertparallel;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.omnispark.expertparallel.transport.MeshOptions;
import org.omnispark.expertparallel.transport.PeerMesh;

/**
 * N ranks as N threads of this JVM, connected by a real {@link PeerMesh} on loopback; the rendezvous's all-gather is
 * an in-memory barrier instead of Spark's. For tests of the exchange and the dispatcher without a SparkSession.
 */
final class InProcessRanks {

    /** What each rank runs. */
    @FunctionalInterface
    interface RankBody<T> {
        T run(PeerMesh mesh) throws Exception;
    }

    private static final byte[] KEY = PeerMesh.attemptKey("in-process test".getBytes(), 0);

    private InProcessRanks() {}

    static <T> List<T> run(int ranks, long timeoutMillis, RankBody<T> body) throws Exception {
        return run(ranks, timeoutMillis, null, body);
    }

    /**
     * As {@link #run(int, long, RankBody)}, each rank connected only to {@code peers.apply(rank)} (null: to all).
     */
    static <T> List<T> run(int ranks, long timeoutMillis, java.util.function.IntFunction<int[]> peers,
            RankBody<T> body) throws Exception {
        return run(ranks, timeoutMillis, peers, rank -> MeshOptions.of(timeoutMillis), body);
    }

    /**
     * As {@link #run(int, long, RankBody)}, each rank's mesh opened with {@code options.apply(rank)} (e.g. a wire
     * dtype).
     */
    static <T> List<T> runWithOptions(int ranks, long timeoutMillis,
            java.util.function.IntFunction<MeshOptions> options, RankBody<T> body) throws Exception {
        return run(ranks, timeoutMillis, null, options, body);
    }

    private static <T> List<T> run(int ranks, long timeoutMillis, java.util.function.IntFunction<int[]> peers,
            java.util.function.IntFunction<MeshOptions> meshOptions, RankBody<T> body) throws Exception {
        Engine.getEngine("PyTorch");
        CyclicBarrier barrier = new CyclicBarrier(ranks);
        String[] endpoints = new String[ranks];
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    JniUtils.setGradMode(false);
                    JniUtils.setNumThreads(1);
                    java.util.function.UnaryOperator<List<String>> rendezvous = mine -> {
                        endpoints[rank] = mine.get(0);
                        await(barrier);
                        List<String> all = List.of(endpoints.clone());
                        await(barrier);
                        return all;
                    };
                    MeshOptions options = meshOptions.apply(rank);
                    try (PeerMesh mesh = peers == null
                            ? PeerMesh.open(rank, ranks, "127.0.0.1", KEY, rendezvous, options)
                            : PeerMesh.open(rank, ranks, "127.0.0.1", KEY, rendezvous, options, peers.apply(rank))) {
                        return body.run(mesh);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            Exception first = null;
            StringBuilder failures = new StringBuilder();
            for (int r = 0; r < ranks; r++) {
                try {
                    results.add(futures.get(r).get(timeoutMillis * 4, TimeUnit.MILLISECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.append("\n  rank ").append(r).append(": ").append(e.getCause());
                    // a rank's own failure makes its peers fail with a TransportException: report the cause first
                    if (first == null || !(e.getCause() instanceof org.omnispark.expertparallel.transport.TransportException)) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw new IllegalStateException("ranks failed:" + failures, first.getCause());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("in-process rendezvous failed", e);
        }
    }
}
