package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/gpu-discovery.sh with made-up CUDA_VISIBLE_DEVICES values and a made-up nvidia-smi: it reports the addresses
 * a rank can map to its CUDA ordinal (the visible list's entries, as written), never nvidia-smi's physical indexes
 * when CUDA_VISIBLE_DEVICES renumbers.
 */
class GpuDiscoveryScriptTest {

    @TempDir
    Path tmp;

    private String discover(String visible, boolean nvidiaSmi) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.deleteIfExists(smi);
        if (nvidiaSmi) {
            // 4 GPUs, physical indexes 0-3, whatever CUDA_VISIBLE_DEVICES says (as the real nvidia-smi)
            Files.writeString(smi, "#!/bin/sh\n[ \"$1\" = --query-gpu=index ] && printf '0\\n1\\n2\\n3\\n'\n");
            smi.toFile().setExecutable(true);
        }
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin"));
        if (visible != null) {
            env.put("CUDA_VISIBLE_DEVICES", visible);
        }
        Scripts.Result r = Scripts.bash(Fixture.repoRoot().resolve("submit/gpu-discovery.sh"), env,
                List.of("CUDA_VISIBLE_DEVICES"));
        assertEquals(0, r.status(), r.out());
        return r.out().trim();
    }

    @Test
    void theVisibleListsEntriesAsWrittenNotThePhysicalIndexes() throws Exception {
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"2\", \"3\"]}", discover("2,3", true));
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"GPU-8c1f0a2e-1111\", \"GPU-77aa\"]}",
                discover("GPU-8c1f0a2e-1111, GPU-77aa", true));
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"MIG-4d2b/1/0\"]}", discover("MIG-4d2b/1/0", true));
    }

    @Test
    void likeCudaTheListStopsAtAnInvalidEntryAndEmptyMeansNone() throws Exception {
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"1\"]}", discover("1,-1,2", true));
        assertEquals("{\"name\": \"gpu\", \"addresses\": []}", discover("", true));
        assertEquals("{\"name\": \"gpu\", \"addresses\": []}", discover("-1", true));
    }

    @Test
    void withoutTheListNvidiaSmisIndexesOrNothing() throws Exception {
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\", \"2\", \"3\"]}", discover(null, true));
        assertEquals("{\"name\": \"gpu\", \"addresses\": []}", discover(null, false));
    }
}
