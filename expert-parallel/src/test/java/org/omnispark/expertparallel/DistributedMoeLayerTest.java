package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.TorchTestSupport;
import org.omnispark.trainer.moe.ExpertWeights;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.LocalTokenDispatcher;
import org.omnispark.trainer.moe.MoeFeedForward;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.moe.SequentialExperts;
import org.omnispark.trainer.moe.TopKRouter;
import org.omnispark.trainer.parallel.ExpertPlacement;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * One MoE layer: N ranks, each with a slice of the tokens and E/N experts, through the real all-to-all and the staged
 * backward, against the single-process layer on all the tokens: outputs, the router's losses, and the gradients of
 * the input, the gate (summed over ranks) and every expert (each on the rank holding it).
 */
class DistributedMoeLayerTest {

    private static final int D = 8;
    private static final int FFN = 16;
    private static final int TOKENS = 30;

    /** Rank r's tokens: an uneven split of the TOKENS rows, or the given sizes ("1;0;15;14"). */
    private static int[] bounds(int ranks, String sizes) {
        int[] b = new int[ranks + 1];
        String[] given = sizes.isEmpty() ? null : sizes.split(";");
        for (int r = 1; r <= ranks; r++) {
            b[r] = given != null ? b[r - 1] + Integer.parseInt(given[r - 1])
                    : r == ranks ? TOKENS : b[r - 1] + TOKENS / ranks + (r % 2 == 0 ? 2 : -2);
        }
        if (b[ranks] != TOKENS) {
            throw new IllegalArgumentException("sizes must sum to " + TOKENS);
        }
        return b;
    }

    private record Result(float[] output, double aux, double z, float[] inputGrad, float[] gateGrad,
            float[] expertW1Grad, int expertOffset, long dropped) {}

    private static Result run(NDManager m, int rank, int ranks, int experts, int topK, double capacity,
            org.omnispark.trainer.moe.TokenDispatcher dispatcher, ExpertPlacement placement, boolean staged,
            String sizes) {
        NDArray all = TorchTestSupport.randn(m, new Shape(TOKENS, D), 5, DataType.FLOAT32);
        int[] b = bounds(ranks, sizes);
        NDArray x = all.get(b[rank] + ":" + b[rank + 1]).duplicate();
        x.setRequiresGradient(true);
        GateWeight gate = GateWeight.create(m, "gate", D, experts, DataType.FLOAT32, 3);
        FeedForwardSpec cfg = FeedForwardSpec.builder().setModelDim(D).setFfnDim(FFN)
                .optActivation(FfnActivation.SWISH).build();
        ExpertWeights weights = ExpertWeights.createSlice(m, cfg, experts, placement.localExpertOffset(),
                placement.numLocalExperts(), "experts", 9);
        RouterSpec rc = RouterSpec.builder().optTopK(topK).optAuxLossCoeff(0.01).optZLossCoeff(0.001).build();
        MoeFeedForward layer = MoeFeedForward.builder().setRouter(new TopKRouter(gate, rc))
                .setExperts(new SequentialExperts(weights)).optDispatcher(dispatcher).build();
        NDArray probe = TorchTestSupport.randn(m, new Shape(TOKENS, D), 6, DataType.FLOAT32)
                .get(b[rank] + ":" + b[rank + 1]);
        JniUtils.setGradMode(true);
        MoeOutput out;
        if (staged) {
            try (StagedBackward tape = StagedBackward.begin()) {
                out = layer.forward(x, (boolean[]) null, true);
                tape.backward(out.output().mul(probe).sum().add(out.auxLoss()).add(out.zLoss()));
            }
        } else { // the plain single-process reference: one backward of everything
            out = layer.forward(x, (boolean[]) null, true);
            TorchTestSupport.backward(out.output().mul(probe).sum().add(out.auxLoss()).add(out.zLoss()));
        }
        JniUtils.setGradMode(false);
        return new Result(out.output().toFloatArray(), out.auxLoss().getFloat(), out.zLoss().getFloat(),
                x.getGradient().toFloatArray(), gate.weight().array().getGradient().toFloatArray(),
                weights.w1().array().getGradient().toFloatArray(), placement.localExpertOffset(),
                out.droppedAssignments());
    }

    /**
     * Cases: ranks, experts, top-k, capacity factor (0 = dropless), and optionally each rank's token count: "1;0;15;14"
     * gives rank 1 no token at all (it sends zero rows to every peer) and rank 0 one token (all but one peer receive
     * zero rows from it).
     */
    @ParameterizedTest
    @CsvSource({"2,4,1,0,", "4,4,1,0,", "2,4,2,0,", "4,8,2,0,", "2,4,1,1.0,", "4,4,2,0.8,", "4,2,1,0,", "4,2,2,0.6,",
            "1,4,1,0,", "4,8,1,0,1;0;15;14", "4,4,2,0.5,1;0;15;14"})
    void equalsTheSingleProcessLayer(int ranks, int experts, int topK, double capacity, String sizes)
            throws Exception {
        equalsTheSingleProcessLayer(ranks, experts, topK, capacity, sizes, 0, false);
    }

    /**
     * The same through the host staging a GPU rank uses ({@link HostStaging#copying()}: every exchanged tensor copied
     * to the reused host buffers and the result back), here on the CPU: the same layer as one process, the same
     * tolerances. Cases: ranks, experts, P (0: min(N, E)), top-k, capacity factor, token counts.
     */
    @ParameterizedTest
    @CsvSource({"1,4,0,1,0,", "2,4,0,2,0,", "4,4,0,2,0.8,", "4,8,0,1,0,1;0;15;14", "8,4,2,2,0.6,3;4;0;5;2;7;6;3"})
    void stagedThroughHostBuffersEqualsTheSingleProcessLayer(int ranks, int experts, int groupSize, int topK,
            double capacity, String sizes) throws Exception {
        equalsTheSingleProcessLayer(ranks, experts, topK, capacity, sizes, groupSize, true);
    }

