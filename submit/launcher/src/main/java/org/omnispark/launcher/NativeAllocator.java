package org.omnispark.launcher;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * glibc's allocator setting for the JVMs that hold libtorch tensors ({@code train}, {@code eval}, {@code export}):
 * {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1}.
 *
 * <p>Why: libtorch takes a CPU tensor's memory from malloc, and glibc serves a block above its largest mmap threshold
 * (32 MiB on 64-bit) with a fresh mmap that is unmapped again on free. Every such tensor then faults in its pages one
 * 4 KiB page at a time: on this project's VM about 15 microseconds a fault, 120 ms for a 32 MiB all-to-all result,
 * which made a 16 MiB-per-peer all-to-all run at 0.06 of raw TCP (docs/benchmarks.md). With the tunable, glibc asks
 * for transparent huge pages on those blocks ({@code madvise}), 512 times fewer faults. It takes effect where the
 * kernel's {@code /sys/kernel/mm/transparent_hugepage/enabled} is {@code madvise} (Debian, Ubuntu) and is harmless
 * where it is {@code always} (already huge) or {@code never} (no effect), or where glibc predates 2.35 (unknown
 * tunables are ignored).
 *
 * <p>Where: the executors ({@code spark.executorEnv.GLIBC_TUNABLES}); in YARN or Kubernetes cluster mode the driver
 * too ({@code spark.yarn.appMasterEnv.} / {@code spark.kubernetes.driverEnv.}); otherwise the driver is a child of
 * this machine's launcher and gets it in its environment. A value the user set (the property, or GLIBC_TUNABLES in
 * this environment for a driver started here) is kept.
 */
final class NativeAllocator {

    static final String VARIABLE = "GLIBC_TUNABLES";
    static final String HUGE_PAGES = "glibc.malloc.hugetlb=1";
    /** The commands that load libtorch. */
    static final Set<String> TENSOR_COMMANDS = Set.of("train", "eval", "export");

    private NativeAllocator() {}

    /** @return whether {@code command} holds libtorch tensors */
    static boolean applies(List<String> command) {
        return !command.isEmpty() && TENSOR_COMMANDS.contains(command.get(0));
    }

    /**
     * spark-submit's properties and the local driver's environment.
     *
     * @param s the submission's properties
     * @param kind the master's kind
     * @param clusterMode whether the driver runs in the cluster
     * @param env this process's environment
     * @param driverEnv what spark-submit's child (a client-mode driver) gets added to its environment
     */
    static void apply(Settings s, MasterKind kind, boolean clusterMode, Map<String, String> env,
            Map<String, String> driverEnv) {
        String why = "OmniSpark's default for libtorch's large CPU tensors (" + HUGE_PAGES + ")";
        s.orDefault("spark.executorEnv." + VARIABLE, HUGE_PAGES, why);
        if (clusterMode && kind == MasterKind.YARN) {
            s.orDefault("spark.yarn.appMasterEnv." + VARIABLE, HUGE_PAGES, why);
        } else if (clusterMode && kind == MasterKind.KUBERNETES) {
            s.orDefault("spark.kubernetes.driverEnv." + VARIABLE, HUGE_PAGES, why);
        } else if (!clusterMode) {
            local(env, driverEnv);
        } // standalone cluster mode: the driver runs on a worker with the worker's environment (it holds no rank)
    }

    /** A JVM started on this machine: the variable unless this environment has one. */
    static void local(Map<String, String> env, Map<String, String> childEnv) {
        if (env.get(VARIABLE) == null) {
            childEnv.put(VARIABLE, HUGE_PAGES);
        }
    }
}
