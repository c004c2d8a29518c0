package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.io.ExternalCommand;

/**
 * The sox audio converter, run as a subprocess in repeatable mode ({@code -R}: fixed seeds, no time stamps) and
 * without dither ({@code -D}), so that the same input and format always give the same bytes.
 */
public final class Sox {
    /** The longest one run of the tool may take (one utterance, or a version or voice listing). */
    static final java.time.Duration TOOL_TIMEOUT = java.time.Duration.ofSeconds(120);
    private final String command;

    private Sox(String command) {
        this.command = command;
    }

    /**
     * Checks that {@code command} runs ({@code sox --version}).
     *
     * @throws SynthToolMissingException if it cannot be run
     */
    public static Sox locate(String command) {
        try {
            ExternalCommand.run(List.of(command, "--version"), null, TOOL_TIMEOUT);
            return new Sox(command);
        } catch (IOException e) {
            throw new SynthToolMissingException("cannot run sox as '" + command + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Converts {@code in} to {@code out} in {@code format} (rate, channels, encoding; container by extension). */
    public void convert(Path in, Path out, AudioFileFormat format) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(command, "-R", "-D", "-q", in.toString(),
            "-r", Integer.toString(format.sampleRate()), "-c", Integer.toString(format.channels())));
        boolean flac = format.container() == AudioFileFormat.Container.FLAC;
        switch (format.encoding()) {
            case PCM_16 -> cmd.addAll(flac ? List.of("-b", "16") : List.of("-e", "signed-integer", "-b", "16"));
            case PCM_24 -> cmd.addAll(flac ? List.of("-b", "24") : List.of("-e", "signed-integer", "-b", "24"));
            case FLOAT_32 -> cmd.addAll(List.of("-e", "floating-point", "-b", "32"));
            default -> throw new IllegalArgumentException("sox cannot write " + format.encoding());
        }
        cmd.add(out.toString());
        ExternalCommand.run(cmd, null, TOOL_TIMEOUT);
    }
}
