package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import org.omnispark.trainer.RepeatSpread;

/**
 * The fixed cost of one exchange, taken apart ({@code ExchangeBenchmark --fixed-cost}): four ways to move (almost)
 * nothing between every pair of rank processes, each adding one layer of what {@code MeshProcessGroup.allToAll} does,
 * so that the differences between consecutive cases are the layers' costs:
 *
 * <ol>
 *   <li>raw, one thread: 8 bytes written to every peer, then 8 bytes read from every peer, on the calling thread
 *       (plain blocking sockets, TCP_NODELAY): the kernel's loopback round;
 *   <li>raw, a thread per peer and direction: the same through a thread pool, the caller waiting on the futures, as
 *       the raw baseline of the throughput table and as {@code PeerLink} does: the thread hand-offs;
 *   <li>mesh all-gather of one long: {@code MeshProcessGroup.allGather}: a frame header and Arrow IPC metadata per
 *       frame, checked on receipt, the link threads, the sequence numbers and the timeout bookkeeping;
 *   <li>mesh all-to-all of one 1 KiB row per peer: {@code allToAll}, which adds the result tensor, the tensors'
 *       buffers and the row splits' checks.
 * </ol>
 *
 * Each repeat runs every case for {@code ITERATIONS} exchanges after a barrier; the figure is the slowest rank's mean
 * per exchange in that repeat, min / median / max over the repeats, and each layer's cost is the paired difference
 * of its case and the one before, per repeat.
 */
final class ExchangeFixedCost {

    static final int ITERATIONS = 2000;
    private static final String[] CASES = {"raw TCP, one thread", "raw TCP, a thread per peer and direction",
        "mesh all-gather of one long", "mesh all-to-all, one 1 KiB row per peer"};

    private ExchangeFixedCost() {}

    static void run(int rank, int ranks, int repeats, MeshProcessGroup world, SocketChannel[] raw,
            ExecutorService pool, NDManager m) throws Exception {
        ByteBuffer out = ByteBuffer.allocateDirect(8);
        ByteBuffer[] in = new ByteBuffer[ranks];
        for (int q = 0; q < ranks; q++) {
            in[q] = ByteBuffer.allocateDirect(8);
        }
        long[] splits = new long[ranks];
        Arrays.fill(splits, 1);
        long[] nanos = new long[CASES.length * repeats];
        try (NDArray rows = m.randomUniform(0, 1, new Shape(ranks, 256), DataType.FLOAT32)) {
            for (int i = -3; i < repeats; i++) { // 3 warm-up repeats
                for (int c = 0; c < CASES.length; c++) {
                    world.allGather(new long[] {i}, "sync");
                    long t0 = System.nanoTime();
                    for (int k = 0; k < ITERATIONS; k++) {
                        switch (c) {
                            case 0 -> sameThread(raw, rank, out, in);
                            case 1 -> ExchangeBenchmark.rawExchange(pool, raw, rank, ranks, out, in, false);
                            case 2 -> world.allGather(new long[] {k}, "fixed cost");
                            default -> world.allToAll(rows, splits, splits, "fixed cost").close();
                        }
                    }
                    if (i >= 0) {
                        nanos[CASES.length * i + c] = System.nanoTime() - t0;
                    }
                }
            }
        }
        long[] everyRank = world.allGather(nanos, "timings");
        if (rank != 0) {
            return;
        }
        double[][] micros = new double[CASES.length][repeats];
        for (int i = 0; i < repeats; i++) {
            for (int c = 0; c < CASES.length; c++) {
                long slowest = 0;
                for (int r = 0; r < ranks; r++) {
                    slowest = Math.max(slowest, everyRank[r * CASES.length * repeats + CASES.length * i + c]);
                }
                micros[c][i] = slowest / 1e3 / ITERATIONS;
            }
        }
        System.out.printf(Locale.ROOT, "Fixed cost of one exchange, %d ranks, %d exchanges per case and repeat, %d "
                + "repeats; the slowest rank's mean, min / median / max:%n", ranks, ITERATIONS, repeats);
        System.out.println("| case | per exchange (us) | added by this layer (us, paired per repeat) |");
        System.out.println("|---|---|---|");
        for (int c = 0; c < CASES.length; c++) {
            String added = "-";
            if (c > 0) {
                double[] d = new double[repeats];
                for (int i = 0; i < repeats; i++) {
                    d[i] = micros[c][i] - micros[c - 1][i];
                }
                added = RepeatSpread.of(d, "%.1f");
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", CASES[c], RepeatSpread.of(micros[c], "%.1f"), added);
        }
    }

    /** 8 bytes to every peer, then 8 bytes from every peer, blocking, on this thread (they fit in socket buffers). */
    private static void sameThread(SocketChannel[] raw, int rank, ByteBuffer out, ByteBuffer[] in) throws Exception {
        for (int q = 0; q < raw.length; q++) {
            if (q != rank) {
                ByteBuffer b = out.duplicate();
                while (b.hasRemaining()) {
                    raw[q].write(b);
                }
            }
        }
        for (int q = 0; q < raw.length; q++) {
            if (q != rank) {
                ByteBuffer b = in[q].duplicate();
                while (b.hasRemaining()) {
                    if (raw[q].read(b) < 0) {
                        throw new IllegalStateException("rank " + q + " closed its raw socket");
                    }
                }
            }
        }
    }
}
