package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.omnispark.io.ExternalCommand;

/**
 * The flite text-to-speech program, run as a subprocess: a second synthesizer, whose voices (diphone and cluster
 * unit selection) sound unlike espeak-ng's formant voices. It writes 16-bit mono PCM WAV at the voice's own rate, and
 * the same arguments always give the same bytes.
 */
public final class Flite {
    /** The voices built into Debian's flite package, in the order the out-of-domain sets cycle through them. */
    public static final List<String> VOICES = List.of("kal", "slt", "rms", "awb");

    private final String command;

    private Flite(String command) {
        this.command = command;
    }

    /**
     * Checks that {@code command} runs ({@code flite -lv}: lists the voices).
     *
     * @param command program name on the PATH or a path, usually {@code flite}
     * @throws SynthToolMissingException if it cannot be run
     */
    public static Flite locate(String command) {
        try {
            ExternalCommand.run(List.of(command, "-lv"), null, EspeakNg.TOOL_TIMEOUT);
            return new Flite(command);
        } catch (IOException e) {
            throw new SynthToolMissingException("cannot run flite as '" + command + "' (" + e.getMessage()
                    + "); install it with: apt-get install flite", e);
        }
    }

    /**
     * Speaks {@code text} with {@code voice} into a WAV file. The text is one argument of the process (no shell).
     *
     * @param voice one of {@link #VOICES}
     */
    public void synthesize(String text, String voice, Path wavOut) throws IOException {
        ExternalCommand.run(List.of(command, "-voice", voice, "-t", text, "-o", wavOut.toString()), null,
                EspeakNg.TOOL_TIMEOUT);
    }
}
