package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A rank's GPU address (what the discovery script reported and Spark assigned) becomes the CUDA ordinal inside its
 * process, with made-up CUDA_VISIBLE_DEVICES values and a made-up nvidia-smi (4 GPUs, physical indexes 0-3).
 */
class GpuDevicesTest {

    private static final List<String> UUIDS = List.of("GPU-aaaa0000-1111", "GPU-bbbb0000-2222", "GPU-cccc0000-3333",
            "GPU-dddd0000-4444");
    private final AtomicInteger smiCalls = new AtomicInteger();
    private final Supplier<List<String>> smi = () -> {
        smiCalls.incrementAndGet();
        return UUIDS;
    };

    @Test
    void renumberedIndexesMapToTheirPositionInTheVisibleList() {
        // a Worker or node manager exported CUDA_VISIBLE_DEVICES=2,3: physical GPU 3 is this process's cuda:1
        assertEquals(0, GpuDevices.cudaOrdinal("2", "2,3", smi));
        assertEquals(1, GpuDevices.cudaOrdinal("3", "2,3", smi));
        assertEquals(1, GpuDevices.cudaOrdinal("3", " 2 , 3 ", smi));
        assertEquals(0, smiCalls.get(), "nvidia-smi is asked only when the address is not in the list");
    }

    @Test
    void uuidsMapToTheirPositionAndPrefixesAndCaseAreAccepted() {
        String visible = "GPU-cccc0000-3333,GPU-aaaa0000-1111";
        assertEquals(0, GpuDevices.cudaOrdinal("GPU-cccc0000-3333", visible, smi));
        assertEquals(1, GpuDevices.cudaOrdinal("GPU-AAAA0000-1111", visible, smi));
        assertEquals(1, GpuDevices.cudaOrdinal("GPU-aaaa0000-1111", "GPU-cccc,GPU-aaaa", smi), "CUDA takes prefixes");
        assertEquals(0, GpuDevices.cudaOrdinal("MIG-5e2f/1/0", "MIG-5e2f/1/0", smi));
    }

    @Test
    void indexesAndUuidsAreJoinedThroughNvidiaSmi() {
        // the list holds UUIDs, the discovery script reported a physical index (Spark's own getGpusResources.sh)
        assertEquals(1, GpuDevices.cudaOrdinal("1", "GPU-dddd0000-4444,GPU-bbbb0000-2222", smi));
        // the list holds physical indexes, the address is a UUID
        assertEquals(0, GpuDevices.cudaOrdinal("GPU-cccc0000-3333", "2,3", smi));
    }

    @Test
    void withoutTheListAnIndexIsTheOrdinalAndAUuidIsLookedUp() {
        assertEquals(3, GpuDevices.cudaOrdinal("3", null, smi));
        assertEquals(2, GpuDevices.cudaOrdinal("GPU-cccc0000-3333", null, smi));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GpuDevices.cudaOrdinal("GPU-ffff", null, smi));
        assertTrue(e.getMessage().contains("nvidia-smi lists no GPU with that UUID"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> GpuDevices.cudaOrdinal("gpu0", null, smi));
        assertTrue(e.getMessage().contains("neither an index nor a GPU UUID"), e.getMessage());
    }

    @Test
    void anAddressThisProcessCannotSeeIsAnErrorNamingBoth() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GpuDevices.cudaOrdinal("0", "2,3", smi));
        assertTrue(e.getMessage().contains("Spark assigned GPU 0") && e.getMessage().contains("CUDA_VISIBLE_DEVICES=2,3")
                && e.getMessage().contains("submit/gpu-discovery.sh"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> GpuDevices.cudaOrdinal("0", "", smi));
        assertTrue(e.getMessage().contains("hides every GPU"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> GpuDevices.cudaOrdinal("0", "-1", smi));
        assertTrue(e.getMessage().contains("hides every GPU"), e.getMessage());
    }

    @Test
    void theVisibleListStopsAtTheFirstEntryThatNamesNoDeviceAsInCuda() {
        assertEquals(List.of("0", "1"), GpuDevices.visible("0,1,-1,2"));
        assertEquals(List.of("GPU-aa"), GpuDevices.visible("GPU-aa,,GPU-bb"));
        assertEquals(List.of(), GpuDevices.visible(""));
        assertThrows(IllegalStateException.class, () -> GpuDevices.cudaOrdinal("2", "0,1,-1,2", smi));
    }
}
