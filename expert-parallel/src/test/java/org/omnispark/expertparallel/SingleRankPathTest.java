package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * One rank through the whole distributed path (mesh of one, all-to-all dispatcher, staged backward with its cuts and
 * exchange stages) against the single-process model and its one plain backward: the same loss to the last bit, and the
 * same gradient of every parameter to float32 rounding.
 *
 * <p>Why not bit for bit: the staged backward sums a cut leaf's gradient contributions in AccumulateGrad, in another
 * order than one backward pass sums them, and the router gives its losses and its combine weights a softmax each;
 * layer-norm weight gradients (sums over every token, with cancellation) show it most, about 1e-5 of their largest
 * value. Tolerance: 5e-5 of a tensor's largest gradient plus 1e-4 of the model's largest (tensors whose exact
 * gradient is 0, like attention key biases, hold only rounding noise).
 */
class SingleRankPathTest {

    private static Map<String, float[]> gradients(ModelConfig config, Path data, List<Utterance> utterances,
            ExpertParallelism parallelism, double[] loss) {
        ModelDirectory dir = ModelDirectory.describe(Path.of("unused"), config, TinyDatasets.train(), data);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(m, parallelism);
            Batch batch = new BatchCollator(config.inputDim()).collate(m, utterances);
            JniUtils.setGradMode(true);
            if (parallelism.isDistributed()) {
                try (StagedBackward tape = StagedBackward.begin()) {
                    Losses out = model.forward(batch, true, 3);
                    loss[0] = out.total().getFloat();
                    tape.backward(out.total());
                }
            } else {
                Losses out = model.forward(batch, true, 3);
                loss[0] = out.total().getFloat();
                JniUtils.backward((PtNDArray) out.total(), (PtNDArray) out.total().onesLike(), false, false);
            }
            JniUtils.setGradMode(false);
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (ModelParameter p : model.parameters()) {
                try (NDArray g = p.gradient()) {
                    grads.put(p.name(), g.toFloatArray());
                }
            }
            return grads;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"omni", "switch"})
    void oneRankGivesTheSingleProcessGradients(String ffn) throws Exception {
        oneRankGivesTheSingleProcessGradients(ffn, false);
    }

    /** The same with every exchanged tensor staged through the host buffers a GPU rank uses (on the CPU here). */
    @ParameterizedTest
    @ValueSource(strings = {"omni"})
    void oneStagedRankGivesTheSingleProcessGradients(String ffn) throws Exception {
        oneRankGivesTheSingleProcessGradients(ffn, true);
    }

    private void oneRankGivesTheSingleProcessGradients(String ffn, boolean hostStaging) throws Exception {
        Path data = TinyDatasets.dataset(24);
        ModelConfig config = TinyDatasets.modelWithoutDropout(ffn, "spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0",
                "encoder_conf.ffn.aux_loss_coeff=0.01", "encoder_conf.ffn.z_loss_coeff=0.001",
                "decoder_conf.ffn.type=" + ffn, "decoder_conf.ffn.num_experts=4");
        List<Utterance> utterances = BucketedBatches.builder().setDataset(data).optMaxBatchSize(4).build().iterator()
                .next();
        double[] singleLoss = new double[1];
        Map<String, float[]> single = gradients(config, data, utterances, ExpertParallelism.NONE, singleLoss);
        double[] rankLoss = new double[1];
        Map<String, float[]> rank = InProcessRanks.run(1, 60_000,
                mesh -> {
                    try (HostStaging staging = hostStaging ? HostStaging.copying()
                            : HostStaging.forDevice(ai.djl.Device.cpu())) {
                        return gradients(config, data, utterances, new MeshParallelism(mesh, 4, 0, staging),
                                rankLoss);
                    }
                }).get(0);
        assertEquals(singleLoss[0], rankLoss[0], 0.0, "loss");
        assertEquals(single.keySet(), rank.keySet());
        int differing = 0;
        double worst = 0;
        String where = "";
        double global = 0; // the largest gradient of the model: tensors whose gradient is 0 in exact arithmetic (a key
        for (float[] a : single.values()) { // bias under softmax) hold rounding noise, compared against this scale
            for (float v : a) {
                global = Math.max(global, Math.abs(v));
            }
        }
        for (String name : single.keySet()) {
            float[] a = single.get(name);
            float[] b = rank.get(name);
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                differing += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i]) ? 1 : 0;
            }
            double relative = diff / (scale + 1e-4 * global);
            if (relative > worst) {
                worst = relative;
                where = name;
            }
        }
        System.out.println(ffn + ": gradient values differing in the last bits: " + differing + "; largest difference "
                + worst + " of its tensor's largest gradient (+ 1e-4 x the model's), in " + where);
        assertTrue(worst < 5e-5, "largest gradient difference " + worst + " (relative to its tensor's scale) in "
                + where);
    }
}
