/** The {@code submit/omnispark} command line: {@link org.omnispark.cli.Main} and the subcommand SPI. */
package org.omnispark.cli;
