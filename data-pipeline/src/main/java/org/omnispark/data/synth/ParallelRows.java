package org.omnispark.data.synth;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs one piece of work per row on a fixed pool of daemon threads (each row's work runs external tools, so rows go
 * in parallel), and returns the results in the rows' order. The first failure is rethrown as it was (an IOException
 * or RuntimeException); the pool is stopped and its threads joined before this returns, so no tool is still writing
 * when the caller cleans up.
 */
final class ParallelRows {

    /** The work for one row. */
    @FunctionalInterface
    interface Work<R, T> {
        T apply(R row) throws IOException;
    }

    private ParallelRows() {}

    /**
     * @param threads rows at once
     * @param threadName the pool threads' name
     * @param what what the rows make, for the interrupt message
     * @return each row's result, in order
     */
    static <R, T> List<T> map(List<R> rows, int threads, String threadName, String what, Work<R, T> work)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>(rows.size());
            for (R row : rows) {
                futures.add(pool.submit(() -> work.apply(row)));
            }
            List<T> results = new ArrayList<>(rows.size());
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        } finally {
            pool.shutdownNow();
            try { // a running tool is killed at its own time limit, so this wait ends
                pool.awaitTermination(EspeakNg.TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
