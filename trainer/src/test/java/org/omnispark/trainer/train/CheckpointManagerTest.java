package org.omnispark.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/** Checkpoint round trips, atomic commit under a simulated crash, retention, and bitwise-identical resume. */
class CheckpointManagerTest {

    @TempDir
    Path dir;

    /** A tiny linear regression y = x @ w + b with w [4, 1], b [1], parameters initialised from {@code seed}. */
    private static List<ModelParameter> model(NDManager manager, long seed) {
        return List.of(
                ModelParameter.uniform(manager, "lin.w", new Shape(4, 1), DataType.FLOAT32, 0.5, seed, false),
                ModelParameter.uniform(manager, "lin.b", new Shape(1), DataType.FLOAT32, 0.5, seed + 1, false));
    }

    private static Adam adamW(List<ModelParameter> params) {
        return Adam.adamWBuilder().setParameters(params).optBeta2(0.98).optWeightDecay(0.05).build();
    }

    /**
     * One update: the batch is derived from (rngSeed, rngCounter), so restoring the state restores the data stream.
     * Loss = mean((x @ w + b - y)^2) with y = x @ [1, -2, 3, 0.5] + 0.25. Clipped to norm 1, WarmupLr(0.05, 2).
     */
    private static TrainingState trainStep(NDManager manager, List<ModelParameter> params, Optimizer optimizer,
            TrainingState state) {
        SplittableRandom random = new SplittableRandom(state.rngSeed() * 1_000_003L + state.rngCounter());
        float[] x = new float[8 * 4];
        float[] y = new float[8];
        float[] truth = {1, -2, 3, 0.5f};
        for (int r = 0; r < 8; r++) {
            y[r] = 0.25f;
            for (int c = 0; c < 4; c++) {
                x[r * 4 + c] = (float) random.nextGaussian();
                y[r] += x[r * 4 + c] * truth[c];
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray xs = scope.create(x, new Shape(8, 4));
            NDArray loss = xs.matMul(params.get(0).array()).add(params.get(1).array())
                    .sub(scope.create(y, new Shape(8, 1))).square().mean();
            TrainTestSupport.backward(loss);
        }
        GradientClipping.clipGlobalNorm(params, 1.0);
        optimizer.step(new WarmupLr(0.05, 2).learningRate(state.step() + 1));
        ParameterCollector.zeroGradients(params);
        return state.afterStep(1);
    }

    private static float[] values(NDArray array) {
        return array.toFloatArray();
    }

    @Test
    void roundTripIsBitwiseAndRestoresStateAndConfig() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            Adam optimizer = adamW(params);
            TrainingState state = TrainingState.start(42);
            for (int i = 0; i < 3; i++) {
                state = trainStep(manager, params, optimizer, state);
            }
            state = new TrainingState(state.step(), 2, 17, state.rngSeed(), state.rngCounter());
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).optKeep(2).build();
            Path saved = checkpoints.save(params, optimizer, state, Map.of("model", "tiny", "d", 4));
            assertEquals(dir.resolve("ckpt-3"), saved);
            assertEquals(saved, checkpoints.latest().orElseThrow());

