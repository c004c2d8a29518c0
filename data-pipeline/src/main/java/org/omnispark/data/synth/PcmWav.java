package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * Minimal reader and writer of 16-bit PCM mono WAV files (the format espeak-ng writes), plus white noise at a
 * chosen signal-to-noise ratio. Not a general decoder: the data pipeline has its own.
 *
 * @param samples the 16-bit samples, [numSamples]
 * @param sampleRate samples per second
 */
public record PcmWav(short[] samples, int sampleRate) {
    public PcmWav {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, got " + sampleRate);
        }
    }

    /** Duration in seconds. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    /** Root-mean-square level relative to full scale (1.0 = a full-scale square wave). */
    public double rms() {
        return Math.sqrt(meanSquare()) / 32768.0;
    }

    /** Mean of the squared samples, in int16 units squared (0 for an empty file). */
    public double meanSquare() {
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return samples.length == 0 ? 0 : sum / samples.length;
    }

    /**
     * Adds white Gaussian noise so that 10 log10(P_signal / P_noise) = {@code snrDb}, where P_signal is the mean
     * square over the whole file (pauses included) and P_noise = P_signal / 10^(snrDb / 10). Rounds and clips to
     * int16.
     */
    public PcmWav withNoise(double snrDb, RandomGenerator rng) {
        double noiseStd = Math.sqrt(meanSquare() / Math.pow(10.0, snrDb / 10.0));
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            long v = Math.round(samples[i] + noiseStd * rng.nextGaussian());
            out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
        }
        return new PcmWav(out, sampleRate);
    }

    /**
     * Reads a 16-bit PCM mono WAV file (chunks other than "fmt " and "data" are skipped).
     *
     * @throws IOException if the file is not 16-bit PCM mono WAV or ends early
     */
    public static PcmWav read(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(path + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int rate = -1;
        while (pos + 8 <= b.limit()) {
            int id = b.getInt(pos);
            long size = b.getInt(pos + 4) & 0xffffffffL;
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                int fmt = b.getShort(body) & 0xffff;
                int channels = b.getShort(body + 2);
                int bits = b.getShort(body + 14);
                if (fmt != 1 || channels != 1 || bits != 16) {
                    throw new IOException(path + ": expected 16-bit PCM mono, got format " + fmt + ", "
                        + channels + " channels, " + bits + " bits");
                }
                rate = b.getInt(body + 4);
            } else if (id == 0x61746164) { // "data"
                if (rate < 0) {
                    throw new IOException(path + ": data chunk before fmt chunk");
                }
                if (body + size > b.limit()) {
                    throw new IOException(path + ": data chunk says " + size + " bytes, file has "
                        + (b.limit() - body));
                }
                short[] samples = new short[(int) (size / 2)];
                b.position(body);
                b.asShortBuffer().get(samples);
                return new PcmWav(samples, rate);
            }
            pos = (int) (body + size + (size & 1));
        }
        throw new IOException(path + ": no data chunk");
    }

    /** Writes this audio as a canonical 44-byte-header 16-bit PCM mono WAV file. */
    public void write(Path path) throws IOException {
        Files.write(path, toBytes());
    }

    /** The bytes of a canonical 16-bit PCM mono WAV file. */
    public byte[] toBytes() {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + dataBytes).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(sampleRate)
            .putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(dataBytes);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }
}
