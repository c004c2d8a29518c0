package org.omnispark.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.SparkLauncher;

/**
 * One spark-submit of OmniSpark's application jar, fully decided: run through Spark's launcher API ({@link
 * SparkLauncher}, which starts {@code $SPARK_HOME/bin/spark-submit}), or printed for a dry run.
 *
 * <p>{@link #arguments()} lists spark-submit's arguments in the order {@link SparkLauncher} gives them (verbose,
 * master, deploy mode, name, the properties, properties file, jars, files, class, other options, the application jar,
 * its arguments), so that the dry run shows what runs. The one difference: SparkLauncher keeps the properties in a
 * hash map, so the real command may list the {@code --conf}s in another order; each key appears once, so the order
 * does not change what Spark does. {@code SubmitCommandLaunchTest} runs both and compares.
 */
final class SubmitCommand implements Plan {

    String sparkHome;
    String master;
    String deployMode;
    String appName;
    boolean verbose;
    final Map<String, String> conf = new LinkedHashMap<>();
    String propertiesFile;
    final List<String> jars = new ArrayList<>();
    final List<String> files = new ArrayList<>();
    String mainClass;
    final List<List<String>> sparkArgs = new ArrayList<>();
    String appResource;
    final List<String> appArgs = new ArrayList<>();
    final Map<String, String> environment = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    /** @return spark-submit's arguments, in SparkLauncher's order */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (verbose) {
            args.add("--verbose");
        }
        args.addAll(List.of("--master", master));
        if (deployMode != null) {
            args.addAll(List.of("--deploy-mode", deployMode));
        }
        if (appName != null) {
            args.addAll(List.of("--name", appName));
        }
        conf.forEach((k, v) -> args.addAll(List.of("--conf", k + "=" + v)));
        if (propertiesFile != null) {
            args.addAll(List.of("--properties-file", propertiesFile));
        }
        if (!jars.isEmpty()) {
            args.addAll(List.of("--jars", String.join(",", jars)));
        }
        if (!files.isEmpty()) {
            args.addAll(List.of("--files", String.join(",", files)));
        }
        args.addAll(List.of("--class", mainClass));
        sparkArgs.forEach(args::addAll);
        args.add(appResource);
        args.addAll(appArgs);
        return args;
    }

    /** @return $SPARK_HOME/bin/spark-submit */
    String sparkSubmit() {
        return (sparkHome == null ? "$SPARK_HOME" : sparkHome) + "/bin/spark-submit";
    }

    @Override
    public String dryRun() {
        StringBuilder line = new StringBuilder();
        environment.forEach((k, v) -> line.append(k).append('=').append(ShellWords.quote(v)).append(' '));
        line.append(sparkHome == null ? "\"$SPARK_HOME\"/bin/spark-submit" : ShellWords.quote(sparkSubmit()));
        for (String a : arguments()) {
            line.append(' ').append(ShellWords.quote(a));
        }
        return line.toString();
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** @return a SparkLauncher set up with exactly this command */
    SparkLauncher launcher() {
        SparkLauncher l = new SparkLauncher(environment).setSparkHome(sparkHome).setMaster(master)
                .setMainClass(mainClass).setAppResource(appResource).setVerbose(verbose);
        if (deployMode != null) {
            l.setDeployMode(deployMode);
        }
        if (appName != null) {
            l.setAppName(appName);
        }
        conf.forEach(l::setConf);
        if (propertiesFile != null) {
            l.setPropertiesFile(propertiesFile);
        }
        jars.forEach(l::addJar);
        files.forEach(l::addFile);
        for (List<String> a : sparkArgs) {
            if (a.size() == 1) {
                l.addSparkArg(a.get(0));
            } else {
                l.addSparkArg(a.get(0), a.get(1));
            }
        }
        l.addAppArgs(appArgs.toArray(new String[0]));
        return l;
    }

    /** Checks what the real run needs and the dry run does not: Spark's home and the application jar. */
    void checkRunnable() {
        if (sparkHome == null) {
            throw new LaunchException("--master " + master + " needs SPARK_HOME pointing at a Spark 4.2 (Scala 2.13) "
                    + "install");
        }
        if (!Files.isExecutable(Path.of(sparkSubmit()))) {
            throw new LaunchException("no " + sparkSubmit() + ": point SPARK_HOME at a Spark 4.2 install");
        }
        if (!appResource.contains("://") && !Files.isRegularFile(Path.of(appResource))) {
            throw new LaunchException("no application jar at " + appResource);
        }
    }

    @Override
    public int run() throws IOException, InterruptedException {
        checkRunnable();
        SparkLauncher launcher;
        try {
            launcher = launcher();
        } catch (IllegalArgumentException e) { // SparkLauncher's own checks of options and values
            throw new LaunchException("Spark's launcher refused the submission: " + e.getMessage());
        }
        Process child = launcher.redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).launch();
        child.getOutputStream().close(); // spark-submit reads nothing from its standard input
        return Plan.supervise(child);
    }
}
