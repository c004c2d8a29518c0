package org.omnispark.expertparallel;

import java.util.concurrent.atomic.LongAdder;
import org.omnispark.trainer.parallel.CommunicationTimes;

/** Accumulates one rank's communication time by kind, and bytes sent, until {@link #take()} reports and resets. */
public final class CommunicationClock {

    /** The kinds of communication. */
    public enum Kind {
        /** the dispatch all-to-all and its reverse */
        DISPATCH,
        /** the combine all-to-all and its reverse */
        COMBINE,
        /** gradient all-reduce */
        ALL_REDUCE,
        /** small agreements */
        WAIT,
        /** copies between device and host memory around the exchanges ({@link HostStaging}) */
        STAGING
    }

    private final LongAdder[] nanos = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
        new LongAdder()};
    private final LongAdder bytes = new LongAdder();

    /**
     * @param kind what the time was spent on
     * @param elapsedNanos how long
     * @param sentBytes payload bytes sent to peers
     */
    public void add(Kind kind, long elapsedNanos, long sentBytes) {
        nanos[kind.ordinal()].add(elapsedNanos);
        bytes.add(sentBytes);
    }

    /** @return the totals since the last call; resets them */
    public CommunicationTimes take() {
        return new CommunicationTimes(nanos[0].sumThenReset(), nanos[1].sumThenReset(), nanos[2].sumThenReset(),
                nanos[3].sumThenReset(), bytes.sumThenReset(), nanos[4].sumThenReset());
    }
}
