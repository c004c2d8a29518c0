package org.omnispark.data.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helper: builds RIFF/WAVE files byte by byte, so that every header field is under the test's control. */
final class WavBytes {
    static final int PCM = 1;
    static final int IEEE_FLOAT = 3;
    static final int ALAW = 6;
    static final int EXTENSIBLE = 0xFFFE;

    private WavBytes() {
    }

    /** A chunk: 4-byte id, little-endian u32 size, body, pad byte if the size is odd. */
    static byte[] chunk(String id, byte[] body) {
        return chunk(id, body.length, body);
    }

    /** A chunk whose size field says {@code declaredSize}, whatever the body's length. */
    static byte[] chunk(String id, long declaredSize, byte[] body) {
        ByteBuffer b = le(8 + body.length + (body.length & 1));
        b.put(id.getBytes(StandardCharsets.ISO_8859_1)).putInt((int) declaredSize).put(body);
        return b.array();
    }

    /** "RIFF" size "WAVE" followed by the chunks; the RIFF size is the true one. */
    static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        byte[] body = out.toByteArray();
        ByteBuffer b = le(12 + body.length);
        b.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(4 + body.length)
                .put("WAVE".getBytes(StandardCharsets.ISO_8859_1)).put(body);
        return b.array();
    }

    /** A 16-byte fmt chunk body. */
    static byte[] fmt(int tag, int channels, int rate, int blockAlign, int bits) {
        ByteBuffer b = le(16);
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits);
        return chunk("fmt ", b.array());
    }

    /** A 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk with the standard GUID of {@code subTag}. */
    static byte[] fmtExtensible(int subTag, int channels, int rate, int bits, int validBits) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b = le(40);
        b.putShort((short) EXTENSIBLE).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits)
                .putShort((short) 22).putShort((short) validBits).putInt(0x3) // cbSize, valid bits, channel mask
                .putShort((short) subTag)
                .put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", b.array());
    }

    /** Little-endian 16-bit samples. */
    static byte[] s16(int... values) {
        ByteBuffer b = le(2 * values.length);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    /** Little-endian float32 samples. */
    static byte[] f32(float... values) {
        ByteBuffer b = le(4 * values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** A complete 16-bit PCM WAV. */
    static byte[] pcm16(int rate, int channels, int... interleaved) {
        return riff(fmt(PCM, channels, rate, 2 * channels, 16), chunk("data", s16(interleaved)));
    }

    /** Reads a test resource, e.g. "/audio/pcm_s16_mono.wav". */
    static byte[] resource(String path) {
        try (InputStream in = WavBytes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing; run src/test/scripts/make_audio_fixtures.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