            List<ModelParameter> fresh = model(manager, 99); // different initial values, overwritten by restore
            assertNotEquals(values(params.get(0).array())[0], values(fresh.get(0).array())[0]);
            Adam freshOptimizer = adamW(fresh);
            RestoredCheckpoint restored = CheckpointManager.restore(saved, fresh, freshOptimizer);
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(values(params.get(i).array()), values(fresh.get(i).array()), 0f,
                        "bitwise " + params.get(i).name());
            }
            for (Map.Entry<String, NDArray> e : optimizer.stateTensors().entrySet()) {
                assertArrayEquals(values(e.getValue()), values(freshOptimizer.stateTensors().get(e.getKey())), 0f,
                        "bitwise " + e.getKey());
            }
            assertEquals(optimizer.stateCounters(), freshOptimizer.stateCounters());
            assertEquals(3, freshOptimizer.stepCount());
            assertEquals(state, restored.state());
            assertEquals("tiny", restored.config().get("model").asText());
            assertEquals(4, restored.config().get("d").asInt());
        }
    }

    @Test
    void resumeContinuesBitwiseIdentically() {
        float[][] straight;
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            Adam optimizer = adamW(params);
            TrainingState state = TrainingState.start(42);
            for (int i = 0; i < 6; i++) {
                state = trainStep(manager, params, optimizer, state);
            }
            straight = new float[][] {values(params.get(0).array()), values(params.get(1).array())};
        }
        CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).build();
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            Adam optimizer = adamW(params);
            TrainingState state = TrainingState.start(42);
            for (int i = 0; i < 3; i++) {
                state = trainStep(manager, params, optimizer, state);
            }
            checkpoints.save(params, optimizer, state, null);
        }
        try (NDManager manager = TrainTestSupport.newManager()) { // a new "process": fresh model and optimizer
            List<ModelParameter> params = model(manager, 1234);
            Adam optimizer = adamW(params);
            TrainingState state = CheckpointManager.restore(checkpoints.latest().orElseThrow(), params, optimizer)
                    .state();
            assertEquals(3, state.step());
            for (int i = 0; i < 3; i++) {
                state = trainStep(manager, params, optimizer, state);
            }
            assertArrayEquals(straight[0], values(params.get(0).array()), 0f, "w after 3 + resume + 3 steps");
            assertArrayEquals(straight[1], values(params.get(1).array()), 0f, "b after 3 + resume + 3 steps");
            assertEquals(6, optimizer.stepCount());
        }
    }

    @Test
    void crashBeforeRenameKeepsThePreviousCheckpointAsLatest() throws IOException {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            Adam optimizer = adamW(params);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).build();
            TrainingState state = trainStep(manager, params, optimizer, TrainingState.start(1));
            checkpoints.save(params, optimizer, state, null);
            float[] savedW = values(params.get(0).array());

            state = trainStep(manager, params, optimizer, state);
            checkpoints.beforeCommit = () -> {
                throw new IllegalStateException("simulated crash");
            };
            TrainingState crashed = state;
            assertThrows(IllegalStateException.class, () -> checkpoints.save(params, optimizer, crashed, null));
            assertTrue(Files.isDirectory(dir.resolve(".ckpt-2.tmp")), "the incomplete temp folder is left behind");
            assertFalse(Files.exists(dir.resolve("ckpt-2")));
            assertEquals(dir.resolve("ckpt-1"), checkpoints.latest().orElseThrow(), "latest still names ckpt-1");
            assertEquals(List.of(dir.resolve("ckpt-1")), checkpoints.list());

            List<ModelParameter> fresh = model(manager, 5);
            CheckpointManager.restore(checkpoints.latest().orElseThrow(), fresh, adamW(fresh));
            assertArrayEquals(savedW, values(fresh.get(0).array()), 0f, "ckpt-1 still loads");

            checkpoints.beforeCommit = () -> {};
            checkpoints.save(params, optimizer, state, null);
            assertFalse(Files.exists(dir.resolve(".ckpt-2.tmp")), "the next save cleans up");
            assertEquals(dir.resolve("ckpt-2"), checkpoints.latest().orElseThrow());
        }
    }

    @Test
    void keepsTheLastK() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).optKeep(2).build();
            for (long step = 1; step <= 5; step++) {
                checkpoints.save(params, null, new TrainingState(step * 10, 0, step, 0, step), null);
            }
            assertEquals(List.of(dir.resolve("ckpt-40"), dir.resolve("ckpt-50")), checkpoints.list());
            assertEquals(dir.resolve("ckpt-50"), checkpoints.latest().orElseThrow());
        }
    }

    @Test
    void mismatchesAndCorruptionAreReportedByName() throws IOException {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).build();
            Path saved = checkpoints.save(params, null, TrainingState.start(0), null);

            List<ModelParameter> other = List.of(params.get(0),
                    ModelParameter.uniform(manager, "lin.bias", new Shape(1), DataType.FLOAT32, 0.5, 3, false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckpointManager.restore(saved, other, null));
            assertTrue(e.getMessage().contains("missing [lin.bias]") && e.getMessage().contains("unexpected [lin.b]"),
                    e.getMessage());

            List<ModelParameter> wrongShape = List.of(
                    ModelParameter.uniform(manager, "lin.w", new Shape(2, 2), DataType.FLOAT32, 0.5, 3, false),
                    params.get(1));
            e = assertThrows(IllegalArgumentException.class, () -> CheckpointManager.restore(saved, wrongShape, null));
            assertTrue(e.getMessage().contains("lin.w") && e.getMessage().contains("(4, 1)"), e.getMessage());

            Path bin = saved.resolve(CheckpointFormat.TENSORS);
            byte[] bytes = Files.readAllBytes(bin);
            bytes[0] ^= 1; // flip one bit of lin.w
            Files.write(bin, bytes, StandardOpenOption.TRUNCATE_EXISTING);
            java.io.UncheckedIOException io = assertThrows(java.io.UncheckedIOException.class,
                    () -> CheckpointManager.restore(saved, params, null));
            assertTrue(io.getMessage().contains("CRC32C"), io.getMessage());
        }
    }
}
