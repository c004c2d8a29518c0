package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench gpu --cpu-smoke}: the GPU day's script runs every one of its five measurements (tiny, on the CPU), so
 * it does not rot while no GPU is at hand. Numbers are not checked, only that each measurement reports and that the
 * CPU's staging says it could not pin.
 */
class GpuBenchmarkSmokeTest {

    @Test
    @Timeout(300)
    void everyMeasurementRunsOnTheCpu() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            GpuBenchmark.main(new String[] {"--cpu-smoke"});
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        out.print(text);
        for (String line : List.of("1. GEMM", "2. MoE layer", "3. staging", "pinned: not available here",
                "4. paper_omni (tiny) 1 rank", "5. paper_omni (tiny) 2 ranks", "bench gpu: done")) {
            assertTrue(text.contains(line), "missing '" + line + "' in:\n" + text);
        }
        assertTrue(text.matches("(?s).*per rank and step: staging [0-9.]+ s / [0-9.]+ s, [1-9][0-9]* / [1-9].*"),
                "the two ranks staged their exchanges:\n" + text);
    }
}
