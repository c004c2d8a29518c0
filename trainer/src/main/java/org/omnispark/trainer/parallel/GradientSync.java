package org.omnispark.trainer.parallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.infra.GradientClipping;

/**
 * The data-parallel half of an expert-parallel step, between the backward pass and the optimizer:
 *
 * <ul>
 *   <li>{@link #synchronize}: sums the gradients of the replicated parameters (routers' gates, the shared
 *       Omni-router gate, attention, convolution, norms, embeddings, heads) over every rank, in buckets of about
 *       {@code bucketBytes}; expert gradients stay home, or are summed among the ranks holding the same experts
 *       (N &gt; E). Each rank's loss is its additive share of the global batch's loss, so SUM (not mean) is right.
 *   <li>{@link #globalNorm}: the norm for clipping over every gradient of the model: the replicated ones once and
 *       every expert's once, whatever the rank holding it; every rank gets the same bits.
 *   <li>{@link #checksum}: a CRC of the replicated parameters' bytes on every rank; they must stay bit-identical.
 * </ul>
 *
 * Gradients must be float32; they stay on the model's device. The buckets are handed to the world's and the replica
 * group's {@link ProcessGroup#allReduceSum(List, List)} as they are, all at once: on a GPU the expert-parallel
 * module's process groups stage them through host memory themselves (its {@code HostStaging}: copies to reused host
 * buffers, the next bucket's while this one is exchanged, the sums copied back into the buckets), so nothing here
 * knows devices. The norms for clipping are read on the host once per call ({@link GradientClipping#sumOfSquares}:
 * one named {@code gradient_norm} host sync).
 */
public final class GradientSync {

    private static final NDIndex ALL = new NDIndex("...");

    private final ExpertParallelism parallelism;
    private final List<ModelParameter> replicated = new ArrayList<>();
    private final List<ModelParameter> experts = new ArrayList<>();
    private final long bucketBytes;

    /**
     * @param parallelism this rank's groups
     * @param parameters the model's parameters (each once)
     * @param bucketBytes all-reduce bucket size (e.g. 16 MiB)
     */
    public GradientSync(ExpertParallelism parallelism, List<ModelParameter> parameters, long bucketBytes) {
        this.parallelism = parallelism;
        this.bucketBytes = bucketBytes;
        for (ModelParameter p : parameters) {
            if (p.array().getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("expert-parallel training needs float32 parameters; "
                        + p.name() + " is " + p.array().getDataType());
            }
            (p.isExpertParameter() ? experts : replicated).add(p);
        }
    }

