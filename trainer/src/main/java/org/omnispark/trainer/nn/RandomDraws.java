package org.omnispark.trainer.nn;

import ai.djl.engine.Engine;
import java.util.function.Supplier;

/**
 * The training step's random draws from libtorch (dropout masks, router jitter), one seeded stream per thread.
 *
 * <p>libtorch has one generator per process. A rank that seeds it once per micro-batch and then draws is
 * reproducible only while no other thread draws meanwhile, which is false when several ranks share a JVM (local[N]
 * runs the ranks of {@code train --ranks N} as threads): their draws interleave as the threads happen to run, and the
 * same command trained differently from run to run. Here each draw takes a JVM-wide lock, reseeds the generator from
 * its own stream's seed and the draw's index ({@link #begin} per micro-batch), and draws; the masks are then a function
 * of (seed, micro-batch counter, draw index) alone, in one rank per JVM or several. Outside a stream (evaluation, the
 * layers' own tests) a draw uses the generator as it is.
 */
public final class RandomDraws {

    private static final Object LOCK = new Object();
    private static final ThreadLocal<long[]> STREAM = new ThreadLocal<>(); // {seed, next draw index}

    private RandomDraws() {}

    /**
     * Starts this thread's stream; every draw of the micro-batch comes from it.
     *
     * @param seed the micro-batch's seed (the run's seed and its checkpointed counter)
     */
    public static void begin(long seed) {
        STREAM.set(new long[] {seed, 0});
    }

    /** Ends this thread's stream: later draws use libtorch's generator as it is. */
    public static void end() {
        STREAM.remove();
    }

    /**
     * Makes one draw: under the lock, with libtorch's generator seeded for this draw of this thread's stream.
     *
     * @param op the libtorch call that draws (e.g. dropout, randomUniform)
     * @param <T> what it returns
     * @return its result
     */
    public static <T> T draw(Supplier<T> op) {
        long[] stream = STREAM.get();
        if (stream == null) {
            return op.get();
        }
        long seed = mix(stream[0] + 0x9E3779B97F4A7C15L * ++stream[1]);
        synchronized (LOCK) {
            Engine.getEngine("PyTorch").setRandomSeed((int) (seed ^ (seed >>> 32)));
            return op.get();
        }
    }

    /** SplitMix64's finalizer: nearby inputs give unrelated seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
