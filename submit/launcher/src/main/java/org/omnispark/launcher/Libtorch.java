package org.omnispark.launcher;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The libtorch flavour ({@code OMNISPARK_LIBTORCH}): {@code cpu} (the default) ships DJL's CPU natives jar beside the
 * application jar; {@code cuda} (= {@code cu126}) or a CUDA flavour such as {@code cu128} ships no natives and tells
 * every JVM that loads libtorch which build DJL must load ({@code PYTORCH_FLAVOR}, and {@code PYTORCH_VERSION} = the
 * version of DJL's JNI bridge in the application jar: any other version makes DJL download another libtorch).
 *
 * @param flavour cpu, or a CUDA flavour (cu126, cu128, ...)
 * @param pinned whether the user named the CUDA flavour (cu128) rather than asking for the default one (cuda)
 */
record Libtorch(String flavour, boolean pinned) {

    /** The CUDA flavour of libtorch 2.7.1 that {@code cuda} stands for. */
    static final String DEFAULT_CUDA = "cu126";

    private static final Pattern NATIVES = Pattern.compile(".*/pytorch-native-[^/]*\\.jar");

    /**
     * @param value OMNISPARK_LIBTORCH, or null
     * @return the flavour
     * @throws LaunchException for anything else than cpu, cuda or cuNNN
     */
    static Libtorch parse(String value) {
        String v = value == null || value.isBlank() ? "cpu" : value.trim();
        if (v.equals("cpu")) {
            return new Libtorch("cpu", false);
        }
        if (v.equals("cuda")) {
            return new Libtorch(DEFAULT_CUDA, false);
        }
        if (v.matches("cu[0-9]{3}")) {
            return new Libtorch(v, true);
        }
        throw new LaunchException("OMNISPARK_LIBTORCH must be cpu or cuda (or a CUDA flavour of libtorch such as "
                + DEFAULT_CUDA + "), got '" + value + "'");
    }

    /** @return whether this is a CUDA flavour */
    boolean cuda() {
        return !flavour.equals("cpu");
    }

    /**
     * The natives jars to ship beside the application jar, from the build's runtime classpath.
     *
     * @param classpath its entries
     * @param where the classpath's file, for messages
     * @return the pytorch-native-* jars (cpu), or none (CUDA)
     * @throws LaunchException when the classpath holds the wrong natives for this flavour, or none for cpu
     */
    List<String> natives(List<String> classpath, String where) {
        List<String> jars = classpath.stream().filter(e -> NATIVES.matcher(e).matches()).toList();
        if (cuda() && !jars.isEmpty()) {
            throw new LaunchException("OMNISPARK_LIBTORCH=" + flavour + " but the build's classpath (" + where + ") "
                    + "holds " + jars + ": CPU and CUDA natives cannot share a classpath; rebuild with "
                    + "OMNISPARK_LIBTORCH=cuda (submit/omnispark does when the flavour changes)");
        }
        if (!cuda() && jars.isEmpty()) {
            throw new LaunchException("OMNISPARK_LIBTORCH=cpu but the build's classpath (" + where + ") has no "
                    + "pytorch-native-cpu jar (a -Dlibtorch=cuda build?): rebuild without -Dlibtorch=cuda, or set "
                    + "OMNISPARK_LIBTORCH=cuda");
        }
        return jars;
    }
}
