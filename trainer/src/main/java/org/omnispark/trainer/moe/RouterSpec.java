package org.omnispark.trainer.moe;

/**
 * Options of a router: which one ({@link Routers}), and the options of the top-k family.
 *
 * @param kind the router's registered name ({@link Routers#names()}): {@code topk} ({@link TopKRouter}, default) or a
 *     {@link RouterProvider} on the classpath
 * @param topK experts per token (1 for Switch / Omni-router, 2 for U2++ MoE)
 * @param normalization how combine weights are computed
 * @param renormalize with SOFTMAX_THEN_TOPK: divide the k selected probabilities by their sum
 * @param auxLossCoeff Switch load-balancing loss weight (0.01 in the Omni-router recipe; 0 disables it)
 * @param zLossCoeff router z-loss weight (0 disables it)
 * @param jitterEps gate-input jitter: multiply the gate input by uniform noise in [1-eps, 1+eps] in training (0 = off);
 *     the noise comes from libtorch's generator, like dropout masks
 */
public record RouterSpec(
        String kind,
        int topK,
        RoutingNormalization normalization,
        boolean renormalize,
        double auxLossCoeff,
        double zLossCoeff,
        double jitterEps) {

    /** Validates the values. */
    public RouterSpec {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("the router kind is required: one of " + Routers.names());
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        if (normalization == null) {
            throw new IllegalArgumentException("normalization is required: SOFTMAX_THEN_TOPK or TOPK_THEN_SOFTMAX");
        }
        if (auxLossCoeff < 0 || zLossCoeff < 0) {
            throw new IllegalArgumentException(
                    "loss coefficients must be >= 0, got aux " + auxLossCoeff + " and z " + zLossCoeff);
        }
        if (jitterEps < 0 || jitterEps >= 1) {
            throw new IllegalArgumentException("jitterEps must be in [0, 1), got " + jitterEps);
        }
    }

    /** @return a builder with Switch defaults (top-1, softmax then top-k, no losses, no jitter) */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every value is optional. */
    public static final class Builder {
        private String kind = TopKRouter.KIND;
        private int topK = 1;
        private RoutingNormalization normalization = RoutingNormalization.SOFTMAX_THEN_TOPK;
        private boolean renormalize;
        private double auxLossCoeff;
        private double zLossCoeff;
        private double jitterEps;

        /** @param kind a registered router name, default {@code topk} @return this */
        public Builder optKind(String kind) {
            this.kind = kind;
            return this;
        }

        /** @param topK default 1 @return this */
        public Builder optTopK(int topK) {
            this.topK = topK;
            return this;
        }

        /** @param normalization default SOFTMAX_THEN_TOPK @return this */
        public Builder optNormalization(RoutingNormalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** @param renormalize default false @return this */
        public Builder optRenormalize(boolean renormalize) {
            this.renormalize = renormalize;
            return this;
        }

        /** @param auxLossCoeff default 0 @return this */
        public Builder optAuxLossCoeff(double auxLossCoeff) {
            this.auxLossCoeff = auxLossCoeff;
            return this;
        }

        /** @param zLossCoeff default 0 @return this */
        public Builder optZLossCoeff(double zLossCoeff) {
            this.zLossCoeff = zLossCoeff;
            return this;
        }

        /** @param jitterEps default 0 @return this */
        public Builder optJitterEps(double jitterEps) {
            this.jitterEps = jitterEps;
            return this;
        }

        /** @return the validated config */
        public RouterSpec build() {
            return new RouterSpec(kind, topK, normalization, renormalize, auxLossCoeff, zLossCoeff, jitterEps);
        }
    }
}
