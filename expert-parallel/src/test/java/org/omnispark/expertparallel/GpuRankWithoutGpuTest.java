package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * {@code train.device=gpu} on a machine without one, as far as it goes without CUDA: the config accepts it, a rank
 * builds the staging for its GPU as {@code RankTask} does ({@link HostStaging#forDevice}: the TorchScript helper
 * compiles on this libtorch; pinning waits for the first device tensor) and its process groups over real sockets,
 * whose collectives run (counts; a CPU tensor passes untouched). The first thing that needs the GPU is a tensor on it:
 * that fails here, in libtorch, and nowhere earlier.
 */
class GpuRankWithoutGpuTest {

    @Test
    void aGpuRankGetsAsFarAsItsFirstDeviceTensor() throws Exception {
        assertEquals("gpu", TinyDatasets.train("device=gpu").device());
        List<float[]> sums = InProcessRanks.run(2, 30_000, mesh -> {
            try (HostStaging staging = HostStaging.forDevice(Device.gpu(mesh.rank()));
                    NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                MeshParallelism parallelism = new MeshParallelism(mesh, 4, 0, staging);
                assertArrayEquals(new long[] {0, 1}, parallelism.world().allGather(new long[] {mesh.rank()}, "ranks"));
                NDArray x = m.create(new float[] {mesh.rank(), 1});
                parallelism.world().allReduceSum(x, "values");
                assertEquals(0, staging.bufferFloats(), "a CPU tensor is not staged");
                assertThrows(RuntimeException.class, () -> {
                    try (NDManager gpu = NDManager.newBaseManager(Device.gpu(mesh.rank()), "PyTorch")) {
                        gpu.zeros(new ai.djl.ndarray.types.Shape(2)).toFloatArray();
                    }
                }, "no CUDA here: the first device tensor is where a GPU rank stops");
                return x.toFloatArray();
            }
        });
        assertArrayEquals(new float[] {1, 2}, sums.get(0));
        assertArrayEquals(new float[] {1, 2}, sums.get(1));
    }
}
