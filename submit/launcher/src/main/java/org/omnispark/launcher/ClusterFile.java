package org.omnispark.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster file ({@code --cluster FILE}, conf/cluster/*.conf): Spark properties in spark-defaults.conf's format, one
 * {@code spark.key value} (or {@code spark.key=value}) per line, {@code #} comments. Checked line by line before
 * anything starts; every error names the file and the line.
 */
public final class ClusterFile {

    /** One property: its value and the line it came from. */
    public record Entry(String value, int line) {}

    private static final Pattern LINE = Pattern.compile("^\\s*([^\\s=]+)\\s*([=\\s])\\s*(.*\\S)\\s*$");
    private static final Pattern BLANK = Pattern.compile("^\\s*(#.*)?$");
    private static final Set<String> COUNTS = Set.of("spark.executor.instances", "spark.executor.cores",
            "spark.task.cpus", "spark.cores.max", "spark.driver.cores", "spark.executor.resource.gpu.amount",
            "spark.task.resource.gpu.amount", "spark.yarn.maxAppAttempts", "spark.task.maxFailures",
            "spark.omnispark.rank.cpus");
    private static final Set<String> SWITCHES = Set.of("spark.dynamicAllocation.enabled", "spark.ui.enabled",
            "spark.speculation", "spark.shuffle.service.enabled");
    private static final Set<String> SIZES = Set.of("spark.executor.memory", "spark.driver.memory",
            "spark.executor.memoryOverhead", "spark.driver.memoryOverhead");

    private final Path file;
    private final Map<String, Entry> entries;

    private ClusterFile(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /**
     * Reads and checks a cluster file.
     *
     * @param file the path given to --cluster
     * @return its properties, in file order
     * @throws LaunchException naming the file and line of the first problem
     */
    public static ClusterFile load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LaunchException("--cluster " + file + ": no such file (OmniSpark's are in conf/cluster/: local, "
                    + "standalone, yarn, k8s)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (BLANK.matcher(line).matches()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            String where = file + " line " + n + ": ";
            if (!m.matches()) {
                throw new LaunchException(where + "expected a Spark property and its value ('spark.executor.memory "
                        + "8g'), got: " + line);
            }
            String key = m.group(1);
            String value = m.group(3);
            if (!key.startsWith("spark.")) {
                throw new LaunchException(where + "'" + key + "' is not a Spark property (those start with 'spark.'); "
                        + "OmniSpark's own settings belong in conf/data, conf/model or conf/train");
            }
            if (value.contains("CHANGE_ME")) {
                throw new LaunchException(where + "set " + key + " for your cluster (the file still has the "
                        + "placeholder '" + value + "')");
            }
            if (entries.containsKey(key)) {
                throw new LaunchException(where + key + " is set twice (first on line " + entries.get(key).line()
                        + ")");
            }
            String problem = checkValue(key, value);
            if (problem != null) {
                throw new LaunchException(where + problem);
            }
            entries.put(key, new Entry(value, n));
        }
        return new ClusterFile(file, entries);
    }

    /**
     * The type check of the properties the launcher knows, wherever they are set.
     *
     * @param key a Spark property
     * @param value its value
     * @return what is wrong, or null
     */
    static String checkValue(String key, String value) {
        if (COUNTS.contains(key) && !value.matches("[0-9]+")) {
            return key + " must be a whole number, got '" + value + "'";
        }
        if (SWITCHES.contains(key) && !value.matches("true|false")) {
            return key + " must be true or false, got '" + value + "'";
        }
        if (SIZES.contains(key) && !value.matches("[0-9]+[kKmMgGtT]?")) {
            return key + " must be a size such as 8g or 512m, got '" + value + "'";
        }
        if (key.equals(PortRangeCheck.KEY)) {
            return PortRangeCheck.problem(value);
        }
        return null;
    }

    /** @return the file as given on the command line */
    public Path file() {
        return file;
    }

    /** @return every property in file order */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** @param key a Spark property @return its value, or null */
    public String value(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    /** @param key a Spark property @return "FILE line N" of it */
    public String where(String key) {
        return file + " line " + entries.get(key).line();
    }
}
