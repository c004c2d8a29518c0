package org.omnispark.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * What the build wrote into {@code launcher.properties}: the project version, Spark's version, libtorch's version and
 * the Java 17 module options (the root pom's {@code jvm.opens}) every OmniSpark JVM needs.
 *
 * @param version OmniSpark's version
 * @param sparkVersion the Spark version OmniSpark is built against
 * @param libtorchVersion the libtorch version of DJL's natives (PYTORCH_VERSION must never differ from it)
 * @param jvmOpens the module options, one JVM option per element
 */
public record BuildInfo(String version, String sparkVersion, String libtorchVersion, List<String> jvmOpens) {

    /** @return the values of this build */
    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("launcher.properties")) {
            if (in == null) {
                throw new IllegalStateException("launcher.properties is missing from the launcher's jar: rebuild it "
                        + "(mvn package -pl submit/launcher)");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String opens = p.getProperty("jvm.opens", "").trim();
        if (opens.contains("${")) {
            throw new IllegalStateException("launcher.properties was not filtered by Maven: " + opens);
        }
        return new BuildInfo(p.getProperty("version"), p.getProperty("spark.version"),
                p.getProperty("libtorch.version"), opens.isEmpty() ? List.of() : List.of(opens.split("\\s+")));
    }

    /** @return the module options as one string, for spark.driver/executor.extraJavaOptions */
    public String jvmOpensString() {
        return String.join(" ", jvmOpens);
    }
}
