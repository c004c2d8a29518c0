package org.omnispark.trainer.moe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The routers a model can name: {@code topk} ({@link TopKRouter}) and every {@link RouterProvider} that
 * {@link ServiceLoader} finds on the classpath, looked up once.
 */
public final class Routers {

    private static final Map<String, RouterProvider> PROVIDERS = load();

    private Routers() {}

    /**
     * Makes the router {@code config.kind()} names.
     *
     * @param gate the layer's gate
     * @param config the router's options
     * @return the router
     * @throws IllegalArgumentException for a name no provider has
     */
    public static Router create(GateWeight gate, RouterSpec config) {
        return provider(config.kind()).create(gate, config);
    }

    /** @return the registered names, sorted */
    public static List<String> names() {
        return List.copyOf(PROVIDERS.keySet());
    }

    /**
     * @param name a router's name
     * @return its provider
     * @throws IllegalArgumentException naming the known routers when none has this name
     */
    public static RouterProvider provider(String name) {
        RouterProvider p = PROVIDERS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown router '" + name + "': the known ones are " + names()
                    + "; a new one is a RouterProvider listed in META-INF/services/"
                    + RouterProvider.class.getName() + " on the classpath");
        }
        return p;
    }

    private static Map<String, RouterProvider> load() {
        Map<String, RouterProvider> all = new TreeMap<>();
        List<RouterProvider> found = new ArrayList<>();
        found.add(new RouterProvider() {
            @Override
            public String name() {
                return TopKRouter.KIND;
            }

            @Override
            public Router create(GateWeight gate, RouterSpec config) {
                return new TopKRouter(gate, config);
            }
        });
        ServiceLoader.load(RouterProvider.class, Routers.class.getClassLoader()).forEach(found::add);
        for (RouterProvider p : found) {
            RouterProvider before = all.putIfAbsent(p.name(), p);
            if (before != null && before.getClass() != p.getClass()) {
                throw new IllegalStateException("two routers are named '" + p.name() + "': "
                        + before.getClass().getName() + " and " + p.getClass().getName() + "; rename one");
            }
        }
        return Collections.unmodifiableMap(all);
    }
}
