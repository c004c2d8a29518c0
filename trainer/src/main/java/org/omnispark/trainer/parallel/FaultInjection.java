package org.omnispark.trainer.parallel;

import java.io.File;

/**
 * Deliberate crashes for recovery tests that span processes (a Spark executor cannot be reached by a test's
 * in-process hooks). Off unless the JVM runs with
 * {@code -Domnispark.fault.halt-after-checkpoint-part=<step>:<rank>:<arm file>}: then, when that rank has written
 * its part of that step's checkpoint (before it reports it, so the checkpoint is never committed) and the arm file
 * exists, the file is deleted (so a retry runs clean) and the JVM halts at once with status 137, as under SIGKILL:
 * no finally blocks, no shutdown hooks. With {@code *:*:<arm file>} the arm file's content, {@code <step>:<rank>},
 * names them (so one JVM setting serves a run of seeded faults).
 */
public final class FaultInjection {

    /** The JVM property that arms the halt. */
    public static final String HALT_AFTER_CHECKPOINT_PART = "omnispark.fault.halt-after-checkpoint-part";

    private FaultInjection() {}

    /**
     * Halts this JVM if the property names this step and rank and its arm file exists.
     *
     * @param step the checkpoint's step
     * @param rank this rank
     */
    static void afterCheckpointPart(long step, int rank) {
        String spec = System.getProperty(HALT_AFTER_CHECKPOINT_PART);
        if (spec == null || spec.isBlank()) {
            return;
        }
        String[] parts = spec.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException(HALT_AFTER_CHECKPOINT_PART + " must be <step>:<rank>:<arm file>, got "
                    + spec);
        }
        File arm = new File(parts[2]);
        if (parts[0].equals("*")) { // the arm file names the step and rank: "<step>:<rank>" (seeded chaos runs)
            try {
                String[] armed = java.nio.file.Files.readString(arm.toPath()).trim().split(":");
                parts[0] = armed[0];
                parts[1] = armed[1];
            } catch (java.io.IOException notArmed) {
                return;
            }
        }
        if (Long.parseLong(parts[0]) == step && Integer.parseInt(parts[1]) == rank && arm.delete()) {
            System.err.println("fault injection: rank " + rank + " halts after writing its part of checkpoint "
                    + step);
            Runtime.getRuntime().halt(137);
        }
    }
}
