/**
 * The trainer's subcommands of {@code submit/omnispark} ({@code omnispark train}, {@code omnispark eval}), found by
 * the launcher through {@code META-INF/services/org.omnispark.cli.OmniSparkCommand}.
 */
package org.omnispark.trainer.cli;
