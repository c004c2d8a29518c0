package org.omnispark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code submit/omnispark}: dispatches to the subcommands found on the classpath. */
@Command(name = "omnispark", mixinStandardHelpOptions = true, version = "omnispark 0.1.0-SNAPSHOT",
        description = "Prepare speech corpora and train Mixture-of-Experts speech recognizers on Apache Spark.",
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Runnable {
    /** The longest error text a failed command hands to YARN as the application's diagnostics. */
    static final int MAX_DIAGNOSTICS_CHARS = 8000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every registered subcommand. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        List<OmniSparkCommand> commands = new ArrayList<>();
        ServiceLoader.load(OmniSparkCommand.class).forEach(commands::add);
        commands.sort(Comparator.comparing(c -> c.getClass().getAnnotation(Command.class).name()));
        for (OmniSparkCommand c : commands) {
            cl.addSubcommand(c);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
                commandLine.getErr().println("omnispark " + commandLine.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        if (isYarnClusterDriver()) {
            String name = "omnispark-" + (args.length > 0 && !args[0].startsWith("-") ? args[0] : "help");
            runAsYarnClusterDriver(args, () -> ServiceLoader.load(DriverSession.class).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no DriverSession on the classpath: the "
                            + "omnispark-data-pipeline jar (Spark) is needed to run as a YARN cluster-mode driver"))
                    .start(name));
            return;
        }
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /**
     * Whether this JVM is the driver of a YARN cluster-mode application: Spark's ApplicationMaster sets these system
     * properties before it calls {@code main} in a thread of its own.
     */
    static boolean isYarnClusterDriver() {
        return System.getProperty("spark.yarn.app.id") != null
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    /**
     * Runs the command the way Spark's ApplicationMaster needs it:
     * <ul>
     *   <li>A SparkContext exists while the command runs ({@code session}, started first by the {@link DriverSession}
     *       on the classpath; the commands' own sessions get it). The ApplicationMaster registers with YARN only once the
     *       driver's SparkContext is up, fails the application after {@code spark.yarn.am.waitTime} (100 s) without
     *       one, and reports a driver that ended without one as failed ("User did not initialize spark context!",
     *       exit 13) even when it did its work: eval and export start no Spark job of their own.</li>
     *   <li>A return is success, an exception is failure with the exception's text as the application's
     *       diagnostics (spark-submit prints them on the client). Never {@code System.exit}: the ApplicationMaster
     *       reports any exit before {@code main} returns, exit(0) included, as a failure ("Shutdown hook called before
     *       final status was reported"), and YARN then retries the application.</li>
     * </ul>
     *
     * @param session starts the driver's SparkSession and returns what stops it
     * @throws CommandFailedException when the command ends with a non-zero code; its message is what the command
     *         printed on its error stream (e.g. "omnispark prepare: ..."), its cause the exception it ended with
     */
    static void runAsYarnClusterDriver(String[] args, java.util.function.Supplier<Runnable> session) {
        Runnable stopSession = session.get();
        try {
            runCommand(args);
        } finally {
            stopSession.run();
        }
    }

    private static void runCommand(String[] args) {
        CommandLine cl = commandLine();
        StringWriter errors = new StringWriter();
        PrintWriter err = new PrintWriter(new TeeWriter(cl.getErr(), errors), true);
        cl.setErr(err);
        Throwable[] failure = new Throwable[1];
        CommandLine.IExecutionExceptionHandler handler = cl.getExecutionExceptionHandler();
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            failure[0] = ex;
            return handler.handleExecutionException(ex, commandLine, parseResult);
        });
        int code;
        try {
            code = cl.execute(args);
        } finally {
            err.flush();
        }
        if (code != 0) {
            String text = errors.toString().strip();
            if (text.isEmpty()) {
                text = "omnispark " + (args.length > 0 ? args[0] : "") + " ended with exit code " + code;
            } else if (text.length() > MAX_DIAGNOSTICS_CHARS) {
                text = text.substring(0, MAX_DIAGNOSTICS_CHARS) + "... (" + text.length() + " chars in all)";
            }
            throw new CommandFailedException(code, text, failure[0]);
        }
    }

    /** Writes to both writers (the command's error stream and the copy kept for the diagnostics). */
    private static final class TeeWriter extends Writer {
        private final Writer first;
        private final Writer second;

        TeeWriter(Writer first, Writer second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws java.io.IOException {
            first.write(cbuf, off, len);
            second.write(cbuf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
