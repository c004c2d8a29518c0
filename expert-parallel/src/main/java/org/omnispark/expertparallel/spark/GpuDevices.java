package org.omnispark.expertparallel.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which CUDA device a rank uses, from the GPU address Spark assigned to its task.
 *
 * <p>Spark hands a task the addresses its discovery script reported ({@code submit/gpu-discovery.sh}: the entries of
 * {@code CUDA_VISIBLE_DEVICES} when the executor has it, else nvidia-smi's indexes); libtorch wants a CUDA ordinal,
 * counted among the devices this process can see. The two differ as soon as {@code CUDA_VISIBLE_DEVICES} renumbers
 * (a node manager or a standalone Worker exporting {@code CUDA_VISIBLE_DEVICES=2,3}: address {@code 3} is ordinal 1)
 * or names GPUs by UUID ({@code GPU-8c1f...}, {@code MIG-...}), which are not numbers at all. So:
 *
 * <ul>
 *   <li>with {@code CUDA_VISIBLE_DEVICES} set, the ordinal is the position of the address in it (an exact entry, or a
 *       UUID and a unique prefix of it, as CUDA accepts); an address that is not in it is matched through
 *       nvidia-smi's index/UUID list (a discovery script that printed physical indexes where the list holds UUIDs, or
 *       the reverse); no match is an error naming both;
 *   <li>without it, a numeric address is the ordinal (nvidia-smi's index; the launcher sets {@code
 *       CUDA_DEVICE_ORDER=PCI_BUS_ID} so CUDA counts in nvidia-smi's order), and a UUID is looked up in nvidia-smi's
 *       list.
 * </ul>
 *
 * <p>As CUDA does, the list stops at the first entry that names no device ({@code -1}, garbage), and an empty
 * {@code CUDA_VISIBLE_DEVICES} hides every GPU.
 */
public final class GpuDevices {

    private GpuDevices() {}

    /**
     * @param address the GPU address Spark assigned (TaskContext.resources().get("gpu").addresses()[0])
     * @param cudaVisibleDevices this process's CUDA_VISIBLE_DEVICES, or null when unset
     * @param nvidiaSmiUuids the GPUs' UUIDs in nvidia-smi index order (physical, ignoring CUDA_VISIBLE_DEVICES), asked
     *     only when needed
     * @return the CUDA ordinal inside this process
     * @throws IllegalStateException when the address names no device this process can see
     */
    public static int cudaOrdinal(String address, String cudaVisibleDevices, Supplier<List<String>> nvidiaSmiUuids) {
        String a = address.trim();
        if (cudaVisibleDevices == null) {
            if (a.matches("[0-9]+")) {
                return Integer.parseInt(a);
            }
            if (isUuid(a)) {
                List<String> uuids = nvidiaSmiUuids.get();
                for (int i = 0; i < uuids.size(); i++) {
                    if (sameUuid(a, uuids.get(i))) {
                        return i;
                    }
                }
                throw new IllegalStateException("Spark assigned GPU " + a + " to this rank, but nvidia-smi lists no GPU "
                        + "with that UUID here (" + uuids + ") and CUDA_VISIBLE_DEVICES is not set: the discovery "
                        + "script reports GPUs of another machine or container");
            }
            throw new IllegalStateException("Spark assigned GPU address '" + a + "' to this rank, which is neither an "
                    + "index nor a GPU UUID: use submit/gpu-discovery.sh as the discovery script");
        }
        List<String> visible = visible(cudaVisibleDevices);
        if (visible.isEmpty()) {
            throw new IllegalStateException("Spark assigned GPU " + a + " to this rank, but CUDA_VISIBLE_DEVICES='"
                    + cudaVisibleDevices + "' hides every GPU from this process");
        }
        for (int i = 0; i < visible.size(); i++) {
            if (same(a, visible.get(i))) {
                return i;
            }
        }
        // One side names GPUs by index, the other by UUID: nvidia-smi's list (index order) joins them.
        List<String> uuids = nvidiaSmiUuids.get();
        String mine = a.matches("[0-9]+") && Integer.parseInt(a) < uuids.size() ? uuids.get(Integer.parseInt(a)) : a;
        for (int i = 0; i < visible.size(); i++) {
            String v = visible.get(i);
            String theirs = v.matches("[0-9]+") && Integer.parseInt(v) < uuids.size() ? uuids.get(Integer.parseInt(v))
                    : v;
            if (isUuid(mine) && isUuid(theirs) && sameUuid(mine, theirs)) {
                return i;
            }
        }
        throw new IllegalStateException("Spark assigned GPU " + a + " to this rank, but this process sees only "
                + "CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices + ": the discovery script and the executor's environment "
                + "disagree; use submit/gpu-discovery.sh (it reports CUDA_VISIBLE_DEVICES' entries), on a standalone "
                + "cluster as the Workers' spark.worker.resource.gpu.discoveryScript");
    }

    /**
     * @param cudaVisibleDevices a CUDA_VISIBLE_DEVICES value
     * @return the devices it makes visible, in ordinal order (up to the first entry that names none)
     */
    public static List<String> visible(String cudaVisibleDevices) {
        List<String> out = new ArrayList<>();
        for (String e : cudaVisibleDevices.split(",", -1)) {
            String s = e.trim();
            if (!(s.matches("[0-9]+") || isUuid(s))) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    private static boolean isUuid(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        return u.startsWith("GPU-") || u.startsWith("MIG-");
    }

    private static boolean same(String address, String entry) {
        if (address.matches("[0-9]+") && entry.matches("[0-9]+")) {
            return Integer.parseInt(address) == Integer.parseInt(entry);
        }
        return isUuid(address) && isUuid(entry) && sameUuid(address, entry);
    }

    /** Equal ignoring case, or one a prefix of the other (CUDA accepts a unique UUID prefix). */
    private static boolean sameUuid(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        return x.startsWith(y) || y.startsWith(x);
    }

    /** @return nvidia-smi's GPU UUIDs in index order, or an empty list when nvidia-smi is not there or fails */
    public static List<String> nvidiaSmiUuids() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=uuid", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return List.of();
            }
            return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
