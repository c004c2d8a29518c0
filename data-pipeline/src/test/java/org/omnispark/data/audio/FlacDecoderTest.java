package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;
import org.omnispark.data.tools.RequiredTools;

/**
 * OmniSpark's FLAC decoder against the reference one: each input (espeak-ng speech, white noise for verbatim
 * subframes, silence for constant ones, stereo for the three decorrelation modes, 8/24-bit and wasted-bit samples)
 * is encoded by the {@code flac} program at several settings (fixed predictors at -0, LPC up to order 32 with
 * --lax, Rice parameter escapes, tiny and large blocks), decoded back to WAV by {@code flac -d}, and the two decoders
 * must agree on every sample.
 */
class FlacDecoderTest {
    @TempDir
    static Path dir;
    private static final List<Path> INPUTS = new ArrayList<>();

    @BeforeAll
    static void inputs() throws Exception {
        RequiredTools.require("flac", "sox", "espeak-ng");
        Path speech = dir.resolve("speech.wav");
        RequiredTools.run("espeak-ng", "-w", speech.toString(), "the quick brown fox jumps over the lazy dog");
        INPUTS.add(speech);
        INPUTS.add(sox(speech, "noise.wav", "-r", "16000", "-b", "16", "synth", "0.7", "whitenoise"));
        INPUTS.add(sox(speech, "silence_then_speech.wav", "pad", "0.5", "0"));
        INPUTS.add(sox(speech, "stereo.wav", "-c", "2", "remix", "1", "1v0.7"));
        INPUTS.add(sox(speech, "stereo_noise.wav", "-c", "2", "synth", "0.5", "pinknoise", "remix", "1", "1v-0.3"));
        INPUTS.add(sox(speech, "u8.wav", "-b", "8"));
        INPUTS.add(sox(speech, "s24.wav", "-b", "24", "vol", "0.9"));
        // 16-bit samples in a 24-bit container: the low 8 bits are 0 ("wasted bits" in every subframe)
        INPUTS.add(sox(speech, "wasted.wav", "-b", "24"));
        INPUTS.add(sox(speech, "44k_3ch.wav", "-r", "44100", "-c", "3", "remix", "1", "1v0.5", "1v-0.5"));
    }

    @Test
    void agreesWithTheReferenceDecoderOnEverySample() throws Exception {
        String[][] settings = {{"-0"}, {"-5"}, {"-8"}, {"--lax", "-l", "32", "-b", "4608"}, {"-b", "192"},
            {"-8", "-b", "16384", "--lax"}, {"-5", "--no-mid-side"}, {"-8", "-A", "tukey(0.5)", "-p"}};
        int checked = 0;
        for (Path wav : INPUTS) {
            for (String[] s : settings) {
                Path flac = dir.resolve(wav.getFileName() + String.join("_", s).replaceAll("[^a-z0-9_]", "") + ".flac");
                List<String> cmd = new ArrayList<>(List.of("flac", "-s", "-f", "--channel-map=none"));
                cmd.addAll(Arrays.asList(s));
                cmd.addAll(List.of("-o", flac.toString(), wav.toString()));
                RequiredTools.run(cmd.toArray(String[]::new));
                Path back = dir.resolve("back.wav");
                RequiredTools.run("flac", "-s", "-f", "-d", "-o", back.toString(), flac.toString());
                Audio want = AudioDecoder.decode(Files.readAllBytes(back), back.toString());
                Audio got = AudioDecoder.decode(Files.readAllBytes(flac), flac.toString());
                String what = flac.getFileName().toString();
                assertEquals(want.sampleRate(), got.sampleRate(), what);
                assertArrayEquals(want.samples(), got.samples(), what);
                checked++;
            }
        }
        assertEquals(INPUTS.size() * settings.length, checked);
    }

