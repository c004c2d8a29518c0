package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * Inverted dropout: in training, zeroes each element with probability {@code rate} and scales the rest by {@code 1 /
 * (1 - rate)}; the identity otherwise. The mask comes from libtorch's generator, through {@link RandomDraws} (the
 * training step's seeded stream; outside one, the generator as seeded with {@code setRandomSeed}).
 */
public final class Dropout {

    private final double rate;

    /** @param rate drop probability in [0, 1) */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    /**
     * Applies dropout.
     *
     * @param x any shape
     * @param training false (or rate 0) returns x itself
     * @return same shape, in x's manager
     */
    public NDArray forward(NDArray x, boolean training) {
        if (!training || rate == 0) {
            return x;
        }
        return RandomDraws.draw(() -> x.getNDArrayInternal().dropout(x, (float) rate, true).singletonOrThrow());
    }

    /** @return the drop probability */
    public double rate() {
        return rate;
    }
}
