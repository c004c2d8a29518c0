package org.omnispark.trainer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-computed values of the learning-rate schedules. */
class LearningRateScheduleTest {

    @Test
    void warmupLrFollowsWenetFormula() {
        // lr(step) = 0.001 * 25000^0.5 * min(step^-0.5, step * 25000^-1.5)
        WarmupLr schedule = new WarmupLr(0.001, 25000);
        // step 100 (warming up): 0.001 * sqrt(25000) * 100 * 25000^-1.5 = 0.001 * 100 / 25000 = 4e-6
        assertEquals(4e-6, schedule.learningRate(100), 1e-18, "warmup is linear: lr * step / warmup");
        // step 25000: both branches equal 25000^-0.5 -> exactly the peak 0.001
        assertEquals(0.001, schedule.learningRate(25000), 1e-15, "peak at step == warmup");
        // step 100000: 0.001 * sqrt(25000) / sqrt(100000) = 0.001 * 0.5 = 5e-4
        assertEquals(5e-4, schedule.learningRate(100000), 1e-15, "decay as step^-0.5");
        // step 1: 0.001 / 25000 = 4e-8
        assertEquals(4e-8, schedule.learningRate(1), 1e-20, "first update");
    }

    @Test
    void warmupLrWithoutWarmupIsInverseSquareRoot() {
        // warmup 0: lr * step^-0.5 ; step 4 -> 0.002 * 0.5 = 0.001
        assertEquals(0.001, new WarmupLr(0.002, 0).learningRate(4), 1e-15);
    }

    @Test
    void warmupCosineDecay() {
        WarmupDecayLr cosine = new WarmupDecayLr(1.0, 0.1, 10, 110, WarmupDecayLr.Decay.COSINE);
        assertEquals(0.5, cosine.learningRate(5), 1e-12, "warmup: 1.0 * 5 / 10");
        assertEquals(1.0, cosine.learningRate(10), 1e-12, "peak at end of warmup");
        // step 35: p = 25 / 100 = 0.25; 0.1 + 0.9 * 0.5 * (1 + cos(pi / 4)) = 0.1 + 0.45 * 1.7071067812 = 0.8681980515
        assertEquals(0.8681980515, cosine.learningRate(35), 1e-9, "cosine at a quarter");
        // step 60: p = 0.5; 0.1 + 0.9 * 0.5 * (1 + 0) = 0.55
        assertEquals(0.55, cosine.learningRate(60), 1e-12, "cosine half way");
        assertEquals(0.1, cosine.learningRate(110), 1e-12, "min at total");
        assertEquals(0.1, cosine.learningRate(500), 1e-12, "min after total");
    }

    @Test
    void warmupLinearDecay() {
        WarmupDecayLr linear = new WarmupDecayLr(1.0, 0.1, 10, 110, WarmupDecayLr.Decay.LINEAR);
        // step 35: p = 0.25; 0.1 + 0.9 * 0.75 = 0.775
        assertEquals(0.775, linear.learningRate(35), 1e-12);
        // no warmup: step 1 is already past warmup: p = 1 / 100; 0.1 + 0.9 * 0.99 = 0.991
        assertEquals(0.991, new WarmupDecayLr(1.0, 0.1, 0, 100, WarmupDecayLr.Decay.LINEAR).learningRate(1), 1e-12);
    }

    @Test
    void invalidInputsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WarmupLr(0.001, 10).learningRate(0));
        assertTrue(e.getMessage().contains("start at 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new WarmupDecayLr(1.0, 0.0, 100, 100, WarmupDecayLr.Decay.COSINE));
        assertTrue(e.getMessage().contains("max_steps"), e.getMessage());
    }
}
