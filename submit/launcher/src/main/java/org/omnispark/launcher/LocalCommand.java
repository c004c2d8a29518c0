package org.omnispark.launcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JVM on this machine running OmniSpark's CLI with an embedded Spark (no master, or local[N]): {@code java
 * MODULE-OPTIONS -Dlog4j2.configurationFile=... JAVA-OPTS -Dspark.k=v... -cp CLASSPATH org.omnispark.cli.Main ARGS},
 * with {@code OMNISPARK_MASTER} in its environment when a master was chosen.
 *
 * @param command the whole command, java first
 * @param environment what is added to this process's environment
 * @param notes what the user should know
 */
record LocalCommand(List<String> command, Map<String, String> environment, List<String> notes) implements Plan {

    LocalCommand {
        command = List.copyOf(command);
        environment = new LinkedHashMap<>(environment);
        notes = List.copyOf(notes);
    }

    @Override
    public String dryRun() {
        List<String> shown = new ArrayList<>();
        environment.forEach((k, v) -> shown.add(k + "=" + v));
        for (int i = 0; i < command.size(); i++) {
            shown.add(i > 0 && command.get(i - 1).equals("-cp") ? "CLASSPATH" : command.get(i));
        }
        // the environment assignments are shell words too: quote the value part only
        List<String> quoted = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            String w = shown.get(i);
            if (i < environment.size()) {
                int eq = w.indexOf('=');
                quoted.add(w.substring(0, eq + 1) + ShellWords.quote(w.substring(eq + 1)));
            } else {
                quoted.add(ShellWords.quote(w));
            }
        }
        return String.join(" ", quoted);
    }

    @Override
    public int run() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().putAll(environment);
        return Plan.supervise(pb.start());
    }
}
