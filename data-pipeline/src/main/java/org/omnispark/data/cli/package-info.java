/** The data pipeline's commands: {@code synth} and {@code prepare}. */
package org.omnispark.data.cli;
