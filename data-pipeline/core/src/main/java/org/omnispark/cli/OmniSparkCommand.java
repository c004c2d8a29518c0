package org.omnispark.cli;

import java.util.concurrent.Callable;

/**
 * A subcommand of {@code submit/omnispark}: a picocli-annotated {@link Callable} returning the exit code. Modules
 * register theirs in {@code META-INF/services/org.omnispark.cli.OmniSparkCommand}; {@link Main} finds them all.
 */
public interface OmniSparkCommand extends Callable<Integer> {
}
