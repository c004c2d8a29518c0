package org.omnispark.trainer.encoder;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * Forward and forward+backward time of a dense encoder (U2++ base size by default: d 256, 4 heads, 2048 units, 12
 * blocks, kernel 15, 80 bins) on CPU, median of the timed rounds. Not a test. Arguments (optional): type B T blocks
 * rounds.
 */
public final class EncoderBenchmark {

    private EncoderBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional: conformer|transformer B T blocks rounds
     */
    public static void main(String[] args) {
        EncoderType type = EncoderType.fromName(args.length > 0 ? args[0] : "conformer");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int time = args.length > 2 ? Integer.parseInt(args[2]) : 800;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 12;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Engine.getEngine("PyTorch");
        try (NDManager model = NDManager.newBaseManager("PyTorch")) {
            EncoderSpec config = EncoderSpec.builder().setType(type).setInputDim(80).setOutputDim(256)
                    .optNumBlocks(blocks).optCausal(true).optDynamicChunk(true, false).build();
            BaseEncoder encoder = BaseEncoder.create(model, config, null, null);
            int[] lengths = new int[batch];
            Arrays.fill(lengths, time);
            double[] forward = new double[rounds];
            double[] step = new double[rounds];
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                try (NDManager scope = model.newSubManager()) {
                    NDArray xs = scope.randomNormal(new Shape(batch, time, 80));
                    JniUtils.setGradMode(false);
                    long t0 = System.nanoTime();
                    encoder.forward(xs, lengths, ChunkMasks.Choice.FULL, false).output().toFloatArray();
                    long t1 = System.nanoTime();
                    JniUtils.setGradMode(true);
                    NDArray loss = encoder.forward(xs, lengths, true).output().mean();
                    JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                    long t2 = System.nanoTime();
                    JniUtils.setGradMode(false);
                    encoder.parameters().forEach(p -> p.zeroGradient());
                    if (r >= 0) {
                        forward[r] = (t1 - t0) / 1e6;
                        step[r] = (t2 - t1) / 1e6;
                    }
                }
            }
            Arrays.sort(forward);
            Arrays.sort(step);
            System.out.printf("%s B=%d T=%d blocks=%d params=%d: forward (eval, full context) %.0f ms, "
                            + "forward+backward (train, dynamic chunk) %.0f ms (medians of %d)%n",
                    type, batch, time, blocks,
                    encoder.parameters().stream().mapToLong(p -> p.array().getShape().size()).sum(),
                    forward[rounds / 2], step[rounds / 2], rounds);
        }
    }
}
