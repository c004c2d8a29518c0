package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.TaskResourceProfile;
import org.apache.spark.resource.TaskResourceRequest;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** The cores and GPU of a rank, from the application's configuration, and the stage-level profile made of them. */
class TrainingResourcesTest {

    private static SparkConf conf(String... kv) {
        SparkConf c = new SparkConf(false);
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void aCpuRankTakesAWholeExecutorWhilePrepareKeepsOneCorePerTask() {
        TrainingResources r = TrainingResources.of(conf("spark.master", "yarn", "spark.executor.cores", "4"), false);
        assertEquals(new TrainingResources(4, false, 1, true), r);
        Map<String, TaskResourceRequest> task = CollectionConverters.asJava(r.profile().taskResources());
        assertEquals(4.0, task.get(ResourceProfile.CPUS()).amount());
        assertEquals(1, task.size(), "no GPU");
        assertInstanceOf(TaskResourceProfile.class, r.profile(), "task requests only: the default executors");
    }

    @Test
    void aGpuRankTakesOneGpuAndItsShareOfTheExecutorsCores() {
        TrainingResources r = TrainingResources.of(conf("spark.master", "k8s://https://k:1", "spark.executor.cores",
                "8", "spark.executor.resource.gpu.amount", "2"), true);
        assertEquals(new TrainingResources(4, true, 2, true), r);
        Map<String, TaskResourceRequest> task = CollectionConverters.asJava(r.profile().taskResources());
        assertEquals(4.0, task.get(ResourceProfile.CPUS()).amount());
        assertEquals(1.0, task.get("gpu").amount());
        assertEquals("4 cores and 1 GPU per rank", r.toString());
    }

    @Test
    void rankCpusOverridesTheShareAndMustFitAnExecutor() {
        TrainingResources r = TrainingResources.of(conf("spark.master", "spark://h:7077", "spark.executor.cores", "8",
                "spark.omnispark.rank.cpus", "2"), false);
        assertEquals(new TrainingResources(2, false, 4, true), r);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainingResources.of(conf(
                "spark.master", "yarn", "spark.executor.cores", "2", "spark.omnispark.rank.cpus", "4"), false));
        assertTrue(e.getMessage().contains("more than an executor's cores"), e.getMessage());
    }

    @Test
    void withoutExecutorCoresOrOnPlainLocalTheDefaultsStay() {
        // standalone without spark.executor.cores (executors take whole Workers), and the old one-core-per-task tests
        assertEquals(new TrainingResources(1, false, 1, false), TrainingResources.of(conf("spark.master",
                "local-cluster[2,1,1024]"), false));
        assertEquals(new TrainingResources(3, false, 1, false), TrainingResources.of(conf("spark.master",
                "spark://h:7077", "spark.task.cpus", "3"), false), "the same as the default profile: none needed");
        // local[N] has no stage-level scheduling: never a profile, whatever the settings
        assertEquals(false, TrainingResources.of(conf("spark.master", "local[4]", "spark.executor.cores", "4"), false)
                .useProfile());
    }

    @Test
    void gpuTrainingOnExecutorsWithoutGpusOrWithTooFewCoresIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingResources.of(conf("spark.master", "yarn"), true));
        assertTrue(e.getMessage().contains("the executors have no GPUs") && e.getMessage().contains(
                "OMNISPARK_GPUS_PER_EXECUTOR"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> TrainingResources.of(conf("spark.master", "yarn",
                "spark.executor.cores", "2", "spark.executor.resource.gpu.amount", "4"), true));
        assertTrue(e.getMessage().contains("4 GPUs per executor run 4 ranks"), e.getMessage());
    }
}
