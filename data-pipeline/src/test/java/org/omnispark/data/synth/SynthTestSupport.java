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
            ExternalProcess.run(List.of("espeak-ng", "--version"), null);
            ExternalProcess.run(List.of("sox", "--version"), null);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Duration in seconds as sox's own soxi reports it (an independent reference reader). */
    static double soxiSeconds(java.nio.file.Path file) throws IOException {
        return Double.parseDouble(ExternalProcess.run(List.of("soxi", "-D", file.toString()), null).trim());
    }
}
