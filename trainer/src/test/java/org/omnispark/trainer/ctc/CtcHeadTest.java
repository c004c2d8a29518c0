package org.omnispark.trainer.ctc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

/** CtcHead: rows of exp(logProbs) sum to 1; its loss equals CtcLoss on the transposed log-probs; gradients flow. */
class CtcHeadTest {

    static {
        Engine.getEngine("PyTorch");
    }

    @Test
    void headLossAndGradient() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                CtcHead head = CtcHead.builder().setManager(m).setModelDim(4).setVocabSize(5)
                        .optDataType(DataType.FLOAT64).build();
                NDArray hidden = m.randomNormal(new Shape(2, 6, 4)).toType(DataType.FLOAT64, false);
                NDArray logProbs = head.logProbs(hidden); // [2, 6, 5]
                assertArrayEquals(new double[12], logProbs.exp().sum(new int[] {2}).sub(1).toDoubleArray(), 1e-12,
                        "log-softmax rows");
                NDArray targets = m.create(new long[] {1, 2, 3, 4, -1, -1}, new Shape(2, 3));
                NDArray inLen = m.create(new long[] {6, 5});
                NDArray tgtLen = m.create(new long[] {3, 1});
                NDArray loss = head.loss(hidden, inLen, targets, tgtLen);
                double direct = CtcLoss.wenet().forward(logProbs.transpose(1, 0, 2), targets, inLen, tgtLen)
                        .toDoubleArray()[0];
                assertEquals(direct, loss.toDoubleArray()[0], 1e-12);
                CtcLossTest.backward(loss);
                double norm = java.util.Arrays.stream(CtcLossTest.grad(head.weight().array())).map(Math::abs).sum();
                assertEquals(true, norm > 0, "gradient reaches the projection weight: " + norm);
                assertEquals(2, head.parameters().size());
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }
}
