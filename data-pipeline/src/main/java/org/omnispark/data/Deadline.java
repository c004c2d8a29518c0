package org.omnispark.data;

/**
 * A point in time after which a piece of work on one utterance (decoding, resampling, featurizing) gives up. The
 * work checks it cooperatively between bounded steps (a FLAC frame, a block of output samples), so a file that
 * would take too long is abandoned by the thread that works on it: no extra thread, nothing left running.
 *
 * <pre>{@code
 * Deadline d = Deadline.after(Duration.ofSeconds(10), "decoding utt-7 (s3a://bucket/a.flac)");
 * ... d.check(); ...   // throws Deadline.Exceeded once the time is up
 * }</pre>
 */
public final class Deadline {
    /** A deadline that never passes. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE, 0, "nothing");

    private final long deadlineNanos;
    private final long budgetNanos;
    private final String what;

    private Deadline(long deadlineNanos, long budgetNanos, String what) {
        this.deadlineNanos = deadlineNanos;
        this.budgetNanos = budgetNanos;
        this.what = what;
    }

    /** A deadline {@code seconds} from now for the work described by {@code what} (used in the message). */
    public static Deadline afterSeconds(double seconds, String what) {
        long budget = (long) Math.min(Long.MAX_VALUE / 4, Math.max(0, seconds) * 1e9);
        return new Deadline(System.nanoTime() + budget, budget, what);
    }

    /** Whether the time is up. */
    public boolean passed() {
        return deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0;
    }

    /** Nanoseconds until the deadline (0 once passed); Long.MAX_VALUE for {@link #NONE}. */
    public long remainingNanos() {
        return deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadlineNanos - System.nanoTime());
    }

    /** Throws {@link Exceeded} when the time is up. */
    public void check() {
        if (passed()) {
            throw new Exceeded(what + " did not finish within its " + String.format("%.1f", budgetNanos / 1e9)
                    + " s budget and was abandoned");
        }
    }

    /** The work ran past its deadline. */
    public static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Exceeded(String message) {
            super(message);
        }
    }
}
