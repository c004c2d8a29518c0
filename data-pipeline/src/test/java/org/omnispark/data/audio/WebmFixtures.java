package org.omnispark.data.audio;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The checked-in Matroska/WebM parity fixtures (src/test/resources/golden/webm, made by
 * src/test/scripts/make_webm_golden.sh from golden/ogg's speech WAVs), ffmpeg's decoding of each (FILE.s16le), and
 * {@link #remux}: the same Opus frames written again as live writers and mkvmerge write them (unknown-size Segment
 * and Clusters, laced blocks), which ffmpeg's muxer never does.
 */
public final class WebmFixtures {
    /** The Opus fixtures, by file name. */
    public static final List<String> OPUS = List.of("a_16k_mono_opus24.webm", "a_16k_mono_opus24_live.webm",
            "b_48k_stereo_opus64.mka");
    /** The WebM Vorbis fixture. */
    public static final String VORBIS = "a_16k_mono_vorbis.webm";

    private WebmFixtures() {
    }

    /** The bytes of {@code file} in the fixture folder. */
    public static byte[] bytes(String file) {
        return GoldenAudio.bytes("webm", file);
    }

    /** ffmpeg's decoding of {@code file} (FILE.s16le here), downmixed to the mean of its channels, 32768 = 1.0. */
    public static double[] ffmpegMono(String file, int channels) {
        return GoldenAudio.s16leMono(bytes(file + ".s16le"), channels);
    }

    /**
     * Writes the audio frames of {@code webm} again: its EBML header and Tracks, then an unknown-size Segment whose
     * Clusters (of unknown size when {@code unknownClusters}) hold SimpleBlocks of {@code perBlock} frames laced with
     * {@code lacing} (0 none, 1 Xiph, 2 fixed-size: only when the frames are equally long, else Xiph, 3 EBML), the last
     * frame alone in a BlockGroup with the DiscardPadding of the original's last frame.
     */
    public static byte[] remux(byte[] webm, int lacing, int perBlock, boolean unknownClusters) throws Exception {
        MatroskaDemuxer m = MatroskaDemuxer.read(webm, "remux");
        OpusPackets p = m.packets(48000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(webm, 0, element(webm, 0)); // the EBML header
        out.write(new byte[] {0x18, 0x53, (byte) 0x80, 0x67, 0x01, -1, -1, -1, -1, -1, -1, -1});
        int tracks = element(webm, 0) + 12; // the Segment's first child (ffmpeg writes an 8-byte Segment size)
        while ((webm[tracks] & 0xFF) != 0x16 || (webm[tracks + 1] & 0xFF) != 0x54) {
            tracks += element(webm, tracks);
        }
        out.write(webm, tracks, element(webm, tracks));
        int n = p.count();
        for (int first = 0; first < n - 1; first += 8 * perBlock) {
            ByteArrayOutputStream cluster = new ByteArrayOutputStream();
            cluster.write(new byte[] {(byte) 0xE7, (byte) 0x81, 0});
            for (int b = first; b < Math.min(n - 1, first + 8 * perBlock); b += perBlock) {
                int count = Math.min(perBlock, n - 1 - b);
                cluster.write(0xA3);
                writeBody(cluster, block(p, b, count, lacing));
            }
            out.write(new byte[] {0x1F, 0x43, (byte) 0xB6, 0x75});
            if (unknownClusters) {
                out.write(new byte[] {0x01, -1, -1, -1, -1, -1, -1, -1});
                out.write(cluster.toByteArray());
            } else {
                writeBody(out, cluster.toByteArray());
            }
        }
        ByteArrayOutputStream group = new ByteArrayOutputStream();
        group.write(0xA1);
        writeBody(group, block(p, n - 1, 1, 0));
        long ns = Math.round(p.endDiscard(n - 1) / 48000.0 * 1e9);
        group.write(new byte[] {0x75, (byte) 0xA2, (byte) 0x84, (byte) (ns >> 24), (byte) (ns >> 16), (byte) (ns >> 8),
            (byte) ns});
        ByteArrayOutputStream cluster = new ByteArrayOutputStream();
        cluster.write(new byte[] {(byte) 0xE7, (byte) 0x81, 0, (byte) 0xA0});
        writeBody(cluster, group.toByteArray());
        out.write(new byte[] {0x1F, 0x43, (byte) 0xB6, 0x75});
        writeBody(out, cluster.toByteArray());
        return out.toByteArray();
    }

    private static byte[] block(OpusPackets p, int first, int count, int lacing) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        boolean equal = true;
        for (int i = 1; i < count; i++) {
            equal &= p.length(first + i) == p.length(first);
        }
        int kind = count == 1 ? 0 : lacing == 2 && !equal ? 1 : lacing;
        b.write(0x81); // track 1
        b.write(0);
        b.write(0);
        b.write(0x80 | kind << 1);
        if (kind != 0) {
            b.write(count - 1);
            for (int i = 0; i < count - 1 && kind != 2; i++) {
                int size = p.length(first + i);
                if (kind == 1) {
                    for (; size >= 255; size -= 255) {
                        b.write(255);
                    }
                    b.write(size);
                } else { // EBML: the first size, then differences, as 2-byte signed numbers (bias 8191)
                    int v = i == 0 ? size : size - p.length(first + i - 1) + 8191;
                    b.write(0x40 | v >> 8);
                    b.write(v);
                }
            }
        }
        for (int i = 0; i < count; i++) {
            b.write(p.payload(), p.offset(first + i), p.length(first + i));
        }
        return b.toByteArray();
    }

    /** Writes an 8-byte EBML size and the body. */
    private static void writeBody(ByteArrayOutputStream out, byte[] body) {
        out.write(0x01);
        for (int i = 6; i >= 0; i--) {
            out.write((int) ((long) body.length >> (8 * i)));
        }
        out.write(body, 0, body.length);
    }

    /** The length of the element (ID, size, body) at {@code p}; its size must be known. */
    static int element(byte[] d, int p) {
        int idWidth = Integer.numberOfLeadingZeros(d[p] & 0xFF) - 23;
        int q = p + idWidth;
        int width = Integer.numberOfLeadingZeros(d[q] & 0xFF) - 23;
        long size = d[q] & (0xFF >> width);
        for (int i = 1; i < width; i++) {
            size = size << 8 | (d[q + i] & 0xFF);
        }
        return (int) (idWidth + width + size);
    }

    static int indexOf(byte[] d, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= d.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (d[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