    @Test
    void aSegmentDecodesOnlyAsFarAsItReaches() throws Exception {
        Path flac = dir.resolve("seg.flac");
        RequiredTools.run("flac", "-s", "-f", "-o", flac.toString(), INPUTS.get(0).toString());
        byte[] bytes = Files.readAllBytes(flac);
        Audio whole = AudioDecoder.decode(bytes, "seg.flac");
        Audio seg = AudioDecoder.decode(bytes, "seg.flac", 0.5, 0.25);
        int start = Math.round(0.5f * whole.sampleRate());
        assertArrayEquals(Arrays.copyOfRange(whole.samples(), start, start + seg.samples().length), seg.samples());
        assertEquals(Math.round(0.25 * whole.sampleRate()), seg.samples().length);
    }

    @Test
    void stopsAtTheLengthLimitWithoutDecodingTheRest() throws Exception {
        Path flac = dir.resolve("long.flac");
        RequiredTools.run("flac", "-s", "-f", "-o", flac.toString(), INPUTS.get(0).toString());
        byte[] bytes = Files.readAllBytes(flac);
        double seconds = AudioDecoder.decode(bytes, "long.flac").durationSeconds();
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(bytes,
                "long.flac", 0, -1, new DecodeLimits(seconds / 2, Deadline.NONE)));
        assertEquals(RejectReason.TOO_LONG, e.reason(), e.getMessage());
        assertEquals(seconds, AudioDecoder.decode(bytes, "long.flac", 0, -1,
                new DecodeLimits(seconds + 0.01, Deadline.NONE)).durationSeconds(), 1e-9);
    }

    @Test
    void aPassedDeadlineAbandonsTheDecode() throws Exception {
        Path flac = dir.resolve("deadline.flac");
        RequiredTools.run("flac", "-s", "-f", "-o", flac.toString(), INPUTS.get(0).toString());
        byte[] bytes = Files.readAllBytes(flac);
        Deadline passed = Deadline.afterSeconds(0, "decoding deadline.flac");
        Thread.sleep(2);
        Deadline.Exceeded e = assertThrows(Deadline.Exceeded.class, () -> AudioDecoder.decode(bytes, "d.flac", 0,
                -1, new DecodeLimits(60, passed)));
        assertTrue(e.getMessage().contains("decoding deadline.flac"), e.getMessage());
    }

    @Test
    void aSplicedStreamIsCorruptNotNoise() throws Exception {
        Path flac = dir.resolve("splice.flac");
        RequiredTools.run("flac", "-s", "-f", "-b", "1024", "-o", flac.toString(), INPUTS.get(0).toString());
        byte[] a = Files.readAllBytes(flac);
        // the second half of the stream glued on twice: frame numbers jump back
        byte[] spliced = new byte[a.length + a.length / 2];
        System.arraycopy(a, 0, spliced, 0, a.length);
        int frameStart = indexOfFrameSync(a, a.length / 2);
        System.arraycopy(a, frameStart, spliced, frameStart + (a.length - frameStart) / 2,
                Math.min(a.length - frameStart, spliced.length - frameStart - (a.length - frameStart) / 2));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(spliced,
                "splice.flac"));
        assertEquals(RejectReason.CORRUPT_AUDIO, e.reason(), e.getMessage());
    }

    private static int indexOfFrameSync(byte[] a, int from) {
        for (int i = from; i + 1 < a.length; i++) {
            if ((a[i] & 0xFF) == 0xFF && (a[i + 1] & 0xFE) == 0xF8) {
                return i;
            }
        }
        throw new AssertionError("no frame sync after " + from);
    }

    private static Path sox(Path in, String name, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>();
        cmd.add("sox");
        boolean synth = Arrays.asList(args).contains("synth");
        if (synth) {
            cmd.addAll(List.of("-n"));
        } else {
            cmd.add(in.toString());
        }
        int effects = 0;
        while (effects < args.length && args[effects].startsWith("-")) {
            effects += 2;
        }
        cmd.addAll(Arrays.asList(args).subList(0, effects));
        cmd.add(out.toString());
        cmd.addAll(Arrays.asList(args).subList(effects, args.length));
        RequiredTools.run(cmd.toArray(String[]::new));
        return out;
    }
}
