package org.omnispark.expertparallel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * Where tensors enter the mesh: one rank's staging of device tensors through host memory. The mesh carries bytes
 * from and into CPU tensors only ({@link MeshProcessGroup}); a GPU rank's tensors are copied to a reused host buffer,
 * exchanged, and the result copied back to the caller's device. CPU tensors pass through the same methods: untouched
 * ({@link #forDevice} on the CPU), or copied through the host buffers like a device's ({@link #copying()}: tests and
 * {@code bench gpu --cpu-smoke}, so CI runs the staging code).
 *
 * <pre>
 *   allToAll:     rows (device) --copy_, non-blocking--&gt; send buffer (pinned, reused) --wait--&gt; exchange
 *                 --&gt; result (host, allocated by the mesh) --copy_--&gt; new tensor on the caller's device
 *   allReduceSum: values (device) --copy_, non-blocking--&gt; buffer (pinned, reused) --wait--&gt; sum in place
 *                 --copy_, non-blocking--&gt; values: queued, the host goes on (the next copy into the buffer is
 *                 queued behind it on the same stream)
 *   buckets:      two buffers in turn: bucket k + 1's copy to the host is queued before bucket k is exchanged
 * </pre>
 *
 * What DJL 0.35.1 allows, and what it does not ({@link StagingCopies}): pinned buffers and non-blocking copies come
 * from a TorchScript helper; a CPU build of libtorch cannot pin, so there the buffers are pageable and every copy is
 * synchronous. The result of an all-to-all is allocated by the mesh in pageable memory, so its copy back to the
 * device is synchronous too. Without CUDA events a wait is for the device's whole current stream. The overlap there is:
 * a bucketed all-reduce copies the next bucket to the host while it exchanges this one, and copies sums back while
 * the host goes on.
 *
 * <p>Every copy to the host is one named host sync ({@link HostSyncs.Kind#EXCHANGE_STAGING}); copy time goes to the
 * clock's {@link CommunicationClock.Kind#STAGING}. One instance per rank, used from that rank's thread.
 */
public final class HostStaging implements AutoCloseable {

    private final boolean copyCpuTensors;
    private final boolean pin;
    private NDManager manager; // made with the first buffer
    private CommunicationClock clock;
    private StagingCopies.Buffer send;
    private StagingCopies.Buffer sum;
    private StagingCopies.Buffer spare; // the second of the bucketed all-reduce's two buffers
    private String whyNotPinned;

    private HostStaging(boolean copyCpuTensors, boolean pin) {
        this.copyCpuTensors = copyCpuTensors;
        this.pin = pin;
    }

    /**
     * The staging of a rank training on {@code device}: CPU tensors pass untouched; device tensors go through pinned
     * host buffers (where libtorch can pin).
     *
     * @param device the rank's device
     * @return its staging
     */
    public static HostStaging forDevice(Device device) {
        boolean gpu = !Device.Type.CPU.equals(device.getDeviceType());
        if (gpu) {
            StagingCopies.load();
        }
        return new HostStaging(false, gpu);
    }

    /**
     * Stages every tensor, CPU ones included, through the host buffers (pageable on the CPU): the device path's
     * code, run where there is no device.
     *
     * @return a staging that always copies
     */
    public static HostStaging copying() {
        StagingCopies.load();
        return new HostStaging(true, false);
    }

    /**
     * @param clock where copy time is recorded (the rank's communication clock), or null
     * @return this
     */
    HostStaging withClock(CommunicationClock clock) {
        this.clock = clock;
        return this;
    }

    /**
     * @param tensor a tensor about to enter the mesh
     * @return whether it is copied through host memory
     */
    public boolean copies(NDArray tensor) {
        return copyCpuTensors || !Device.Type.CPU.equals(tensor.getDevice().getDeviceType());
    }

    /**
     * An all-to-all of {@code rows}, staged.
     *
     * @param rows {@code [S, d]} float32 on any device
     * @param exchange the unstaged all-to-all of host rows, returning host rows
     * @return the exchange's result on {@code rows}' device, in {@code rows}' manager
     */
    public NDArray allToAll(NDArray rows, UnaryOperator<NDArray> exchange) {
        if (!copies(rows)) {
            return exchange.apply(rows);
        }
        long begin = System.nanoTime();
        send = ensure(send, rows.getShape().size());
        NDArray host = toHost(rows, send);
        long staged = System.nanoTime() - begin;
        NDArray received = null;
        try {
            received = exchange.apply(host);
            long back = System.nanoTime();
            NDArray result = rows.getManager().create(received.getShape(), DataType.FLOAT32, rows.getDevice());
            if (received.getShape().size() > 0) {
                StagingCopies.copyInto(result, received, false); // pageable source: a synchronous copy
            }
            record(staged + System.nanoTime() - back);
            return result;
        } finally {
            if (received != null) {
                received.close();
            }
            host.close();
        }
    }

    /**
     * A sum over the ranks, in place, staged.
     *
     * @param values float32 on any device, contiguous
     * @param reduce the unstaged in-place all-reduce of a host tensor
     */
    public void allReduceSum(NDArray values, Consumer<NDArray> reduce) {
        if (!copies(values)) {
            reduce.accept(values);
            return;
        }
        long begin = System.nanoTime();
        sum = ensure(sum, values.getShape().size());
        NDArray host = toHost(values, sum);
        long staged = System.nanoTime() - begin;
        try {
            reduce.accept(host);
            long back = System.nanoTime();
            if (values.getShape().size() > 0) {
                // from pinned memory this is queued and returns at once; the buffer's next writer is a copy queued
                // behind it on the same stream, and the host writes it only after that copy's wait
                StagingCopies.copyInto(values, host, sum.pinned());
            }
            record(staged + System.nanoTime() - back);
        } finally {
            host.close();
        }
    }

    /**
     * Sums several tensors over the ranks, each in place, staged through two host buffers in turn: bucket k + 1's
     * copy to the host is queued before bucket k is exchanged, so (from pinned memory, on a GPU) the device copies
     * one while the host exchanges the other; bucket k's sum is queued back before the wait for bucket k + 1.
     * The same bits as {@link #allReduceSum(NDArray, Consumer)} on each in order.
     *
     * @param values float32 tensors on one device, contiguous
     * @param reduce the unstaged in-place all-reduce of a host tensor, given its index
     */
    public void allReduceSum(java.util.List<NDArray> values, java.util.function.ObjIntConsumer<NDArray> reduce) {
        if (values.isEmpty() || !copies(values.get(0))) {
            for (int i = 0; i < values.size(); i++) {
                reduce.accept(values.get(i), i);
            }
            return;
        }
        long begin = System.nanoTime();
        long exchanging = 0;
        sum = ensure(sum, values.get(0).getShape().size());
        NDArray host = toHost(values.get(0), sum);
        try {
            for (int i = 0; i < values.size(); i++) {
                StagingCopies.Buffer mine = i % 2 == 0 ? sum : spare;
                NDArray next = null;
                if (i + 1 < values.size()) { // queued, not waited for: it runs during this bucket's exchange
                    if (i % 2 == 0) {
                        spare = ensure(spare, values.get(i + 1).getShape().size());
                    } else {
                        sum = ensure(sum, values.get(i + 1).getShape().size());
                    }
                    next = queueToHost(values.get(i + 1), i % 2 == 0 ? spare : sum);
                }
                long exchange = System.nanoTime();
                reduce.accept(host, i);
                exchanging += System.nanoTime() - exchange;
                if (values.get(i).getShape().size() > 0) {
                    StagingCopies.copyInto(values.get(i), host, mine.pinned());
                }
                host.close();
                host = next;
                if (next != null) {
                    StagingCopies.waitFor(values.get(i + 1)); // bucket i + 1 on the host, bucket i's sum queued back
                }
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
        record(System.nanoTime() - begin - exchanging);
    }

    /** Copies {@code tensor} into the first elements of {@code buffer}, waits, and returns that view in its shape. */
    private NDArray toHost(NDArray tensor, StagingCopies.Buffer buffer) {
        NDArray view = queueToHost(tensor, buffer);
        if (tensor.getShape().size() > 0) {
            StagingCopies.waitFor(tensor);
        }
        return view;
    }

    /** Queues the copy of {@code tensor} into the first elements of {@code buffer}; returns that view in its shape. */
    private NDArray queueToHost(NDArray tensor, StagingCopies.Buffer buffer) {
        if (tensor.getDataType() != DataType.FLOAT32) { // copy_ would convert silently into the float32 buffers
            throw new IllegalArgumentException("host staging carries float32 tensors (its buffers are float32), got "
                    + tensor.getDataType() + " on " + tensor.getDevice());
        }
        long n = tensor.getShape().size();
        NDArray view;
        try (NDArray prefix = buffer.array().get("0:" + n)) {
            view = prefix.reshape(tensor.getShape());
        }
        if (n > 0) {
            HostSyncs.count(HostSyncs.Kind.EXCHANGE_STAGING);
            StagingCopies.copyInto(view, tensor, buffer.pinned());
        }
        return view;
    }

    /** The buffer, or a larger one (1.5 times the need, at least 64 Ki floats) when it is too small. */
    private StagingCopies.Buffer ensure(StagingCopies.Buffer buffer, long numel) {
        if (buffer != null && buffer.array().getShape().size() >= numel) {
            return buffer;
        }
        if (buffer != null) {
            buffer.array().close(); // a pinned block still read by a queued copy is kept by libtorch's host allocator
        }
        if (manager == null) {
            manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        }
        StagingCopies.Buffer grown = StagingCopies.hostBuffer(manager, Math.max(1 << 16, numel + numel / 2), pin);
        if (grown.whyNotPinned() != null) {
            whyNotPinned = grown.whyNotPinned();
        }
        return grown;
    }

    private void record(long nanos) {
        if (clock != null) {
            clock.add(CommunicationClock.Kind.STAGING, nanos, 0);
        }
    }

    /** @return whether the host buffers made so far are page-locked (false before the first copy and on the CPU) */
    public boolean pinned() {
        return (send != null && send.pinned()) || (sum != null && sum.pinned()) || (spare != null && spare.pinned());
    }

    /** @return libtorch's reason why pinning failed, or null */
    public String whyNotPinned() {
        return whyNotPinned;
    }

    /** @return the host buffers' total length in floats (they grow, never shrink) */
    public long bufferFloats() {
        return (send == null ? 0 : send.array().getShape().size()) + (sum == null ? 0 : sum.array().getShape().size())
                + (spare == null ? 0 : spare.array().getShape().size());
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
            send = null;
            sum = null;
            spare = null;
        }
    }

    @Override
    public String toString() {
        return "HostStaging{" + (copyCpuTensors ? "every tensor" : "device tensors") + ", "
                + (pin ? "pinned" : "pageable") + " host buffers}";
    }
}
