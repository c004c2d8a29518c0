package org.omnispark.trainer.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * The replica checksum reads the replicated parameters a bucket at a time (one host sync per bucket, not per
 * parameter) and is still the CRC32C of every parameter's bytes in order.
 */
class GradientSyncChecksumTest {

    @Test
    void bucketedChecksumIsTheCrcOfEveryParameterInOrder() {
        Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(false);
            U2Model model = U2Model.builder().setManager(m).setConfig(TinyDatasets.model("omni")).setVocabSize(12)
                    .optSeed(5).build();
            GradientSync sync = new GradientSync(ExpertParallelism.NONE, model.parameters(), 64 << 10);
            CRC32C expected = new CRC32C();
            for (ModelParameter p : sync.replicated()) {
                expected.update(p.array().toByteBuffer(true));
            }
            HostSyncs.take();
            assertEquals(expected.getValue(), sync.checksum());
            long reads = HostSyncs.take().get(HostSyncs.Kind.REPLICA_CHECKSUM);
            assertTrue(reads > 1 && reads < sync.replicated().size(), reads + " reads for "
                    + sync.replicated().size() + " replicated parameters");
        }
    }
}