    /**
     * Expert-parallel groups of a configured size P (tokens and per-rank counts inside a group, group totals across
     * the replica groups, each rank connected only to its groups): the same layer as one process, capacity drops in
     * world order included. Cases: ranks, experts, P, top-k, capacity factor, token counts.
     */
    @ParameterizedTest
    @CsvSource({"4,4,2,1,0,", "4,4,2,2,0.8,", "4,4,2,1,0.75,", "4,4,2,1,0.75,9;3;12;6", "4,4,2,1,0.5,2;1;1;26", "6,4,2,2,0.7,", "8,8,4,1,0.9,4;0;3;5;2;7;6;3", "4,2,1,2,0,",
            "8,4,2,2,0.6,3;4;0;5;2;7;6;3", "16,8,4,2,0.8,1;2;0;3;2;1;4;2;1;3;2;0;1;3;2;3",
            "16,4,1,1,0.7,1;2;0;3;2;1;4;2;1;3;2;0;1;3;2;3", "12,4,1,2,0.8,", "16,8,2,2,0.8,2;1;3;0;2;1;4;2;1;3;2;0;1;3;2;3"})
    void expertParallelGroupsEqualTheSingleProcessLayer(int ranks, int experts, int groupSize, int topK,
            double capacity, String sizes) throws Exception {
        equalsTheSingleProcessLayer(ranks, experts, topK, capacity, sizes, groupSize, false);
    }

    private void equalsTheSingleProcessLayer(int ranks, int experts, int topK, double capacity, String sizes,
            int groupSize, boolean hostStaging) throws Exception {
        String split = sizes == null ? "" : sizes;
        Result single;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            single = run(m, 0, 1, experts, topK, capacity, new LocalTokenDispatcher(capacity),
                    new ExpertPlacement(experts, 1, 0), false, "");
        }
        List<Result> results = InProcessRanks.run(ranks, 30_000,
                groupSize == 0 ? null : r -> MeshParallelism.peers(experts, ranks, r, groupSize), mesh -> {
            org.omnispark.trainer.nn.HostSyncs.take();
            try (HostStaging staging = hostStaging ? HostStaging.copying() : HostStaging.forDevice(ai.djl.Device.cpu());
                    NDManager m = NDManager.newBaseManager("PyTorch")) {
                MeshParallelism parallelism = new MeshParallelism(mesh, experts, groupSize, staging);
                Result r = run(m, mesh.rank(), ranks, experts, topK, capacity,
                        parallelism.dispatcher("layer", experts, capacity), parallelism.placement(experts), true,
                        split);
                // the gate is replicated: its gradient is the sum over ranks
                NDArray gateGrad = m.create(r.gateGrad(), new Shape(r.gateGrad().length));
                parallelism.world().allReduceSum(gateGrad, "gate gradient");
                // N > E: the ranks holding the same experts sum their gradients (as GradientSync does)
                NDArray expertGrad = m.create(r.expertW1Grad(), new Shape(r.expertW1Grad().length));
                parallelism.expertReplicas().allReduceSum(expertGrad, "expert gradient");
                long staged = org.omnispark.trainer.nn.HostSyncs.take()
                        .get(org.omnispark.trainer.nn.HostSyncs.Kind.EXCHANGE_STAGING);
                if (hostStaging != (staged > 0)) {
                    throw new AssertionError("rank " + mesh.rank() + " staged " + staged + " exchanges");
                }
                return new Result(r.output(), r.aux(), r.z(), r.inputGrad(), gateGrad.toFloatArray(),
                        expertGrad.toFloatArray(), r.expertOffset(), r.dropped());
            }
        });
        int[] b = bounds(ranks, split);
        double aux = 0;
        double z = 0;
        long dropped = 0;
        int perExpert = D * FFN;
        for (int r = 0; r < ranks; r++) {
            Result got = results.get(r);
            assertClose(single.output(), b[r] * D, got.output(), "output of rank " + r, 1e-6);
            assertClose(single.inputGrad(), b[r] * D, got.inputGrad(), "input gradient of rank " + r, 1e-6);
            assertClose(single.gateGrad(), 0, got.gateGrad(), "gate gradient (summed) on rank " + r, 1e-6);
            assertClose(single.expertW1Grad(), got.expertOffset() * perExpert, got.expertW1Grad(),
                    "expert w1 gradient on rank " + r, 1e-6);
            aux += got.aux();
            z += got.z();
            dropped += got.dropped();
        }
        assertEquals(single.aux(), aux, 1e-7, "aux-loss shares sum to the batch's aux loss");
        assertEquals(single.z(), z, 1e-7, "z-loss shares sum to the batch's z-loss");
        assertEquals(single.dropped(), dropped, "the same assignments are dropped");
        if (capacity > 0 && capacity <= 1.0) {
            assertTrue(dropped > 0, "the capacity cases must drop something to test drops");
        }
    }

    static void assertClose(float[] expected, int offset, float[] actual, String what, double tolerance) {
        for (int i = 0; i < actual.length; i++) {
            double e = expected[offset + i];
            assertEquals(e, actual[i], tolerance * (1 + Math.abs(e)), what + " [" + i + "]");
        }
    }
}
