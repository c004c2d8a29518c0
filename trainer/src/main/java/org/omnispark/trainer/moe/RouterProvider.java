package org.omnispark.trainer.moe;

/**
 * Makes routers of one kind: a plug-in point. A new router is one class implementing {@link Router}, one provider,
 * and one line naming the provider in {@code META-INF/services/org.omnispark.trainer.moe.RouterProvider}; a model YAML
 * then selects it with {@code ffn.router: NAME} (docs/development.md, "A new router").
 */
public interface RouterProvider {

    /** @return the name a model YAML gives ({@code ffn.router}): lower case, unique among the providers */
    String name();

    /**
     * Makes the router of one MoE layer.
     *
     * @param gate the layer's gate weight {@code [d, E]}: its own (Switch) or the one shared by every MoE layer of the
     *     stack (Omni-router); the router applies it and owns nothing else unless it must
     * @param config top-k and the other router options of the layer's {@code ffn} block
     * @return the router
     */
    Router create(GateWeight gate, RouterSpec config);
}
