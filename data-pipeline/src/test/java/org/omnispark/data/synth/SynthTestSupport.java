package org.omnispark.data.synth;

import java.io.IOException;
import java.util.List;

/** Helpers shared by the synth tests. */
final class SynthTestSupport {
    private SynthTestSupport() {
    }

    /** True if espeak-ng and sox both run. */
    static boolean hasTools() {
        try {
            org.omnispark.io.ExternalCommand.run(List.of("espeak-ng", "--version"), null, Sox.TOOL_TIMEOUT);
            org.omnispark.io.ExternalCommand.run(List.of("sox", "--version"), null, Sox.TOOL_TIMEOUT);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Duration in seconds as sox's own soxi reports it (an independent reference reader). */
    static double soxiSeconds(java.nio.file.Path file) throws IOException {
        return Double.parseDouble(org.omnispark.io.ExternalCommand.run(List.of("soxi", "-D", file.toString()), null, Sox.TOOL_TIMEOUT).trim());
    }
}
