package org.omnispark.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * GPU executors ({@code OMNISPARK_GPUS_PER_EXECUTOR=G}, or {@code spark.executor.resource.gpu.amount} in the cluster
 * file or the user's options). What is added, merged with what is already set (a different value is refused, never
 * overridden):
 *
 * <ul>
 *   <li>{@code spark.executor.resource.gpu.amount=G}. No global {@code spark.task.resource.gpu.amount}: the training
 *       stage asks for one GPU per rank in its own resource profile, so the other stages (prepare) keep one core
 *       per task and need no GPU;
 *   <li>at least one executor core per GPU ({@code spark.executor.cores=G} on YARN and Kubernetes when unset;
 *       fewer cores than GPUs is refused);
 *   <li>{@code spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID}, so that CUDA numbers the GPUs as nvidia-smi does;
 *   <li>discovery: on YARN {@code submit/gpu-discovery.sh} in --files (YARN places it in the executor's folder before
 *       it starts); on Kubernetes the vendor {@code nvidia.com}, Spark's discovery script in its image and the pod
 *       template {@code submit/k8s/executor-gpu-pod.yaml} (tolerations for GPU nodes; Spark itself sets the
 *       {@code nvidia.com/gpu} limit from the amount); on standalone nothing: the Workers discover their GPUs
 *       ({@code spark.worker.resource.gpu.*}, docs/operations.md) and hand addresses to the executors.
 * </ul>
 */
final class Gpus {

    static final String AMOUNT = "spark.executor.resource.gpu.amount";
    static final String SCRIPT = "spark.executor.resource.gpu.discoveryScript";

    private Gpus() {}

    /**
     * @param s the submission's properties
     * @param files its --files
     * @param kind the master's kind
     * @param perExecutor OMNISPARK_GPUS_PER_EXECUTOR, or null
     * @param home the repository (submit/gpu-discovery.sh, submit/k8s/)
     * @param notes where to say what was kept or added
     */
    static void apply(Settings s, ShipList files, MasterKind kind, String perExecutor, Path home, List<String> notes) {
        String why = "OMNISPARK_GPUS_PER_EXECUTOR=" + perExecutor;
        if (perExecutor != null) {
            if (!perExecutor.matches("[1-9][0-9]*")) {
                throw new LaunchException("OMNISPARK_GPUS_PER_EXECUTOR must be a positive number, got '" + perExecutor
                        + "'");
            }
            s.require(AMOUNT, perExecutor, why, "make them agree, or unset OMNISPARK_GPUS_PER_EXECUTOR to use the "
                    + "GPU settings you have");
        } else {
            Settings.Setting set = s.setting(AMOUNT);
            if (set == null || set.value().equals("0")) {
                return;
            }
            why = set.source() + " (" + AMOUNT + "=" + set.value() + ")";
        }
        int gpus = s.getInt(AMOUNT);
        Settings.Setting cores = s.setting("spark.executor.cores");
        if (cores != null && Integer.parseInt(cores.value()) < gpus) {
            throw new LaunchException(why + " runs " + gpus + " ranks per executor, one per GPU, each needing a core, "
                    + "but " + cores.source() + " sets spark.executor.cores=" + cores.value() + ": raise "
                    + "spark.executor.cores to " + gpus + " or a multiple of it, or ask for fewer GPUs per executor");
        }
        if (cores != null && Integer.parseInt(cores.value()) % gpus != 0) {
            notes.add(cores.source() + " sets spark.executor.cores=" + cores.value() + " for " + gpus + " GPUs per "
                    + "executor: each rank gets " + Integer.parseInt(cores.value()) / gpus + " cores, "
                    + Integer.parseInt(cores.value()) % gpus + " stay idle while training");
        }
        if (cores == null && (kind == MasterKind.YARN || kind == MasterKind.KUBERNETES)) {
            s.orDefault("spark.executor.cores", String.valueOf(gpus), why + " (one core per GPU)");
        }
        s.orDefault("spark.executorEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID", why + " (CUDA numbers GPUs as nvidia-smi)");
        Settings.Setting taskGpus = s.setting("spark.task.resource.gpu.amount");
        if (taskGpus != null) {
            notes.add(taskGpus.source() + " sets spark.task.resource.gpu.amount=" + taskGpus.value() + " for every "
                    + "stage, so prepare's tasks each wait for a GPU too; training asks for one GPU per rank in its own "
                    + "resource profile, so this line can go");
        }
        Settings.Setting script = s.setting(SCRIPT);
        switch (kind) {
            case YARN -> {
                if (script == null) {
                    files.add(home.resolve("submit/gpu-discovery.sh").toString(), why + " (GPU discovery)");
                    s.orDefault(SCRIPT, "./gpu-discovery.sh", why + " (shipped in --files)");
                } else {
                    notes.add("GPU discovery: " + script.source() + " sets " + SCRIPT + "=" + script.value() + ", kept "
                            + "(instead of submit/gpu-discovery.sh); it must print the addresses of CUDA_VISIBLE_DEVICES"
                            + " when that is set, else nvidia-smi's indexes (docs/operations.md)");
                }
            }
            case KUBERNETES -> {
                s.require("spark.executor.resource.gpu.vendor", "nvidia.com", why, "Kubernetes' NVIDIA device plugin "
                        + "names its resource nvidia.com/gpu: remove the other vendor");
                s.orDefault(SCRIPT, Planner.K8S_DISCOVERY, why + " (Spark's script in its image)");
                Settings.Setting template = s.setting("spark.kubernetes.executor.podTemplateFile");
                if (template == null) {
                    s.orDefault("spark.kubernetes.executor.podTemplateFile",
                            home.resolve("submit/k8s/executor-gpu-pod.yaml").toString(), why + " (GPU node tolerations)");
                } else {
                    notes.add(template.source() + " sets spark.kubernetes.executor.podTemplateFile=" + template.value()
                            + ", kept instead of submit/k8s/executor-gpu-pod.yaml: give it the GPU nodes' tolerations");
                }
            }
            default -> { // standalone: the Workers discover GPUs
            }
        }
    }
}
