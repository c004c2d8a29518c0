package org.omnispark.trainer.moe;

/**
 * Routing counts over the whole batch that the router's losses average over: this rank's micro-batch in a single
 * process, the union of every rank's micro-batch under expert parallelism (the dispatcher all-gathers the counts it
 * needs anyway for the split sizes). With them, each rank's load-balancing loss and z-loss are its additive SHARE of
 * the losses of the whole batch, so the gradients summed over ranks equal the single-process gradients.
 *
 * @param tokensPerExpert valid (token, choice) assignments per expert, before capacity dropping, length E
 * @param numValidTokens valid (non-padding) tokens
 */
public record BatchStatistics(long[] tokensPerExpert, long numValidTokens) {

    /** Validates. */
    public BatchStatistics {
        if (tokensPerExpert == null || numValidTokens < 0) {
            throw new IllegalArgumentException("BatchStatistics needs per-expert counts and numValidTokens >= 0");
        }
    }

    /**
     * @param routing one rank's routing
     * @return the statistics of that rank's tokens alone
     */
    public static BatchStatistics of(RoutingResult routing) {
        return new BatchStatistics(routing.tokensPerExpert(), routing.numValidTokens());
    }
}
