package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.StagedBackward;
import org.omnispark.trainer.parallel.GradientSync;

/**
 * The whole model on N ranks (real sockets), forward, staged backward and {@link GradientSync}'s bucketed all-reduce
 * (small buckets: many of them), once with CPU tensors passed as they are and once with every exchange staged
 * through the host buffers a GPU rank uses ({@link HostStaging#copying()}: two buffers in turn for the buckets): every
 * rank's every gradient the same bits, and the global norm too.
 */
class StagedGradientSyncTest {

    private static List<float[]> gradients(ModelConfig config, Path data, List<Utterance> mine, MeshParallelism p,
            double[] norm) {
        ModelDirectory dir = ModelDirectory.describe(Path.of("unused"), config, TinyDatasets.train(), data);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            U2Model model = dir.newModel(m, p);
            JniUtils.setGradMode(true);
            try (NDManager scope = m.newSubManager(); StagedBackward tape = StagedBackward.begin()) {
                tape.backward(model.forward(new BatchCollator(config.inputDim()).collate(scope, mine), true, 3)
                        .total());
            }
            JniUtils.setGradMode(false);
            GradientSync sync = new GradientSync(p, model.parameters(), 64 << 10);
            try (NDManager scope = m.newSubManager()) {
                sync.synchronize(scope, 1);
            }
            norm[0] = sync.globalNorm(1);
            List<float[]> grads = new ArrayList<>();
            for (ModelParameter parameter : model.parameters()) {
                try (NDArray g = parameter.gradient()) {
                    grads.add(g.toFloatArray());
                }
            }
            return grads;
        }
    }

    private static List<Object[]> run(int ranks, ModelConfig config, Path data, List<Utterance> batch,
            boolean staged) throws Exception {
        return InProcessRanks.run(ranks, 60_000, mesh -> {
            List<Utterance> mine = batch.subList(mesh.rank() * batch.size() / ranks,
                    (mesh.rank() + 1) * batch.size() / ranks);
            try (HostStaging staging = staged ? HostStaging.copying() : HostStaging.forDevice(Device.cpu())) {
                HostSyncs.take();
                double[] norm = new double[1];
                List<float[]> grads = gradients(config, data, mine, new MeshParallelism(mesh, 4, 0, staging), norm);
                return new Object[] {grads, norm[0], HostSyncs.take().get(HostSyncs.Kind.EXCHANGE_STAGING)};
            }
        });
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @CsvSource({"2,omni", "4,switch"})
    void stagedGradientsAreTheUnstagedBits(int ranks, String ffn) throws Exception {
        Path data = TinyDatasets.dataset(24);
        ModelConfig config = TinyDatasets.modelWithoutDropout(ffn, "spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0");
        List<Utterance> batch = BucketedBatches.builder().setDataset(data).optMaxBatchSize(8)
                .optMaxFramesPerBatch(Integer.MAX_VALUE).build().iterator()
                .next();
        List<Object[]> plain = run(ranks, config, data, batch, false);
        List<Object[]> staged = run(ranks, config, data, batch, true);
        for (int r = 0; r < ranks; r++) {
            List<float[]> a = (List<float[]>) plain.get(r)[0];
            List<float[]> b = (List<float[]>) staged.get(r)[0];
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "gradient " + i + " on rank " + r);
            }
            assertEquals((double) plain.get(r)[1], (double) staged.get(r)[1], 0.0, "global norm on rank " + r);
            assertEquals(0L, plain.get(r)[2], "CPU tensors pass as they are");
            assertTrue((long) staged.get(r)[2] > 10, "staged: all-to-alls and buckets, " + staged.get(r)[2]);
        }
    }
}
