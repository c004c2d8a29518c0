package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A made-up machine for the launcher: a Spark home whose spark-submit must never run, a build classpath (a tests jar,
 * module jars, dependencies, JUnit and the CPU natives, as the build writes it) and the application jar's path. The
 * repository is the real one (conf/, submit/).
 */
final class Fixture {

    static final String APP_JAR = "/app/omnispark-spark_2.13-0.1.0.jar";
    static final String NATIVES = "/m2/ai/djl/pytorch/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-linux-x86_64.jar";
    static final String MAIN = "org.omnispark.cli.Main";
    static final BuildInfo BUILD = BuildInfo.load();
    /** The module options, as driver and executors get them. */
    static final String OPENS = BUILD.jvmOpensString();

    final Path tmp;
    final Path sparkHome;
    final Path classpath;
    final Path cudaClasspath;

    Fixture(Path tmp) {
        this.tmp = tmp;
        try {
            sparkHome = tmp.resolve("spark");
            Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
            Files.writeString(submit, "#!/bin/sh\necho should-not-run\nexit 99\n");
            submit.toFile().setExecutable(true);
            classpath = tmp.resolve("classpath");
            Files.writeString(classpath, "/app/omnispark-data-pipeline-0.1.0-tests.jar:/app/omnispark-data-pipeline-0.1.0.jar:"
                    + "/app/omnispark-trainer-0.1.0.jar:/m2/jackson-databind-2.18.2.jar:/m2/api-0.35.1.jar:"
                    + "/m2/junit-jupiter-api-5.11.4.jar:" + NATIVES + "\n");
            cudaClasspath = tmp.resolve("classpath-cuda");
            Files.writeString(cudaClasspath, "/app/omnispark-trainer-0.1.0.jar:/m2/api-0.35.1.jar\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the repository (the folder with submit/omnispark), from the test's working folder upwards */
    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("submit/omnispark"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no submit/omnispark above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** @return the environment of a submission on this machine, with the given NAME, VALUE pairs on top */
    Map<String, String> env(String... nameValue) {
        Map<String, String> env = new HashMap<>();
        env.put("OMNISPARK_HOME", repoRoot().toString());
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("OMNISPARK_CLASSPATH_FILE", classpath.toString());
        env.put("OMNISPARK_APP_JAR", APP_JAR);
        for (int i = 0; i < nameValue.length; i += 2) {
            if (nameValue[i + 1] == null) {
                env.remove(nameValue[i]);
            } else {
                env.put(nameValue[i], nameValue[i + 1]);
            }
        }
        return env;
    }

    static Plan plan(Map<String, String> env, String... args) {
        return new Planner(env, BUILD).plan(Invocation.parse(List.of(args)));
    }

    SubmitCommand submit(Map<String, String> env, String... args) {
        return assertInstanceOf(SubmitCommand.class, plan(env, args));
    }

    SubmitCommand submit(String... args) {
        return submit(env(), args);
    }

    /** @return the message of the refusal */
    String refused(Map<String, String> env, String... args) {
        return assertThrows(LaunchException.class, () -> plan(env, args), "expected a refusal").getMessage();
    }

    String refused(String... args) {
        return refused(env(), args);
    }

    /** A cluster file with the given text. */
    String clusterFile(String name, String text) {
        try {
            Path f = tmp.resolve(name);
            Files.writeString(f, text);
            return f.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A shipped cluster file with its placeholders filled. */
    String shipped(String name) {
        try {
            return clusterFile("filled-" + name, Files.readString(repoRoot().resolve("conf/cluster/" + name))
                    .replace("CHANGE_ME", "host1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String repo(String relative) {
        return repoRoot().resolve(relative).toString();
    }

    /** Asserts the arguments between --conf pairs: the properties as an ordered map. */
    static Map<String, String> confs(SubmitCommand c) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        List<String> a = c.arguments();
        for (int i = 0; i < a.indexOf("--class"); i++) {
            if (a.get(i).equals("--conf")) {
                String kv = a.get(++i);
                String key = kv.substring(0, kv.indexOf('='));
                assertEquals(null, m.put(key, kv.substring(kv.indexOf('=') + 1)), "one --conf per key: " + key);
            }
        }
        return m;
    }
}
