package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.omnispark.io.ExternalCommand;
import java.util.Set;
import java.util.TreeSet;

/**
 * The espeak-ng text-to-speech program, run as a subprocess. It writes 22050 Hz, 16-bit, mono PCM WAV files, and
 * the same arguments always give the same bytes.
 */
public final class EspeakNg {
    /** The longest one run of the tool may take (one utterance, or a version or voice listing). */
    static final java.time.Duration TOOL_TIMEOUT = java.time.Duration.ofSeconds(120);
    /** The sample rate of espeak-ng's WAV output. */
    public static final int NATIVE_SAMPLE_RATE = 22050;

    private final String command;
    private final String version;

    private EspeakNg(String command, String version) {
        this.command = command;
        this.version = version;
    }

    /**
     * Checks that {@code command} runs ({@code espeak-ng --version}).
     *
     * @param command program name on the PATH or a path, usually {@code espeak-ng}
     * @throws SynthToolMissingException if it cannot be run
     */
    public static EspeakNg locate(String command) {
        try {
            String v = ExternalCommand.run(List.of(command, "--version"), null, TOOL_TIMEOUT).trim();
            return new EspeakNg(command, v);
        } catch (IOException e) {
            throw new SynthToolMissingException("cannot run espeak-ng as '" + command + "' (" + e.getMessage() + ")",
                e);
        }
    }

    /** The first line of {@code espeak-ng --version}. */
    public String version() {
        return version;
    }

    /**
     * Speaks {@code text} into a WAV file. The text goes through stdin, so no shell quoting is involved.
     *
     * @param text what to say (punctuation shapes the intonation)
     * @param settings voice, rate and pitch
     * @param wavOut the WAV file to write (22050 Hz, 16-bit mono)
     */
    public void synthesize(String text, VoiceSettings settings, Path wavOut) throws IOException {
        ExternalCommand.run(List.of(command, "-v", settings.voice().espeakName(),
            "-s", Integer.toString(settings.rateWpm()), "-p", Integer.toString(settings.pitch()),
            "-w", wavOut.toString(), "--stdin"), (text + "\n").getBytes(StandardCharsets.UTF_8), TOOL_TIMEOUT);
    }

    /** The voice names of {@code espeak-ng --voices=LANG} (column "Language"), excluding MBROLA voices. */
    public Set<String> installedVoices(String language) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String[] cols : table("--voices=" + language)) {
            if (cols.length >= 5 && !cols[4].startsWith("mb/")) {
                names.add(cols[1]);
            }
        }
        return names;
    }

    /** The variant file names of {@code espeak-ng --voices=variant} (column "File" without the "!v/" prefix). */
    public Set<String> installedVariants() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String[] cols : table("--voices=variant")) {
            for (String c : cols) {
                if (c.startsWith("!v/")) {
                    names.add(c.substring(3));
                }
            }
        }
        return names;
    }

    private List<String[]> table(String option) throws IOException {
        String out = ExternalCommand.run(List.of(command, option), null, TOOL_TIMEOUT);
        return out.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")).toList();
    }
}
