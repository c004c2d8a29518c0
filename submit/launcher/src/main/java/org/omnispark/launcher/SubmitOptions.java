package org.omnispark.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user's spark-submit options ({@code OMNISPARK_SUBMIT_OPTS}, split like shell words), sorted into what the
 * launcher merges with its own and what it passes on unchanged:
 *
 * <ul>
 *   <li>{@code --conf k=v}, and the options that are only another spelling of a property ({@code --executor-cores},
 *       {@code --num-executors}, {@code --deploy-mode}, {@code --name}, ...): properties, merged with the cluster
 *       file's and the launcher's ({@link Settings});
 *   <li>{@code --files}, {@code --jars}: added to the launcher's lists (spark-submit keeps only the last {@code
 *       --files} it is given, and SparkLauncher's {@code addSparkArg("--files", ...)} replaces the list);
 *   <li>{@code --driver-java-options}: appended to the driver's Java options, after the module options;
 *   <li>{@code --master} and {@code --class} are the launcher's and refused here; so is every option that does not
 *       submit an application ({@code --kill}, {@code --status}, {@code --help}, {@code --version});
 *   <li>the rest ({@code --packages}, {@code --repositories}, {@code --keytab}, ...) goes to spark-submit as given.
 * </ul>
 */
final class SubmitOptions {

    /** Where these options come from, for messages. */
    static final String SOURCE = "OMNISPARK_SUBMIT_OPTS";

    /** Options that are another spelling of a Spark property. */
    static final Map<String, String> AS_PROPERTY = Map.of(
            "--deploy-mode", "spark.submit.deployMode",
            "--driver-memory", "spark.driver.memory",
            "--driver-cores", "spark.driver.cores",
            "--executor-memory", "spark.executor.memory",
            "--executor-cores", "spark.executor.cores",
            "--num-executors", "spark.executor.instances",
            "--total-executor-cores", "spark.cores.max",
            "--queue", "spark.yarn.queue",
            "--name", "spark.app.name");

    private static final Set<String> PASSED_WITH_VALUE = Set.of("--packages", "--exclude-packages", "--repositories",
            "--driver-class-path", "--driver-library-path", "--keytab", "--principal", "--proxy-user", "--archives",
            "--py-files");
    private static final Set<String> PASSED_SWITCHES = Set.of("--supervise", "--load-spark-defaults");
    private static final Map<String, String> REFUSED = Map.of(
            "--master", "give the master with submit/omnispark --master URL or spark.master in the cluster file",
            "--remote", "Spark Connect is not how OmniSpark runs: give a cluster master with --master URL",
            "--class", "the launcher runs org.omnispark.cli.Main; the command comes after the options",
            "--kill", "run spark-submit --kill yourself", "--status", "run spark-submit --status yourself",
            "--help", "see docs/operations.md", "-h", "see docs/operations.md",
            "--version", "run $SPARK_HOME/bin/spark-submit --version", "--usage-error", "see docs/operations.md");

    /** A property with where it was set. */
    record Property(String key, String value, String source) {}

    final List<Property> properties = new ArrayList<>();
    final List<String> files = new ArrayList<>();
    final List<String> jars = new ArrayList<>();
    final List<String> driverJavaOptions = new ArrayList<>();
    final List<List<String>> passed = new ArrayList<>();
    String propertiesFile;
    boolean verbose;

    private SubmitOptions() {}

    /**
     * @param line the value of OMNISPARK_SUBMIT_OPTS, or null
     * @return the options sorted
     * @throws LaunchException for unbalanced quotes, an unknown option, a missing value or a refused option
     */
    static SubmitOptions parse(String line) {
        SubmitOptions o = new SubmitOptions();
        if (line == null || line.isBlank()) {
            return o;
        }
        List<String> words = ShellWords.split(line, SOURCE);
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String name = word;
            String value = null;
            int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0) {
                name = word.substring(0, eq);
                value = word.substring(eq + 1);
            }
            if (REFUSED.containsKey(name)) {
                throw new LaunchException(SOURCE + " has " + name + ": " + REFUSED.get(name));
            }
            if (name.equals("--verbose") || name.equals("-v")) {
                o.verbose = true;
                continue;
            }
            if (PASSED_SWITCHES.contains(name)) {
                o.passed.add(List.of(name));
                continue;
            }
            boolean takesValue = name.equals("--conf") || name.equals("-c") || name.equals("--files")
                    || name.equals("--jars") || name.equals("--driver-java-options")
                    || name.equals("--properties-file") || AS_PROPERTY.containsKey(name)
                    || PASSED_WITH_VALUE.contains(name);
            if (!takesValue) {
                throw new LaunchException(SOURCE + ": '" + word + "' is not a spark-submit option the launcher knows"
                        + (word.startsWith("-") ? "" : " (OmniSpark's own arguments go after the command, e.g. "
                        + "submit/omnispark --master yarn train --ranks 4 ...)"));
            }
            if (value == null) {
                if (i + 1 >= words.size()) {
                    throw new LaunchException(SOURCE + ": " + name + " needs a value");
                }
                value = words.get(++i);
            }
            String source = SOURCE + " (" + name + " " + value + ")";
            switch (name) {
                case "--conf", "-c" -> {
                    int kv = value.indexOf('=');
                    if (kv <= 0) {
                        throw new LaunchException(SOURCE + ": --conf needs key=value, got '" + value + "'");
                    }
                    String key = value.substring(0, kv);
                    if (key.equals("spark.master")) {
                        throw new LaunchException(SOURCE + " sets spark.master: " + REFUSED.get("--master"));
                    }
                    o.properties.add(new Property(key, value.substring(kv + 1), SOURCE + " (--conf " + key + ")"));
                }
                case "--files" -> o.files.addAll(list(value));
                case "--jars" -> o.jars.addAll(list(value));
                case "--driver-java-options" -> o.driverJavaOptions.add(value);
                case "--properties-file" -> o.propertiesFile = value;
                default -> {
                    if (AS_PROPERTY.containsKey(name)) {
                        o.properties.add(new Property(AS_PROPERTY.get(name), value, source));
                    } else {
                        o.passed.add(List.of(name, value));
                    }
                }
            }
        }
        return o;
    }

    /** @param commaSeparated a,b,c @return the non-empty elements */
    static List<String> list(String commaSeparated) {
        List<String> out = new ArrayList<>();
        for (String s : commaSeparated.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
