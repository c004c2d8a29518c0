package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcmWavTest {
    @TempDir
    Path dir;

    /** 1 s of a 1 kHz sine of amplitude 16384 at 16 kHz. */
    static PcmWav sine() {
        short[] s = new short[16000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(16384 * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        return new PcmWav(s, 16000);
    }

    @Test
    void writeReadRoundTripAndLevels() throws IOException {
        PcmWav wav = sine();
        Path p = dir.resolve("sine.wav");
        wav.write(p);
        assertEquals(44 + 32000, Files.size(p), "44-byte header + 16000 samples * 2 bytes");
        PcmWav back = PcmWav.read(p);
        assertArrayEquals(wav.samples(), back.samples());
        assertEquals(16000, back.sampleRate());
        assertEquals(1.0, back.durationSeconds(), 0.0);
        // rms of a sine = amplitude / sqrt(2) = 16384 / 1.41421 = 11585.2, / 32768 = 0.353553
        assertEquals(0.353553, back.rms(), 1e-4, "rms of sine");
        assertEquals(1.0, AudioDurations.seconds(p), 0.0, "header duration");
    }

    @Test
    void noiseHasTheRequestedSnrAndIsSeeded() {
        PcmWav clean = sine();
        PcmWav noisy = clean.withNoise(20.0, new SplittableRandom(9));
        PcmWav again = clean.withNoise(20.0, new SplittableRandom(9));
        assertArrayEquals(noisy.samples(), again.samples(), "same seed, same noise");
        double noisePower = 0;
        for (int i = 0; i < clean.samples().length; i++) {
            double d = noisy.samples()[i] - clean.samples()[i];
            noisePower += d * d;
        }
        noisePower /= clean.samples().length;
        // SNR = 10 log10(P_signal / P_noise); P_signal = 16384^2 / 2; 16000 Gaussian samples: power sd ~ 1.1%
        double snr = 10 * Math.log10(clean.meanSquare() / noisePower);
        assertEquals(20.0, snr, 0.2, "measured SNR " + snr);
    }

    @Test
    void rejectsOtherFormats() throws IOException {
        Path p = dir.resolve("x.wav");
        byte[] bytes = sine().toBytes();
        bytes[22] = 2; // channels = 2
        Files.write(p, bytes);
        assertThrows(IOException.class, () -> PcmWav.read(p));
        Files.write(p, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> PcmWav.read(p));
    }
}
