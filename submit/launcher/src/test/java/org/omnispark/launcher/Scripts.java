package org.omnispark.launcher;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a bash script as a user would and keeps its status and output (stdout and stderr together). */
final class Scripts {

    record Result(int status, String out) {}

    private Scripts() {}

    static Result bash(Path script, Map<String, String> env, List<String> unset, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        unset.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish in 2 minutes");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The launcher's own classpath in this test JVM: its classes and spark-launcher. */
    static String launcherClasspath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("spark-launcher") || e.endsWith("/classes") && !e.endsWith("test-classes")) {
                keep.add(e);
            }
        }
        return String.join(File.pathSeparator, keep);
    }
}
