package org.omnispark.cli;

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
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
