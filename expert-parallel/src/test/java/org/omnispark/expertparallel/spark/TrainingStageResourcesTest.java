package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.job.LocalClusterSpark;
import org.omnispark.trainer.model.TinyDatasets;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * One cluster configuration for both kinds of stage, on a real multi-process cluster with made-up GPUs: two Workers
 * of 4 cores and 2 "GPUs" each, discovered by the real {@code submit/gpu-discovery.sh} run as by a Worker started
 * with {@code CUDA_VISIBLE_DEVICES=GPU-aaaa...,GPU-bbbb...} (UUIDs, as a container runtime sets them), executors of 4
 * cores and 2 GPUs with that variable in their environment, and no {@code spark.task.cpus} or task GPU amount.
 *
 * <p>A prepare-like stage runs 8 one-core tasks at once, none holding a GPU. The training barrier stage, with the
 * profile {@link TrainingResources} builds, runs 4 ranks at once, 2 per executor, each with 2 cores and one GPU; each
 * rank turns the address Spark gave it into the CUDA ordinal of its own process exactly as {@link RankTask} does
 * ({@link RankTask#gpuAddress}, {@link GpuDevices#cudaOrdinal}): the two ranks of an executor get ordinals 0 and 1,
 * never a UUID parsed as a number. No GPU is used: nothing here calls CUDA.
 */
class TrainingStageResourcesTest {

    private static final String VISIBLE = "GPU-aaaa1111-0000-0000-0000-000000000001,GPU-bbbb2222-0000-0000-0000-"
            + "000000000002";

    @Test
    @Timeout(300)
    void prepareKeepsOneCorePerTaskAndTheTrainingStageGetsCoresAndOneGpuPerRank() throws Exception {
        Path tmp = Files.createTempDirectory("omnispark-stage-resources");
        Path discovery = tmp.resolve("worker-gpus.sh");
        Files.writeString(discovery, "#!/bin/sh\nCUDA_VISIBLE_DEVICES=" + VISIBLE + " exec bash "
                + TinyDatasets.repoRoot().resolve("submit/gpu-discovery.sh") + "\n");
        assertTrue(discovery.toFile().setExecutable(true));
        try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(2).optCoresPerWorker(4)
                .optMemoryPerWorkerMb(768).optAppName("stage-resources-test")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                .optConf("spark.worker.resource.gpu.amount", "2")
                .optConf("spark.worker.resource.gpu.discoveryScript", discovery.toString())
                .optConf("spark.executor.resource.gpu.amount", "2")
                .optConf("spark.executor.cores", "4")
                .optConf("spark.executorEnv.CUDA_VISIBLE_DEVICES", VISIBLE)
                .build()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(cluster.spark().sparkContext());
            TrainingResources resources = TrainingResources.of(jsc.sc().conf(), true);
            assertEquals(new TrainingResources(2, true, 2, true), resources);

            // prepare-like: 8 tasks, the default profile (1 core, no GPU)
            List<String> tasks = jsc.parallelize(IntStream.range(0, 8).boxed().toList(), 8).map(i -> {
                TaskContext c = TaskContext.get();
                Thread.sleep(300); // so that they overlap
                return c.cpus() + " " + c.resources().contains("gpu");
            }).collect();
            assertEquals(List.of("1 false"), tasks.stream().distinct().toList(), tasks.toString());

            // the training stage: 4 ranks at once with the training profile
            RDD<String> ranks = jsc.parallelize(IntStream.range(0, 4).boxed().toList(), 4).rdd().barrier()
                    .mapPartitions(new Rank(), false, ClassTag$.MODULE$.apply(String.class))
                    .withResources(resources.profile());
            List<String> lines = Arrays.asList((String[]) ranks.collect());
            Map<String, List<String[]>> byExecutor = new TreeMap<>();
            for (String line : lines) {
                String[] f = line.split(" ");
                byExecutor.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
            assertEquals(2, byExecutor.size(), "2 ranks on each executor: " + lines);
            List<String> uuids = List.of(VISIBLE.split(","));
            for (List<String[]> onOne : byExecutor.values()) {
                assertEquals(2, onOne.size(), lines.toString());
                Set<String> ordinals = new TreeSet<>();
                for (String[] f : onOne) {
                    assertEquals("2", f[1], "2 of the executor's 4 cores per rank: " + lines);
                    assertEquals(uuids.indexOf(f[2]), Integer.parseInt(f[3]), "the ordinal is the UUID's position: "
                            + lines);
                    ordinals.add(f[3]);
                }
                assertEquals(Set.of("0", "1"), ordinals, "one GPU per rank: " + lines);
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A rank: its executor, its cores, the GPU address Spark gave it and that address's CUDA ordinal here. */
    static final class Rank extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<String> apply(Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            context.barrier(); // all 4 ranks hold their resources at once
            String address = RankTask.gpuAddress(context);
            int ordinal = GpuDevices.cudaOrdinal(address, System.getenv("CUDA_VISIBLE_DEVICES"),
                    GpuDevices::nvidiaSmiUuids);
            String line = SparkEnv.get().executorId() + " " + context.cpus() + " " + address + " " + ordinal;
            return CollectionConverters.asScala(List.of(line).iterator());
        }
    }
}
