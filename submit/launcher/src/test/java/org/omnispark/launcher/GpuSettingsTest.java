package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.launcher.Fixture.APP_JAR;
import static org.omnispark.launcher.Fixture.MAIN;
import static org.omnispark.launcher.Fixture.NATIVES;
import static org.omnispark.launcher.Fixture.OPENS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OMNISPARK_GPUS_PER_EXECUTOR on each kind of cluster, merged with the cluster file: added where unset, accepted
 * where equal, refused (naming the file and line) where different; never a silent override of the file's cores.
 */
class GpuSettingsTest extends FixtureTest {

    @Test
    void yarnGetsTheAmountACorePerGpuThePciOrderAndTheDiscoveryScriptInFiles() {
        SubmitCommand c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "2"), "--master", "yarn", "train", "--ranks",
                "4", "--data", "d");
        assertEquals(List.of("--master", "yarn",
                "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.resource.gpu.amount=2",
                "--conf", "spark.executor.cores=2",
                "--conf", "spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID",
                "--conf", "spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh",
                "--conf", "spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
                "--conf", "spark.dynamicAllocation.enabled=false",
                "--conf", "spark.executor.instances=2",
                "--jars", NATIVES,
                "--files", Fixture.repo("submit/gpu-discovery.sh"),
                "--class", MAIN, APP_JAR, "train", "--ranks", "4", "--data", "d"), c.arguments(),
                "2 GPUs per executor: 4 ranks on 2 executors; no global task.cpus or task gpu amount");
        assertTrue(Files.isExecutable(Path.of(Fixture.repo("submit/gpu-discovery.sh"))));
    }

    @Test
    void kubernetesGetsTheVendorTheImagesScriptAndThePodTemplate() {
        SubmitCommand c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--master", "k8s://https://k:6443",
                "train", "--ranks", "2", "--data", "d");
        Map<String, String> confs = Fixture.confs(c);
        assertEquals("1", confs.get("spark.executor.resource.gpu.amount"));
        assertEquals("nvidia.com", confs.get("spark.executor.resource.gpu.vendor"));
        assertEquals("/opt/spark/examples/src/main/scripts/getGpusResources.sh",
                confs.get("spark.executor.resource.gpu.discoveryScript"));
        assertEquals(Fixture.repo("submit/k8s/executor-gpu-pod.yaml"),
                confs.get("spark.kubernetes.executor.podTemplateFile"));
        assertEquals("2", confs.get("spark.executor.instances"));
        assertEquals(List.of(), c.files, "a discovery script in --files arrives after the executor starts");
        assertFalse(confs.containsKey("spark.task.resource.gpu.amount") || confs.containsKey("spark.task.cpus"));
    }

    @Test
    void standaloneLeavesDiscoveryToTheWorkers() {
        SubmitCommand c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "4"), "--master", "spark://h:7077", "train",
                "--ranks", "8");
        assertEquals(Map.of("spark.driver.extraJavaOptions", OPENS, "spark.executor.extraJavaOptions", OPENS,
                "spark.executor.resource.gpu.amount", "4", "spark.executorEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID",
                "spark.executorEnv.GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", "spark.dynamicAllocation.enabled",
                "false"), Fixture.confs(c));
        assertEquals(List.of(), c.files);
    }

    @Test
    void aGpuCountAgainstTheClusterFilesIsRefusedNamingTheLine() {
        String conf = f.clusterFile("gpu.conf", "spark.master yarn\nspark.executor.resource.gpu.amount 1\n");
        String why = f.refused(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "2"), "--cluster", conf, "prepare");
        assertEquals("OMNISPARK_GPUS_PER_EXECUTOR=2 needs spark.executor.resource.gpu.amount=2, but " + conf
                + " line 2 sets spark.executor.resource.gpu.amount=1: make them agree, or unset "
                + "OMNISPARK_GPUS_PER_EXECUTOR to use the GPU settings you have", why);
        // the same count is fine, and the file alone is enough
        assertEquals("1", Fixture.confs(f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--cluster", conf,
                "prepare")).get("spark.executor.resource.gpu.amount"));
        SubmitCommand fileOnly = f.submit("--cluster", conf, "prepare");
        assertEquals("./gpu-discovery.sh", Fixture.confs(fileOnly).get("spark.executor.resource.gpu.discoveryScript"),
                "GPUs from the file get the discovery script too");
    }

    @Test
    void theClusterFilesCoresAreNeverOverriddenTooFewAreRefused() {
        String conf = f.clusterFile("cores.conf", "spark.master yarn\nspark.executor.cores 8\n");
        SubmitCommand c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "2"), "--cluster", conf, "train", "--ranks",
                "2");
        assertEquals("8", Fixture.confs(c).get("spark.executor.cores"), "8 cores: 4 per rank in training");
        assertEquals("1", Fixture.confs(c).get("spark.executor.instances"), "2 ranks fit on one 2-GPU executor");
        String few = f.clusterFile("few.conf", "spark.master yarn\nspark.executor.cores 2\n");
        String why = f.refused(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "4"), "--cluster", few, "prepare");
        assertTrue(why.startsWith("OMNISPARK_GPUS_PER_EXECUTOR=4 runs 4 ranks per executor, one per GPU")
                && why.contains(few + " line 2 sets spark.executor.cores=2"), why);
        String odd = f.clusterFile("odd.conf", "spark.master yarn\nspark.executor.cores 5\n");
        c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "2"), "--cluster", odd, "prepare");
        assertTrue(c.notes().get(0).contains("each rank gets 2 cores, 1 stay idle"), c.notes().toString());
        String instances = f.clusterFile("inst.conf", "spark.master yarn\nspark.executor.instances 1\n");
        why = f.refused(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "2"), "--cluster", instances, "train", "--ranks", "4");
        assertTrue(why.contains("needs 2 executors (2 ranks per executor, one per GPU)"), why);
    }

    @Test
    void theUsersOwnDiscoveryScriptOrPodTemplateIsKeptAndSaid() {
        SubmitCommand c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1", "OMNISPARK_SUBMIT_OPTS",
                "--conf spark.executor.resource.gpu.discoveryScript=/opt/gpus.sh"), "--master", "yarn", "prepare");
        assertEquals("/opt/gpus.sh", Fixture.confs(c).get("spark.executor.resource.gpu.discoveryScript"));
        assertEquals(List.of(), c.files);
        assertTrue(c.notes().get(0).contains("kept (instead of submit/gpu-discovery.sh)"), c.notes().toString());
        c = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1", "OMNISPARK_SUBMIT_OPTS",
                "--conf spark.kubernetes.executor.podTemplateFile=/mine.yaml"), "--master", "k8s://https://k:1",
                "prepare");
        assertEquals("/mine.yaml", Fixture.confs(c).get("spark.kubernetes.executor.podTemplateFile"));
        assertTrue(c.notes().get(0).contains("kept instead of submit/k8s/executor-gpu-pod.yaml"), c.notes().toString());
        String vendor = f.refused(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1", "OMNISPARK_SUBMIT_OPTS",
                "--conf spark.executor.resource.gpu.vendor=amd.com"), "--master", "k8s://https://k:1", "prepare");
        assertTrue(vendor.contains("needs spark.executor.resource.gpu.vendor=nvidia.com"), vendor);
        SubmitCommand task = f.submit(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "1", "OMNISPARK_SUBMIT_OPTS",
                "--conf spark.task.resource.gpu.amount=1"), "--master", "yarn", "prepare");
        assertTrue(task.notes().get(0).contains("prepare's tasks each wait for a GPU too"), task.notes().toString());
        assertTrue(f.refused(f.env("OMNISPARK_GPUS_PER_EXECUTOR", "many"), "--master", "yarn", "prepare")
                .contains("OMNISPARK_GPUS_PER_EXECUTOR must be a positive number, got 'many'"));
    }

    @Test
    void thePodTemplateLeavesTheGpuLimitToSpark() throws Exception {
        String template = Files.readString(Path.of(Fixture.repo("submit/k8s/executor-gpu-pod.yaml")));
        assertTrue(template.contains("key: nvidia.com/gpu") && !template.contains("nvidia.com/gpu: "), template);
    }
}
