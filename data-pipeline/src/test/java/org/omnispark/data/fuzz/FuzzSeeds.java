package org.omnispark.data.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.audio.Mp3Fixtures;
import org.omnispark.data.audio.OggFixtures;
import org.omnispark.data.audio.WebmFixtures;
import org.omnispark.data.tools.RequiredTools;

/**
 * The valid files the fuzz tests damage: real espeak-ng speech, written by sox and flac in the formats users have
 * (16 kHz WAV, 22.05 kHz WAV as espeak-ng writes it, 44.1 kHz stereo, 8-bit, an odd 16035 Hz rate, FLAC at 16 and
 * 22.05 kHz), and the six checked-in MP3 fixtures ({@link Mp3Fixtures}: MPEG-1/2/2.5 layer III, mono and stereo, CBR
 * and VBR, ID3 and LAME tags; no MP3 encoder is needed at test time) and the four Ogg Opus fixtures
 * ({@link OggFixtures}: mono and stereo, SILK and CELT, 20 and 60 ms packets), the three Matroska/WebM Opus fixtures
 * ({@link WebmFixtures}: seekable, live, stereo Matroska), and apart ({@link #vorbis}) the two Vorbis ones. Each is also
 * a control that must be accepted.
 */
public final class FuzzSeeds {
    /** The transcripts, one per sentence. */
    public static final List<String> SENTENCES = List.of("the quick brown fox jumps over the lazy dog",
            "seven tigers bring the box to the river", "a brother and a sister read the old map");

    /** A seed: its file and transcript. */
    public record Seed(Path file, String text) {
    }

    private FuzzSeeds() {
    }

    /** Writes the seeds into {@code dir}. */
    public static List<Seed> write(Path dir) throws IOException, InterruptedException {
        RequiredTools.require("espeak-ng", "sox", "flac");
        List<Seed> seeds = new ArrayList<>();
        for (int s = 0; s < SENTENCES.size(); s++) {
            String text = SENTENCES.get(s);
            Path raw = dir.resolve("speech" + s + ".wav");
            RequiredTools.run("espeak-ng", "-w", raw.toString(), text);
            seeds.add(new Seed(raw, text));
            seeds.add(new Seed(sox(raw, dir.resolve("s" + s + "_16k.wav"), "-r", "16000"), text));
            seeds.add(new Seed(sox(raw, dir.resolve("s" + s + "_44k_stereo.wav"), "-r", "44100", "-c", "2"), text));
            seeds.add(new Seed(sox(raw, dir.resolve("s" + s + "_u8.wav"), "-b", "8"), text));
            seeds.add(new Seed(sox(raw, dir.resolve("s" + s + "_16035.wav"), "-r", "16035"), text));
            Path flac16 = sox(raw, dir.resolve("s" + s + "_16k_flac.wav"), "-r", "16000");
            seeds.add(new Seed(flac(flac16, dir.resolve("s" + s + "_16k.flac")), text));
            seeds.add(new Seed(flac(raw, dir.resolve("s" + s + "_22k.flac")), text));
        }
        for (String name : Mp3Fixtures.NAMES) {
            Path mp3 = dir.resolve(name + ".mp3");
            Files.write(mp3, Mp3Fixtures.mp3(name));
            seeds.add(new Seed(mp3, Mp3Fixtures.text(name)));
        }
        for (String name : OggFixtures.OPUS) {
            Path opus = dir.resolve(name + ".opus");
            Files.write(opus, OggFixtures.opus(name));
            seeds.add(new Seed(opus, OggFixtures.text(name)));
        }
        for (String name : WebmFixtures.OPUS) {
            Path webm = dir.resolve(name);
            Files.write(webm, WebmFixtures.bytes(name));
            seeds.add(new Seed(webm, OggFixtures.text(name)));
        }
        return seeds;
    }

    /**
     * The Vorbis seeds (Ogg and WebM), kept apart from {@link #write}'s: they are decoded by an external ffmpeg, a
     * process per file, so the fuzz tests give them a few dozen mutants rather than hundreds.
     */
    public static List<Seed> vorbis(Path dir) throws IOException {
        RequiredTools.require("ffmpeg");
        Path ogg = dir.resolve(OggFixtures.VORBIS);
        Files.write(ogg, OggFixtures.bytes(OggFixtures.VORBIS));
        Path webm = dir.resolve(WebmFixtures.VORBIS);
        Files.write(webm, WebmFixtures.bytes(WebmFixtures.VORBIS));
        return List.of(new Seed(ogg, Mp3Fixtures.TEXT_A), new Seed(webm, Mp3Fixtures.TEXT_A));
    }

    private static Path sox(Path in, Path out, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sox", "-R", in.toString())); // -R: repeatable dither
        cmd.addAll(List.of(options));
        cmd.add(out.toString());
        RequiredTools.run(cmd.toArray(String[]::new));
        return out;
    }

    private static Path flac(Path in, Path out) throws IOException, InterruptedException {
        RequiredTools.run("flac", "-s", "-f", "-o", out.toString(), in.toString());
        return out;
    }

    /** The bytes of each seed. */
    public static List<byte[]> bytes(List<Seed> seeds) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Seed s : seeds) {
            out.add(Files.readAllBytes(s.file()));
        }
        return out;
    }
}
