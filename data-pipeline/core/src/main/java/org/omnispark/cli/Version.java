package org.omnispark.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.omnispark.data.config.ConfigLoader;

/** What wrote an output: OmniSpark's version and git commit (from the launcher's environment, when known). */
public final class Version {
    private Version() {
    }

    /** E.g. "omnispark 0.1.0-SNAPSHOT (commit 1a2b3c4)". */
    public static String describe() {
        String version = "unknown";
        try (InputStream in = Version.class.getResourceAsStream(
                "/META-INF/maven/org.omnispark/omnispark-core/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        } catch (IOException ignored) {
            // Running from classes without a jar: version stays unknown.
        }
        String commit = System.getenv().getOrDefault("OMNISPARK_COMMIT", "unknown");
        return "omnispark " + version + " (commit " + commit + ")";
    }

    /** A record as a plain map (for embedding configs in JSON outputs). */
    public static Map<String, Object> asMap(Object record) {
        return ConfigLoader.json().convertValue(record, new TypeReference<Map<String, Object>>() { });
    }
}
