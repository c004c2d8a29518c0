package org.omnispark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ExternalCommand} with /bin/sh: output, input, exit codes, a program that never ends, one that is absent. */
class ExternalCommandTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void outputAndInput() throws IOException {
        assertEquals("out\nerr\n", ExternalCommand.run(List.of("/bin/sh", "-c", "echo out; echo err >&2"), null,
                LIMIT));
        byte[] big = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        assertEquals(Integer.toString(1 << 20), ExternalCommand.run(List.of("/bin/sh", "-c", "wc -c | tr -d ' '"),
                big, LIMIT).trim(), "a MiB of input, more than a pipe holds");
        assertEquals("", ExternalCommand.run(List.of("/bin/sh", "-c", "true"), big, LIMIT),
                "a program that never reads its input does not block the caller");
    }

    @Test
    void failureNamesTheCommandAndItsLastLines() {
        IOException e = assertThrows(IOException.class, () -> ExternalCommand.run(List.of("/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; done; exit 3"), null, LIMIT));
        assertTrue(e.getMessage().startsWith("exit code 3 from /bin/sh -c"), e.getMessage());
        assertTrue(e.getMessage().endsWith("line12") && e.getMessage().contains("line3")
                && !e.getMessage().contains("line2\n"), "the last 10 lines: " + e.getMessage());
    }

    @Test
    void aProgramPastItsLimitIsKilled() {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> ExternalCommand.run(List.of("/bin/sh", "-c",
                "echo started; exec sleep 60"), null, Duration.ofMillis(500)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(e.getMessage().contains("did not finish within 0.5 s and was killed")
                && e.getMessage().endsWith("started"), e.getMessage());
        assertTrue(seconds < 20, "killed, not waited for: " + seconds + " s");
    }

    @Test
    void anAbsentProgramIsNotFound() {
        IOException e = assertThrows(IOException.class, () -> ExternalCommand.run(List.of(
                "/nonexistent/omnispark-no-such-tool"), null, LIMIT));
        assertTrue(ExternalCommand.isNotFound(e), e.getMessage());
        assertTrue(ExternalCommand.findOnPath("sh").isPresent());
        assertTrue(ExternalCommand.findOnPath("omnispark-no-such-tool").isEmpty());
    }
}
