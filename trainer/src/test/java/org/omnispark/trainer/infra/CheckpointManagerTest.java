package org.omnispark.trainer.infra;

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

/**
 * Checkpoint round trips, the commit marker under a simulated crash, retention, parts written by several ranks with
 * experts keyed by global id, corruption, and bitwise-identical resume.
 */
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

    private org.apache.hadoop.fs.Path hadoop(String child) {
        return new org.apache.hadoop.fs.Path(CheckpointManager.localPath(dir), child);
    }

    private static Path local(org.apache.hadoop.fs.Path path) {
        return Path.of(path.toUri());
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
            org.apache.hadoop.fs.Path saved = checkpoints.save(params, optimizer, state, Map.of("model", "tiny", "d", 4));
            assertEquals(hadoop("ckpt-3"), saved);
            assertEquals(saved, checkpoints.latest().orElseThrow());
            assertTrue(Files.exists(local(saved).resolve("part-0.bin")) && Files.exists(local(saved).resolve(
                    "part-0.json")) && Files.exists(local(saved).resolve("checkpoint.json")));
            assertFalse(Files.exists(local(saved).resolve(".part-0.bin.crc")), "no Hadoop checksum side files");

            List<ModelParameter> fresh = model(manager, 99); // different initial values, overwritten by restore
            assertNotEquals(values(params.get(0).array())[0], values(fresh.get(0).array())[0]);
            Adam freshOptimizer = adamW(fresh);
            RestoredCheckpoint restored = checkpoints.restore(saved, fresh, freshOptimizer);
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
            TrainingState state = checkpoints.restore(checkpoints.latest().orElseThrow(), params, optimizer).state();
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
    void aCheckpointWithoutItsMarkerIsNeverLoadedAndIsReplacedOrPruned() throws IOException {
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
            assertTrue(Files.exists(dir.resolve("ckpt-2/part-0.bin")), "the parts were written");
            assertFalse(Files.exists(dir.resolve("ckpt-2/checkpoint.json")), "but not the marker");
            assertEquals(hadoop("ckpt-1"), checkpoints.latest().orElseThrow(), "the unmarked ckpt-2 is ignored");
            assertEquals(List.of(hadoop("ckpt-1")), checkpoints.list());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> checkpoints.restore(hadoop("ckpt-2"), params, null));
            assertTrue(e.getMessage().contains("not a committed checkpoint"), e.getMessage());

            List<ModelParameter> fresh = model(manager, 5);
            checkpoints.restore(checkpoints.latest().orElseThrow(), fresh, adamW(fresh));
            assertArrayEquals(savedW, values(fresh.get(0).array()), 0f, "ckpt-1 still loads");

            checkpoints.beforeCommit = () -> {};
            checkpoints.save(params, optimizer, state, null); // the re-run of step 2 replaces the half-written one
            assertEquals(hadoop("ckpt-2"), checkpoints.latest().orElseThrow());

            Files.createDirectories(dir.resolve("ckpt-3")); // a crashed attempt's leftover, older than the next commit
            Files.writeString(dir.resolve("ckpt-3/part-1.bin"), "half");
            checkpoints.save(params, optimizer, new TrainingState(4, 0, 4, 1, 4), null);
            assertFalse(Files.exists(dir.resolve("ckpt-3")), "unmarked folders older than a commit are pruned");
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
            assertEquals(List.of(hadoop("ckpt-40"), hadoop("ckpt-50")), checkpoints.list());
            assertEquals(hadoop("ckpt-50"), checkpoints.latest().orElseThrow());
            assertFalse(Files.exists(dir.resolve("ckpt-30")));
        }
    }

    /**
     * Two "ranks" write one checkpoint: rank 0 the replicated tensor and experts 0-1 of a 4-expert tensor, rank 1
     * experts 2-3. One process reads every expert back, and a "rank" of another layout reads experts 1-2 from both
     * parts.
     */
    @Test
    void expertsAreKeyedByGlobalIdAcrossParts() throws IOException {
        try (NDManager manager = TrainTestSupport.newManager()) {
            ModelParameter all = ModelParameter.uniform(manager, "moe.w", new Shape(4, 3), DataType.FLOAT32, 1, 3,
                    true);
            ModelParameter shared = ModelParameter.uniform(manager, "router.w", new Shape(3), DataType.FLOAT32, 1, 4,
                    false);
            float[] expected = values(all.array());
            NDArray firstHalf = all.array().get("0:2");
            NDArray secondHalf = all.array().get("2:4");
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).build();
            checkpoints.begin(9);
            CheckpointPart p0 = checkpoints.writePart(9, 0, List.of(
                    new CheckpointTensor("router.w", CheckpointTensor.MODEL, shared.array(), -1, 0),
                    new CheckpointTensor("moe.w", CheckpointTensor.MODEL, firstHalf, 0, 4)));
            CheckpointPart p1 = checkpoints.writePart(9, 1, List.of(
                    new CheckpointTensor("moe.w", CheckpointTensor.MODEL, secondHalf, 2, 4)));
            assertTrue(checkpoints.list().isEmpty(), "nothing is visible before the commit");
            checkpoints.commit(9, List.of(p0, p1), new TrainingState(9, 0, 9, 1, 9), null, "", Map.of());
            String index1 = Files.readString(dir.resolve("ckpt-9/part-1.json"));
            assertTrue(index1.contains("\"expert\" : 2") && index1.contains("\"expert\" : 3"), index1);

            ModelParameter whole = ModelParameter.uniform(manager, "moe.w", new Shape(4, 3), DataType.FLOAT32, 1, 77,
                    true);
            ModelParameter router = ModelParameter.uniform(manager, "router.w", new Shape(3), DataType.FLOAT32, 1, 78,
                    false);
            checkpoints.restore(checkpoints.latest().orElseThrow(), List.of(router, whole), null);
            assertArrayEquals(expected, values(whole.array()), 0f, "every expert, in global order");
            assertArrayEquals(values(shared.array()), values(router.array()), 0f);

            NDArray middle = manager.zeros(new Shape(2, 3));
            checkpoints.restoreTensors(checkpoints.latest().orElseThrow(), List.of(
                    new CheckpointTensor("router.w", CheckpointTensor.MODEL, router.array(), -1, 0),
                    new CheckpointTensor("moe.w", CheckpointTensor.MODEL, middle, 1, 4)), null);
            float[] want = new float[6];
            System.arraycopy(expected, 3, want, 0, 6);
            assertArrayEquals(want, values(middle), 0f, "experts 1 and 2 from two parts");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> checkpoints.restoreTensors(
                    checkpoints.latest().orElseThrow(), List.of(
                            new CheckpointTensor("router.w", CheckpointTensor.MODEL, router.array(), -1, 0),
                            new CheckpointTensor("moe.w", CheckpointTensor.MODEL, manager.zeros(new Shape(2, 3)), 0,
                                    8)), null));
            assertTrue(e.getMessage().contains("has 4 experts but the model has 8"), e.getMessage());
        }
    }

    @Test
    void mismatchesAndCorruptionAreReportedByName() throws IOException {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = model(manager, 7);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).build();
            org.apache.hadoop.fs.Path saved = checkpoints.save(params, null, TrainingState.start(0), null);

            List<ModelParameter> other = List.of(params.get(0),
                    ModelParameter.uniform(manager, "lin.bias", new Shape(1), DataType.FLOAT32, 0.5, 3, false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> checkpoints.restore(saved, other, null));
            assertTrue(e.getMessage().contains("missing [lin.bias]") && e.getMessage().contains("unexpected [lin.b]"),
                    e.getMessage());

            List<ModelParameter> wrongShape = List.of(
                    ModelParameter.uniform(manager, "lin.w", new Shape(2, 2), DataType.FLOAT32, 0.5, 3, false),
                    params.get(1));
            e = assertThrows(IllegalArgumentException.class, () -> checkpoints.restore(saved, wrongShape, null));
            assertTrue(e.getMessage().contains("lin.w") && e.getMessage().contains("(4, 1)"), e.getMessage());

            Path bin = local(saved).resolve("part-0.bin");
            byte[] bytes = Files.readAllBytes(bin);
            bytes[0] ^= 1; // flip one bit of lin.w
            Files.write(bin, bytes, StandardOpenOption.TRUNCATE_EXISTING);
            java.io.UncheckedIOException io = assertThrows(java.io.UncheckedIOException.class,
                    () -> checkpoints.restore(saved, params, null));
            assertTrue(io.getMessage().contains("CRC32C"), io.getMessage());

            Files.write(bin, java.util.Arrays.copyOf(bytes, bytes.length - 4), StandardOpenOption.TRUNCATE_EXISTING);
            io = assertThrows(java.io.UncheckedIOException.class, () -> checkpoints.restore(saved, params, null));
            assertTrue(io.getMessage().contains("does not match its commit marker"), io.getMessage());
        }
    }
}
