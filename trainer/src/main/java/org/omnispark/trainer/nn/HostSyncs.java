package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every place where the training step reads a tensor's values on the host: each such read waits for the device to
 * finish the work queued before it (a host sync, the thing that stalls a GPU pipeline), so each goes through here,
 * under a name, and is counted. On the CPU the read is an ordinary copy and the count is the same.
 *
 * <p>The counts are per thread (the ranks of a test share a JVM, one thread each) and are taken, and reset, once per
 * logged step by the training loop, which reports them beside the per-rank communication split
 * ({@code host_syncs/<name>} summed over the ranks, {@code rank<r>/host_syncs}). A model with L MoE layers makes L
 * {@link Kind#ROUTER_CHOICES} syncs per forward pass (one per router; an NDArray valid mask adds one {@link
 * Kind#VALID_MASK} per layer, the encoder passes a host mask instead).
 */
public final class HostSyncs {

    /** What is read on the host. The names are fixed, so every rank reports the same keys in the same order. */
    public enum Kind {
        /** a router's top-k expert indices (the counts per expert and the token permutation come from them) */
        ROUTER_CHOICES("router_choices"),
        /** an MoE layer's valid-frame mask given as a tensor */
        VALID_MASK("valid_mask"),
        /**
         * a device tensor copied to the host for an exchange between ranks (expert-parallel host staging: one per
         * all-to-all or all-reduce of a device tensor, or of every tensor when staging is forced on the CPU)
         */
        EXCHANGE_STAGING("exchange_staging"),
        /** a loss part read for the metrics */
        LOSS("loss"),
        /** the gradient norms for clipping */
        GRADIENT_NORM("gradient_norm"),
        /** target ids and lengths read to build the decoder's inputs and masks */
        TARGETS("targets"),
        /** the replicated parameters' bytes for the replica checksum ({@code expert_parallel.checksum_interval}) */
        REPLICA_CHECKSUM("replica_checksum"),
        /** a tensor written to a checkpoint */
        CHECKPOINT("checkpoint"),
        /** decoding (search, rescoring) and export: not part of a training step */
        DECODING("decoding");

        private final String metric;

        Kind(String metric) {
            this.metric = metric;
        }

        /** @return the name in metrics, e.g. {@code router_choices} */
        public String metric() {
            return metric;
        }
    }

    private static final ThreadLocal<long[]> COUNTS = ThreadLocal.withInitial(() -> new long[Kind.values().length]);

    private HostSyncs() {}

    /**
     * Reads int64 values on the host (converting the type on the device first when needed).
     *
     * @param array any tensor of integers
     * @param kind what it is
     * @return its values, row-major
     */
    public static long[] longs(NDArray array, Kind kind) {
        count(kind);
        if (array.getDataType() == DataType.INT64) {
            return array.toLongArray();
        }
        try (NDArray converted = array.toType(DataType.INT64, false)) {
            return converted.toLongArray();
        }
    }

    /**
     * Reads float32 values on the host.
     *
     * @param array any numeric tensor
     * @param kind what it is
     * @return its values, row-major
     */
    public static float[] floats(NDArray array, Kind kind) {
        count(kind);
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        try (NDArray converted = array.toType(DataType.FLOAT32, false)) {
            return converted.toFloatArray();
        }
    }

    /**
     * Reads values as float64 on the host (converted on the device: the bits of a float32 widened exactly).
     *
     * @param array any numeric tensor
     * @param kind what it is
     * @return its values, row-major
     */
    public static double[] doubles(NDArray array, Kind kind) {
        count(kind);
        try (NDArray converted = array.toType(DataType.FLOAT64, false)) {
            return converted.toDoubleArray();
        }
    }

    /**
     * Reads a tensor's bytes on the host.
     *
     * @param array any tensor
     * @param kind what it is
     * @param tryDirect {@code NDArray.toByteBuffer}'s flag: a direct buffer over a CPU tensor's memory where possible
     * @return its bytes in native order
     */
    public static java.nio.ByteBuffer bytes(NDArray array, Kind kind, boolean tryDirect) {
        count(kind);
        return array.toByteBuffer(tryDirect);
    }

    /**
     * Reads one value as a double on the host.
     *
     * @param scalar a tensor of one element
     * @param kind what it is
     * @return its value
     */
    public static double scalar(NDArray scalar, Kind kind) {
        count(kind);
        try (NDArray converted = scalar.toType(DataType.FLOAT64, false)) {
            return converted.getDouble();
        }
    }

    /**
     * Counts a host sync made elsewhere (a copy the caller makes itself, e.g. into a reused host buffer).
     *
     * @param kind what was read
     */
    public static void count(Kind kind) {
        COUNTS.get()[kind.ordinal()]++;
    }

    /** @return this thread's counts since the last {@link #take()}, every kind present in declaration order */
    public static Map<Kind, Long> peek() {
        long[] counts = COUNTS.get();
        Map<Kind, Long> map = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            map.put(k, counts[k.ordinal()]);
        }
        return map;
    }

    /** @return as {@link #peek()}, and resets this thread's counts */
    public static Map<Kind, Long> take() {
        Map<Kind, Long> map = peek();
        java.util.Arrays.fill(COUNTS.get(), 0);
        return map;
    }
}
