package org.omnispark.data.audio;

/**
 * One MPEG audio frame header (ISO/IEC 11172-3 and 13818-3, with the MPEG 2.5 extension): 11 sync bits, version,
 * layer, CRC flag, bitrate index, sample rate index, padding, channel mode, emphasis. {@link #parse} accepts only
 * headers whose every field is valid (no free-format bitrate, no reserved values), which with
 * {@link #sameStream} is what keeps random bytes from being taken for MP3.
 *
 * @param version 10 for MPEG-1, 20 for MPEG-2 (LSF), 25 for MPEG-2.5
 * @param layer 1, 2 or 3
 * @param crc whether a 16-bit CRC follows the header
 * @param bitrate bits per second
 * @param sampleRate samples per second
 * @param padding whether the frame has one padding byte
 * @param channels 1 (single channel) or 2 (stereo, joint stereo, dual channel)
 */
record Mp3Header(int version, int layer, boolean crc, int bitrate, int sampleRate, boolean padding, int channels) {
    private static final int[] BITRATES_V1_L3 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] BITRATES_V2_L3 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    private static final int[] BITRATES_V1_L2 = {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384};
    private static final int[] BITRATES_V1_L1 = {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416,
        448};
    private static final int[] BITRATES_V2_L1 = {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256};
    private static final int[] RATES_V1 = {44100, 48000, 32000};

    /**
     * The header at {@code p}, or null when the 4 bytes there are not a valid MPEG audio frame header (or lie
     * beyond the data).
     */
    static Mp3Header parse(byte[] d, int p) {
        if (p < 0 || p + 4 > d.length || (d[p] & 0xFF) != 0xFF || (d[p + 1] & 0xE0) != 0xE0) {
            return null;
        }
        int b1 = d[p + 1] & 0xFF;
        int b2 = d[p + 2] & 0xFF;
        int b3 = d[p + 3] & 0xFF;
        int versionBits = (b1 >> 3) & 3;
        int layerBits = (b1 >> 1) & 3;
        int bitrateIndex = b2 >> 4;
        int rateIndex = (b2 >> 2) & 3;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3
                || (b3 & 3) == 2) {
            return null; // reserved version or layer, free format, bad bitrate or rate, reserved emphasis
        }
        int version = versionBits == 3 ? 10 : versionBits == 2 ? 20 : 25;
        int layer = 4 - layerBits;
        int kbps = bitrateKbps(version, layer, bitrateIndex);
        int rate = RATES_V1[rateIndex] / (version == 10 ? 1 : version == 20 ? 2 : 4);
        return new Mp3Header(version, layer, (b1 & 1) == 0, kbps * 1000, rate, (b2 & 2) != 0,
                (b3 >> 6) == 3 ? 1 : 2);
    }

    private static int bitrateKbps(int version, int layer, int index) {
        if (version == 10) {
            return (layer == 1 ? BITRATES_V1_L1 : layer == 2 ? BITRATES_V1_L2 : BITRATES_V1_L3)[index];
        }
        return (layer == 1 ? BITRATES_V2_L1 : BITRATES_V2_L3)[index];
    }

    /** Whether {@code d[p]} starts an ADTS (AAC) header: the same 12-bit sync, layer bits 00. */
    static boolean isAdts(byte[] d, int p) {
        return p + 2 <= d.length && (d[p] & 0xFF) == 0xFF && (d[p + 1] & 0xF6) == 0xF0;
    }

    /** Bytes in the frame, header included (layer III: 144 x bitrate / rate for MPEG-1, 72 x for MPEG-2/2.5). */
    int frameBytes() {
        int slots = layer == 1 ? 12 * bitrate / sampleRate + (padding ? 1 : 0) : (layer == 3 && version != 10 ? 72
                : 144) * bitrate / sampleRate + (padding ? 1 : 0);
        return layer == 1 ? slots * 4 : slots;
    }

    /** Samples per channel the frame decodes to. */
    int samplesPerFrame() {
        return layer == 1 ? 384 : layer == 3 && version != 10 ? 576 : 1152;
    }

    /** Bytes of layer III side information after the header (and its CRC). */
    int sideInfoBytes() {
        return version == 10 ? (channels == 1 ? 17 : 32) : (channels == 1 ? 9 : 17);
    }

    /** Whether {@code o} can be a later frame of the same stream (bitrate and padding may change, nothing else). */
    boolean sameStream(Mp3Header o) {
        return o != null && o.version == version && o.layer == layer && o.sampleRate == sampleRate
                && o.channels == channels;
    }

    /** "MPEG-2 layer III, 16000 Hz, mono" for messages. */
    String describe() {
        return "MPEG-" + (version == 10 ? "1" : version == 20 ? "2" : "2.5") + " layer " + "I".repeat(layer)
                + ", " + sampleRate + " Hz, " + (channels == 1 ? "mono" : "stereo");
    }
}
