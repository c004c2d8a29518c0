package org.omnispark.launcher;

import java.util.List;

/**
 * {@code train --ranks N} runs one Spark barrier stage of N tasks, all at once. What Spark would refuse or hang on is
 * refused here, before submitting: dynamic allocation (barrier mode refuses it), fewer executors than the ranks need.
 * What it needs and nobody set is added: {@code spark.dynamicAllocation.enabled=false}, and on YARN and Kubernetes
 * the executors it needs ({@code spark.executor.instances}; standalone sizes by cores).
 *
 * <p>Ranks per executor: one per GPU on GPU executors, else {@code spark.executor.cores / spark.omnispark.rank.cpus}
 * when both are set, else one.
 */
final class Ranks {

    private Ranks() {}

    /** @return train's --ranks, or null when the command is not a train with ranks */
    static Integer ranks(List<String> command) {
        if (command.isEmpty() || !command.get(0).equals("train")) {
            return null;
        }
        String value = null;
        for (int i = 1; i < command.size(); i++) {
            String a = command.get(i);
            if (a.equals("--ranks") && i + 1 < command.size()) {
                value = command.get(++i);
            } else if (a.startsWith("--ranks=")) {
                value = a.substring("--ranks=".length());
            }
        }
        if (value == null) {
            return null;
        }
        if (!value.matches("[1-9][0-9]{0,5}")) {
            throw new LaunchException("train --ranks needs a positive number, got '" + value + "'");
        }
        return Integer.valueOf(value);
    }

    static void check(List<String> command, Settings s, MasterKind kind) {
        Integer ranks = ranks(command);
        if (ranks == null) {
            return;
        }
        String why = "train --ranks " + ranks;
        Settings.Setting dyn = s.setting("spark.dynamicAllocation.enabled");
        if (dyn != null && dyn.value().equals("true")) {
            String remedy = dyn.layer() == Settings.Layer.CLUSTER_FILE
                    ? "set spark.dynamicAllocation.enabled false in " + dyn.source().replaceFirst(" line [0-9]+$", "")
                    : "remove spark.dynamicAllocation.enabled=true from " + SubmitOptions.SOURCE;
            throw new LaunchException(why + " runs a barrier stage, which Spark refuses with dynamic allocation ("
                    + dyn.source() + "): " + remedy);
        }
        s.orDefault("spark.dynamicAllocation.enabled", "false", why + " (a barrier stage)");
        Integer gpus = s.getInt(Gpus.AMOUNT);
        Integer cores = s.getInt("spark.executor.cores");
        Integer rankCpus = s.getInt("spark.omnispark.rank.cpus");
        if (rankCpus != null && cores != null && rankCpus > cores) {
            throw new LaunchException(s.setting("spark.omnispark.rank.cpus").source() + " gives each rank "
                    + rankCpus + " cores, more than an executor has (spark.executor.cores=" + cores + ", "
                    + s.setting("spark.executor.cores").source() + "): lower it or raise spark.executor.cores");
        }
        int perExecutor = gpus != null && gpus > 0 ? gpus
                : rankCpus != null && cores != null ? Math.max(1, cores / rankCpus) : 1;
        int needed = (ranks + perExecutor - 1) / perExecutor;
        String shape = perExecutor == 1 ? "one per rank" : perExecutor + " ranks per executor"
                + (gpus != null && gpus > 0 ? ", one per GPU" : "");
        Settings.Setting instances = s.setting("spark.executor.instances");
        if (instances != null && Integer.parseInt(instances.value()) < needed) {
            throw new LaunchException(why + " needs " + needed + " executors (" + shape + "), but "
                    + instances.source() + " sets spark.executor.instances=" + instances.value() + ": raise it or "
                    + "lower --ranks");
        }
        if (kind == MasterKind.STANDALONE) {
            Integer max = s.getInt("spark.cores.max");
            if (max != null && cores != null && max / cores < needed) {
                throw new LaunchException(why + " needs " + needed + " executors (" + shape + "), but spark.cores.max="
                        + max + " (" + s.setting("spark.cores.max").source() + ") / spark.executor.cores=" + cores
                        + " allows " + (max / cores) + ": raise spark.cores.max to " + needed * cores + " or lower "
                        + "--ranks");
            }
        } else if (instances == null) {
            s.orDefault("spark.executor.instances", String.valueOf(needed), why + " (" + shape + ")");
        }
    }
}
