package org.omnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Main} as the driver of a YARN cluster-mode application (Spark's ApplicationMaster sets spark.yarn.app.id and
 * spark.submit.deployMode=cluster, then calls main in a thread): it must return on success and throw on failure, with
 * the command's error text as the message, instead of calling System.exit (which YARN would report as a failure even
 * for exit code 0), and keep a SparkContext up while the command runs (the stand-in session here counts its starts
 * and stops). The real thing runs in submit/app's YarnClusterIT.
 */
class MainYarnClusterDriverTest {
    /** A stand-in for the driver's SparkSession: counts starts and stops. */
    private static final class Session implements java.util.function.Supplier<Runnable> {
        int started;
        int stopped;

        @Override
        public Runnable get() {
            started++;
            return () -> stopped++;
        }
    }

    private static void run(Session session, String... args) {
        Main.runAsYarnClusterDriver(args, session);
    }

    private static <T> T asYarnClusterDriver(Supplier<T> body) {
        Map<String, String> props = Map.of("spark.yarn.app.id", "application_1_0001",
                "spark.submit.deployMode", "cluster");
        Map<String, String> old = new java.util.HashMap<>();
        props.keySet().forEach(k -> old.put(k, System.getProperty(k)));
        props.forEach(System::setProperty);
        try {
            return body.get();
        } finally {
            old.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    @Test
    void detectsOnlyTheYarnClusterDriver() {
        assertFalse(Main.isYarnClusterDriver(), "a plain JVM (local mode, client mode)");
        assertTrue(asYarnClusterDriver(Main::isYarnClusterDriver));
    }

    @Test
    void successReturnsInsteadOfExitingWithASessionAroundTheCommand() {
        // Reaching the assertion at all means no System.exit ran (it would end this test JVM).
        Session session = new Session();
        run(session, "--help");
        assertEquals(1, session.started);
        assertEquals(1, session.stopped);
    }

    @Test
    void aUsageErrorBecomesTheExceptionsMessage() {
        Session session = new Session();
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> run(session, "prepare"));
        assertEquals(2, e.exitCode());
        assertEquals(1, session.stopped, "the session is stopped on failure too");
        assertTrue(e.getMessage().contains("Missing required options") && e.getMessage().contains("--manifest"),
                e.getMessage());
    }

    @Test
    void aCommandsErrorBecomesTheExceptionsMessageAndCause() {
        // An unknown config key fails in the command itself, before any SparkSession starts.
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> run(new Session(), "prepare",
                "--manifest", "hdfs:///in/x.jsonl", "--out", "hdfs:///out/x", "no_such.key=1"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith("omnispark prepare: unknown config key 'no_such"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException, String.valueOf(e.getCause()));
    }
}
