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

    /** Writes {@code in} as 16-bit PCM mono WAV at its own sample rate (channels averaged). */
    public void toPcm16Mono(Path in, Path out) throws IOException {
        ExternalCommand.run(List.of(command, "-R", "-D", "-q", in.toString(), "-c", "1", "-e", "signed-integer",
                "-b", "16", out.toString()), null, TOOL_TIMEOUT);
    }

    /**
     * Changes the speed and keeps the pitch (sox {@code tempo}, WSOLA): the duration is divided by {@code factor}.
     */
    public void tempo(Path in, Path out, double factor) throws IOException {
        if (!(factor > 0.1 && factor < 10)) {
            throw new IllegalArgumentException("tempo factor must be in (0.1, 10), got " + factor);
        }
        ExternalCommand.run(List.of(command, "-R", "-D", "-q", in.toString(), out.toString(), "tempo",
                Double.toString(factor)), null, TOOL_TIMEOUT);
    }

    /**
     * Adds room reverberation (sox {@code reverb}, wet and dry mixed), with {@code tailSeconds} of silence appended
     * first so that the tail is kept; {@code --guard} lowers the gain where the sum would clip.
     *
     * @param reverberancePercent reverberance, 0-100
     * @param roomScalePercent room scale, 0-100
     */
    public void reverb(Path in, Path out, int reverberancePercent, int roomScalePercent, double tailSeconds)
            throws IOException {
        ExternalCommand.run(List.of(command, "-R", "-D", "-q", "--guard", in.toString(), out.toString(),
                "pad", "0", Double.toString(tailSeconds), "reverb", Integer.toString(reverberancePercent), "50",
                Integer.toString(roomScalePercent)), null, TOOL_TIMEOUT);
    }
}