    /**
     * Sums gradients over the ranks (collective).
     *
     * @param scope a manager for the temporaries (closed by the caller)
     * @param step the update being made, for error messages
     */
    public void synchronize(NDManager scope, long step) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            if (parallelism.world().size() > 1) {
                reduce(scope, replicated, parallelism.world(), "step " + step + " all-reduce of replicated gradients");
            }
            if (parallelism.expertReplicas().size() > 1) {
                reduce(scope, experts, parallelism.expertReplicas(), "step " + step
                        + " all-reduce of expert gradients among replicas");
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void reduce(NDManager scope, List<ModelParameter> parameters, ProcessGroup group, String phase) {
        List<List<ModelParameter>> buckets = new ArrayList<>();
        List<ModelParameter> bucket = new ArrayList<>();
        long bytes = 0;
        for (ModelParameter p : parameters) {
            bucket.add(p);
            bytes += p.array().getShape().size() * 4;
            if (bytes >= bucketBytes) {
                buckets.add(bucket);
                bucket = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!bucket.isEmpty()) {
            buckets.add(bucket);
        }
        // every bucket flattened first, then summed in one call: a staging group copies bucket k + 1 to the host
        // while bucket k is exchanged
        List<NDArray> buffers = new ArrayList<>(buckets.size());
        List<String> phases = new ArrayList<>(buckets.size());
        for (List<ModelParameter> b : buckets) {
            buffers.add(flatten(scope, b));
            phases.add(phase + " (bucket " + phases.size() + ")");
        }
        group.allReduceSum(buffers, phases);
        for (int k = 0; k < buckets.size(); k++) {
            scatter(buckets.get(k), buffers.get(k));
        }
    }

    /** The bucket's gradients as one flat buffer, in the scope. */
    private static NDArray flatten(NDManager scope, List<ModelParameter> bucket) {
        NDList flat = new NDList(bucket.size());
        for (ModelParameter p : bucket) {
            p.ensureGradient(); // else the sum would be written to a detached zero tensor and lost
            NDArray g = p.gradient();
            g.attach(scope);
            flat.add(g.reshape(-1));
        }
        return flat.size() == 1 ? flat.get(0).duplicate() : NDArrays.concat(flat, 0); // [sum of sizes]
    }

    /** Writes the summed buffer back into the bucket's gradients. */
    private static void scatter(List<ModelParameter> bucket, NDArray buffer) {
        long offset = 0;
        for (ModelParameter p : bucket) {
            NDArray g = p.gradient();
            long n = g.getShape().size();
            g.set(ALL, buffer.get(offset + ":" + (offset + n)).reshape(g.getShape())); // in-place native copy
            g.close();
            offset += n;
        }
    }

    /**
     * The global gradient norm (collective; call after {@link #synchronize}).
     *
     * @param step the update, for error messages
     * @return {@code sqrt(sum of every gradient's squared norm)}, the same bits on every rank
     */
    public double globalNorm(long step) {
        double replicatedSquares = GradientClipping.sumOfSquares(replicated); // identical on every rank after synchronize
        // Each expert is held by expertReplicas().size() ranks with identical gradients: count it once.
        double expertSquares = GradientClipping.sumOfSquares(experts) / parallelism.expertReplicas().size();
        double expertTotal = parallelism.world().sumInRankOrder(new double[] {expertSquares},
                "step " + step + " gradient norm")[0];
        return Math.sqrt(replicatedSquares + expertTotal);
    }

    /**
     * Checks that every rank holds the same replicated parameters (collective).
     *
     * @param step the update just made
     * @throws IllegalStateException naming the step and the ranks whose parameters differ from rank 0's
     */
    public void checkReplicasIdentical(long step) {
        long mine = checksum();
        long[] all = parallelism.world().allGather(new long[] {mine}, "step " + step + " replica checksum");
        List<Integer> differ = new ArrayList<>();
        for (int r = 1; r < all.length; r++) {
            if (all[r] != all[0]) {
                differ.add(r);
            }
        }
        if (!differ.isEmpty()) {
            throw new IllegalStateException("after step " + step + " the replicated parameters of rank(s) " + differ
                    + " differ from rank 0's (CRC32C " + Long.toHexString(all[0]) + "); the ranks no longer train "
                    + "the same model: this is a bug in the gradient all-reduce or a non-deterministic update, "
                    + "please report it with the run's metrics.jsonl");
        }
    }

    /**
     * @return a CRC32C over the replicated parameters' bytes, in parameter order; read on the host a bucket at a time
     *     (parameters concatenated up to about {@code bucketBytes}: one host sync per bucket, not per parameter; the
     *     CRC of the concatenation is the CRC of the parts in order)
     */
    public long checksum() {
        CRC32C crc = new CRC32C();
        List<NDArray> bucket = new ArrayList<>();
        long bytes = 0;
        for (ModelParameter p : replicated) {
            bucket.add(p.array());
            bytes += p.array().getShape().size() * 4;
            if (bytes >= bucketBytes) {
                checksumBucket(crc, bucket);
                bucket.clear();
                bytes = 0;
            }
        }
        checksumBucket(crc, bucket);
        return crc.getValue();
    }

    private static void checksumBucket(CRC32C crc, List<NDArray> bucket) {
        if (bucket.isEmpty()) {
            return;
        }
        if (bucket.size() == 1) {
            crc.update(HostSyncs.bytes(bucket.get(0), HostSyncs.Kind.REPLICA_CHECKSUM, true));
            return;
        }
        NDList flat = new NDList(bucket.size());
        try {
            for (NDArray a : bucket) {
                flat.add(a.reshape(-1));
            }
            try (NDArray all = NDArrays.concat(flat, 0)) {
                crc.update(HostSyncs.bytes(all, HostSyncs.Kind.REPLICA_CHECKSUM, true));
            }
        } finally {
            flat.close();
        }
    }

    /** @return the replicated parameters */
    public List<ModelParameter> replicated() {
        return replicated;
    }

    /** @return this rank's expert parameters */
    public List<ModelParameter> experts() {
        return experts;
    }
}
