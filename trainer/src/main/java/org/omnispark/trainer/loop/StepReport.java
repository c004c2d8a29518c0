package org.omnispark.trainer.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.parallel.CommunicationTimes;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.ProcessGroup;

/**
 * The numbers one training step reports, made global over the ranks of an expert-parallel run.
 *
 * <p>Per micro-batch ({@link #addLosses}): the loss parts (the CTC and attention means scaled by this rank's share of
 * the batch, so that the sums over ranks are the global batch's losses), the expert loads ({@code moe/expert<e>}:
 * assignments to expert e summed over the MoE layers) and dropped assignments. Per step ({@link #globalize}): those
 * summed over the ranks, the host syncs ({@link HostSyncs}: device values read on the host, by name, as {@code
 * host_syncs/<name>}; in one process too), plus each rank's split of the step time ({@code rank<r>/compute_s},
 * {@code dispatch_s}, {@code combine_s}, {@code allreduce_s}, {@code wait_s}, {@code staging_s}), {@code sent_mb},
 * {@code host_syncs} (its total) and the console's view of the slowest rank.
 */
final class StepReport {

    private final ExpertParallelism parallelism;

    /**
     * What a step reports once made global.
     *
     * @param metrics loss parts and MoE statistics over the whole batch, then per-rank times
     * @param framesPerSecond feature frames of every rank per second of the slowest rank
     * @param consoleSuffix text for the progress line (empty in one process)
     */
    record Global(Map<String, Double> metrics, double framesPerSecond, String consoleSuffix) {}

    StepReport(ExpertParallelism parallelism) {
        this.parallelism = parallelism;
    }

    /** Adds one micro-batch's numbers to {@code pending} (sums). */
    void addLosses(Losses out, double share, double lossScale, Map<String, Double> pending) {
        out.toHost().forEach((k, v) -> {
            boolean mean = k.equals("ctc") || k.equals("att") || k.equals("att_reverse"); // means over utterances
            pending.merge(k, v * lossScale * (mean ? share : 1.0), Double::sum);
        });
        List<MoeOutput> moe = out.encoder().moeOutputs();
        if (moe.isEmpty()) {
            return;
        }
        long[] load = new long[moe.get(0).tokensPerExpert().length];
        long dropped = 0;
        for (MoeOutput layer : moe) {
            long[] perExpert = layer.tokensPerExpert();
            for (int e = 0; e < load.length && e < perExpert.length; e++) {
                load[e] += perExpert[e];
            }
            dropped += layer.droppedAssignments();
        }
        for (int e = 0; e < load.length; e++) {
            pending.merge("moe/expert" + e, (double) load[e], Double::sum);
        }
        pending.merge("moe/dropped", (double) dropped, Double::sum);
    }

    /** Sums the step's numbers over the ranks (a collective in a distributed run) and adds the time split. */
    Global globalize(long step, Map<String, Double> pending, long frames, long nanos) {
        ProcessGroup world = parallelism.world();
        CommunicationTimes times = parallelism.takeCommunicationTimes();
        Map<HostSyncs.Kind, Long> syncs = HostSyncs.take(); // this rank's thread: its steps since the last report
        Map<String, Double> local = new LinkedHashMap<>(pending);
        // every kind, zeros included: the same keys on every rank
        syncs.forEach((kind, n) -> local.put("host_syncs/" + kind.metric(), (double) n));
        Map<String, Double> metrics = new LinkedHashMap<>(local);
        if (world.size() == 1) {
            return new Global(metrics, frames / (nanos / 1e9), "");
        }
        List<String> keys = new ArrayList<>(local.keySet());
        double[] mine = new double[keys.size() + 10];
        for (int i = 0; i < keys.size(); i++) {
            mine[i] = local.get(keys.get(i));
        }
        int t = keys.size();
        mine[t] = frames;
        mine[t + 1] = nanos / 1e9;
        mine[t + 2] = times.dispatchNanos() / 1e9;
        mine[t + 3] = times.combineNanos() / 1e9;
        mine[t + 4] = times.allReduceNanos() / 1e9;
        mine[t + 5] = times.waitNanos() / 1e9;
        mine[t + 6] = times.bytesSent() / 1e6;
        mine[t + 7] = (nanos - times.totalNanos()) / 1e9;
        mine[t + 8] = syncs.values().stream().mapToLong(Long::longValue).sum();
        mine[t + 9] = times.stagingNanos() / 1e9;
        double[] all = world.allGather(mine, "step " + step + " metrics");
        int width = mine.length;
        for (int i = 0; i < keys.size(); i++) {
            double sum = 0;
            for (int r = 0; r < world.size(); r++) {
                sum += all[r * width + i];
            }
            metrics.put(keys.get(i), sum);
        }
        double totalFrames = 0;
        double slowest = 0;
        int slowestRank = 0;
        for (int r = 0; r < world.size(); r++) {
            int o = r * width + t;
            totalFrames += all[o];
            if (all[o + 1] > slowest) {
                slowest = all[o + 1];
                slowestRank = r;
            }
            metrics.put("rank" + r + "/step_s", all[o + 1]);
            metrics.put("rank" + r + "/compute_s", all[o + 7]);
            metrics.put("rank" + r + "/dispatch_s", all[o + 2]);
            metrics.put("rank" + r + "/combine_s", all[o + 3]);
            metrics.put("rank" + r + "/allreduce_s", all[o + 4]);
            metrics.put("rank" + r + "/wait_s", all[o + 5]);
            metrics.put("rank" + r + "/sent_mb", all[o + 6]);
            metrics.put("rank" + r + "/staging_s", all[o + 9]);
            metrics.put("rank" + r + "/host_syncs", all[o + 8]);
        }
        int o = slowestRank * width + t;
        String suffix = String.format(Locale.ROOT, " | %.0f frames/s | slowest rank %d: %.2fs = compute %.2f, "
                + "dispatch %.2f, combine %.2f, all-reduce %.2f, wait %.2f, staging %.2f, %.0f host syncs",
                totalFrames / slowest, slowestRank, all[o + 1], all[o + 7], all[o + 2], all[o + 3], all[o + 4],
                all[o + 5], all[o + 9], all[o + 8]);
        return new Global(metrics, totalFrames / slowest, suffix);
    }
}
