package org.omnispark.launcher;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The Java half of {@code submit/omnispark}, as Spark's {@code bin/spark-class} hands command building to {@code
 * org.apache.spark.launcher.Main}: the script sets up and builds, then runs {@code java -cp LAUNCHER
 * org.omnispark.launcher.Main [--verbose] [--cluster FILE] [--master URL] COMMAND [ARGS...]}, which decides the
 * command ({@link Planner}), prints it when {@code OMNISPARK_DRY_RUN} is set, and otherwise runs it and exits with its
 * status. A refused submission prints {@code omnispark: WHY} and exits with 2.
 */
public final class Main {

    private Main() {}

    /** @param args the command line of submit/omnispark after its own set-up */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    /**
     * @param args the command line
     * @param env the environment
     * @param out the dry run's command goes here
     * @param err notes and errors go here
     * @return the exit status
     */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Plan plan;
        try {
            plan = new Planner(env, BuildInfo.load()).plan(Invocation.parse(args));
        } catch (LaunchException e) {
            err.println("omnispark: " + e.getMessage());
            return 2;
        }
        for (String note : plan.notes()) {
            err.println("omnispark: note: " + note);
        }
        String dry = env.get("OMNISPARK_DRY_RUN");
        if (dry != null && !dry.isEmpty()) {
            out.println(plan.dryRun());
            return 0;
        }
        try {
            return plan.run();
        } catch (LaunchException e) {
            err.println("omnispark: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (java.io.IOException e) {
            err.println("omnispark: could not start the command: " + e.getMessage());
            return 2;
        }
    }
}
